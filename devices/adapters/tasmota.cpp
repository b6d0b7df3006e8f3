#include "devices/adapters/tasmota.hpp"

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
using json = nlohmann::json;

namespace {

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
        s.replace(p, from.size(), to);
    return s;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/// A sensor key that is a canonical Hearth attribute.
const char* canonical_reading(std::string_view group, std::string_view key) {
    if (key == "Temperature") return "temperature";
    if (key == "Humidity") return "humidity";
    if (key == "Illuminance") return "illuminance";
    if (key == "PM2.5") return "pm25";
    if (group == "ENERGY" && key == "Power") return "power";
    return nullptr;
}

/// Readings that describe the sensor rather than measure something.
bool is_metadata(std::string_view key) {
    return key == "Id" || key == "Time" || key == "TotalStartTime";
}

}  // namespace

Tasmota::Tasmota(std::string discovery_prefix) : prefix_(std::move(discovery_prefix)) {}

std::vector<std::string> Tasmota::subscriptions() const {
    std::vector<std::string> out{prefix_ + "/+/config", prefix_ + "/+/sensors"};
    out.insert(out.end(), subscribed_.begin(), subscribed_.end());
    return out;
}

bool Tasmota::owns(const proto::DeviceId& id) const {
    return find(id) != nullptr;
}

const proto::DeviceDescription* Tasmota::find(const proto::DeviceId& id) const {
    for (const auto& [mac, d] : devices_)
        if (d.has_config && d.description.id == id) return &d.description;
    return nullptr;
}

Effects Tasmota::dispatch(std::string_view topic, std::string_view payload) {
    if (topic.starts_with(prefix_ + "/")) {
        const auto rest = topic.substr(prefix_.size() + 1);
        const auto slash = rest.find('/');
        if (slash == std::string_view::npos) return {};
        const auto mac = lower(std::string(rest.substr(0, slash)));
        const auto leaf = rest.substr(slash + 1);
        if (leaf == "config") return handle_config(mac, payload);
        if (leaf == "sensors") return handle_sensors(mac, payload);
        return {};
    }
    for (auto& [mac, d] : devices_)
        if (d.has_config && (topic.starts_with(d.tele_prefix) || topic.starts_with(d.stat_prefix)))
            return handle_device(d, topic, payload);
    return {};
}

Effects Tasmota::handle_config(const std::string& mac, std::string_view payload) {
    Effects fx;
    if (payload.empty()) {
        if (auto it = devices_.find(mac); it != devices_.end()) {
            if (it->second.has_config) fx.removals.push_back(it->second.description.id);
            if (!it->second.unmapped.empty()) fx.unmapped_changed = true;
            devices_.erase(it);
        }
        refresh_subscriptions(fx);
        return fx;
    }
    auto parsed = proto::parse_json(payload);
    if (!parsed || !parsed->is_object()) {
        fx.errors.push_back(
            make_error(Errc::bad_json,
                       prefix_ + "/" + mac + "/config: a Tasmota config must be a JSON object"));
        return fx;
    }
    const auto& c = *parsed;
    const auto topic = c.value("t", "");
    const auto full = c.value("ft", "%prefix%/%topic%/");
    const auto prefixes = c.value("tp", json::array({"cmnd", "stat", "tele"}));
    if (topic.empty() || !prefixes.is_array() || prefixes.size() < 3) {
        fx.errors.push_back(
            make_error(Errc::invalid_field, prefix_ + "/" + mac + "/config: needs t and tp", "t"));
        return fx;
    }
    auto found = devices_.find(mac);
    Device d = found == devices_.end() ? Device{} : found->second;
    d.mac = mac;
    d.topic = topic;
    const auto full_topic = [&](std::size_t i) {
        auto t = replace_all(full, "%topic%", topic);
        t = replace_all(t, "%prefix%", prefixes[i].get<std::string>());
        t = replace_all(t, "%hostname%", c.value("hn", ""));
        t = replace_all(t, "%id%", mac.size() >= 6 ? mac.substr(mac.size() - 6) : mac);
        return t.ends_with('/') ? t : t + "/";
    };
    d.command_prefix = full_topic(0);
    d.stat_prefix = full_topic(1);
    d.tele_prefix = full_topic(2);
    d.online = c.value("onln", "Online");
    d.offline = c.value("ofln", "Offline");
    d.outputs.clear();
    std::erase_if(d.unmapped, [](const UnmappedEntity& u) { return u.component == "light"; });
    d.description.id = stable_device_id("tasmota_" + mac);
    const auto names = c.value("fn", json::array());
    d.description.name.en = c.value("dn", "");
    if (d.description.name.en.empty() && !names.empty() && names[0].is_string())
        d.description.name.en = names[0].get<std::string>();
    d.description.model = c.value("md", "");
    d.description.manufacturer = "Tasmota";
    const bool relays_as_lights =
        c.contains("so") && c["so"].is_object() && c["so"].value("30", 0) == 1;
    const int light_type = c.value("lt_st", 0);
    bool light_taken = false;
    const auto relays = c.value("rl", json::array());
    for (std::size_t i = 0; i < relays.size(); ++i) {
        const int kind = relays[i].is_number_integer() ? relays[i].get<int>() : 0;
        if (kind != 1 && kind != 2) continue;
        Output o;
        o.index = static_cast<int>(i) + 1;
        o.light = kind == 2 || relays_as_lights;
        if (kind == 2 && !light_taken) {
            light_taken = true;
            o.dimmer = light_type >= 1;
            o.color_temp = light_type == 2 || light_type == 5;
            if (light_type >= 3)
                d.unmapped.push_back({prefix_ + "/" + mac + "/config", mac, d.description.id,
                                      "light", d.description.name.en,
                                      "RGB colour channels are not in Hearth's capability model"});
        }
        const bool first = d.outputs.empty();
        const auto suffix = first ? std::string{} : "_" + std::to_string(o.index);
        o.on_attribute = first ? "on" : "power" + std::to_string(o.index);
        if (o.dimmer) o.brightness_attribute = "brightness" + suffix;
        if (o.color_temp) o.color_temp_attribute = "color_temp" + suffix;
        d.outputs.push_back(o);
    }
    d.has_config = true;
    auto& stored = devices_[mac] = std::move(d);
    describe(stored, fx);
    return fx;
}

Effects Tasmota::handle_sensors(const std::string& mac, std::string_view payload) {
    Effects fx;
    auto found = devices_.find(mac);
    Device d = found == devices_.end() ? Device{} : found->second;
    d.mac = mac;
    d.readings.clear();
    std::erase_if(d.unmapped, [](const UnmappedEntity& u) { return u.component == "sensor"; });
    if (!payload.empty()) {
        auto parsed = proto::parse_json(payload);
        if (!parsed || !parsed->is_object() || !parsed->contains("sn") ||
            !(*parsed)["sn"].is_object()) {
            fx.errors.push_back(make_error(
                Errc::bad_json, prefix_ + "/" + mac + "/sensors: expected {\"sn\": {…}}"));
            return fx;
        }
        const auto& sn = (*parsed)["sn"];
        const bool fahrenheit = sn.value("TempUnit", "C") == "F";
        std::set<std::string> taken;
        for (const auto& [group, values] : sn.items()) {
            if (!values.is_object()) continue;
            for (const auto& [key, v] : values.items()) {
                if (is_metadata(key)) continue;
                const auto source = prefix_ + "/" + mac + "/sensors#" + group + "." + key;
                if (!v.is_number()) {
                    d.unmapped.push_back({source, mac, stable_device_id("tasmota_" + mac), "sensor",
                                          group + " " + key,
                                          v.is_array()
                                              ? "lists of readings (tariffs, phases) are not mapped"
                                              : "not a number"});
                    continue;
                }
                std::string attribute;
                if (const char* c = canonical_reading(group, key); c && !taken.count(c))
                    attribute = c;
                else
                    attribute = attribute_name(group + "_" + key);
                taken.insert(attribute);
                d.readings.push_back({group, key, attribute, fahrenheit && key == "Temperature"});
            }
        }
    }
    if (!d.unmapped.empty()) fx.unmapped_changed = true;
    auto& stored = devices_[mac] = std::move(d);
    if (stored.has_config) describe(stored, fx);
    return fx;
}

void Tasmota::describe(Device& d, Effects& fx) {
    auto& desc = d.description;
    const auto before = desc;
    desc.capabilities.clear();
    bool fades = false;
    for (const auto& o : d.outputs) {
        auto on = *proto::canonical_capability("on");
        on.attribute = o.on_attribute;
        desc.capabilities.push_back(on);
        if (o.dimmer) {
            auto b = *proto::canonical_capability("brightness");
            b.attribute = o.brightness_attribute;
            desc.capabilities.push_back(b);
            fades = true;
        }
        if (o.color_temp) {
            auto ct = *proto::canonical_capability("color_temp");
            ct.attribute = o.color_temp_attribute;
            ct.min = mireds_to_kelvin(500);
            ct.max = mireds_to_kelvin(153);
            desc.capabilities.push_back(ct);
        }
    }
    if (fades) desc.capabilities.push_back(*proto::canonical_capability("transition"));
    for (const auto& r : d.readings) {
        if (const auto* c = proto::canonical_capability(r.attribute)) {
            desc.capabilities.push_back(*c);
            continue;
        }
        desc.capabilities.push_back(
            Capability{r.attribute, proto::ValueType::number, {}, {}, {}, {}, {}, Access::read});
    }
    desc.kind = d.outputs.empty()         ? (desc.find("temperature") || desc.find("humidity")
                                                 ? proto::DeviceKind::climate_sensor
                                                 : proto::DeviceKind::sensor)
                : d.outputs.front().light ? proto::DeviceKind::light
                                          : proto::DeviceKind::switch_;
    // A sensor-only device is of its first reading's class, as Home Assistant's Tasmota
    // integration names it ("temperature", "humidity", "power").
    desc.device_class.clear();
    if (d.outputs.empty())
        for (const auto* c : {"temperature", "humidity", "illuminance", "pm25", "power"})
            if (desc.find(c)) {
                desc.device_class = c;
                break;
            }
    if (!(before == desc) || before.capabilities.empty()) fx.upserts.push_back(desc);
    refresh_subscriptions(fx);
}

Effects Tasmota::handle_device(Device& d, std::string_view topic, std::string_view payload) {
    Effects fx;
    const auto& id = d.description.id;
    if (topic == d.tele_prefix + "LWT") {
        const auto a = payload == d.online    ? Availability::online
                       : payload == d.offline ? Availability::offline
                                              : Availability::unknown;
        if (a != d.availability) {
            d.availability = a;
            fx.availability.push_back({id, a});
        }
        return fx;
    }
    auto parsed = proto::parse_json(payload);
    if (!parsed || !parsed->is_object())
        return fx;  // plain-text replies (stat/POWER) repeat what RESULT says
    const auto& j = *parsed;
    proto::Attributes attributes;
    if (topic == d.tele_prefix + "STATE" || topic == d.stat_prefix + "RESULT") {
        for (const auto& o : d.outputs) {
            for (const auto& key : {"POWER" + std::to_string(o.index),
                                    o.index == 1 ? std::string("POWER") : std::string()}) {
                if (key.empty()) continue;
                if (auto p = j.find(key); p != j.end() && p->is_string())
                    attributes[o.on_attribute] = Value{p->get<std::string>() == "ON"};
            }
            if (auto v = j.find("Dimmer"); o.dimmer && v != j.end() && v->is_number())
                attributes[o.brightness_attribute] = Value{v->get<double>()};
            if (auto v = j.find("CT"); o.color_temp && v != j.end() && v->is_number())
                attributes[o.color_temp_attribute] = Value{mireds_to_kelvin(v->get<double>())};
        }
    } else if (topic == d.tele_prefix + "SENSOR" || topic == d.stat_prefix + "STATUS10") {
        const auto& sns = topic.ends_with("STATUS10") ? j.value("StatusSNS", json::object()) : j;
        for (const auto& r : d.readings) {
            const auto g = sns.find(r.group);
            if (g == sns.end() || !g->is_object()) continue;
            const auto v = g->find(r.key);
            if (v == g->end() || !v->is_number()) continue;
            const double x = v->get<double>();
            attributes[r.attribute] = Value{r.fahrenheit ? fahrenheit_to_celsius(x) : x};
        }
    }
    if (!attributes.empty()) fx.states.push_back({id, std::move(attributes), {}});
    return fx;
}

proto::Result<std::vector<Publish>> Tasmota::command(const proto::DeviceId& id,
                                                     const proto::Command& command) const {
    const auto it = std::find_if(devices_.begin(), devices_.end(), [&](const auto& p) {
        return p.second.has_config && p.second.description.id == id;
    });
    if (it == devices_.end())
        return make_error(Errc::unknown_device, "device '" + id.value + "' is not a Tasmota device",
                          "device");
    const auto& d = it->second;
    for (const auto& [attribute, value] : command.set) {
        const auto* cap = d.description.find(attribute);
        if (!cap)
            return make_error(Errc::unknown_attribute,
                              "device '" + id.value + "' has no attribute '" + attribute + "'",
                              attribute);
        if (!proto::has(cap->access, Access::write) || attribute == "transition")
            return make_error(Errc::read_only, attribute + " on '" + id.value + "' cannot be set",
                              attribute);
    }
    std::vector<Publish> out;
    for (const auto& o : d.outputs) {
        const auto* on = command.set.count(o.on_attribute)
                             ? proto::as_bool(command.set.at(o.on_attribute))
                             : nullptr;
        const auto* bri = o.dimmer && command.set.count(o.brightness_attribute)
                              ? proto::as_number(command.set.at(o.brightness_attribute))
                              : nullptr;
        const auto* ct = o.color_temp && command.set.count(o.color_temp_attribute)
                             ? proto::as_number(command.set.at(o.color_temp_attribute))
                             : nullptr;
        if (!on && !bri && !ct) continue;
        const auto power = "Power" + std::to_string(o.index);
        if (!o.light) {
            out.push_back(
                {d.command_prefix + "POWER" + std::to_string(o.index), *on ? "ON" : "OFF", false});
            continue;
        }
        std::vector<std::string> steps;
        if (command.transition && o.dimmer) {
            if (*command.transition <= 0)
                steps.push_back("Fade2 0");
            else {
                steps.push_back("Fade2 1");
                const auto speed =
                    std::clamp(static_cast<int>(std::lround(*command.transition * 4)), 1,
                               40);  // Speed counts half-seconds per half of the range
                steps.push_back("Speed2 " + std::to_string(speed));
            }
        }
        if (on && (!*on || !bri)) steps.push_back(power + (*on ? " ON" : " OFF"));
        if (bri && !(on && !*on)) steps.push_back("Dimmer " + std::to_string(std::lround(*bri)));
        if (ct && !(on && !*on))
            steps.push_back("CT " + std::to_string(static_cast<long>(kelvin_to_mireds(*ct))));
        std::string backlog;
        for (const auto& s : steps)
            backlog += (backlog.empty() ? "" : ";") + std::string("NoDelay;") + s;
        out.push_back({d.command_prefix + "Backlog", backlog, false});
    }
    return out;
}

proto::Result<std::vector<Publish>> Tasmota::refresh(const proto::DeviceId& id) const {
    for (const auto& [mac, d] : devices_)
        if (d.has_config && d.description.id == id)
            return std::vector<Publish>{{d.command_prefix + "STATUS", "10", false}};
    return make_error(Errc::unknown_device, "device '" + id.value + "' is not a Tasmota device",
                      "device");
}

void Tasmota::refresh_subscriptions(Effects& fx) {
    std::set<std::string> wanted;
    for (const auto& [mac, d] : devices_) {
        if (!d.has_config) continue;
        for (const auto* leaf : {"LWT", "STATE", "SENSOR"}) wanted.insert(d.tele_prefix + leaf);
        for (const auto* leaf : {"RESULT", "STATUS10"}) wanted.insert(d.stat_prefix + leaf);
    }
    for (const auto& t : wanted)
        if (!subscribed_.count(t)) fx.subscribe.push_back(t);
    for (const auto& t : subscribed_)
        if (!wanted.count(t)) fx.unsubscribe.push_back(t);
    subscribed_ = std::move(wanted);
}

std::vector<UnmappedEntity> Tasmota::unmapped() const {
    std::vector<UnmappedEntity> out;
    for (const auto& [mac, d] : devices_)
        out.insert(out.end(), d.unmapped.begin(), d.unmapped.end());
    return out;
}

nlohmann::json Tasmota::unmapped_json() const {
    return to_json(unmapped());
}

}  // namespace hearth::devices::adapters
