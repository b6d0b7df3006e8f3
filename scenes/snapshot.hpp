#pragma once
// Snapshots of device state taken before a scene activation or a voice command, and the undo
// stack they go on. A snapshot holds every attribute of every device it covers — including the
// brightness and colour temperature of a light that is off — so undo can restore the levels too.
#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "devices/registry.hpp"
#include "proto/errc.hpp"
#include "scenes/calendar.hpp"
#include "scenes/scene.hpp"

namespace hearth::scenes {

struct DeviceSnapshot {
    proto::DeviceId device;
    proto::Attributes state;
    friend bool operator==(const DeviceSnapshot&, const DeviceSnapshot&) = default;
};

struct Snapshot {
    std::string label;       // what was about to happen ("scene sleep", "intent sleepy")
    std::string context_id;  // the context of the change it precedes
    TimePoint taken_at{};
    std::vector<DeviceSnapshot> devices;
    friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

/// The current state of the given devices; unknown devices are left out.
Snapshot take_snapshot(const devices::Registry& registry, const std::vector<proto::DeviceId>& devices,
                       TimePoint now, std::string label = {}, std::string context_id = {});

/// A scene that sets the snapshot's writable attributes (to save a snapshot as a scene).
Scene scene_from_snapshot(const Snapshot& snapshot, proto::SceneId id, proto::LocalizedName name,
                          proto::AreaId area = {});

/// The commands that bring the devices back to the snapshot, differences only. A device that
/// was off is turned off again, and its levels are restored in the same command next to
/// `on: false` (see plan_scene), so the light is off and comes back at its old level.
Plan plan_undo(const Snapshot& snapshot, const devices::Registry& registry, std::string_view context_id = {});

/// What activating a scene takes: the snapshot to push on the undo stack first (every target
/// device, labelled "scene <id>"), and the plan of commands to send.
struct Activation {
    Snapshot snapshot;
    Plan plan;
};
/// `context.now` stamps the snapshot; commands and snapshot carry `context_id`.
Activation plan_activation(const Scene& scene, const devices::Registry& registry, const EvalContext& context,
                           std::string_view context_id = {});

nlohmann::json to_json(const Snapshot& snapshot);
proto::Result<Snapshot> snapshot_from_json(const nlohmann::json& j);

/// Most recent last; the oldest entries are dropped beyond `capacity`. Hub thread only.
class UndoStack {
public:
    explicit UndoStack(std::size_t capacity = 20) : capacity_(capacity == 0 ? 1 : capacity) {}

    void push(Snapshot snapshot);
    /// The most recent snapshot, removed; nullopt when empty.
    std::optional<Snapshot> pop();
    const Snapshot* top() const noexcept { return entries_.empty() ? nullptr : &entries_.back(); }
    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }

    nlohmann::json to_json() const;
    /// Replaces the contents; on error nothing changes.
    proto::Result<void> load_json(const nlohmann::json& j);

private:
    std::size_t capacity_;
    std::deque<Snapshot> entries_;
};

}  // namespace hearth::scenes
