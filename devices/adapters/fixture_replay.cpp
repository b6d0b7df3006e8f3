#include "devices/adapters/fixture_replay.hpp"

#include <nlohmann/json.hpp>

namespace hearth::devices::adapters {

namespace {

std::string payload_text(const nlohmann::json& p) {
    return p.is_string() ? p.get<std::string>() : p.dump();
}

bool retained(const nlohmann::json& m) {
    if (m.contains("retain") && m["retain"].is_boolean()) return m["retain"].get<bool>();
    if (m.contains("opts") && m["opts"].is_object()) return m["opts"].value("retain", false);
    return false;
}

}  // namespace

std::vector<Publish> replay_messages(const nlohmann::json& fixture) {
    std::vector<Publish> out;
    if (!fixture.is_object()) return out;
    if (auto it = fixture.find("ha_discovery"); it != fixture.end() && it->is_array())
        for (const auto& m : *it)
            out.push_back({m.value("topic", ""), payload_text(m["payload"]), retained(m)});
    if (auto it = fixture.find("sequence"); it != fixture.end() && it->is_array())
        for (const auto& step : *it)
            if (auto p = step.find("published"); p != step.end() && p->is_array())
                for (const auto& m : *p)
                    out.push_back({m.value("topic", ""), payload_text(m["payload"]), retained(m)});
    return out;
}

std::vector<Publish> recorded_commands(const nlohmann::json& fixture) {
    std::vector<Publish> out;
    if (!fixture.is_object() || !fixture.contains("sequence")) return out;
    for (const auto& step : fixture["sequence"]) {
        const auto& input = step["input"];
        if (input.value("kind", "") == "mqtt_in")
            out.push_back({input.value("topic", ""), payload_text(input["payload"]), false});
    }
    return out;
}

std::vector<Publish> bridge_state_messages(const nlohmann::json& bridge, std::string_view when) {
    std::vector<Publish> out;
    if (!bridge.is_object() || !bridge.contains("bridge_state")) return out;
    for (const auto& m : bridge["bridge_state"])
        if (m.value("when", "") == when)
            out.push_back({m.value("topic", ""), payload_text(m["payload"]), retained(m)});
    return out;
}

}  // namespace hearth::devices::adapters
