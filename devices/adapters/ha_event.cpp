#include "devices/adapters/ha_platform.hpp"

#include <nlohmann/json.hpp>

namespace hearth::devices::adapters {

using proto::Access;
using proto::Capability;
using proto::Errc;
using proto::make_error;
using proto::Result;
using proto::Value;
using proto::ValueType;
using json = nlohmann::json;

std::optional<Unmapped> map_button(Builder b) {
    auto cmd = template_option(b.config, "command_template");
    if (auto* u = std::get_if<Unmapped>(&cmd)) return *u;
    const auto topic = str(b.config, "command_topic");
    if (topic.empty()) return Unmapped{"a button needs a command_topic"};
    const auto press = str(b.config, "payload_press", "PRESS");
    const auto attribute = b.entity.key;
    b.entity.priority = 90;
    b.add(bool_capability(attribute, Access::write), Naming::own);
    b.entity.writer = [=, cmd = std::get<std::optional<Template>>(cmd), retain = flag(b.config, "retain")](
                     const proto::Attributes& set, std::optional<double>,
                     std::vector<Publish>& out) -> Result<void> {
        auto v = want_bool(set, attribute);
        if (!v) return v.error();
        if (!*v) return {};
        auto payload = command_payload(cmd, TemplateValue{press});
        if (!payload) return payload.error();
        out.push_back({topic, *payload, retain});
        return {};
    };
    return std::nullopt;
}

std::optional<Unmapped> map_device_automation(Builder b) {
    if (str(b.config, "automation_type", "trigger") != "trigger")
        return Unmapped{"only trigger automations are mapped"};
    auto tpl = template_option(b.config, "value_template");
    if (auto* u = std::get_if<Unmapped>(&tpl)) return *u;
    const auto topic = str(b.config, "topic");
    if (topic.empty()) return Unmapped{"a device trigger needs a topic"};
    const auto payload = str(b.config, "payload");
    const auto subtype = str(b.config, "subtype");
    const auto type = str(b.config, "type", "action");
    b.entity.priority = 85;
    b.entity.kind = proto::DeviceKind::button;
    b.add(canonical("action"), Naming::canonical);
    b.read(HaReader{
        topic,
        [=, t = std::get<std::optional<Template>>(tpl)](const HaMessage& m, HaReading& r) {
            auto text = render_value(t, m, r, "action");
            if (!text || (!payload.empty() && *text != payload)) return;
            r.events.push_back(
                {type, proto::Attributes{{"action", Value{subtype.empty() ? *text : subtype}}}});
        },
        {}});
    return std::nullopt;
}

std::optional<Unmapped> map_event(Builder b) {
    auto tpl = template_option(b.config, "value_template");
    if (auto* u = std::get_if<Unmapped>(&tpl)) return *u;
    const auto topic = str(b.config, "state_topic");
    if (topic.empty()) return Unmapped{"an event entity needs a state_topic"};
    b.entity.priority = 85;
    b.entity.kind = proto::DeviceKind::button;
    b.add(canonical("action"), Naming::canonical);
    b.read(HaReader{
        topic,
        [t = std::get<std::optional<Template>>(tpl)](const HaMessage& m, HaReading& r) {
            auto text = render_value(t, m, r, "action");
            if (!text) return;
            auto j = json::parse(*text, nullptr, false);
            if (!j.is_object() || !j.contains("event_type") || !j["event_type"].is_string()) {
                r.errors.push_back(
                    make_error(Errc::bad_json, "an event needs {\"event_type\": …}"));
                return;
            }
            r.events.push_back(
                {"action",
                 proto::Attributes{{"action", Value{j["event_type"].get<std::string>()}}}});
        },
        {}});
    return std::nullopt;
}

}  // namespace hearth::devices::adapters
