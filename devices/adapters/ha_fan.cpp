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

std::optional<Unmapped> map_fan(Builder b) {
    auto state =
        setting(b.config, "state_topic", "state_value_template", "command_topic", "command_template");
    auto pct = setting(b.config, "percentage_state_topic", "percentage_value_template",
                       "percentage_command_topic", "percentage_command_template");
    auto preset = setting(b.config, "preset_mode_state_topic", "preset_mode_value_template",
                          "preset_mode_command_topic", "preset_mode_command_template");
    for (auto* s : {&state, &pct, &preset})
        if (auto* u = std::get_if<Unmapped>(s)) return *u;
    const auto& st = std::get<Setting>(state);
    const auto& pc = std::get<Setting>(pct);
    const auto& pr = std::get<Setting>(preset);
    if (st.command_topic.empty()) return Unmapped{"a fan needs a command_topic"};
    const auto payload_on = str(b.config, "payload_on", "ON");
    const auto payload_off = str(b.config, "payload_off", "OFF");
    const bool retain = flag(b.config, "retain");
    const auto lo = static_cast<std::int64_t>(number(b.config, "speed_range_min").value_or(1));
    const auto hi = static_cast<std::int64_t>(number(b.config, "speed_range_max").value_or(100));
    auto& e = b.entity;
    e.priority = 25;
    e.kind = proto::DeviceKind::fan;
    b.add(canonical("on"), Naming::canonical);
    b.read(value_reader(st.state_topic, st.state_template, "on",
                        decode_bool("on", payload_on, payload_off)));

    // Hearth speeds ↔ the device's ranged values. When the command template names the speeds
    // (Zigbee2MQTT: 1 → "low"), follow the names; otherwise split the range in thirds.
    std::map<std::string, std::int64_t> speed_out;
    std::map<std::int64_t, std::string> speed_in;
    if (!pc.command_topic.empty() && hi >= lo) {
        if (pc.command_template && hi - lo < 16) {
            for (auto r = lo; r <= hi; ++r) {
                auto word = pc.command_template->render({{"value", TemplateValue{r}}});
                if (word && (*word == "low" || *word == "medium" || *word == "high"))
                    speed_out[*word] = r;
            }
        }
        if (speed_out.size() != 3) {
            const auto span = hi - lo;
            speed_out = {{"low", lo + span / 6}, {"medium", lo + span / 2}, {"high", hi}};
        }
        for (auto r = lo; r <= hi && r - lo < 1000; ++r) {
            std::string best = "high";
            for (const auto& [name, value] : speed_out)
                if (value >= r && (speed_out[best] < r || value < speed_out[best])) best = name;
            speed_in[r] = best;
        }
    }
    std::string auto_preset;
    for (const auto& p : strings(b.config, "preset_modes"))
        if (p == "auto" || p == "smart" || p == "Auto" || p == "Smart") auto_preset = p;
    if (!speed_out.empty() || (!auto_preset.empty() && !pr.command_topic.empty())) {
        std::vector<std::string> options;
        if (!auto_preset.empty() && !pr.command_topic.empty()) options.push_back("auto");
        for (const auto* s : {"low", "medium", "high"})
            if (speed_out.count(s)) options.push_back(s);
        b.add(enum_capability("fan_speed", options, kReadWrite), Naming::canonical);
        b.read(value_reader(pc.state_topic, pc.state_template, "fan_speed",
                            [speed_in](const std::string& s, HaReading&) -> std::optional<Value> {
                                const auto d = parse_double(s);
                                if (!d) return std::nullopt;
                                const auto it =
                                    speed_in.find(static_cast<std::int64_t>(std::llround(*d)));
                                if (it == speed_in.end())
                                    return std::nullopt;  // 0 = off: the on attribute says so
                                return Value{it->second};
                            }));
        if (!auto_preset.empty())
            b.read(value_reader(
                pr.state_topic, pr.state_template, "fan_speed",
                [auto_preset](const std::string& s, HaReading&) -> std::optional<Value> {
                    if (s == auto_preset) return Value{std::string("auto")};
                    return std::nullopt;
                }));
    }
    e.writer = [=](const proto::Attributes& set, std::optional<double>,
                   std::vector<Publish>& out) -> Result<void> {
        if (find(set, "on")) {
            auto on = want_bool(set, "on");
            if (!on) return on.error();
            if (auto r =
                    publish_setting(st, TemplateValue{*on ? payload_on : payload_off}, retain, out);
                !r)
                return r;
        }
        if (find(set, "fan_speed")) {
            auto s = want_text(set, "fan_speed");
            if (!s) return s.error();
            if (*s == "auto" && !auto_preset.empty())
                return publish_setting(pr, TemplateValue{auto_preset}, retain, out);
            const auto it = speed_out.find(*s);
            if (it == speed_out.end())
                return make_error(Errc::out_of_range, "fan_speed '" + *s + "' is not supported",
                                  "fan_speed");
            return publish_setting(pc, TemplateValue{it->second}, retain, out);
        }
        return {};
    };
    return std::nullopt;
}

}  // namespace hearth::devices::adapters
