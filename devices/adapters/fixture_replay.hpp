#pragma once
// Turns the recorded Zigbee2MQTT fixtures (testdata/mqtt-payloads/zigbee2mqtt/*.json) into the
// ordered messages a broker would deliver, so that unit tests and broker-backed integration tests
// replay exactly the same traffic. Pure: the caller reads the file.
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "devices/adapters/effects.hpp"

namespace hearth::devices::adapters {

/// What the device and Zigbee2MQTT publish: every discovery config (retained), then, step by
/// step, every message published in response to each input. JSON payloads are serialised,
/// string payloads are sent as their text. Empty when the fixture has no such keys.
std::vector<Publish> replay_messages(const nlohmann::json& fixture);

/// The recorded commands sent to the device (`mqtt_in` inputs), in order: the reference for
/// what a controller must publish.
std::vector<Publish> recorded_commands(const nlohmann::json& fixture);

/// The bridge's own state messages from bridge.json (`when` = "startup" or "shutdown").
std::vector<Publish> bridge_state_messages(const nlohmann::json& bridge,
                                           std::string_view when = "startup");

}  // namespace hearth::devices::adapters
