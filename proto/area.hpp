#pragma once
// An area (room) of the home.
#include <nlohmann/json_fwd.hpp>

#include "proto/device.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"

namespace hearth::proto {

struct Area {
    AreaId id;
    LocalizedName name;
    friend bool operator==(const Area&, const Area&) = default;
};

nlohmann::json to_json(const Area& a);
Result<Area> area_from_json(const nlohmann::json& j);

}  // namespace hearth::proto
