#include "devices/adapters/ha_entity.hpp"

#include <algorithm>
#include <cmath>
#include <map>
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

namespace {

using json = nlohmann::json;

constexpr auto kReadWrite = Access::read | Access::write;

/// Why an entity is not mapped; carried out of the platform builders.
struct Unmapped {
    std::string reason;
    bool from_template = false;
};

// ---- config access --------------------------------------------------------------------------

/// A config value as HA's `cv.string` sees it: JSON true → "True", 5 → "5".
std::string as_config_string(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    if (v.is_number()) return to_python_string(TemplateValue{v.get<double>()});
    return {};
}

std::string str(const json& c, std::string_view key, std::string fallback = {}) {
    const auto it = c.find(key);
    if (it == c.end() || it->is_null()) return fallback;
    return as_config_string(*it);
}

std::optional<double> number(const json& c, std::string_view key) {
    const auto it = c.find(key);
    if (it == c.end()) return std::nullopt;
    if (it->is_number()) return it->get<double>();
    if (it->is_string()) {
        try {
            std::size_t used = 0;
            const double d = std::stod(it->get<std::string>(), &used);
            if (used == it->get<std::string>().size()) return d;
        } catch (const std::exception&) {
        }
    }
    return std::nullopt;
}

bool flag(const json& c, std::string_view key, bool fallback = false) {
    const auto it = c.find(key);
    return it != c.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::vector<std::string> strings(const json& c, std::string_view key) {
    std::vector<std::string> out;
    const auto it = c.find(key);
    if (it == c.end() || !it->is_array()) return out;
    for (const auto& v : *it)
        if (!v.is_null()) out.push_back(as_config_string(v));
    return out;
}

/// A template option: absent → nullopt; present but unsupported → Unmapped.
using OptionalTemplate = std::variant<std::optional<Template>, Unmapped>;

OptionalTemplate template_option(const json& c, std::string_view key) {
    const auto text = str(c, key);
    if (text.empty()) return std::optional<Template>{};
    auto t = Template::compile(text);
    if (!t) return Unmapped{std::string(key) + " is not supported: " + t.error().message, true};
    return std::optional<Template>{std::move(*t)};
}

// ---- reading --------------------------------------------------------------------------------

/// The text a value template produces for a message (the payload itself without a template);
/// nullopt when it says nothing (None, empty, unknown).
std::optional<std::string> render_value(const std::optional<Template>& tpl, const HaMessage& m,
                                        HaReading& r, std::string_view what) {
    std::string text;
    if (tpl) {
        auto rendered = tpl->render(*m.variables);
        if (!rendered) {
            r.errors.push_back(make_error(Errc::invalid_field,
                                          std::string(what) + ": " + rendered.error().message));
            return std::nullopt;
        }
        text = std::move(*rendered);
    } else {
        text = std::string(m.payload);
    }
    if (text.empty() || text == "None" || text == "unknown" || text == "unavailable" ||
        text == "null")
        return std::nullopt;
    return text;
}

std::optional<double> parse_double(std::string_view s) {
    try {
        std::string t(s);
        std::size_t used = 0;
        const double d = std::stod(t, &used);
        while (used < t.size() && std::isspace(static_cast<unsigned char>(t[used]))) ++used;
        if (used == t.size() && std::isfinite(d)) return d;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

using Decode = std::function<std::optional<Value>(const std::string&, HaReading&)>;

HaReader value_reader(std::string topic, std::optional<Template> tpl, std::string attribute,
                      Decode decode) {
    return HaReader{std::move(topic),
                    [tpl = std::move(tpl), attribute, decode = std::move(decode)](
                        const HaMessage& m, HaReading& r) {
                        auto text = render_value(tpl, m, r, attribute);
                        if (!text) return;
                        if (auto v = decode(*text, r))
                            r.attributes.insert_or_assign(attribute, std::move(*v));
                    },
                    {attribute}};
}

Decode decode_number(std::string attribute, std::function<double(double)> convert = {}) {
    return [attribute = std::move(attribute), convert = std::move(convert)](
               const std::string& s, HaReading& r) -> std::optional<Value> {
        const auto d = parse_double(s);
        if (!d) {
            r.errors.push_back(make_error(Errc::wrong_type,
                                          attribute + ": '" + s + "' is not a number", attribute));
            return std::nullopt;
        }
        return Value{convert ? convert(*d) : *d};
    };
}

Decode decode_bool(std::string attribute, std::string on, std::string off, bool invert = false) {
    return [=](const std::string& s, HaReading& r) -> std::optional<Value> {
        if (s == on) return Value{!invert};
        if (s == off) return Value{invert};
        r.errors.push_back(make_error(
            Errc::out_of_range,
            attribute + ": '" + s + "' is neither '" + on + "' nor '" + off + "'", attribute));
        return std::nullopt;
    };
}

Decode decode_text() {
    return [](const std::string& s, HaReading&) -> std::optional<Value> { return Value{s}; };
}

/// Maps device words to Hearth words; words outside the map are refused.
Decode decode_words(std::string attribute, std::map<std::string, std::string> words) {
    return [attribute = std::move(attribute), words = std::move(words)](
               const std::string& s, HaReading& r) -> std::optional<Value> {
        const auto it = words.find(s);
        if (it != words.end()) return Value{it->second};
        r.errors.push_back(make_error(
            Errc::out_of_range, attribute + ": '" + s + "' has no Hearth equivalent", attribute));
        return std::nullopt;
    };
}

// ---- writing --------------------------------------------------------------------------------

/// The payload for a command value: through the command template when there is one, else the
/// value itself ("ON", "22.5", "23").
Result<std::string> command_payload(const std::optional<Template>& tpl, const TemplateValue& value,
                                    std::string_view name = "value") {
    if (!tpl) return to_python_string(value);
    TemplateVariables vars{{"value", value}};
    if (name != "value") vars.emplace(std::string(name), value);
    return tpl->render(vars);
}

TemplateValue template_number(double d) {
    if (std::floor(d) == d && std::fabs(d) < 1e15)
        return TemplateValue{static_cast<std::int64_t>(d)};
    return TemplateValue{d};
}

const Value* find(const proto::Attributes& set, std::string_view attribute) {
    const auto it = set.find(attribute);
    return it == set.end() ? nullptr : &it->second;
}

Result<double> want_number(const proto::Attributes& set, std::string_view attribute) {
    const auto* v = find(set, attribute);
    if (const auto* d = v ? proto::as_number(*v) : nullptr) return *d;
    return make_error(Errc::wrong_type, std::string(attribute) + " expects a number",
                      std::string(attribute));
}
Result<bool> want_bool(const proto::Attributes& set, std::string_view attribute) {
    const auto* v = find(set, attribute);
    if (const auto* b = v ? proto::as_bool(*v) : nullptr) return *b;
    return make_error(Errc::wrong_type, std::string(attribute) + " expects true or false",
                      std::string(attribute));
}
Result<std::string> want_text(const proto::Attributes& set, std::string_view attribute) {
    const auto* v = find(set, attribute);
    if (const auto* s = v ? proto::as_text(*v) : nullptr) return *s;
    return make_error(Errc::wrong_type, std::string(attribute) + " expects text",
                      std::string(attribute));
}

Capability number_capability(std::string attribute, std::optional<double> min,
                             std::optional<double> max, std::optional<double> step,
                             std::string unit, Access access) {
    return Capability{
        std::move(attribute), ValueType::number, min, max, step, std::move(unit), {}, access};
}
Capability bool_capability(std::string attribute, Access access) {
    return Capability{std::move(attribute), ValueType::boolean, {}, {}, {}, {}, {}, access};
}
Capability enum_capability(std::string attribute, std::vector<std::string> options, Access access) {
    return Capability{
        std::move(attribute), ValueType::enumeration, {}, {}, {}, {}, std::move(options), access};
}
Capability text_capability(std::string attribute, Access access) {
    return Capability{std::move(attribute), ValueType::text, {}, {}, {}, {}, {}, access};
}
/// A canonical capability with its standard definition, optionally narrowed.
Capability canonical(std::string_view attribute) {
    return *proto::canonical_capability(attribute);
}

// ---- platforms ------------------------------------------------------------------------------

struct Builder {
    const json& c;
    HaEntity& e;

    void add(Capability cap, Naming naming) { e.capabilities.push_back({std::move(cap), naming}); }
    /// Without a state topic (or with `optimistic: true`) the entity's values are assumed from
    /// the commands sent, as Home Assistant does.
    void read(HaReader r) {
        if (r.topic.empty() || flag(c, "optimistic"))
            e.optimistic.insert(r.produces.begin(), r.produces.end());
        if (!r.topic.empty()) e.readers.push_back(std::move(r));
    }
};

/// Sensor device classes that are canonical Hearth attributes, with their unit conversions.
std::optional<std::pair<std::string, std::function<double(double)>>> canonical_sensor(
    const std::string& device_class, const std::string& unit) {
    using Convert = std::function<double(double)>;
    if (device_class == "temperature") {
        if (unit == "°F" || unit == "F")
            return std::pair{std::string("temperature"), Convert(fahrenheit_to_celsius)};
        if (unit == "K")
            return std::pair{std::string("temperature"),
                             Convert([](double k) { return k - 273.15; })};
        return std::pair{std::string("temperature"), Convert{}};
    }
    if (device_class == "humidity") return std::pair{std::string("humidity"), Convert{}};
    if (device_class == "illuminance") return std::pair{std::string("illuminance"), Convert{}};
    if (device_class == "battery") return std::pair{std::string("battery"), Convert{}};
    if (device_class == "pm25") return std::pair{std::string("pm25"), Convert{}};
    if (device_class == "power") {
        if (unit == "kW")
            return std::pair{std::string("power"), Convert([](double kw) { return kw * 1000; })};
        return std::pair{std::string("power"), Convert{}};
    }
    return std::nullopt;
}

std::optional<Unmapped> map_sensor(Builder b) {
    auto tpl = template_option(b.c, "value_template");
    if (auto* u = std::get_if<Unmapped>(&tpl)) return *u;
    auto& t = std::get<std::optional<Template>>(tpl);
    const auto topic = str(b.c, "state_topic");
    if (topic.empty()) return Unmapped{"a sensor needs a state_topic"};
    const auto unit = str(b.c, "unit_of_measurement");
    auto& e = b.e;
    e.priority = 70;
    if (e.key == "action") {
        b.add(canonical("action"), Naming::canonical);
        b.read(HaReader{
            topic,
            [t](const HaMessage& m, HaReading& r) {
                if (auto text = render_value(t, m, r, "action"))
                    r.events.push_back({"action", proto::Attributes{{"action", Value{*text}}}});
            },
            {}});
        e.kind = proto::DeviceKind::button;
        return std::nullopt;
    }
    if (auto c = e.may_claim_canonical ? canonical_sensor(e.device_class, unit) : std::nullopt) {
        b.add(canonical(c->first), Naming::canonical);
        b.read(value_reader(topic, t, c->first, decode_number(c->first, c->second)));
        if (c->first == "temperature" || c->first == "humidity")
            e.kind = proto::DeviceKind::climate_sensor;
        else if (c->first != "battery" && c->first != "power")
            e.kind = proto::DeviceKind::sensor;
        return std::nullopt;
    }
    const bool numeric = !unit.empty() || !str(b.c, "state_class").empty() ||
                         (!e.device_class.empty() && e.device_class != "enum" &&
                          e.device_class != "timestamp" && e.device_class != "date");
    if (numeric) {
        b.add(number_capability(e.key, {}, {}, {}, unit, Access::read), Naming::own);
        b.read(value_reader(topic, t, e.key, decode_number(e.key)));
    } else {
        auto cap = text_capability(e.key, Access::read);
        auto options = strings(b.c, "options");
        if (!options.empty()) cap = enum_capability(e.key, options, Access::read);
        b.add(cap, Naming::own);
        b.read(value_reader(topic, t, e.key, decode_text()));
    }
    return std::nullopt;
}

std::optional<Unmapped> map_binary_sensor(Builder b) {
    auto tpl = template_option(b.c, "value_template");
    if (auto* u = std::get_if<Unmapped>(&tpl)) return *u;
    auto& t = std::get<std::optional<Template>>(tpl);
    const auto topic = str(b.c, "state_topic");
    if (topic.empty()) return Unmapped{"a binary_sensor needs a state_topic"};
    const auto on = str(b.c, "payload_on", "ON");
    const auto off = str(b.c, "payload_off", "OFF");
    auto& e = b.e;
    e.priority = 60;
    const auto& dc = e.device_class;
    if (e.may_claim_canonical && (dc == "occupancy" || dc == "motion" || dc == "presence")) {
        b.add(canonical("occupancy"), Naming::canonical);
        b.read(value_reader(topic, t, "occupancy", decode_bool("occupancy", on, off)));
        e.kind = proto::DeviceKind::presence_sensor;
        return std::nullopt;
    }
    if (e.may_claim_canonical &&
        (dc == "door" || dc == "window" || dc == "opening" || dc == "garage_door")) {
        b.add(canonical("contact"), Naming::canonical);
        b.read(value_reader(
            topic, t, "contact",
            decode_bool("contact", on, off, true)));  // HA on = open; contact true = closed
        e.kind = proto::DeviceKind::contact_sensor;
        return std::nullopt;
    }
    b.add(bool_capability(e.key, Access::read), Naming::own);
    b.read(value_reader(topic, t, e.key, decode_bool(e.key, on, off)));
    return std::nullopt;
}

/// A two-state entity (switch, lock): state words in, payload words out.
struct Toggle {
    std::string state_on, state_off, payload_on, payload_off;
};

std::optional<Unmapped> map_toggle(Builder b, std::string_view canonical_name, Toggle words,
                                   proto::DeviceKind kind, int priority) {
    auto tpl = template_option(b.c, "value_template");
    if (auto* u = std::get_if<Unmapped>(&tpl)) return *u;
    auto cmd = template_option(b.c, "command_template");
    if (auto* u = std::get_if<Unmapped>(&cmd)) return *u;
    const auto command_topic = str(b.c, "command_topic");
    if (command_topic.empty()) return Unmapped{"a " + b.e.component + " needs a command_topic"};
    auto& e = b.e;
    e.priority = priority;
    const bool lead = e.may_claim_canonical;
    const std::string attribute = lead ? std::string(canonical_name) : e.key;
    b.add(lead ? canonical(canonical_name) : bool_capability(e.key, kReadWrite),
          lead ? Naming::canonical : Naming::own);
    if (lead) e.kind = kind;
    b.read(value_reader(str(b.c, "state_topic"), std::get<std::optional<Template>>(tpl), attribute,
                        decode_bool(attribute, words.state_on, words.state_off)));
    e.writer = [attribute, words, command_topic, cmd = std::get<std::optional<Template>>(cmd),
                retain = flag(b.c, "retain")](const proto::Attributes& set, std::optional<double>,
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

std::optional<Unmapped> map_switch(Builder b) {
    const auto payload_on = str(b.c, "payload_on", "ON");
    const auto payload_off = str(b.c, "payload_off", "OFF");
    return map_toggle(b, "on",
                      {str(b.c, "state_on", payload_on), str(b.c, "state_off", payload_off),
                       payload_on, payload_off},
                      proto::DeviceKind::switch_, 50);
}

std::optional<Unmapped> map_lock(Builder b) {
    return map_toggle(b, "locked",
                      {str(b.c, "state_locked", "LOCKED"), str(b.c, "state_unlocked", "UNLOCKED"),
                       str(b.c, "payload_lock", "LOCK"), str(b.c, "payload_unlock", "UNLOCK")},
                      proto::DeviceKind::lock, 40);
}

/// Colour temperature limits in kelvin, from min/max_mireds or min/max_kelvin.
std::pair<double, double> kelvin_range(const json& c) {
    if (flag(c, "color_temp_kelvin"))
        return {number(c, "min_kelvin").value_or(2000), number(c, "max_kelvin").value_or(6535)};
    return {mireds_to_kelvin(number(c, "max_mireds").value_or(500)),
            mireds_to_kelvin(number(c, "min_mireds").value_or(153))};
}

std::optional<Unmapped> map_json_light(Builder b) {
    const auto command_topic = str(b.c, "command_topic");
    if (command_topic.empty()) return Unmapped{"a light needs a command_topic"};
    const auto state_topic = str(b.c, "state_topic");
    const auto modes = strings(b.c, "supported_color_modes");
    const auto has_mode = [&](std::string_view m) {
        return std::find(modes.begin(), modes.end(), m) != modes.end();
    };
    const bool dimmable =
        flag(b.c, "brightness") ||
        std::any_of(modes.begin(), modes.end(), [](const auto& m) { return m != "onoff"; });
    const bool has_color_temp = has_mode("color_temp") || flag(b.c, "color_temp");
    const double scale = number(b.c, "brightness_scale").value_or(255);
    const bool kelvin = flag(b.c, "color_temp_kelvin");
    auto& e = b.e;
    e.priority = 30;
    e.kind = proto::DeviceKind::light;
    for (const auto* colour : {"xy", "hs", "rgb", "rgbw", "rgbww"})
        if (has_mode(colour) || flag(b.c, colour))
            e.ignored.push_back(std::string("colour (") + colour +
                                ") is not in Hearth's capability model");
    if (flag(b.c, "effect"))
        e.ignored.push_back("light effects are not in Hearth's capability model");
    b.add(canonical("on"), Naming::canonical);
    if (dimmable) b.add(canonical("brightness"), Naming::canonical);
    if (has_color_temp) {
        auto cap = canonical("color_temp");
        std::tie(cap.min, cap.max) = kelvin_range(b.c);
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
    e.writer = [=, retain = flag(b.c, "retain")](const proto::Attributes& set,
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
    const auto command_topic = str(b.c, "command_topic");
    if (command_topic.empty()) return Unmapped{"a light needs a command_topic"};
    std::optional<Template> templates[4];
    constexpr std::string_view names[] = {"state_value_template", "brightness_value_template",
                                          "color_temp_value_template",
                                          "brightness_command_template"};
    for (std::size_t i = 0; i < 4; ++i) {
        auto t = template_option(b.c, names[i]);
        if (auto* u = std::get_if<Unmapped>(&t)) return *u;
        templates[i] = std::get<std::optional<Template>>(t);
    }
    auto ct_cmd = template_option(b.c, "color_temp_command_template");
    if (auto* u = std::get_if<Unmapped>(&ct_cmd)) return *u;
    const auto payload_on = str(b.c, "payload_on", "ON");
    const auto payload_off = str(b.c, "payload_off", "OFF");
    const auto brightness_cmd = str(b.c, "brightness_command_topic");
    const auto color_temp_cmd = str(b.c, "color_temp_command_topic");
    const double scale = number(b.c, "brightness_scale").value_or(255);
    const bool kelvin = flag(b.c, "color_temp_kelvin");
    const auto on_command_type = str(b.c, "on_command_type", "last");
    const bool retain = flag(b.c, "retain");
    auto& e = b.e;
    e.priority = 30;
    e.kind = proto::DeviceKind::light;
    b.add(canonical("on"), Naming::canonical);
    b.read(value_reader(str(b.c, "state_topic"), templates[0], "on",
                        decode_bool("on", payload_on, payload_off)));
    if (!brightness_cmd.empty()) {
        b.add(canonical("brightness"), Naming::canonical);
        b.read(value_reader(str(b.c, "brightness_state_topic"), templates[1], "brightness",
                            decode_number("brightness", [scale](double raw) {
                                return brightness_to_percent(raw, scale);
                            })));
    }
    if (!color_temp_cmd.empty()) {
        auto cap = canonical("color_temp");
        std::tie(cap.min, cap.max) = kelvin_range(b.c);
        b.add(cap, Naming::canonical);
        b.read(value_reader(str(b.c, "color_temp_state_topic"), templates[2], "color_temp",
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

std::optional<Unmapped> map_light(Builder b) {
    const auto schema = str(b.c, "schema", "default");
    if (schema == "json") return map_json_light(b);
    if (schema == "default" || schema == "basic") return map_default_light(b);
    return Unmapped{"light schema '" + schema + "' is not supported (only json and default)"};
}

/// One climate setting: state topic + template in, command topic + template out.
struct Setting {
    std::string state_topic;
    std::optional<Template> state_template;
    std::string command_topic;
    std::optional<Template> command_template;
};

std::variant<Setting, Unmapped> setting(const json& c, std::string_view state_topic,
                                        std::string_view state_template,
                                        std::string_view command_topic,
                                        std::string_view command_template) {
    Setting s{
        str(c, state_topic), {}, command_topic.empty() ? std::string{} : str(c, command_topic), {}};
    auto st = template_option(c, state_template);
    if (auto* u = std::get_if<Unmapped>(&st)) return *u;
    s.state_template = std::get<std::optional<Template>>(st);
    if (!command_template.empty()) {
        auto ct = template_option(c, command_template);
        if (auto* u = std::get_if<Unmapped>(&ct)) return *u;
        s.command_template = std::get<std::optional<Template>>(ct);
    }
    return s;
}

Result<void> publish_setting(const Setting& s, const TemplateValue& value, bool retain,
                             std::vector<Publish>& out) {
    auto payload = command_payload(s.command_template, value);
    if (!payload) return payload.error();
    out.push_back({s.command_topic, *payload, retain});
    return {};
}

std::optional<Unmapped> map_climate(Builder b) {
    auto mode = setting(b.c, "mode_state_topic", "mode_state_template", "mode_command_topic",
                        "mode_command_template");
    auto target = setting(b.c, "temperature_state_topic", "temperature_state_template",
                          "temperature_command_topic", "temperature_command_template");
    auto current =
        setting(b.c, "current_temperature_topic", "current_temperature_template", {}, {});
    auto fan = setting(b.c, "fan_mode_state_topic", "fan_mode_state_template",
                       "fan_mode_command_topic", "fan_mode_command_template");
    auto action = setting(b.c, "action_topic", "action_template", {}, {});
    auto preset = setting(b.c, "preset_mode_state_topic", "preset_mode_value_template",
                          "preset_mode_command_topic", "preset_mode_command_template");
    for (auto* s : {&mode, &target, &current, &fan, &action, &preset})
        if (auto* u = std::get_if<Unmapped>(s)) return *u;
    const auto& mode_s = std::get<Setting>(mode);
    const auto& target_s = std::get<Setting>(target);
    const auto& current_s = std::get<Setting>(current);
    const auto& fan_s = std::get<Setting>(fan);
    const auto& action_s = std::get<Setting>(action);
    const auto& preset_s = std::get<Setting>(preset);
    const bool fahrenheit = str(b.c, "temperature_unit") == "F";
    const auto to_c = [fahrenheit](double t) {
        return fahrenheit ? std::round(fahrenheit_to_celsius(t) * 10) / 10 : t;
    };
    const bool retain = flag(b.c, "retain");
    auto& e = b.e;
    e.priority = 10;

    std::vector<std::string> modes = strings(b.c, "modes");
    if (!b.c.contains("modes")) modes = {"auto", "off", "cool", "heat", "dry", "fan_only"};
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
        const double lo = number(b.c, "min_temp").value_or(fahrenheit ? 45 : 7);
        const double hi = number(b.c, "max_temp").value_or(fahrenheit ? 95 : 35);
        auto cap = canonical("target_temperature");
        cap.min = to_c(lo);
        cap.max = to_c(hi);
        cap.step = number(b.c, "temp_step").value_or(fahrenheit ? 1 : 0.5);
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
        auto fan_modes = b.c.contains("fan_modes")
                             ? strings(b.c, "fan_modes")
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
    const auto presets = strings(b.c, "preset_modes");
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

std::optional<Unmapped> map_cover(Builder b) {
    auto position = setting(b.c, "position_topic", "position_template", "set_position_topic",
                            "set_position_template");
    auto state = setting(b.c, "state_topic", "value_template", "command_topic", {});
    for (auto* s : {&position, &state})
        if (auto* u = std::get_if<Unmapped>(s)) return *u;
    const auto& pos = std::get<Setting>(position);
    const auto& st = std::get<Setting>(state);
    const double open = number(b.c, "position_open").value_or(100);
    const double closed = number(b.c, "position_closed").value_or(0);
    const auto payload_open = str(b.c, "payload_open", "OPEN");
    const auto payload_close = str(b.c, "payload_close", "CLOSE");
    const auto payload_stop = str(b.c, "payload_stop", "STOP");
    const bool retain = flag(b.c, "retain");
    auto& e = b.e;
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
        std::map<std::string, std::string> words{{str(b.c, "state_open", "open"), "open"},
                                                 {str(b.c, "state_closed", "closed"), "closed"},
                                                 {str(b.c, "state_opening", "opening"), "opening"},
                                                 {str(b.c, "state_closing", "closing"), "closing"},
                                                 {str(b.c, "state_stopped", "stopped"), "stopped"}};
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

std::optional<Unmapped> map_fan(Builder b) {
    auto state =
        setting(b.c, "state_topic", "state_value_template", "command_topic", "command_template");
    auto pct = setting(b.c, "percentage_state_topic", "percentage_value_template",
                       "percentage_command_topic", "percentage_command_template");
    auto preset = setting(b.c, "preset_mode_state_topic", "preset_mode_value_template",
                          "preset_mode_command_topic", "preset_mode_command_template");
    for (auto* s : {&state, &pct, &preset})
        if (auto* u = std::get_if<Unmapped>(s)) return *u;
    const auto& st = std::get<Setting>(state);
    const auto& pc = std::get<Setting>(pct);
    const auto& pr = std::get<Setting>(preset);
    if (st.command_topic.empty()) return Unmapped{"a fan needs a command_topic"};
    const auto payload_on = str(b.c, "payload_on", "ON");
    const auto payload_off = str(b.c, "payload_off", "OFF");
    const bool retain = flag(b.c, "retain");
    const auto lo = static_cast<std::int64_t>(number(b.c, "speed_range_min").value_or(1));
    const auto hi = static_cast<std::int64_t>(number(b.c, "speed_range_max").value_or(100));
    auto& e = b.e;
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
    for (const auto& p : strings(b.c, "preset_modes"))
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

/// select, number, text: one own attribute read from state_topic and written to command_topic.
std::optional<Unmapped> map_value_entity(Builder b, Capability cap, Decode decode) {
    auto s = setting(b.c, "state_topic", "value_template", "command_topic", "command_template");
    if (auto* u = std::get_if<Unmapped>(&s)) return *u;
    const auto& set_s = std::get<Setting>(s);
    if (set_s.command_topic.empty())
        return Unmapped{"a " + b.e.component + " needs a command_topic"};
    b.e.priority = 80;
    const auto attribute = cap.attribute;
    const auto type = cap.type;
    b.add(std::move(cap), Naming::own);
    b.read(value_reader(set_s.state_topic, set_s.state_template, attribute, std::move(decode)));
    b.e.writer = [=, retain = flag(b.c, "retain")](const proto::Attributes& set,
                                                   std::optional<double>,
                                                   std::vector<Publish>& out) -> Result<void> {
        if (type == ValueType::number) {
            auto n = want_number(set, attribute);
            if (!n) return n.error();
            return publish_setting(set_s, template_number(*n), retain, out);
        }
        auto t = want_text(set, attribute);
        if (!t) return t.error();
        return publish_setting(set_s, TemplateValue{*t}, retain, out);
    };
    return std::nullopt;
}

std::optional<Unmapped> map_button(Builder b) {
    auto cmd = template_option(b.c, "command_template");
    if (auto* u = std::get_if<Unmapped>(&cmd)) return *u;
    const auto topic = str(b.c, "command_topic");
    if (topic.empty()) return Unmapped{"a button needs a command_topic"};
    const auto press = str(b.c, "payload_press", "PRESS");
    const auto attribute = b.e.key;
    b.e.priority = 90;
    b.add(bool_capability(attribute, Access::write), Naming::own);
    b.e.writer = [=, cmd = std::get<std::optional<Template>>(cmd), retain = flag(b.c, "retain")](
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
    if (str(b.c, "automation_type", "trigger") != "trigger")
        return Unmapped{"only trigger automations are mapped"};
    auto tpl = template_option(b.c, "value_template");
    if (auto* u = std::get_if<Unmapped>(&tpl)) return *u;
    const auto topic = str(b.c, "topic");
    if (topic.empty()) return Unmapped{"a device trigger needs a topic"};
    const auto payload = str(b.c, "payload");
    const auto subtype = str(b.c, "subtype");
    const auto type = str(b.c, "type", "action");
    b.e.priority = 85;
    b.e.kind = proto::DeviceKind::button;
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
    auto tpl = template_option(b.c, "value_template");
    if (auto* u = std::get_if<Unmapped>(&tpl)) return *u;
    const auto topic = str(b.c, "state_topic");
    if (topic.empty()) return Unmapped{"an event entity needs a state_topic"};
    b.e.priority = 85;
    b.e.kind = proto::DeviceKind::button;
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

std::optional<Unmapped> map_platform(Builder b) {
    const auto& p = b.e.component;
    if (p == "sensor") return map_sensor(b);
    if (p == "binary_sensor") return map_binary_sensor(b);
    if (p == "switch") return map_switch(b);
    if (p == "lock") return map_lock(b);
    if (p == "light") return map_light(b);
    if (p == "climate") return map_climate(b);
    if (p == "cover") return map_cover(b);
    if (p == "fan") return map_fan(b);
    if (p == "button") return map_button(b);
    if (p == "device_automation") return map_device_automation(b);
    if (p == "event") return map_event(b);
    if (p == "select") {
        auto options = strings(b.c, "options");
        if (options.empty()) return Unmapped{"a select needs options"};
        return map_value_entity(b, enum_capability(b.e.key, options, kReadWrite), decode_text());
    }
    if (p == "number") {
        auto cap = number_capability(
            b.e.key, number(b.c, "min").value_or(1), number(b.c, "max").value_or(100),
            number(b.c, "step").value_or(1), str(b.c, "unit_of_measurement"), kReadWrite);
        return map_value_entity(b, cap, decode_number(b.e.key));
    }
    if (p == "text")
        return map_value_entity(b, text_capability(b.e.key, kReadWrite), decode_text());
    if (p == "update")
        return Unmapped{"firmware updates are not part of Hearth's capability model"};
    return Unmapped{"Home Assistant platform '" + p + "' has no Hearth mapping"};
}

HaDeviceInfo device_info(const json& c) {
    HaDeviceInfo d;
    const auto it = c.find("device");
    if (it == c.end() || !it->is_object()) return d;
    const auto& dev = *it;
    if (auto ids = dev.find("identifiers"); ids != dev.end()) {
        if (ids->is_string())
            d.identifier = ids->get<std::string>();
        else if (ids->is_array() && !ids->empty())
            d.identifier = as_config_string((*ids)[0]);
    }
    if (auto cns = dev.find("connections");
        d.identifier.empty() && cns != dev.end() && cns->is_array() && !cns->empty()) {
        const auto& first = (*cns)[0];
        if (first.is_array() && first.size() == 2)
            d.identifier = as_config_string(first[0]) + "_" + as_config_string(first[1]);
    }
    d.name = str(dev, "name");
    d.manufacturer = str(dev, "manufacturer");
    d.model = str(dev, "model");
    if (auto id = str(dev, "model_id"); !id.empty())
        d.model = d.model.empty() ? id : id + " (" + d.model + ")";
    d.suggested_area = str(dev, "suggested_area");
    return d;
}

std::variant<HaAvailability, Unmapped> availability(const json& c) {
    HaAvailability a;
    const auto mode = str(c, "availability_mode", "latest");
    a.mode = mode == "all"   ? HaAvailability::Mode::all
             : mode == "any" ? HaAvailability::Mode::any
                             : HaAvailability::Mode::latest;
    const auto add = [&](const json& src, std::string_view topic_key,
                         std::string_view template_key) -> std::optional<Unmapped> {
        HaAvailability::Source s;
        s.topic = str(src, topic_key);
        if (s.topic.empty()) return std::nullopt;
        s.payload_available = str(src, "payload_available", "online");
        s.payload_not_available = str(src, "payload_not_available", "offline");
        auto t = template_option(src, template_key);
        if (auto* u = std::get_if<Unmapped>(&t)) return *u;
        s.value_template = std::get<std::optional<Template>>(t);
        a.sources.push_back(std::move(s));
        return std::nullopt;
    };
    if (auto u = add(c, "availability_topic", "availability_template")) return *u;
    if (auto it = c.find("availability"); it != c.end() && it->is_array())
        for (const auto& entry : *it)
            if (entry.is_object())
                if (auto u = add(entry, "topic", "value_template")) return *u;
    return a;
}

}  // namespace

std::string template_key(std::string_view t) {
    const auto at = t.find("value_json");
    if (at == std::string_view::npos) return {};
    auto rest = t.substr(at + 10);
    if (rest.starts_with('.')) {
        rest.remove_prefix(1);
        std::size_t n = 0;
        while (n < rest.size() &&
               (std::isalnum(static_cast<unsigned char>(rest[n])) || rest[n] == '_'))
            ++n;
        return std::string(rest.substr(0, n));
    }
    if (rest.starts_with("[\"") || rest.starts_with("['")) {
        const char quote = rest[1];
        const auto end = rest.find(quote, 2);
        if (end != std::string_view::npos) return std::string(rest.substr(2, end - 2));
    }
    return {};
}

HaEntity map_entity(const DiscoveryTopic& topic, std::string source, const json& config) {
    HaEntity e;
    e.source = std::move(source);
    e.topic = topic;
    e.component = topic.component == "device" ? str(config, "platform") : topic.component;
    e.unique_id = str(config, "unique_id");
    e.main_feature = !config.contains("name") || config["name"].is_null();
    e.name = str(config, "name");
    e.entity_category = str(config, "entity_category");
    e.device_class = str(config, "device_class");
    e.device = device_info(config);
    std::string key;
    for (const auto* t : {"value_template", "state_value_template", "position_template"})
        if (key.empty()) key = template_key(str(config, t));
    if (key.empty()) key = topic.object_id;
    if (e.component == "switch" && key.starts_with("switch_")) key = key.substr(7);
    e.key = attribute_name(key);
    e.may_claim_canonical = e.entity_category.empty() || e.device_class == "battery";

    auto avail = availability(config);
    if (auto* u = std::get_if<Unmapped>(&avail)) {
        e.unmapped_reason = u->reason;
        e.template_problem = u->from_template;
        return e;
    }
    e.availability = std::get<HaAvailability>(std::move(avail));
    if (auto u = map_platform(Builder{config, e})) {
        e.unmapped_reason = u->reason;
        e.template_problem = u->from_template;
        e.capabilities.clear();
        e.readers.clear();
        e.writer = nullptr;
        e.kind.reset();
    }
    return e;
}

}  // namespace hearth::devices::adapters
