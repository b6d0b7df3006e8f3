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

namespace {

/// A two-state entity (switch, lock): state words in, payload words out.
struct Toggle {
    std::string state_on, state_off, payload_on, payload_off;
};

std::optional<Unmapped> map_toggle(Builder b, std::string_view canonical_name, Toggle words,
                                   proto::DeviceKind kind, int priority) {
    auto tpl = template_option(b.config, "value_template");
    if (auto* u = std::get_if<Unmapped>(&tpl)) return *u;
    auto cmd = template_option(b.config, "command_template");
    if (auto* u = std::get_if<Unmapped>(&cmd)) return *u;
    const auto command_topic = str(b.config, "command_topic");
    if (command_topic.empty()) return Unmapped{"a " + b.entity.component + " needs a command_topic"};
    auto& e = b.entity;
    e.priority = priority;
    const bool lead = e.may_claim_canonical;
    const std::string attribute = lead ? std::string(canonical_name) : e.key;
    b.add(lead ? canonical(canonical_name) : bool_capability(e.key, kReadWrite),
          lead ? Naming::canonical : Naming::own);
    if (lead) e.kind = kind;
    b.read(value_reader(str(b.config, "state_topic"), std::get<std::optional<Template>>(tpl), attribute,
                        decode_bool(attribute, words.state_on, words.state_off)));
    e.writer = [attribute, words, command_topic, cmd = std::get<std::optional<Template>>(cmd),
                retain = flag(b.config, "retain")](const proto::Attributes& set, std::optional<double>,
                                              std::vector<Publish>& out) -> Result<void> {
        auto v = want_bool(set, attribute);
        if (!v) return v.error();
        auto payload =
            command_payload(cmd, TemplateValue{*v ? words.payload_on : words.payload_off});
        if (!payload) return payload.error();
        out.push_back({command_topic, *payload, retain});
        return {};
    };
    return std::nullopt;
}

}  // namespace

std::optional<Unmapped> map_switch(Builder b) {
    const auto payload_on = str(b.config, "payload_on", "ON");
    const auto payload_off = str(b.config, "payload_off", "OFF");
    return map_toggle(b, "on",
                      {str(b.config, "state_on", payload_on), str(b.config, "state_off", payload_off),
                       payload_on, payload_off},
                      proto::DeviceKind::switch_, 50);
}

std::optional<Unmapped> map_lock(Builder b) {
    return map_toggle(b, "locked",
                      {str(b.config, "state_locked", "LOCKED"), str(b.config, "state_unlocked", "UNLOCKED"),
                       str(b.config, "payload_lock", "LOCK"), str(b.config, "payload_unlock", "UNLOCK")},
                      proto::DeviceKind::lock, 40);
}

}  // namespace hearth::devices::adapters
