#pragma once
// The home's areas as the API edits them: create, rename, delete, and which area a device is in.
// The home file seeds the areas the store does not have yet, except those deleted through the API;
// from then on the store is the truth (a rename survives a restart). A device assigned to an area
// stays there whatever area it announces: `place` rewrites the area of every description that comes
// in from an adapter. A deleted area is gone from the store, the registry and the API at once
// (rules, scenes and the vocabulary are checked again).
// Every answer is sent after the commit. Hub thread only; what the links refer to outlives Areas.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hub/answer.hpp"
#include "hub/router.hpp"
#include "hub/store_types.hpp"
#include "proto/area.hpp"
#include "proto/ids.hpp"

namespace hearth::devices::adapters {
struct Effects;
}

namespace hearth::devices {
class Registry;
}

namespace hearth::hub {

class Store;

struct AreaLinks {
    devices::Registry& registry;
    Store& store;
    std::function<TimePoint()> now;
    /// Called after a change of areas or of a device's area (rules, scenes and the vocabulary
    /// are checked again).
    std::function<void()> changed;
};

class Areas {
public:
    explicit Areas(AreaLinks links) : links_(std::move(links)) {}

    /// At start: the assignments and deletions kept in the store's documents, then the home
    /// file's areas the store does not have (and were not deleted).
    void load(const std::vector<Document>& documents);
    void seed(const std::vector<proto::Area>& home_areas);

    /// {"id", "name": {"zh", "en"}, "floor"?}; 409 when the id exists.
    void create(const nlohmann::json& body, Answer done);
    /// {"name", "floor"?}: replaces the name (and floor) of an existing area; the id stays.
    void rename(const proto::AreaId& id, const nlohmann::json& body, Answer done);
    /// Refused (409, naming them) while any device is in the area.
    void remove(const proto::AreaId& id, Answer done);
    /// {"area": id} of an existing area.
    void assign(const proto::DeviceId& device, const nlohmann::json& body, Answer done);

    /// Gives every device description in `effects` the area the home assigned it, if any.
    void place(devices::adapters::Effects& effects) const;
    /// The areas the API shows: the registry's, without those deleted.
    std::vector<const proto::Area*> list() const;

private:
    const proto::Area* find(const proto::AreaId& id) const;

    AreaLinks links_;
    std::map<proto::DeviceId, proto::AreaId> assigned_;
    std::set<std::string> deleted_;  // area ids deleted through the API
};

/// GET /api/v1/areas (read); POST /api/v1/areas, PUT and DELETE /api/v1/areas/{id},
/// PUT /api/v1/devices/{id}/area (admin).
void add_area_routes(Router& router, Areas& areas, const devices::Registry& registry);

}  // namespace hearth::hub
