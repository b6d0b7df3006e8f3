#include "devices/adapters/ha_platform.hpp"

#include <nlohmann/json.hpp>

#include "devices/adapters/naming.hpp"

namespace hearth::devices::adapters {

using proto::Access;
using proto::Capability;
using proto::Errc;
using proto::make_error;
using proto::Result;
using proto::Value;
using proto::ValueType;
using json = nlohmann::json;

std::optional<Unmapped> map_climate(Builder b) {
    auto mode = setting(b.config, "mode_state_topic", "mode_state_template", "mode_command_topic",
                        "mode_command_template");
    auto target = setting(b.config, "temperature_state_topic", "temperature_state_template",
                          "temperature_command_topic", "temperature_command_template");
    auto current =
        setting(b.config, "current_temperature_topic", "current_temperature_template", {}, {});
    auto fan = setting(b.config, "fan_mode_state_topic", "fan_mode_state_template",
                       "fan_mode_command_topic", "fan_mode_command_template");
    auto action = setting(b.config, "action_topic", "action_template", {}, {});
    auto preset = setting(b.config, "preset_mode_state_topic", "preset_mode_value_template",
                          "preset_mode_command_topic", "preset_mode_command_template");
    for (auto* s : {&mode, &target, &current, &fan, &action, &preset})
        if (auto* u = std::get_if<Unmapped>(s)) return *u;
    const auto& mode_s = std::get<Setting>(mode);
    const auto& target_s = std::get<Setting>(target);
    const auto& current_s = std::get<Setting>(current);
    const auto& fan_s = std::get<Setting>(fan);
    const auto& action_s = std::get<Setting>(action);
    const auto& preset_s = std::get<Setting>(preset);
    const bool fahrenheit = str(b.config, "temperature_unit") == "F";
    const auto to_c = [fahrenheit](double t) {
        return fahrenheit ? std::round(fahrenheit_to_celsius(t) * 10) / 10 : t;
    };
    const bool retain = flag(b.config, "retain");
    auto& e = b.entity;
    e.priority = 10;

    std::vector<std::string> modes = strings(b.config, "modes");
    if (!b.config.contains("modes")) modes = {"auto", "off", "cool", "heat", "dry", "fan_only"};
    const auto& hvac_options = canonical("hvac_mode").options;
    const bool has_auto = std::find(modes.begin(), modes.end(), "auto") != modes.end();
    std::map<std::string, std::string> mode_in;   // device → Hearth
    std::map<std::string, std::string> mode_out;  // Hearth → device
    std::vector<std::string> options;
    for (const auto& m : modes) {
        std::string hearth = m == "heat_cool" && !has_auto ? "auto" : m;
        if (std::find(hvac_options.begin(), hvac_options.end(), hearth) == hvac_options.end())
            continue;
        mode_in[m] = hearth;
        mode_out[hearth] = m;
        options.push_back(hearth);
    }
    const bool cools = mode_out.count("cool") > 0;
    e.kind = cools ? proto::DeviceKind::air_conditioner : proto::DeviceKind::thermostat;
    if (!mode_s.command_topic.empty() && !options.empty()) {
        b.add(enum_capability("hvac_mode", options, kReadWrite), Naming::canonical);
        b.read(value_reader(mode_s.state_topic, mode_s.state_template, "hvac_mode",
                            decode_words("hvac_mode", mode_in)));
    }
    if (!target_s.command_topic.empty()) {
        const double lo = number(b.config, "min_temp").value_or(fahrenheit ? 45 : 7);
        const double hi = number(b.config, "max_temp").value_or(fahrenheit ? 95 : 35);
        auto cap = canonical("target_temperature");
        cap.min = to_c(lo);
        cap.max = to_c(hi);
        cap.step = number(b.config, "temp_step").value_or(fahrenheit ? 1 : 0.5);
        b.add(cap, Naming::canonical);
        b.read(value_reader(target_s.state_topic, target_s.state_template, "target_temperature",
                            decode_number("target_temperature", to_c)));
    }
    if (!current_s.state_topic.empty()) {
        b.add(canonical("temperature"), Naming::canonical);
        b.read(value_reader(current_s.state_topic, current_s.state_template, "temperature",
                            decode_number("temperature", to_c)));
    }
    std::map<std::string, std::string> fan_in, fan_out;
    if (!fan_s.command_topic.empty()) {
        auto fan_modes = b.config.contains("fan_modes")
                             ? strings(b.config, "fan_modes")
                             : std::vector<std::string>{"auto", "low", "medium", "high"};
        std::vector<std::string> fan_options;
        for (const auto& m : fan_modes) {
            const auto& allowed = canonical("fan_speed").options;
            if (std::find(allowed.begin(), allowed.end(), m) == allowed.end()) continue;
            fan_in[m] = m;
            fan_out[m] = m;
            fan_options.push_back(m);
        }
        if (!fan_options.empty()) {
            b.add(enum_capability("fan_speed", fan_options, kReadWrite), Naming::canonical);
            b.read(value_reader(fan_s.state_topic, fan_s.state_template, "fan_speed",
                                decode_words("fan_speed", fan_in)));
        }
    }
    if (!action_s.state_topic.empty()) {
        b.add(text_capability("hvac_action", Access::read), Naming::own);
        b.read(value_reader(action_s.state_topic, action_s.state_template, "hvac_action",
                            decode_text()));
    }
    const auto presets = strings(b.config, "preset_modes");
    if (!preset_s.command_topic.empty() && !presets.empty()) {
        b.add(enum_capability("preset", presets, kReadWrite), Naming::own);
        b.read(
            value_reader(preset_s.state_topic, preset_s.state_template, "preset", decode_text()));
    }
    e.writer = [=](const proto::Attributes& set, std::optional<double>,
                   std::vector<Publish>& out) -> Result<void> {
        for (const auto& [attribute, value] : set) {
            Result<void> r;
            if (attribute == "hvac_mode") {
                auto m = want_text(set, attribute);
                if (!m) return m.error();
                const auto it = mode_out.find(*m);
                if (it == mode_out.end())
                    return make_error(Errc::out_of_range, "hvac_mode '" + *m + "' is not supported",
                                      attribute);
                r = publish_setting(mode_s, TemplateValue{it->second}, retain, out);
            } else if (attribute == "target_temperature") {
                auto t = want_number(set, attribute);
                if (!t) return t.error();
                const double device_value = fahrenheit ? std::round(celsius_to_fahrenheit(*t)) : *t;
                r = publish_setting(target_s, template_number(device_value), retain, out);
            } else if (attribute == "fan_speed") {
                auto f = want_text(set, attribute);
                if (!f) return f.error();
                const auto it = fan_out.find(*f);
                if (it == fan_out.end())
                    return make_error(Errc::out_of_range, "fan_speed '" + *f + "' is not supported",
                                      attribute);
                r = publish_setting(fan_s, TemplateValue{it->second}, retain, out);
            } else if (attribute == "preset") {
                auto p = want_text(set, attribute);
                if (!p) return p.error();
                r = publish_setting(preset_s, TemplateValue{*p}, retain, out);
            } else {
                r = make_error(Errc::read_only, attribute + " cannot be set", attribute);
            }
            if (!r) return r;
        }
        return {};
    };
    return std::nullopt;
}

}  // namespace hearth::devices::adapters
