#include "sim/zigbee2mqtt_style.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace hearth::sim {

using nlohmann::json;
using proto::Errc;
using proto::make_error;

namespace {

struct SensorClass {
    std::string_view attribute;
    std::string_view unit;
    std::string_view device_class;
};

constexpr SensorClass kSensors[] = {
    {"temperature", "°C", "temperature"}, {"humidity", "%", "humidity"},
    {"battery", "%", "battery"},          {"pm25", "µg/m³", "pm25"},
    {"illuminance", "lx", "illuminance"}, {"power", "W", "power"},
};

double number_of(const proto::Value& v, double fallback = 0) {
    if (const auto* d = std::get_if<double>(&v)) return *d;
    return fallback;
}

double attribute_number(const proto::Attributes& state, std::string_view attribute,
                        double fallback = 0) {
    const auto it = state.find(attribute);
    return it == state.end() ? fallback : number_of(it->second, fallback);
}

bool attribute_flag(const proto::Attributes& state, std::string_view attribute) {
    const auto it = state.find(attribute);
    if (it == state.end()) return false;
    const auto* b = std::get_if<bool>(&it->second);
    return b && *b;
}

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    return text;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

std::string value_template(std::string_view property) {
    return "{{ value_json[\"" + std::string(property) + "\"] }}";
}

}  // namespace

std::string ieee_address_for(const proto::DeviceId& id) {
    // FNV-1a: stable across runs and platforms, unlike std::hash.
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char c : id.value) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    char text[19];
    std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(h));
    return text;
}

bool Zigbee2MqttStyle::can_present(const proto::DeviceDescription& d) {
    using K = proto::DeviceKind;
    switch (d.kind) {
        case K::light:
        case K::switch_:
        case K::curtain:
        case K::lock:
        case K::climate_sensor:
        case K::presence_sensor:
        case K::contact_sensor:
        case K::sensor:
            return true;
        default:
            return false;
    }
}

Zigbee2MqttStyle::Zigbee2MqttStyle(proto::DeviceDescription description, std::string base,
                                   std::string discovery_prefix)
    : description_(std::move(description)),
      base_(std::move(base)),
      discovery_prefix_(std::move(discovery_prefix)),
      ieee_(ieee_address_for(description_.id)) {
    name_ = description_.id.value;
    std::replace(name_.begin(), name_.end(), '.', '_');
}

std::vector<StyledMessage> Zigbee2MqttStyle::discovery() const {
    json device = {
        {"identifiers", json::array({"zigbee2mqtt_" + ieee_})},
        {"name", description_.name.en.empty() ? name_ : description_.name.en},
        {"manufacturer", description_.manufacturer.empty() ? "Hearth" : description_.manufacturer},
        {"model", description_.model.empty() ? std::string(proto::to_string(description_.kind))
                                             : description_.model},
    };
    if (!description_.area.empty()) device["suggested_area"] = description_.area.value;
    const json availability = json::array(
        {{{"topic", availability_topic()}, {"value_template", "{{ value_json.state }}"}}});
    const json origin = {
        {"name", "Zigbee2MQTT"}, {"sw", "2.12.1"}, {"url", "https://www.zigbee2mqtt.io"}};

    std::vector<StyledMessage> out;
    const auto add = [&](std::string_view component, std::string_view object, json config) {
        const auto suffix = object == component ? std::string() : "_" + std::string(object);
        config["availability"] = availability;
        config["device"] = device;
        config["origin"] = origin;
        config["object_id"] = name_ + suffix;
        config["default_entity_id"] = std::string(component) + "." + name_ + suffix;
        config["unique_id"] = ieee_ + "_" + std::string(object) + "_zigbee2mqtt";
        if (!config.contains("state_topic")) config["state_topic"] = state_topic();
        out.push_back({discovery_prefix_ + "/" + std::string(component) + "/" + ieee_ + "/" +
                           std::string(object) + "/config",
                       config.dump()});
    };

    const bool is_light = description_.kind == proto::DeviceKind::light;
    if (is_light && has("on")) {
        json light = {{"schema", "json"}, {"command_topic", set_topic()}, {"name", nullptr}};
        json modes = json::array({"onoff"});
        if (has("brightness")) {
            light["brightness"] = true;
            light["brightness_scale"] = 254;
            modes = json::array({"brightness"});
        }
        if (const auto* ct = description_.find("color_temp")) {
            light["min_mireds"] = std::lround(1e6 / ct->max.value_or(6500));
            light["max_mireds"] = std::lround(1e6 / ct->min.value_or(2000));
            modes = json::array({"color_temp"});
        }
        light["supported_color_modes"] = modes;
        add("light", "light", std::move(light));
    } else if (has("on")) {
        add("switch", "switch",
            {{"command_topic", set_topic()},
             {"name", nullptr},
             {"payload_on", "ON"},
             {"payload_off", "OFF"},
             {"value_template", value_template("state")}});
    }
    if (has("position")) {
        add("cover", "cover",
            {{"command_topic", set_topic()},
             {"name", nullptr},
             {"position_template", value_template("position")},
             {"position_topic", state_topic()},
             {"set_position_template", "{ \"position\": {{ position }} }"},
             {"set_position_topic", set_topic()},
             {"state_closing", "closing"},
             {"state_opening", "opening"},
             {"state_stopped", "stopped"},
             {"value_template",
              "{% if \"motor_state\" in value_json and value_json[\"motor_state\"] %} "
              "{{ value_json[\"motor_state\"] }} {% else %} stopped {% endif %}"}});
    }
    if (has("locked")) {
        add("lock", "lock",
            {{"command_topic", set_topic()},
             {"name", nullptr},
             {"payload_lock", "LOCK"},
             {"payload_unlock", "UNLOCK"},
             {"state_locked", "LOCK"},
             {"state_unlocked", "UNLOCK"},
             {"value_template", value_template("state")}});
    }
    if (has("occupancy")) {
        add("binary_sensor", "occupancy",
            {{"device_class", "occupancy"},
             {"payload_on", true},
             {"payload_off", false},
             {"value_template", value_template("occupancy")}});
    }
    if (has("contact")) {
        // Zigbee2MQTT's contact is true when closed; Home Assistant's door is on when open.
        add("binary_sensor", "contact",
            {{"device_class", "door"},
             {"payload_on", false},
             {"payload_off", true},
             {"value_template", value_template("contact")}});
    }
    for (const auto& s : kSensors) {
        if (!has(s.attribute)) continue;
        json sensor = {{"device_class", s.device_class},
                       {"enabled_by_default", true},
                       {"state_class", "measurement"},
                       {"unit_of_measurement", s.unit},
                       {"value_template", value_template(s.attribute)}};
        if (s.attribute == "battery") sensor["entity_category"] = "diagnostic";
        add("sensor", s.attribute, std::move(sensor));
    }
    return out;
}

std::string Zigbee2MqttStyle::state_payload(const proto::Attributes& state) const {
    json j = json::object();
    for (const auto& [attribute, value] : state) {
        const auto* c = description_.find(attribute);
        if (!c || !proto::has(c->access, proto::Access::read)) continue;
        if (attribute == "on") {
            j["state"] = attribute_flag(state, "on") ? "ON" : "OFF";
        } else if (attribute == "locked") {
            j["state"] = attribute_flag(state, "locked") ? "LOCK" : "UNLOCK";
        } else if (attribute == "brightness") {
            j["brightness"] = std::lround(number_of(value) * 254 / 100);
        } else if (attribute == "color_temp") {
            const double kelvin = number_of(value);
            j["color_temp"] = kelvin > 0 ? json(std::lround(1e6 / kelvin)) : json(nullptr);
            j["color_mode"] = "color_temp";
        } else {
            j[attribute] = proto::to_json(value);
        }
    }
    if (has("position") && !has("on")) {
        j["state"] = attribute_number(state, "position") > 0 ? "OPEN" : "CLOSE";
    }
    return j.dump();
}

proto::Result<std::string> Zigbee2MqttStyle::command_payload(std::string_view set_payload,
                                                             const proto::Attributes& state) const {
    json in = json::parse(set_payload, nullptr, false);
    if (in.is_discarded() || in.is_string()) {
        // Home Assistant's switch, lock and cover entities send a bare word.
        const auto word =
            in.is_string() ? in.get<std::string>() : std::string(trimmed(set_payload));
        if (word.empty()) return make_error(Errc::bad_json, "the command is empty");
        in = json{{"state", word}};
    }
    if (!in.is_object())
        return make_error(Errc::bad_json, "a Zigbee2MQTT command is a JSON object");

    json out = json::object();
    for (const auto& [key, value] : in.items()) {
        if (key == "state") {
            if (!value.is_string())
                return make_error(Errc::wrong_type, "state is a word such as ON or OFF", key);
            const auto word = upper(value.get<std::string>());
            if (has("locked") && (word == "LOCK" || word == "UNLOCK")) {
                out["locked"] = word == "LOCK";
            } else if (has("on") && (word == "ON" || word == "OFF")) {
                out["on"] = word == "ON";
            } else if (has("on") && word == "TOGGLE") {
                out["on"] = !attribute_flag(state, "on");
            } else if (has("position") && (word == "OPEN" || word == "CLOSE" || word == "STOP")) {
                out["position"] = word == "OPEN"    ? 100.0
                                  : word == "CLOSE" ? 0.0
                                                    : attribute_number(state, "position");
            } else {
                return make_error(Errc::out_of_range, "this device does not take state " + word,
                                  key);
            }
        } else if (key == "brightness" && has("brightness")) {
            if (!value.is_number())
                return make_error(Errc::wrong_type, "brightness is a number 0–254", key);
            out["brightness"] =
                std::clamp<double>(std::round(value.get<double>() * 100 / 254), 0, 100);
        } else if (key == "color_temp" && has("color_temp")) {
            if (!value.is_number() || value.get<double>() <= 0) {
                return make_error(Errc::wrong_type, "color_temp is a positive number of mireds",
                                  key);
            }
            const auto* c = description_.find("color_temp");
            out["color_temp"] = std::clamp<double>(std::round(1e6 / value.get<double>()),
                                                   c->min.value_or(2000), c->max.value_or(6500));
        } else if (const auto* c = description_.find(key);
                   c && proto::has(c->access, proto::Access::write) && key != "on" &&
                   key != "locked") {
            out[key] = value;
        } else {
            return make_error(Errc::unknown_attribute,
                              description_.id.value + " does not take " + key, key);
        }
    }
    if (out.empty()) return make_error(Errc::invalid_field, "the command sets nothing");
    return out.dump();
}

}  // namespace hearth::sim
