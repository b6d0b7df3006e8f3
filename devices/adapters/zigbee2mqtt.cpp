#include "devices/adapters/zigbee2mqtt.hpp"

#include <cctype>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "devices/adapters/naming.hpp"
#include "proto/json.hpp"

namespace hearth::devices::adapters {

using proto::Access;
using proto::Capability;
using proto::Errc;
using proto::make_error;
using proto::Value;
using proto::ValueType;
using json = nlohmann::json;
using Convert = Zigbee2Mqtt::Binding::Convert;

namespace {

constexpr int kPublished = 1, kSettable = 2, kGettable = 4;

Access access_of(int bits) {
    Access a = Access::none;
    if (bits & kPublished) a = a | Access::read;
    if (bits & kSettable) a = a | Access::write;
    return a;
}

std::string word(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    return v.dump();
}

/// Which Hearth attribute a generic expose is, by its property name.
const char* canonical_property(std::string_view property, std::string_view type) {
    if (type == "binary" && (property == "occupancy" || property == "presence")) return "occupancy";
    if (type == "binary" && property == "contact")
        return "contact";  // Zigbee2MQTT: true = closed, as in Hearth
    if (type == "numeric") {
        for (const auto* p : {"temperature", "humidity", "illuminance", "power", "battery", "pm25"})
            if (property == p) return p;
        if (property == "illuminance_lux") return "illuminance";
    }
    if (type == "enum" && property == "action") return "action";
    return nullptr;
}

/// The Home Assistant device class Zigbee2MQTT gives a binary expose (its homeassistant
/// extension's table), so that speech about classes ("any leaks?") finds adopted devices.
std::string_view binary_class(std::string_view property) {
    static constexpr std::pair<std::string_view, std::string_view> classes[] = {
        {"occupancy", "occupancy"}, {"presence", "occupancy"}, {"contact", "door"},
        {"water_leak", "moisture"}, {"smoke", "smoke"}, {"gas", "gas"},
        {"carbon_monoxide", "carbon_monoxide"}, {"vibration", "vibration"}, {"tamper", "tamper"},
        {"battery_low", "battery"}};
    for (const auto& [p, c] : classes)
        if (p == property) return c;
    return {};
}

/// A cover's class from the words of its definition ("Curtain motor", "Roller blind").
std::string cover_class(std::string description) {
    std::transform(description.begin(), description.end(), description.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto* w : {"garage", "window", "shutter", "blind", "shade", "curtain"})
        if (description.find(w) != std::string::npos)
            return std::string(w) == "garage" ? "garage_door" : w;
    return {};
}

/// Builds one device's capabilities and bindings from its exposes.
class ExposeMapper {
  public:
    ExposeMapper(const std::string& source, const proto::DeviceId& device, const std::string& name,
                 std::vector<UnmappedEntity>& unmapped)
        : source_(source), device_(device), name_(name), unmapped_(unmapped) {}

    std::vector<Capability> capabilities;
    std::map<std::string, Zigbee2Mqtt::Binding> bindings;
    std::optional<proto::DeviceKind> kind;
    std::string device_class;  // of the expose that gave the kind, or of the first classed binary one

    void map(const json& exposes) {
        static constexpr std::string_view order[] = {"climate", "cover", "fan",
                                                     "light",   "lock",  "switch"};
        for (const auto type : order)
            for (const auto& e : exposes)
                if (e.value("type", "") == type) specific(e);
        for (const auto& e : exposes)
            if (std::find(std::begin(order), std::end(order), e.value("type", "")) ==
                std::end(order))
                generic(e, {});
        if (!kind && std::any_of(capabilities.begin(), capabilities.end(),
                                 [](const Capability& c) { return c.access == Access::read; }))
            kind = proto::DeviceKind::sensor;
    }

  private:
    struct Planned {
        std::string canonical;
        Capability capability;
        Zigbee2Mqtt::Binding binding;
    };

    void add(std::string name, Capability cap, Zigbee2Mqtt::Binding binding) {
        const auto stem = name;
        for (int n = 2; bindings.count(name); ++n) name = stem + "_" + std::to_string(n);
        cap.attribute = name;
        capabilities.push_back(std::move(cap));
        bindings[name] = std::move(binding);
    }

    void unmapped(const json& e, std::string reason) {
        const auto property = e.value("property", e.value("name", e.value("type", "")));
        unmapped_.push_back({source_ + "#" + name_ + "." + property,
                             {},
                             device_,
                             e.value("type", ""),
                             e.value("label", property),
                             std::move(reason)});
    }

    static Zigbee2Mqtt::Binding binding(const json& f, Convert c) {
        Zigbee2Mqtt::Binding b;
        b.property = f.value("property", "");
        b.convert = c;
        b.gettable = (f.value("access", 0) & kGettable) != 0;
        if (c == Convert::boolean) {
            b.json_bool = f.contains("value_on") && f["value_on"].is_boolean();
            b.on = f.contains("value_on") ? word(f["value_on"]) : "ON";
            b.off = f.contains("value_off") ? word(f["value_off"]) : "OFF";
        }
        return b;
    }

    static Capability own_capability(const json& f) {
        Capability c;
        const auto type = f.value("type", "");
        c.access = access_of(f.value("access", kPublished));
        if (type == "binary")
            c.type = ValueType::boolean;
        else if (type == "enum") {
            c.type = ValueType::enumeration;
            for (const auto& v : f.value("values", json::array())) c.options.push_back(word(v));
        } else if (type == "text")
            c.type = ValueType::text;
        else {
            c.type = ValueType::number;
            if (f.contains("value_min") && f["value_min"].is_number())
                c.min = f["value_min"].get<double>();
            if (f.contains("value_max") && f["value_max"].is_number())
                c.max = f["value_max"].get<double>();
            if (f.contains("value_step") && f["value_step"].is_number())
                c.step = f["value_step"].get<double>();
            c.unit = f.value("unit", "");
        }
        return c;
    }

    /// A plain expose (or a feature the specific mapping did not take): canonical by property
    /// when it is one and still free, else under its own property name.
    void generic(const json& f, std::string_view prefix) {
        const auto type = f.value("type", "");
        const auto property = f.value("property", "");
        if (type == "composite" || type == "list" || property.empty()) {
            unmapped(f, type == "composite" || type == "list"
                            ? type + " values (" + f.value("name", "") + ") have no Hearth mapping"
                            : "an expose without a property cannot be read");
            return;
        }
        const bool may_claim =
            f.value("category", "") != "config" && (f.value("category", "") != "diagnostic" ||
                                                    property == "battery" || property == "action");
        if (const char* c = canonical_property(property, type);
            c && may_claim && !bindings.count(c)) {
            auto cap = *proto::canonical_capability(c);
            auto convert = type == "binary"                  ? Convert::boolean
                           : std::string_view(c) == "action" ? Convert::event
                                                             : Convert::none;
            add(c, cap, binding(f, convert));
            if (!kind) {
                device_class = std::string(
                    type == "binary" ? binary_class(property) : std::string_view(c) == "action" ? "" : c);
                if (cap.attribute == "occupancy")
                    kind = proto::DeviceKind::presence_sensor;
                else if (cap.attribute == "contact")
                    kind = proto::DeviceKind::contact_sensor;
                else if (cap.attribute == "temperature" || cap.attribute == "humidity")
                    kind = proto::DeviceKind::climate_sensor;
                else if (cap.attribute == "action")
                    kind = proto::DeviceKind::button;
            }
            return;
        }
        std::string name = prefix.empty() ? attribute_name(property)
                                          : std::string(prefix) + "_" + attribute_name(property);
        if (proto::canonical_capability(name))
            name = (has(access_of(f.value("access", 1)), Access::write) ? "setting_" : "sensor_") +
                   name;
        add(name, own_capability(f),
            binding(f, type == "binary" ? Convert::boolean : Convert::none));
        if (!kind && device_class.empty() && type == "binary" && may_claim)
            device_class = std::string(binary_class(property));
    }

    /// light, switch, cover, fan, lock, climate: its features claim canonical names together,
    /// or all take `<type>_<name>` when one of them is already taken (a fan's light).
    void specific(const json& e) {
        const auto type = e.value("type", "");
        std::vector<Planned> plan;
        std::vector<const json*> rest;
        bool fades = false;
        const auto features = e.value("features", json::array());
        for (const auto& f : features) {
            const auto name = f.value("name", "");
            const auto ftype = f.value("type", "");
            const auto access = access_of(f.value("access", kPublished));
            auto canonical_cap = [&](const char* attribute) {
                auto c = *proto::canonical_capability(attribute);
                if (!has(access, Access::write))
                    c.access = c.access == Access::event ? c.access : Access::read;
                return c;
            };
            if ((type == "light" || type == "switch" || type == "fan") && name == "state" &&
                ftype == "binary") {
                plan.push_back({"on", canonical_cap("on"), binding(f, Convert::boolean)});
            } else if (type == "lock" && name == "state" && ftype == "binary") {
                plan.push_back({"locked", canonical_cap("locked"), binding(f, Convert::boolean)});
            } else if (type == "light" && name == "brightness" && ftype == "numeric") {
                auto b = binding(f, Convert::brightness);
                b.scale = f.value("value_max", 254.0);
                plan.push_back({"brightness", canonical_cap("brightness"), b});
                fades = true;
            } else if (type == "light" && name == "color_temp" && ftype == "numeric") {
                auto c = canonical_cap("color_temp");
                c.min = mireds_to_kelvin(f.value("value_max", 500.0));
                c.max = mireds_to_kelvin(f.value("value_min", 153.0));
                plan.push_back({"color_temp", c, binding(f, Convert::mireds)});
                fades = true;
            } else if (type == "cover" && name == "position" && ftype == "numeric") {
                plan.push_back({"position", canonical_cap("position"), binding(f, Convert::none)});
            } else if (type == "cover" && name == "state" && ftype == "enum") {
                auto b = binding(f, Convert::words);
                b.words = {{"OPEN", "open"}, {"CLOSE", "close"}, {"STOP", "stop"}};
                Capability c{"cover_command",           ValueType::enumeration, {}, {}, {}, {},
                             {"open", "close", "stop"}, Access::write};
                plan.push_back({{}, c, b});
            } else if (type == "fan" && name == "mode" && ftype == "enum") {
                auto b = binding(f, Convert::words);
                Capability c = canonical_cap("fan_speed");
                c.options.clear();
                for (const auto& v : f.value("values", json::array())) {
                    const auto w = word(v);
                    const std::string hearth = w == "smart" ? "auto" : w;
                    const auto& allowed = proto::canonical_capability("fan_speed")->options;
                    if (std::find(allowed.begin(), allowed.end(), hearth) == allowed.end())
                        continue;
                    b.words[w] = hearth;
                    c.options.push_back(hearth);
                }
                plan.push_back({"fan_speed", c, b});
            } else if (type == "climate" && name == "system_mode" && ftype == "enum") {
                auto b = binding(f, Convert::words);
                Capability c = canonical_cap("hvac_mode");
                c.options.clear();
                const auto& allowed = proto::canonical_capability("hvac_mode")->options;
                for (const auto& v : f.value("values", json::array())) {
                    const auto w = word(v);
                    if (std::find(allowed.begin(), allowed.end(), w) == allowed.end()) continue;
                    b.words[w] = w;
                    c.options.push_back(w);
                }
                plan.push_back({"hvac_mode", c, b});
                if (!kind)
                    kind = b.words.count("cool") ? proto::DeviceKind::air_conditioner
                                                 : proto::DeviceKind::thermostat;
            } else if (type == "climate" && ftype == "numeric" && name.ends_with("_setpoint") &&
                       std::none_of(plan.begin(), plan.end(), [](const Planned& p) {
                           return p.canonical == "target_temperature";
                       })) {
                auto c = canonical_cap("target_temperature");
                if (f.contains("value_min")) c.min = f["value_min"].get<double>();
                if (f.contains("value_max")) c.max = f["value_max"].get<double>();
                if (f.contains("value_step")) c.step = f["value_step"].get<double>();
                plan.push_back({"target_temperature", c, binding(f, Convert::none)});
            } else if (type == "climate" && name == "local_temperature") {
                plan.push_back(
                    {"temperature", canonical_cap("temperature"), binding(f, Convert::none)});
            } else if (type == "climate" && name == "running_state") {
                Capability c{"hvac_action", ValueType::text, {}, {}, {}, {}, {}, Access::read};
                plan.push_back({{}, c, binding(f, Convert::none)});
            } else if (type == "climate" && name == "preset" && ftype == "enum") {
                plan.push_back({{},
                                [&] {
                                    auto c = own_capability(f);
                                    c.attribute = "preset";
                                    return c;
                                }(),
                                binding(f, Convert::none)});
            } else {
                rest.push_back(&f);
            }
        }
        const bool claims = std::none_of(plan.begin(), plan.end(), [&](const Planned& p) {
            return !p.canonical.empty() && bindings.count(p.canonical);
        });
        const auto endpoint = e.value("endpoint", "");
        const auto prefix = endpoint.empty() ? type : type + "_" + attribute_name(endpoint);
        for (auto& p : plan) {
            std::string name = !p.canonical.empty() ? p.canonical : p.capability.attribute;
            if (!claims || !endpoint.empty()) name = prefix + "_" + name;
            add(name, std::move(p.capability), std::move(p.binding));
        }
        if (fades && !bindings.count("transition"))
            add("transition", *proto::canonical_capability("transition"),
                Zigbee2Mqtt::Binding{"transition", Convert::none, {}, {}, false, 254, {}, false});
        if (claims && !kind && !plan.empty()) {
            if (type == "light")
                kind = proto::DeviceKind::light;
            else if (type == "switch")
                kind = proto::DeviceKind::switch_;
            else if (type == "cover")
                kind = proto::DeviceKind::curtain;
            else if (type == "fan")
                kind = proto::DeviceKind::fan;
            else if (type == "lock")
                kind = proto::DeviceKind::lock;
        }
        for (const auto* f : rest)
            generic(*f, claims ? std::string_view{} : std::string_view(prefix));
    }

    const std::string& source_;
    const proto::DeviceId& device_;
    const std::string& name_;
    std::vector<UnmappedEntity>& unmapped_;
};

std::optional<Availability> parse_availability(std::string_view payload) {
    std::string state(payload);
    if (auto j = proto::parse_json(payload);
        j && j->is_object() && j->contains("state") && (*j)["state"].is_string())
        state = (*j)["state"].get<std::string>();
    if (state == "online") return Availability::online;
    if (state == "offline") return Availability::offline;
    return std::nullopt;
}

json to_device_value(const Value& v) {
    if (const auto* d = proto::as_number(v); d && std::floor(*d) == *d && std::fabs(*d) < 1e15)
        return static_cast<std::int64_t>(*d);
    return proto::to_json(v);
}

}  // namespace

Zigbee2Mqtt::Zigbee2Mqtt(std::string base) : base_(std::move(base)) {}

std::vector<std::string> Zigbee2Mqtt::subscriptions() const {
    std::vector<std::string> out{base_ + "/bridge/devices", base_ + "/bridge/state"};
    out.insert(out.end(), subscribed_.begin(), subscribed_.end());
    return out;
}

const proto::DeviceDescription* Zigbee2Mqtt::find(const proto::DeviceId& id) const {
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &devices_.at(it->second).description;
}

Effects Zigbee2Mqtt::dispatch(std::string_view topic, std::string_view payload) {
    if (!topic.starts_with(base_) || topic.size() <= base_.size() + 1 || topic[base_.size()] != '/')
        return {};
    const auto rest = topic.substr(base_.size() + 1);
    if (rest == "bridge/devices") return handle_devices(payload);
    if (rest == "bridge/state") return handle_bridge_state(payload);
    if (auto it = devices_.find(std::string(rest)); it != devices_.end())
        return handle_device_message(it->second, {}, payload);
    const auto slash = rest.rfind('/');
    if (slash == std::string_view::npos) return {};
    if (auto it = devices_.find(std::string(rest.substr(0, slash))); it != devices_.end())
        return handle_device_message(it->second, rest.substr(slash + 1), payload);
    return {};
}

Effects Zigbee2Mqtt::handle_devices(std::string_view payload) {
    Effects fx;
    auto parsed = proto::parse_json(payload, proto::JsonLimits{4 * 1024 * 1024, 32});
    if (!parsed || !parsed->is_array()) {
        fx.errors.push_back(
            parsed ? make_error(Errc::bad_json, base_ + "/bridge/devices must be a JSON array")
                   : make_error(parsed.error().code,
                                base_ + "/bridge/devices: " + parsed.error().message));
        return fx;
    }
    const auto source = base_ + "/bridge/devices";
    std::map<std::string, Device> next;
    std::vector<UnmappedEntity> unmapped;
    for (const auto& d : *parsed) {
        if (!d.is_object() || d.value("type", "") == "Coordinator") continue;
        const auto name = d.value("friendly_name", "");
        const auto ieee = d.value("ieee_address", "");
        if (name.empty() || ieee.empty()) continue;
        Device device;
        device.friendly_name = name;
        device.ieee = ieee;
        device.description.id = stable_device_id("zigbee2mqtt_" + ieee);
        device.description.name.en = name;
        const auto& def =
            d.contains("definition") && d["definition"].is_object() ? d["definition"] : json();
        if (d.value("disabled", false) || !d.value("supported", true) || def.is_null()) {
            unmapped.push_back({source + "#" + name, ieee, device.description.id, "device", name,
                                def.is_null()
                                    ? "Zigbee2MQTT has no definition for this device"
                                    : "the device is disabled or unsupported in Zigbee2MQTT"});
            continue;
        }
        device.description.manufacturer = def.value("vendor", "");
        device.description.model = def.value("model", "");
        if (const auto desc = def.value("description", ""); !desc.empty())
            device.description.model += " (" + desc + ")";
        ExposeMapper mapper(source, device.description.id, name, unmapped);
        mapper.map(def.value("exposes", json::array()));
        device.description.capabilities = std::move(mapper.capabilities);
        device.description.kind = mapper.kind.value_or(proto::DeviceKind::other);
        device.description.device_class = device.description.kind == proto::DeviceKind::curtain
                                               ? cover_class(def.value("description", ""))
                                               : mapper.device_class;
        device.bindings = std::move(mapper.bindings);
        if (auto old = devices_.find(name); old != devices_.end()) {
            device.own = old->second.own;
            device.reported = old->second.reported;
        }
        if (device.description.capabilities.empty()) continue;
        next.emplace(name, std::move(device));
    }
    const auto find_by_id = [](const std::map<std::string, Device>& in, const proto::DeviceId& id) {
        return std::find_if(in.begin(), in.end(),
                            [&](const auto& d) { return d.second.description.id == id; });
    };
    for (const auto& entry : devices_)
        if (find_by_id(next, entry.second.description.id) == next.end())
            fx.removals.push_back(entry.second.description.id);
    by_id_.clear();
    for (const auto& entry : next) {
        const auto& description = entry.second.description;
        by_id_[description.id] = entry.first;
        const auto old = find_by_id(devices_, description.id);
        if (old == devices_.end() || !(old->second.description == description))
            fx.upserts.push_back(description);
    }
    devices_ = std::move(next);
    if (unmapped != unmapped_) {
        unmapped_ = std::move(unmapped);
        fx.unmapped_changed = true;
    }
    for (auto& [name, device] : devices_) report_availability(device, fx);
    refresh_subscriptions(fx);
    return fx;
}

Effects Zigbee2Mqtt::handle_bridge_state(std::string_view payload) {
    Effects fx;
    const auto a = parse_availability(payload);
    if (!a) {
        fx.errors.push_back(
            make_error(Errc::invalid_field, base_ + "/bridge/state: expected online or offline"));
        return fx;
    }
    bridge_ = *a;
    for (auto& [name, device] : devices_) report_availability(device, fx);
    return fx;
}

void Zigbee2Mqtt::report_availability(Device& device, Effects& fx) {
    const auto a = bridge_ == Availability::offline      ? Availability::offline
                   : device.own != Availability::unknown ? device.own
                   : bridge_ == Availability::online     ? Availability::online
                                                         : Availability::unknown;
    if (a == device.reported) return;
    device.reported = a;
    fx.availability.push_back({device.description.id, a});
}

Effects Zigbee2Mqtt::handle_device_message(Device& device, std::string_view leaf,
                                           std::string_view payload) {
    Effects fx;
    const auto& id = device.description.id;
    if (leaf == "availability") {
        if (auto a = parse_availability(payload)) {
            device.own = *a;
            report_availability(device, fx);
        }
        return fx;
    }
    if (!leaf.empty()) return fx;  // set, get and other leaves are not state
    auto parsed = proto::parse_json(payload);
    if (!parsed || !parsed->is_object()) {
        fx.errors.push_back(make_error(parsed ? Errc::bad_json : parsed.error().code,
                                       id.value + ": a Zigbee2MQTT state must be a JSON object"));
        return fx;
    }
    proto::Attributes attributes;
    for (const auto& [attribute, b] : device.bindings) {
        const auto it = parsed->find(b.property);
        if (it == parsed->end() || it->is_null()) continue;
        const auto& v = *it;
        switch (b.convert) {
            case Convert::boolean: {
                const auto w = word(v);
                if (w == b.on)
                    attributes[attribute] = Value{true};
                else if (w == b.off)
                    attributes[attribute] = Value{false};
                else
                    fx.errors.push_back(make_error(
                        Errc::out_of_range,
                        id.value + ": " + b.property + " '" + w + "' is neither on nor off",
                        attribute));
                break;
            }
            case Convert::brightness:
                if (v.is_number())
                    attributes[attribute] = Value{brightness_to_percent(v.get<double>(), b.scale)};
                break;
            case Convert::mireds:
                if (v.is_number()) attributes[attribute] = Value{mireds_to_kelvin(v.get<double>())};
                break;
            case Convert::words:
                if (auto w = b.words.find(word(v)); w != b.words.end())
                    attributes[attribute] = Value{w->second};
                break;
            case Convert::event:
                if (v.is_string() && !v.get<std::string>().empty())
                    fx.events.push_back(
                        {id, "action", proto::Attributes{{"action", Value{v.get<std::string>()}}}});
                break;
            case Convert::none:
                if (auto value = proto::value_from_json(v); value && !proto::is_null(*value))
                    attributes[attribute] = *value;
                break;
        }
    }
    if (!attributes.empty()) fx.states.push_back({id, std::move(attributes), {}});
    return fx;
}

proto::Result<std::vector<Publish>> Zigbee2Mqtt::command(const proto::DeviceId& id,
                                                         const proto::Command& command) const {
    const auto owner = by_id_.find(id);
    if (owner == by_id_.end())
        return make_error(Errc::unknown_device,
                          "device '" + id.value + "' is not a Zigbee2MQTT device", "device");
    const auto& device = devices_.at(owner->second);
    for (const auto& [attribute, value] : command.set) {
        const auto* cap = device.description.find(attribute);
        if (!cap || !device.bindings.count(attribute))
            return make_error(Errc::unknown_attribute,
                              "device '" + id.value + "' has no attribute '" + attribute + "'",
                              attribute);
        if (!has(cap->access, Access::write) || attribute == "transition")
            return make_error(Errc::read_only, attribute + " on '" + id.value + "' cannot be set",
                              attribute);
    }
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& cap : device.description.capabilities) {
        const auto it = command.set.find(cap.attribute);
        if (it == command.set.end()) continue;
        const auto& b = device.bindings.at(cap.attribute);
        const auto& v = it->second;
        const auto* number = proto::as_number(v);
        switch (b.convert) {
            case Convert::boolean: {
                const auto* on = proto::as_bool(v);
                if (!on)
                    return make_error(Errc::wrong_type, cap.attribute + " expects true or false",
                                      cap.attribute);
                if (b.json_bool)
                    out[b.property] = *on;
                else
                    out[b.property] = *on ? b.on : b.off;
                break;
            }
            case Convert::brightness:
                if (!number)
                    return make_error(Errc::wrong_type, cap.attribute + " expects a number",
                                      cap.attribute);
                out[b.property] =
                    static_cast<std::int64_t>(percent_to_brightness(*number, b.scale));
                break;
            case Convert::mireds:
                if (!number)
                    return make_error(Errc::wrong_type, cap.attribute + " expects a number",
                                      cap.attribute);
                out[b.property] = static_cast<std::int64_t>(kelvin_to_mireds(*number));
                break;
            case Convert::words: {
                const auto* text = proto::as_text(v);
                const auto w = std::find_if(b.words.begin(), b.words.end(), [&](const auto& p) {
                    return text && p.second == *text;
                });
                if (w == b.words.end())
                    return make_error(Errc::out_of_range, cap.attribute + " value is not supported",
                                      cap.attribute);
                out[b.property] = w->first;
                break;
            }
            case Convert::event:
                return make_error(Errc::read_only, cap.attribute + " is an event", cap.attribute);
            case Convert::none:
                out[b.property] = to_device_value(v);
                break;
        }
    }
    if (command.transition && device.bindings.count("transition"))
        out["transition"] = *command.transition;
    return std::vector<Publish>{{base_ + "/" + device.friendly_name + "/set", out.dump(), false}};
}

proto::Result<std::vector<Publish>> Zigbee2Mqtt::refresh(const proto::DeviceId& id) const {
    const auto owner = by_id_.find(id);
    if (owner == by_id_.end())
        return make_error(Errc::unknown_device,
                          "device '" + id.value + "' is not a Zigbee2MQTT device", "device");
    const auto& device = devices_.at(owner->second);
    json get = json::object();
    for (const auto& [attribute, b] : device.bindings)
        if (b.gettable) get[b.property] = "";
    if (get.empty()) return std::vector<Publish>{};
    return std::vector<Publish>{{base_ + "/" + device.friendly_name + "/get", get.dump(), false}};
}

void Zigbee2Mqtt::refresh_subscriptions(Effects& fx) {
    std::set<std::string> wanted;
    for (const auto& [name, device] : devices_) {
        wanted.insert(base_ + "/" + name);
        wanted.insert(base_ + "/" + name + "/availability");
    }
    for (const auto& t : wanted)
        if (!subscribed_.count(t)) fx.subscribe.push_back(t);
    for (const auto& t : subscribed_)
        if (!wanted.count(t)) fx.unsubscribe.push_back(t);
    subscribed_ = std::move(wanted);
}

std::vector<UnmappedEntity> Zigbee2Mqtt::unmapped() const {
    return unmapped_;
}

nlohmann::json Zigbee2Mqtt::unmapped_json() const {
    return to_json(unmapped_);
}

}  // namespace hearth::devices::adapters
