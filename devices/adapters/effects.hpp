#pragma once
// What an ecosystem adapter asks the hub to do after one MQTT message: the adapters are pure
// (message in, effects out) and the hub carries the effects out, in the order of the fields below.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "devices/registry.hpp"
#include "proto/device.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"
#include "proto/value.hpp"

namespace hearth::devices::adapters {

/// One MQTT message, in either direction.
struct Publish {
    std::string topic;
    std::string payload;
    bool retain = false;
    friend bool operator==(const Publish&, const Publish&) = default;
};

struct StateReport {
    proto::DeviceId device;
    proto::Attributes attributes;
    std::string context_id;  // the command this state answers, when the device echoed one
};

struct AvailabilityReport {
    proto::DeviceId device;
    Availability availability = Availability::unknown;
};

/// Something that happened on a device (a button press): `{"event": name, …attributes}` natively.
struct DeviceEvent {
    proto::DeviceId device;
    std::string name;
    proto::Attributes attributes;
};

/// A device that is known but unusable (`problem` set), or usable again (`problem` empty).
/// The area an ecosystem suggests for a device (HA's `suggested_area`), as free text.
struct SuggestedArea {
    proto::DeviceId device;
    std::string area;
};

struct DeviceProblem {
    proto::DeviceId device;
    std::string problem;
};

/// A discovered entity that Hearth does not map, and why. Listed over REST by the hub.
struct UnmappedEntity {
    std::string source;      // the discovery topic, or "<base>/bridge/devices#<name>.<property>"
    std::string unique_id;   // the ecosystem's own id, when it has one
    proto::DeviceId device;  // the Hearth device it belongs to, when there is one
    std::string component;   // HA platform ("update") or Z2M expose type
    std::string name;
    std::string reason;
    friend bool operator==(const UnmappedEntity&, const UnmappedEntity&) = default;
};

nlohmann::json to_json(const UnmappedEntity& u);
nlohmann::json to_json(const std::vector<UnmappedEntity>& list);

/// Apply in this order: subscriptions, upserts, problems, states, availability, events, removals.
struct Effects {
    std::vector<std::string> subscribe;    // new topic filters to subscribe to
    std::vector<std::string> unsubscribe;  // filters no longer needed
    std::vector<proto::DeviceDescription> upserts;
    std::vector<SuggestedArea> suggested_areas;  // for upserts without an area of their own
    std::vector<DeviceProblem> problems;
    std::vector<StateReport> states;
    std::vector<AvailabilityReport> availability;
    std::vector<DeviceEvent> events;
    std::vector<proto::DeviceId> removals;
    std::vector<proto::Error>
        errors;                     // input that was refused or could not be read; to count and log
    bool unmapped_changed = false;  // the adapter's unmapped list changed

    bool empty() const noexcept;
    /// Appends another set of effects after these.
    void append(Effects other);
};

/// A device's availability before and after applying effects (real changes only).
struct AvailabilityChange {
    proto::DeviceId device;
    Availability before = Availability::unknown;
    Availability after = Availability::unknown;
};

/// What applying effects to a registry did: the facts that follow from them.
struct Applied {
    std::vector<proto::DeviceId> upserted;  // devices added or whose description changed
    std::vector<StateChange> changes;
    std::vector<proto::Error> rejected;  // state attributes or upserts the registry refused
    std::vector<AvailabilityChange> availability_changed;
};

/// Applies upserts, problems, states, availability and removals to a registry, in that order
/// (events and subscriptions are the hub's). An upsert keeps the area and Chinese name already
/// set on a known device, since ecosystems carry neither. A convenience for the hub and for tests.
Applied apply(Registry& registry, const Effects& effects);

}  // namespace hearth::devices::adapters
