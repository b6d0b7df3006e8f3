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

std::optional<Unmapped> map_cover(Builder b) {
    auto position = setting(b.config, "position_topic", "position_template", "set_position_topic",
                            "set_position_template");
    auto state = setting(b.config, "state_topic", "value_template", "command_topic", {});
    for (auto* s : {&position, &state})
        if (auto* u = std::get_if<Unmapped>(s)) return *u;
    const auto& pos = std::get<Setting>(position);
    const auto& st = std::get<Setting>(state);
    const double open = number(b.config, "position_open").value_or(100);
    const double closed = number(b.config, "position_closed").value_or(0);
    const auto payload_open = str(b.config, "payload_open", "OPEN");
    const auto payload_close = str(b.config, "payload_close", "CLOSE");
    const auto payload_stop = str(b.config, "payload_stop", "STOP");
    const bool retain = flag(b.config, "retain");
    auto& e = b.entity;
    e.priority = 20;
    e.kind = proto::DeviceKind::curtain;
    const bool settable = !pos.command_topic.empty() || !st.command_topic.empty();
    if (!pos.state_topic.empty() || settable) {
        auto cap = canonical("position");
        if (!settable) cap.access = Access::read;
        b.add(cap, Naming::canonical);
        b.read(value_reader(pos.state_topic, pos.state_template, "position",
                            decode_number("position", [=](double raw) {
                                return std::round((raw - closed) * 100.0 / (open - closed));
                            })));
    }
    if (!st.state_topic.empty()) {
        std::map<std::string, std::string> words{{str(b.config, "state_open", "open"), "open"},
                                                 {str(b.config, "state_closed", "closed"), "closed"},
                                                 {str(b.config, "state_opening", "opening"), "opening"},
                                                 {str(b.config, "state_closing", "closing"), "closing"},
                                                 {str(b.config, "state_stopped", "stopped"), "stopped"}};
        b.add(enum_capability("cover_state", {"open", "closed", "opening", "closing", "stopped"},
                              Access::read),
              Naming::own);
        b.read(value_reader(st.state_topic, st.state_template, "cover_state",
                            decode_words("cover_state", words)));
    }
    if (!st.command_topic.empty())
        b.add(enum_capability("cover_command", {"open", "close", "stop"}, Access::write),
              Naming::own);
    e.writer = [=](const proto::Attributes& set, std::optional<double>,
                   std::vector<Publish>& out) -> Result<void> {
        if (find(set, "position")) {
            auto pct = want_number(set, "position");
            if (!pct) return pct.error();
            if (!pos.command_topic.empty()) {
                const auto raw =
                    template_number(std::round(closed + *pct * (open - closed) / 100.0));
                TemplateVariables vars{{"position", raw}, {"value", raw}};
                std::string payload = to_python_string(raw);
                if (pos.command_template) {
                    auto p = pos.command_template->render(vars);
                    if (!p) return p.error();
                    payload = *p;
                }
                out.push_back({pos.command_topic, payload, retain});
            } else if (*pct == 0 || *pct == 100) {
                out.push_back({st.command_topic, *pct == 0 ? payload_close : payload_open, retain});
            } else {
                return make_error(Errc::out_of_range,
                                  "this cover only opens or closes fully (position 0 or 100)",
                                  "position");
            }
        }
        if (find(set, "cover_command")) {
            auto c = want_text(set, "cover_command");
            if (!c) return c.error();
            const std::string payload = *c == "open"    ? payload_open
                                        : *c == "close" ? payload_close
                                        : *c == "stop"  ? payload_stop
                                                        : "";
            if (payload.empty())
                return make_error(Errc::out_of_range, "cover_command must be open, close or stop",
                                  "cover_command");
            out.push_back({st.command_topic, payload, retain});
        }
        return {};
    };
    return std::nullopt;
}

}  // namespace hearth::devices::adapters
