#include "proto/capability.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>

namespace hearth::proto {
namespace {

constexpr auto rw = Access::read | Access::write;

Capability number(std::string attribute, double min, double max, double step, std::string unit,
                  Access access) {
    return Capability{std::move(attribute), ValueType::number, min, max, step, std::move(unit), {}, access};
}
Capability boolean(std::string attribute, Access access) {
    return Capability{std::move(attribute), ValueType::boolean, {}, {}, {}, {}, {}, access};
}
Capability enumeration(std::string attribute, std::vector<std::string> options, Access access) {
    return Capability{std::move(attribute), ValueType::enumeration, {}, {}, {}, {}, std::move(options), access};
}

const std::vector<Capability>& canonical_table() {
    static const std::vector<Capability> table = {
        boolean("on", rw),
        number("brightness", 0, 100, 1, "%", rw),
        number("color_temp", 2000, 6500, 1, "K", rw),
        enumeration("hvac_mode", {"off", "cool", "heat", "auto", "dry", "fan_only"}, rw),
        number("target_temperature", 16, 30, 0.5, "°C", rw),
        number("temperature", -40, 80, 0.1, "°C", Access::read),
        number("humidity", 0, 100, 0.1, "%", Access::read),
        enumeration("fan_speed", {"auto", "low", "medium", "high"}, rw),
        enumeration("mode", {"auto", "sleep", "manual"}, rw),
        enumeration("playback", {"playing", "paused", "stopped"}, rw),
        Capability{"media", ValueType::text, {}, {}, {}, {}, {}, rw},
        enumeration("skip", {"next", "previous"}, Access::write),  // a command only: change track
        Capability{"say", ValueType::text, {}, {}, {}, {}, {}, Access::write},  // a command only: speak the text
        number("volume", 0, 100, 1, "%", rw),
        number("position", 0, 100, 1, "%", rw),
        boolean("occupancy", Access::read),
        boolean("contact", Access::read),
        boolean("locked", rw),
        boolean("cleaning", rw),
        number("pm25", 0, 1000, 1, "µg/m³", Access::read),
        number("illuminance", 0, 100000, 1, "lx", Access::read),
        number("power", 0, 100000, 0.1, "W", Access::read),
        number("battery", 0, 100, 1, "%", Access::read),
        number("transition", 0, 3600, 0.1, "s", Access::write),
        Capability{"action", ValueType::text, {}, {}, {}, {}, {}, Access::event},
    };
    return table;
}

std::optional<ValueType> value_type_from(std::string_view s) {
    if (s == "bool") return ValueType::boolean;
    if (s == "number") return ValueType::number;
    if (s == "enum") return ValueType::enumeration;
    if (s == "text") return ValueType::text;
    return std::nullopt;
}

std::string format_number(double d) { return to_display(Value{d}); }

}  // namespace

const Capability* canonical_capability(std::string_view attribute) noexcept {
    const auto& table = canonical_table();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&](const Capability& c) { return c.attribute == attribute; });
    return it == table.end() ? nullptr : &*it;
}

std::string_view to_string(ValueType t) noexcept {
    switch (t) {
        case ValueType::boolean: return "bool";
        case ValueType::number: return "number";
        case ValueType::enumeration: return "enum";
        case ValueType::text: return "text";
    }
    return "text";
}

Result<Value> check_value(const Capability& c, const Value& value) {
    const auto wrong_type = [&] {
        return make_error(Errc::wrong_type,
                          c.attribute + " expects " + std::string(to_string(c.type)) + ", got " +
                              type_name(value),
                          c.attribute);
    };
    switch (c.type) {
        case ValueType::boolean:
            if (!as_bool(value)) return wrong_type();
            return value;
        case ValueType::number: {
            const auto* d = as_number(value);
            if (!d) return wrong_type();
            if ((c.min && *d < *c.min) || (c.max && *d > *c.max)) {
                return make_error(Errc::out_of_range,
                                  c.attribute + " " + format_number(*d) + " is outside " +
                                      format_number(c.min.value_or(-INFINITY)) + "–" +
                                      format_number(c.max.value_or(INFINITY)) +
                                      (c.unit.empty() ? "" : " " + c.unit),
                                  c.attribute);
            }
            return value;
        }
        case ValueType::enumeration: {
            const auto* s = as_text(value);
            if (!s) return wrong_type();
            if (std::find(c.options.begin(), c.options.end(), *s) == c.options.end()) {
                std::string allowed;
                for (const auto& o : c.options) allowed += (allowed.empty() ? "" : ", ") + o;
                return make_error(Errc::out_of_range,
                                  c.attribute + " '" + *s + "' is not one of: " + allowed, c.attribute);
            }
            return value;
        }
        case ValueType::text:
            if (!as_text(value)) return wrong_type();
            return value;
    }
    return wrong_type();
}

nlohmann::json to_json(const Capability& c) {
    nlohmann::json j{{"attribute", c.attribute}, {"type", to_string(c.type)}};
    if (c.min) j["min"] = to_json(Value{*c.min});
    if (c.max) j["max"] = to_json(Value{*c.max});
    if (c.step) j["step"] = to_json(Value{*c.step});
    if (!c.unit.empty()) j["unit"] = c.unit;
    if (!c.options.empty()) j["options"] = c.options;
    auto access = nlohmann::json::array();
    if (has(c.access, Access::read)) access.push_back("read");
    if (has(c.access, Access::write)) access.push_back("write");
    if (has(c.access, Access::event)) access.push_back("event");
    j["access"] = access;
    return j;
}

Result<Capability> capability_from_json(const nlohmann::json& j) {
    if (j.is_string()) {
        const auto name = j.get<std::string>();
        if (const auto* c = canonical_capability(name)) return *c;
        return make_error(Errc::invalid_field, "'" + name + "' is not a canonical attribute; describe it in full",
                          "capabilities");
    }
    if (!j.is_object()) return make_error(Errc::invalid_field, "a capability is an object or a name", "capabilities");
    const auto attribute = j.value("attribute", std::string{});
    if (attribute.empty()) return make_error(Errc::invalid_field, "a capability needs an attribute", "capabilities.attribute");
    // Start from the canonical definition so a device may override only what differs (say, a range).
    Capability c;
    if (const auto* canonical = canonical_capability(attribute)) c = *canonical;
    c.attribute = attribute;
    const auto field = [&](std::string_view f) { return "capabilities." + attribute + "." + std::string(f); };
    if (j.contains("type")) {
        const auto t = j["type"].is_string() ? value_type_from(j["type"].get<std::string>()) : std::nullopt;
        if (!t) return make_error(Errc::invalid_field, "type is one of bool, number, enum, text", field("type"));
        c.type = *t;
    } else if (!canonical_capability(attribute)) {
        return make_error(Errc::invalid_field, "a non-canonical capability needs a type", field("type"));
    }
    for (const auto* key : {"min", "max", "step"}) {
        if (!j.contains(key)) continue;
        if (!j[key].is_number()) return make_error(Errc::invalid_field, std::string(key) + " must be a number", field(key));
        auto& slot = std::string_view(key) == "min" ? c.min : std::string_view(key) == "max" ? c.max : c.step;
        slot = j[key].get<double>();
    }
    if (c.min && c.max && *c.min > *c.max) return make_error(Errc::invalid_field, "min is above max", field("min"));
    if (j.contains("unit")) {
        if (!j["unit"].is_string()) return make_error(Errc::invalid_field, "unit must be text", field("unit"));
        c.unit = j["unit"].get<std::string>();
    }
    if (j.contains("options")) {
        if (!j["options"].is_array()) return make_error(Errc::invalid_field, "options must be a list", field("options"));
        c.options.clear();
        for (const auto& o : j["options"]) {
            if (!o.is_string()) return make_error(Errc::invalid_field, "options must be text", field("options"));
            c.options.push_back(o.get<std::string>());
        }
    }
    if (c.type == ValueType::enumeration && c.options.empty()) {
        return make_error(Errc::invalid_field, "an enum needs options", field("options"));
    }
    if (j.contains("access")) {
        if (!j["access"].is_array()) return make_error(Errc::invalid_field, "access is a list of read, write, event", field("access"));
        c.access = Access::none;
        for (const auto& a : j["access"]) {
            const auto s = a.is_string() ? a.get<std::string>() : std::string{};
            if (s == "read") c.access = c.access | Access::read;
            else if (s == "write") c.access = c.access | Access::write;
            else if (s == "event") c.access = c.access | Access::event;
            else return make_error(Errc::invalid_field, "access is a list of read, write, event", field("access"));
        }
    }
    return c;
}

}  // namespace hearth::proto
