#pragma once
// Every Home Assistant entity of the registry with what Home Assistant shows beside its state: when
// it last changed and was last updated, and the context of that change. The table is refreshed
// from the registry when a device fact arrives and says which entities really changed (Home
// Assistant's StateMachine.async_set fires only then). Pure: time and context ids are passed in.
// Hub thread only.
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "devices/registry.hpp"
#include "hub/ha/entity_projection.hpp"

namespace hearth::hub::ha {

using WallTime = std::chrono::system_clock::time_point;

struct EntityContext {
    std::string id;
    std::string parent_id;  // empty = null
};

struct EntityRecord {
    EntityRef ref;
    EntityState shown;
    WallTime last_changed;  // the state text changed
    WallTime last_updated;  // the state or an attribute changed
    EntityContext context;
};

/// One entity that changed: its record before and now.
struct EntityChange {
    EntityRecord before;
    const EntityRecord* after = nullptr;
};

class EntityTable {
public:
    explicit EntityTable(const devices::Registry& registry) : registry_(registry) {}

    struct Rebuilt {
        std::vector<std::string> added;    // entity ids
        std::vector<std::string> removed;  // entity ids
        std::vector<EntityChange> changed;  // entities kept whose state or attributes changed
    };
    /// Reads the registry's devices anew (devices added, described anew or removed); new entities
    /// start at `now`.
    Rebuilt rebuild(WallTime now, const EntityContext& context);
    /// Recomputes the device's entities after a fact about it; returns those that changed.
    std::vector<EntityChange> refresh(const proto::DeviceId& device, WallTime now, const EntityContext& context);

    const EntityRecord* find(std::string_view entity_id) const;
    const std::map<std::string, EntityRecord, std::less<>>& all() const noexcept { return records_; }
    /// The device's entity ids, main entity first.
    std::vector<std::string> of_device(const proto::DeviceId& device) const;

private:
    const devices::Registry& registry_;
    std::map<std::string, EntityRecord, std::less<>> records_;
    std::map<proto::DeviceId, std::vector<std::string>> by_device_;
};

/// "2026-12-03T18:38:45.123456+00:00", as Home Assistant writes times.
std::string iso_time(WallTime t);
/// Seconds since 1970 with the microseconds as the fraction (subscribe_entities' "lc", "lu").
double epoch_seconds(WallTime t);

/// {"id", "parent_id", "user_id": null}
nlohmann::json context_json(const EntityContext& context);
/// The state object of get_states and state_changed: entity_id, state, attributes, last_changed,
/// last_reported, last_updated, context.
nlohmann::json state_json(const EntityRecord& record);
/// subscribe_entities' compressed state: {"s", "a", "c", "lc", "lu"?} ("lu" only when it differs).
nlohmann::json compressed_json(const EntityRecord& record);
/// subscribe_entities' change of one entity: {"+": {"s"?, "a"?, "c"?, "lc" | "lu"}, "-": {"a": [removed]}?}.
nlohmann::json diff_json(const EntityRecord& before, const EntityRecord& after);

}  // namespace hearth::hub::ha
