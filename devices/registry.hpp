#pragma once
// The device registry: every known area and device, its description, live state, availability
// and a per-device version that moves only on real state changes. Hub thread only: no locks.
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/area.hpp"
#include "proto/command.hpp"
#include "proto/device.hpp"
#include "proto/errc.hpp"
#include "proto/value.hpp"

namespace hearth::devices {

enum class Availability { unknown, online, offline };
std::string_view to_string(Availability a) noexcept;

struct Device {
    proto::DeviceDescription description;
    proto::Attributes state;
    Availability availability = Availability::unknown;
    std::uint64_t version = 0;     // +1 on every state update that changed something
    std::string last_context_id;   // context of the last state update that carried one
    std::string problem;           // why the device is unusable (bad config); empty when fine
};

/// One attribute that really changed.
struct StateChange {
    proto::DeviceId device;
    std::string attribute;
    proto::Value old_value;
    proto::Value new_value;
    std::uint64_t version = 0;
    std::string context_id;
};

/// What apply_state did: the real changes, and the attributes it refused (with reasons).
struct StateUpdate {
    std::vector<StateChange> changes;
    std::vector<proto::Error> rejected;
};

/// Empty fields match everything.
struct DeviceFilter {
    std::optional<proto::AreaId> area = {};
    std::optional<proto::DeviceKind> kind = {};
    std::string capability = {};
};

enum class Upsert { added, updated, unchanged };

class Registry {
public:
    Upsert upsert_area(proto::Area area);
    /// Forgets an area; false when it was not known. The caller makes sure no device is in it.
    bool remove_area(const proto::AreaId& id);
    const proto::Area* find_area(const proto::AreaId& id) const;
    std::vector<const proto::Area*> areas() const;

    /// Adds or replaces a description. State and availability are kept; state attributes the
    /// new description no longer has are dropped.
    Upsert upsert(proto::DeviceDescription description);
    bool remove(const proto::DeviceId& id);
    const Device* find(const proto::DeviceId& id) const;
    std::vector<const Device*> list(const DeviceFilter& filter = {}) const;
    std::size_t size() const noexcept { return devices_.size(); }

    /// Marks a device unusable with a reason, or usable again with an empty reason.
    void set_problem(const proto::DeviceId& id, std::string problem);

    /// Applies reported attributes. Attributes the device does not have, or values of the wrong
    /// type, are refused one by one; the rest are applied. Range is not checked: a reading is a fact.
    proto::Result<StateUpdate> apply_state(const proto::DeviceId& id, const proto::Attributes& reported,
                                           std::string_view context_id = {});
    /// Puts back a state read from storage, as it was (no change events).
    void restore(const proto::DeviceId& id, proto::Attributes state, std::uint64_t version, Availability availability);

    /// Returns true when the availability changed.
    proto::Result<bool> set_availability(const proto::DeviceId& id, Availability availability);

    /// Checks a command against the device's capabilities and availability. Returns the command
    /// to send (transition dropped when the device does not declare it), or the first problem.
    proto::Result<proto::Command> validate(const proto::DeviceId& id, const proto::Command& command) const;

private:
    std::map<proto::AreaId, proto::Area> areas_;
    std::map<proto::DeviceId, Device> devices_;
};

/// The API's view of a device: description, availability, state, version and problem.
nlohmann::json to_json(const Device& device);

/// Capability checks alone, for a device that is not (yet) in a registry.
proto::Result<proto::Command> validate_command(const proto::DeviceDescription& device,
                                               const proto::Command& command);

}  // namespace hearth::devices
