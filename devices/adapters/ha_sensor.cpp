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

}  // namespace

std::optional<Unmapped> map_sensor(Builder b) {
    auto tpl = template_option(b.config, "value_template");
    if (auto* u = std::get_if<Unmapped>(&tpl)) return *u;
    auto& t = std::get<std::optional<Template>>(tpl);
    const auto topic = str(b.config, "state_topic");
    if (topic.empty()) return Unmapped{"a sensor needs a state_topic"};
    const auto unit = str(b.config, "unit_of_measurement");
    auto& e = b.entity;
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
    const bool numeric = !unit.empty() || !str(b.config, "state_class").empty() ||
                         (!e.device_class.empty() && e.device_class != "enum" &&
                          e.device_class != "timestamp" && e.device_class != "date");
    if (numeric) {
        b.add(number_capability(e.key, {}, {}, {}, unit, Access::read), Naming::own);
        b.read(value_reader(topic, t, e.key, decode_number(e.key)));
    } else {
        auto cap = text_capability(e.key, Access::read);
        auto options = strings(b.config, "options");
        if (!options.empty()) cap = enum_capability(e.key, options, Access::read);
        b.add(cap, Naming::own);
        b.read(value_reader(topic, t, e.key, decode_text()));
    }
    return std::nullopt;
}

std::optional<Unmapped> map_binary_sensor(Builder b) {
    auto tpl = template_option(b.config, "value_template");
    if (auto* u = std::get_if<Unmapped>(&tpl)) return *u;
    auto& t = std::get<std::optional<Template>>(tpl);
    const auto topic = str(b.config, "state_topic");
    if (topic.empty()) return Unmapped{"a binary_sensor needs a state_topic"};
    const auto on = str(b.config, "payload_on", "ON");
    const auto off = str(b.config, "payload_off", "OFF");
    auto& e = b.entity;
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

}  // namespace hearth::devices::adapters
