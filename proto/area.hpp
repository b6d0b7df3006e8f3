#pragma once
// An area (room) of the home, and the floor it is on.
// JSON: {"id", "name", "floor": {"id", "name", "level"}} (floor optional).
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "proto/device.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"

namespace hearth::proto {

/// The floor an area is on. `level` orders floors (1 = the ground floor, 2 the one above, 0 or
/// less below ground) so "upstairs" and "楼下" can be read; unknown when absent.
struct Floor {
    std::string id;  // an id as for areas ("first_floor")
    LocalizedName name;
    std::optional<int> level;
    friend bool operator==(const Floor&, const Floor&) = default;
};

struct Area {
    AreaId id;
    LocalizedName name;
    std::optional<Floor> floor;  // none in a home without floors (a flat)
    friend bool operator==(const Area&, const Area&) = default;
};

nlohmann::json to_json(const Area& a);
Result<Area> area_from_json(const nlohmann::json& j);

}  // namespace hearth::proto
