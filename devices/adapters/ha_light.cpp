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

namespace {

/// Colour temperature limits in kelvin, from min/max_mireds or min/max_kelvin.
std::pair<double, double> kelvin_range(const json& c) {
    if (flag(c, "color_temp_kelvin"))
        return {number(c, "min_kelvin").value_or(2000), number(c, "max_kelvin").value_or(6535)};
    return {mireds_to_kelvin(number(c, "max_mireds").value_or(500)),
            mireds_to_kelvin(number(c, "min_mireds").value_or(153))};
}

std::optional<Unmapped> map_json_light(Builder b) {
    const auto command_topic = str(b.config, "command_topic");
    if (command_topic.empty()) return Unmapped{"a light needs a command_topic"};
    const auto state_topic = str(b.config, "state_topic");
    const auto modes = strings(b.config, "supported_color_modes");
    const auto has_mode = [&](std::string_view m) {
        return std::find(modes.begin(), modes.end(), m) != modes.end();
    };
    const bool dimmable =
        flag(b.config, "brightness") ||
        std::any_of(modes.begin(), modes.end(), [](const auto& m) { return m != "onoff"; });
    const bool has_color_temp = has_mode("color_temp") || flag(b.config, "color_temp");
    const double scale = number(b.config, "brightness_scale").value_or(255);
    const bool kelvin = flag(b.config, "color_temp_kelvin");
    auto& e = b.entity;
    e.priority = 30;
    e.kind = proto::DeviceKind::light;
    for (const auto* colour : {"xy", "hs", "rgb", "rgbw", "rgbww"})
        if (has_mode(colour) || flag(b.config, colour))
            e.ignored.push_back(std::string("colour (") + colour +
                                ") is not in Hearth's capability model");
    if (flag(b.config, "effect"))
        e.ignored.push_back("light effects are not in Hearth's capability model");
    b.add(canonical("on"), Naming::canonical);
    if (dimmable) b.add(canonical("brightness"), Naming::canonical);
    if (has_color_temp) {
        auto cap = canonical("color_temp");
        std::tie(cap.min, cap.max) = kelvin_range(b.config);
        b.add(cap, Naming::canonical);
    }
    b.add(canonical("transition"), Naming::canonical);
    b.read(HaReader{
        state_topic,
        [=](const HaMessage& m, HaReading& r) {
            if (!m.json || !m.json->is_object()) {
                r.errors.push_back(
                    make_error(Errc::bad_json, "a JSON-schema light state must be a JSON object"));
                return;
            }
            const auto& j = *m.json;
            if (auto s = j.find("state"); s != j.end() && s->is_string())
                r.attributes["on"] = Value{s->get<std::string>() == "ON"};
            if (auto v = j.find("brightness"); dimmable && v != j.end() && v->is_number())
                r.attributes["brightness"] = Value{brightness_to_percent(v->get<double>(), scale)};
            if (auto v = j.find("color_temp"); has_color_temp && v != j.end() && v->is_number())
                r.attributes["color_temp"] =
                    Value{kelvin ? v->get<double>() : mireds_to_kelvin(v->get<double>())};
        },
        {"on", "brightness", "color_temp"}});
    e.writer = [=, retain = flag(b.config, "retain")](const proto::Attributes& set,
                                                 std::optional<double> transition,
                                                 std::vector<Publish>& out) -> Result<void> {
        nlohmann::ordered_json j = nlohmann::ordered_json::object();
        if (find(set, "on")) {
            auto on = want_bool(set, "on");
            if (!on) return on.error();
            j["state"] = *on ? "ON" : "OFF";
        }
        if (find(set, "brightness")) {
            auto pct = want_number(set, "brightness");
            if (!pct) return pct.error();
            j["brightness"] = static_cast<std::int64_t>(percent_to_brightness(*pct, scale));
        }
        if (find(set, "color_temp")) {
            auto k = want_number(set, "color_temp");
            if (!k) return k.error();
            j["color_temp"] =
                static_cast<std::int64_t>(kelvin ? std::round(*k) : kelvin_to_mireds(*k));
        }
        if (transition) j["transition"] = *transition;
        out.push_back({command_topic, j.dump(), retain});
        return {};
    };
    return std::nullopt;
}

std::optional<Unmapped> map_default_light(Builder b) {
    const auto command_topic = str(b.config, "command_topic");
    if (command_topic.empty()) return Unmapped{"a light needs a command_topic"};
    std::optional<Template> templates[4];
    constexpr std::string_view names[] = {"state_value_template", "brightness_value_template",
                                          "color_temp_value_template",
                                          "brightness_command_template"};
    for (std::size_t i = 0; i < 4; ++i) {
        auto t = template_option(b.config, names[i]);
        if (auto* u = std::get_if<Unmapped>(&t)) return *u;
        templates[i] = std::get<std::optional<Template>>(t);
    }
    auto ct_cmd = template_option(b.config, "color_temp_command_template");
    if (auto* u = std::get_if<Unmapped>(&ct_cmd)) return *u;
    const auto payload_on = str(b.config, "payload_on", "ON");
    const auto payload_off = str(b.config, "payload_off", "OFF");
    const auto brightness_cmd = str(b.config, "brightness_command_topic");
    const auto color_temp_cmd = str(b.config, "color_temp_command_topic");
    const double scale = number(b.config, "brightness_scale").value_or(255);
    const bool kelvin = flag(b.config, "color_temp_kelvin");
    const auto on_command_type = str(b.config, "on_command_type", "last");
    const bool retain = flag(b.config, "retain");
    auto& e = b.entity;
    e.priority = 30;
    e.kind = proto::DeviceKind::light;
    b.add(canonical("on"), Naming::canonical);
    b.read(value_reader(str(b.config, "state_topic"), templates[0], "on",
                        decode_bool("on", payload_on, payload_off)));
    if (!brightness_cmd.empty()) {
        b.add(canonical("brightness"), Naming::canonical);
        b.read(value_reader(str(b.config, "brightness_state_topic"), templates[1], "brightness",
                            decode_number("brightness", [scale](double raw) {
                                return brightness_to_percent(raw, scale);
                            })));
    }
    if (!color_temp_cmd.empty()) {
        auto cap = canonical("color_temp");
        std::tie(cap.min, cap.max) = kelvin_range(b.config);
        b.add(cap, Naming::canonical);
        b.read(value_reader(str(b.config, "color_temp_state_topic"), templates[2], "color_temp",
                            decode_number("color_temp", [kelvin](double raw) {
                                return kelvin ? raw : mireds_to_kelvin(raw);
                            })));
    }
    e.writer = [=, bri_tpl = templates[3], ct_tpl = std::get<std::optional<Template>>(ct_cmd)](
                   const proto::Attributes& set, std::optional<double>,
                   std::vector<Publish>& out) -> Result<void> {
        std::vector<Publish> values;
        if (find(set, "brightness")) {
            auto pct = want_number(set, "brightness");
            if (!pct) return pct.error();
            auto p = command_payload(bri_tpl, template_number(percent_to_brightness(*pct, scale)));
            if (!p) return p.error();
            values.push_back({brightness_cmd, *p, retain});
        }
        if (find(set, "color_temp")) {
            auto k = want_number(set, "color_temp");
            if (!k) return k.error();
            auto p = command_payload(
                ct_tpl, template_number(kelvin ? std::round(*k) : kelvin_to_mireds(*k)));
            if (!p) return p.error();
            values.push_back({color_temp_cmd, *p, retain});
        }
        std::optional<Publish> power;
        if (find(set, "on")) {
            auto on = want_bool(set, "on");
            if (!on) return on.error();
            const bool brightness_turns_on =
                on_command_type == "brightness" && find(set, "brightness");
            if (!*on || !brightness_turns_on)
                power = Publish{command_topic, *on ? payload_on : payload_off, retain};
            if (!*on) values.clear();
        }
        if (power && on_command_type == "first") out.push_back(*power);
        out.insert(out.end(), values.begin(), values.end());
        if (power && on_command_type != "first") out.push_back(*power);
        return {};
    };
    return std::nullopt;
}

}  // namespace

std::optional<Unmapped> map_light(Builder b) {
    const auto schema = str(b.config, "schema", "default");
    if (schema == "json") return map_json_light(b);
    if (schema == "default" || schema == "basic") return map_default_light(b);
    return Unmapped{"light schema '" + schema + "' is not supported (only json and default)"};
}

}  // namespace hearth::devices::adapters
