#pragma once
// Hearth devices seen as Home Assistant entities: which entities a device is (its main entity by
// kind — light, climate, media_player, cover, lock, fan, vacuum, switch — and a sensor or
// binary_sensor for each reading the main entity does not show), the state and attributes each
// shows in Home Assistant's conventions, and a Home Assistant service call turned into the Hearth
// command it means. A projection: no state of its own, no I/O. docs/ha-api.md has the mapping.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "devices/registry.hpp"
#include "proto/command.hpp"
#include "proto/device.hpp"
#include "proto/errc.hpp"

namespace hearth::hub::ha {

struct EntityRef {
    std::string entity_id;  // "light.bedroom_ceiling_light"
    std::string domain;     // "light"
    proto::DeviceId device;
    std::string attribute;  // the reading a sensor or binary_sensor shows; empty for a main entity
};

/// Lower case, every run of other characters than a–z and 0–9 one '_' ("bedroom.ac" → "bedroom_ac").
std::string slug(std::string_view text);

/// The device's entities, main entity first.
std::vector<EntityRef> entities_of(const proto::DeviceDescription& device);

struct EntityState {
    std::string state;        // "on", "23.5", "unavailable", …
    nlohmann::json attributes = nlohmann::json::object();  // friendly_name included
    friend bool operator==(const EntityState&, const EntityState&) = default;
};

EntityState state_of(const EntityRef& entity, const devices::Device& device);

/// The Hearth command a service call on one entity means. `domain` is the service's domain (the
/// entity's own, or "homeassistant"); `data` holds the service's fields without the targets.
/// Errors: not_found for a service the entity does not have, invalid_field naming a field that is
/// unknown, of the wrong type or out of the service's range (the registry then checks the command
/// against the device).
proto::Result<proto::Command> command_for(const EntityRef& entity, const devices::Device& device,
                                          std::string_view domain, std::string_view service, const nlohmann::json& data);

/// get_services: {domain: {service: {"name", "description", "fields": {…}, "target"?}}} for every
/// domain and service command_for knows.
nlohmann::json services_json();

}  // namespace hearth::hub::ha
