#include "hub/ha/entity_projection.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "proto/json.hpp"

namespace hearth::hub::ha {

using json = nlohmann::json;
using proto::Errc;
using proto::Value;

namespace {

// Home Assistant's supported_features bits (homeassistant/components/<domain>/const.py).
constexpr int kLightTransition = 32;
constexpr int kClimateTargetTemperature = 1, kClimateFanMode = 8, kClimateTurnOff = 128, kClimateTurnOn = 256;
constexpr int kMediaPause = 1, kMediaVolumeSet = 4, kMediaPrevious = 16, kMediaNext = 32, kMediaTurnOn = 128,
              kMediaTurnOff = 256, kMediaPlayMedia = 512, kMediaSelectSource = 2048, kMediaStop = 4096,
              kMediaVolumeStep = 1024, kMediaPlay = 16384;
constexpr int kCoverOpen = 1, kCoverClose = 2, kCoverSetPosition = 4;
constexpr int kFanSetSpeed = 1, kFanPresetMode = 8, kFanTurnOff = 16, kFanTurnOn = 32;
constexpr int kVacuumStop = 8, kVacuumReturnHome = 16, kVacuumBattery = 64, kVacuumState = 4096, kVacuumStart = 8192;

/// The attributes each main domain shows itself; the device's other readings become sensors.
const std::map<std::string, std::set<std::string>, std::less<>>& shown_by_main() {
    static const std::map<std::string, std::set<std::string>, std::less<>> shown = {
        {"light", {"on", "brightness", "color_temp", "transition"}},
        {"switch", {"on"}},
        {"climate", {"on", "hvac_mode", "target_temperature", "fan_speed", "temperature"}},
        {"fan", {"on", "fan_speed", "mode"}},
        {"media_player", {"on", "playback", "volume", "media", "track", "skip"}},
        {"cover", {"position"}},
        {"lock", {"locked"}},
        {"vacuum", {"cleaning", "battery"}},
    };
    return shown;
}

std::string main_domain(const proto::DeviceDescription& d) {
    using K = proto::DeviceKind;
    const auto writable = [&](std::string_view a) {
        const auto* c = d.find(a);
        return c && proto::has(c->access, proto::Access::write);
    };
    switch (d.kind) {
        case K::light: return writable("on") || writable("brightness") ? "light" : "";
        case K::switch_: return writable("on") ? "switch" : "";
        case K::air_conditioner:
        case K::thermostat: return "climate";
        case K::fan:
        case K::air_purifier: return "fan";
        case K::speaker:
        case K::tv: return "media_player";
        case K::curtain: return writable("position") ? "cover" : "";
        case K::lock: return writable("locked") ? "lock" : "";
        case K::vacuum: return writable("cleaning") ? "vacuum" : "";
        default: return writable("on") ? "switch" : "";
    }
}

std::string friendly_name(const proto::DeviceDescription& d) {
    return !d.name.en.empty() ? d.name.en : !d.name.zh.empty() ? d.name.zh : d.id.value;
}

const double* number(const devices::Device& d, std::string_view a) {
    const auto it = d.state.find(a);
    return it == d.state.end() ? nullptr : proto::as_number(it->second);
}
const bool* boolean(const devices::Device& d, std::string_view a) {
    const auto it = d.state.find(a);
    return it == d.state.end() ? nullptr : proto::as_bool(it->second);
}
const std::string* text(const devices::Device& d, std::string_view a) {
    const auto it = d.state.find(a);
    return it == d.state.end() ? nullptr : proto::as_text(it->second);
}
json or_null(const double* v) { return v ? json(*v) : json(); }
json or_null(const std::string* v) { return v ? json(*v) : json(); }
bool has(const devices::Device& d, std::string_view a) { return d.description.find(a) != nullptr; }

int to_255(double percent) { return static_cast<int>(std::lround(std::clamp(percent, 0.0, 100.0) * 255.0 / 100.0)); }
double from_255(double value) { return static_cast<double>(std::lround(std::clamp(value, 0.0, 255.0) * 100.0 / 255.0)); }

/// Options of an enumeration capability, or none.
std::vector<std::string> options(const devices::Device& d, std::string_view a) {
    const auto* c = d.description.find(a);
    return c ? c->options : std::vector<std::string>{};
}

// ---- states, one function per domain ----

std::string on_off(const devices::Device& d) {
    const auto* on = boolean(d, "on");
    return on ? (*on ? "on" : "off") : "unknown";
}

EntityState light_state(const devices::Device& d, json attributes) {
    const auto state = on_off(d);
    const bool on = state == "on";
    const bool temp = has(d, "color_temp");
    const std::string mode = temp ? "color_temp" : has(d, "brightness") ? "brightness" : "onoff";
    attributes["supported_color_modes"] = json::array({mode});
    attributes["color_mode"] = on ? json(mode) : json();
    if (has(d, "brightness")) {
        const auto* b = number(d, "brightness");
        attributes["brightness"] = on && b ? json(to_255(*b)) : json();
    }
    if (temp) {
        const auto* c = d.description.find("color_temp");
        const double lo = c->min.value_or(2000), hi = c->max.value_or(6500);
        const auto* k = number(d, "color_temp");
        attributes["min_color_temp_kelvin"] = lo;
        attributes["max_color_temp_kelvin"] = hi;
        attributes["min_mireds"] = std::lround(1e6 / hi);
        attributes["max_mireds"] = std::lround(1e6 / lo);
        attributes["color_temp_kelvin"] = on && k ? json(*k) : json();
        attributes["color_temp"] = on && k && *k > 0 ? json(std::lround(1e6 / *k)) : json();
    }
    attributes["supported_features"] = has(d, "transition") ? kLightTransition : 0;
    return {state, std::move(attributes)};
}

EntityState climate_state(const devices::Device& d, json attributes) {
    const auto* on = boolean(d, "on");
    const auto* mode = text(d, "hvac_mode");
    std::string state = on && !*on ? "off" : mode ? *mode : on ? "auto" : "unknown";
    json modes = json::array({"off"});
    for (const auto& m : options(d, "hvac_mode")) {
        if (m != "off") modes.push_back(m);
    }
    if (modes.size() == 1) modes.push_back("auto");
    attributes["hvac_modes"] = modes;
    int features = has(d, "on") ? kClimateTurnOff | kClimateTurnOn : 0;
    if (const auto* c = d.description.find("target_temperature")) {
        features |= kClimateTargetTemperature;
        attributes["min_temp"] = c->min.value_or(7);
        attributes["max_temp"] = c->max.value_or(35);
        attributes["target_temp_step"] = c->step.value_or(0.5);
        attributes["temperature"] = or_null(number(d, "target_temperature"));
    }
    if (has(d, "temperature")) attributes["current_temperature"] = or_null(number(d, "temperature"));
    if (has(d, "fan_speed")) {
        features |= kClimateFanMode;
        attributes["fan_modes"] = options(d, "fan_speed");
        attributes["fan_mode"] = or_null(text(d, "fan_speed"));
    }
    attributes["supported_features"] = features;
    return {state, std::move(attributes)};
}

EntityState media_state(const devices::Device& d, json attributes) {
    const auto* on = boolean(d, "on");
    const auto* playback = text(d, "playback");
    std::string state = on && !*on            ? "off"
                        : !playback            ? (on ? "on" : "unknown")
                        : *playback == "stopped" ? "idle"
                                                 : *playback;
    int features = 0;
    if (has(d, "on")) features |= kMediaTurnOn | kMediaTurnOff;
    if (has(d, "playback")) features |= kMediaPlay | kMediaPause | kMediaStop;
    if (has(d, "skip")) features |= kMediaNext | kMediaPrevious;
    if (has(d, "volume")) {
        features |= kMediaVolumeSet | kMediaVolumeStep;
        const auto* v = number(d, "volume");
        attributes["volume_level"] = v ? json(*v / 100.0) : json();
    }
    if (has(d, "media")) {
        features |= kMediaPlayMedia;
        attributes["source"] = or_null(text(d, "media"));
        if (const auto list = options(d, "media"); !list.empty()) {
            features |= kMediaSelectSource;
            attributes["source_list"] = list;
        }
    }
    if (has(d, "track")) attributes["media_title"] = or_null(text(d, "track"));
    attributes["device_class"] = d.description.kind == proto::DeviceKind::tv ? "tv" : "speaker";
    attributes["supported_features"] = features;
    return {state, std::move(attributes)};
}

EntityState cover_state(const devices::Device& d, json attributes) {
    const auto* p = number(d, "position");
    attributes["current_position"] = or_null(p);
    attributes["device_class"] = d.description.device_class.empty() ? "curtain" : d.description.device_class;
    attributes["supported_features"] = kCoverOpen | kCoverClose | kCoverSetPosition;
    return {p ? (*p <= 0 ? "closed" : "open") : "unknown", std::move(attributes)};
}

EntityState lock_state(const devices::Device& d, json attributes) {
    const auto* locked = boolean(d, "locked");
    attributes["supported_features"] = 0;
    return {locked ? (*locked ? "locked" : "unlocked") : "unknown", std::move(attributes)};
}

/// Hearth's fan speeds as Home Assistant's percentages ("auto" has none).
const std::vector<std::pair<std::string, int>> kFanSpeeds = {{"low", 33}, {"medium", 67}, {"high", 100}};

EntityState fan_state(const devices::Device& d, json attributes) {
    int features = has(d, "on") ? kFanTurnOn | kFanTurnOff : 0;
    if (has(d, "fan_speed")) {
        features |= kFanSetSpeed;
        const auto* speed = text(d, "fan_speed");
        json percentage;
        for (const auto& [name, pct] : kFanSpeeds) {
            if (speed && *speed == name) percentage = pct;
        }
        attributes["percentage"] = on_off(d) == "off" ? json(0) : percentage;
        attributes["percentage_step"] = 100.0 / 3;
    }
    if (has(d, "mode")) {
        features |= kFanPresetMode;
        attributes["preset_modes"] = options(d, "mode");
        attributes["preset_mode"] = or_null(text(d, "mode"));
    }
    attributes["supported_features"] = features;
    return {on_off(d), std::move(attributes)};
}

EntityState vacuum_state(const devices::Device& d, json attributes) {
    const auto* cleaning = boolean(d, "cleaning");
    int features = kVacuumStart | kVacuumStop | kVacuumReturnHome | kVacuumState;
    if (has(d, "battery")) {
        features |= kVacuumBattery;
        const auto* b = number(d, "battery");
        attributes["battery_level"] = b ? json(std::lround(*b)) : json();
    }
    attributes["supported_features"] = features;
    return {cleaning ? (*cleaning ? "cleaning" : "docked") : "unknown", std::move(attributes)};
}

/// Home Assistant's sensor device classes for Hearth's readings.
std::string sensor_class(std::string_view attribute) {
    static const std::map<std::string, std::string, std::less<>> classes = {
        {"temperature", "temperature"}, {"humidity", "humidity"}, {"battery", "battery"},
        {"illuminance", "illuminance"}, {"power", "power"},       {"pm25", "pm25"}};
    const auto it = classes.find(attribute);
    return it == classes.end() ? "" : it->second;
}

EntityState sensor_state(const devices::Device& d, const std::string& attribute, json attributes) {
    const auto* c = d.description.find(attribute);
    const auto it = d.state.find(attribute);
    const bool known = it != d.state.end() && !proto::is_null(it->second);
    if (c && !c->unit.empty()) attributes["unit_of_measurement"] = c->unit;
    if (const auto cls = sensor_class(attribute); !cls.empty()) attributes["device_class"] = cls;
    if (c && c->type == proto::ValueType::number) attributes["state_class"] = "measurement";
    if (c && c->type == proto::ValueType::enumeration) {
        attributes["device_class"] = "enum";
        attributes["options"] = c->options;
    }
    return {known ? proto::to_display(it->second) : "unknown", std::move(attributes)};
}

EntityState binary_sensor_state(const devices::Device& d, const std::string& attribute, json attributes) {
    const auto* v = boolean(d, attribute);
    // Hearth's contact is true when closed; Home Assistant's door is on when open.
    const bool inverted = attribute == "contact";
    std::string cls = attribute == "occupancy" ? "occupancy" : attribute == "contact" ? "door" : "";
    if (!d.description.device_class.empty() && (attribute == "occupancy" || attribute == "contact")) {
        cls = d.description.device_class;
    }
    if (!cls.empty()) attributes["device_class"] = cls;
    return {v ? ((*v != inverted) ? "on" : "off") : "unknown", std::move(attributes)};
}

// ---- service calls ----

/// Reads the service's fields: each field must be one of `known`; targets were taken out already.
proto::Result<void> only_fields(const json& data, std::initializer_list<std::string_view> known) {
    if (!data.is_object()) return proto::make_error(Errc::invalid_field, "service data must be an object", "service_data");
    for (const auto& [key, value] : data.items()) {
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            return proto::make_error(Errc::invalid_field, "extra keys not allowed @ data['" + key + "']", key);
        }
    }
    return {};
}

proto::Result<std::optional<double>> number_in(const json& data, std::string_view field, double lo, double hi) {
    auto v = proto::optional_number(data, field);
    if (!v || !*v) return v;
    if (**v < lo || **v > hi) {
        return proto::make_error(Errc::invalid_field,
                                 std::string(field) + " must be between " + proto::to_display(lo) + " and " +
                                     proto::to_display(hi),
                                 std::string(field));
    }
    return v;
}

proto::Result<std::optional<std::string>> text_in(const json& data, std::string_view field) {
    return proto::optional_string(data, field);
}

proto::Error no_service(std::string_view domain, std::string_view service, const EntityRef& e) {
    return proto::make_error(Errc::not_found,
                             "Service " + std::string(domain) + "." + std::string(service) + " not found for " + e.entity_id,
                             "service");
}

using Attributes = proto::Attributes;

proto::Result<proto::Command> toggle(const devices::Device& d) {
    const auto* on = boolean(d, "on");
    return proto::Command{{{"on", !(on && *on)}}, {}, {}};
}

proto::Result<proto::Command> light_command(const devices::Device& d, std::string_view service, const json& data) {
    proto::Command c;
    if (service == "turn_off") {
        if (auto ok = only_fields(data, {"transition"}); !ok) return ok.error();
        c.set["on"] = false;
    } else if (service == "toggle") {
        if (auto ok = only_fields(data, {}); !ok) return ok.error();
        return toggle(d);
    } else if (service == "turn_on") {
        if (auto ok = only_fields(data, {"transition", "brightness", "brightness_pct", "brightness_step",
                                         "brightness_step_pct", "color_temp_kelvin", "kelvin", "color_temp"});
            !ok) {
            return ok.error();
        }
        c.set["on"] = true;
        const auto b255 = number_in(data, "brightness", 0, 255);
        const auto pct = number_in(data, "brightness_pct", 0, 100);
        const auto step = number_in(data, "brightness_step", -255, 255);
        const auto step_pct = number_in(data, "brightness_step_pct", -100, 100);
        for (const auto* r : {&b255, &pct, &step, &step_pct}) {
            if (!*r) return r->error();
        }
        std::optional<double> brightness;
        if (*b255) brightness = from_255(**b255);
        if (*pct) brightness = std::round(**pct);
        const auto* current = number(d, "brightness");
        const auto* on = boolean(d, "on");
        const double base = current && on && *on ? *current : 0;
        if (*step) brightness = std::clamp(base + from_255(std::abs(**step)) * (**step < 0 ? -1 : 1), 0.0, 100.0);
        if (*step_pct) brightness = std::clamp(base + std::round(**step_pct), 0.0, 100.0);
        if (brightness) {
            // Home Assistant turns a light off when it is asked for brightness 0.
            if (*brightness <= 0) c.set = {{"on", false}};
            else c.set["brightness"] = *brightness;
        }
        const auto kelvin = number_in(data, "color_temp_kelvin", 1000, 20000);
        const auto old_kelvin = number_in(data, "kelvin", 1000, 20000);
        const auto mireds = number_in(data, "color_temp", 50, 1000);
        for (const auto* r : {&kelvin, &old_kelvin, &mireds}) {
            if (!*r) return r->error();
        }
        if (*mireds) c.set["color_temp"] = static_cast<double>(std::lround(1e6 / **mireds));
        if (*old_kelvin) c.set["color_temp"] = std::round(**old_kelvin);
        if (*kelvin) c.set["color_temp"] = std::round(**kelvin);
    } else {
        return proto::Error{Errc::not_found, "", "service"};
    }
    const auto transition = number_in(data, "transition", 0, 3600);
    if (!transition) return transition.error();
    if (*transition) c.transition = **transition;
    return c;
}

proto::Result<proto::Command> on_off_command(const devices::Device& d, std::string_view service, const json& data) {
    if (auto ok = only_fields(data, {}); !ok) return ok.error();
    if (service == "turn_on") return proto::Command{{{"on", true}}, {}, {}};
    if (service == "turn_off") return proto::Command{{{"on", false}}, {}, {}};
    return toggle(d);
}

proto::Result<proto::Command> climate_command(const devices::Device& d, std::string_view service, const json& data) {
    if (service == "turn_on" || service == "turn_off" || service == "toggle") return on_off_command(d, service, data);
    const auto set_mode = [&](Attributes& set, const std::string& mode) {
        if (mode == "off" && has(d, "on")) {
            set["on"] = false;
            return;
        }
        if (has(d, "on")) set["on"] = true;
        if (has(d, "hvac_mode") || mode != "auto") set["hvac_mode"] = mode;
    };
    proto::Command c;
    if (service == "set_hvac_mode") {
        if (auto ok = only_fields(data, {"hvac_mode"}); !ok) return ok.error();
        const auto mode = proto::required_string(data, "hvac_mode");
        if (!mode) return mode.error();
        set_mode(c.set, *mode);
    } else if (service == "set_temperature") {
        if (auto ok = only_fields(data, {"temperature", "hvac_mode"}); !ok) return ok.error();
        const auto t = proto::optional_number(data, "temperature");
        if (!t) return t.error();
        if (!*t) return proto::make_error(Errc::invalid_field, "temperature is required", "temperature");
        c.set["target_temperature"] = **t;
        const auto mode = text_in(data, "hvac_mode");
        if (!mode) return mode.error();
        if (*mode) set_mode(c.set, **mode);
    } else if (service == "set_fan_mode") {
        if (auto ok = only_fields(data, {"fan_mode"}); !ok) return ok.error();
        const auto mode = proto::required_string(data, "fan_mode");
        if (!mode) return mode.error();
        c.set["fan_speed"] = *mode;
    } else {
        return proto::Error{Errc::not_found, "", "service"};
    }
    return c;
}

proto::Result<proto::Command> media_command(const devices::Device& d, std::string_view service, const json& data) {
    if (service == "turn_on" || service == "turn_off" || service == "toggle") return on_off_command(d, service, data);
    proto::Command c;
    const auto playback = [&](const char* p) -> proto::Result<proto::Command> {
        if (auto ok = only_fields(data, {}); !ok) return ok.error();
        return proto::Command{{{"playback", std::string(p)}}, {}, {}};
    };
    if (service == "media_play") return playback("playing");
    if (service == "media_pause") return playback("paused");
    if (service == "media_stop") return playback("stopped");
    if (service == "media_play_pause") {
        const auto* p = text(d, "playback");
        return playback(p && *p == "playing" ? "paused" : "playing");
    }
    if (service == "media_next_track" || service == "media_previous_track") {
        if (auto ok = only_fields(data, {}); !ok) return ok.error();
        return proto::Command{{{"skip", std::string(service == "media_next_track" ? "next" : "previous")}}, {}, {}};
    }
    if (service == "volume_set") {
        if (auto ok = only_fields(data, {"volume_level"}); !ok) return ok.error();
        const auto level = number_in(data, "volume_level", 0, 1);
        if (!level) return level.error();
        if (!*level) return proto::make_error(Errc::invalid_field, "volume_level is required", "volume_level");
        return proto::Command{{{"volume", std::round(**level * 100)}}, {}, {}};
    }
    if (service == "volume_up" || service == "volume_down") {
        if (auto ok = only_fields(data, {}); !ok) return ok.error();
        const auto* v = number(d, "volume");
        const double now = v ? *v : 0;
        return proto::Command{{{"volume", std::clamp(now + (service == "volume_up" ? 10.0 : -10.0), 0.0, 100.0)}}, {}, {}};
    }
    if (service == "select_source" || service == "play_media") {
        const bool select = service == "select_source";
        if (auto ok = select ? only_fields(data, {"source"}) : only_fields(data, {"media_content_id", "media_content_type", "enqueue"});
            !ok) {
            return ok.error();
        }
        const auto media = proto::required_string(data, select ? "source" : "media_content_id");
        if (!media) return media.error();
        c.set["media"] = *media;
        if (has(d, "playback")) c.set["playback"] = std::string("playing");
        return c;
    }
    return proto::Error{Errc::not_found, "", "service"};
}

proto::Result<proto::Command> cover_command(const devices::Device& d, std::string_view service, const json& data) {
    if (service == "set_cover_position") {
        if (auto ok = only_fields(data, {"position"}); !ok) return ok.error();
        const auto p = number_in(data, "position", 0, 100);
        if (!p) return p.error();
        if (!*p) return proto::make_error(Errc::invalid_field, "position is required", "position");
        return proto::Command{{{"position", std::round(**p)}}, {}, {}};
    }
    if (auto ok = only_fields(data, {}); !ok) return ok.error();
    if (service == "open_cover") return proto::Command{{{"position", 100.0}}, {}, {}};
    if (service == "close_cover") return proto::Command{{{"position", 0.0}}, {}, {}};
    if (service == "toggle") {
        const auto* p = number(d, "position");
        return proto::Command{{{"position", p && *p > 0 ? 0.0 : 100.0}}, {}, {}};
    }
    return proto::Error{Errc::not_found, "", "service"};
}

proto::Result<proto::Command> lock_command(std::string_view service, const json& data) {
    if (auto ok = only_fields(data, {"code"}); !ok) return ok.error();
    if (service == "lock") return proto::Command{{{"locked", true}}, {}, {}};
    if (service == "unlock") return proto::Command{{{"locked", false}}, {}, {}};
    return proto::Error{Errc::not_found, "", "service"};
}

/// A percentage as the nearest of Hearth's speeds.
std::string speed_of(double percentage) {
    return percentage <= 100.0 / 3 ? "low" : percentage <= 200.0 / 3 ? "medium" : "high";
}

proto::Result<proto::Command> fan_command(const devices::Device& d, std::string_view service, const json& data) {
    if (service == "turn_off" || service == "toggle") return on_off_command(d, service, data);
    const auto percentage = number_in(data, "percentage", 0, 100);
    if (!percentage) return percentage.error();
    const auto preset = text_in(data, "preset_mode");
    if (!preset) return preset.error();
    proto::Command c;
    if (service == "turn_on") {
        if (auto ok = only_fields(data, {"percentage", "preset_mode"}); !ok) return ok.error();
        c.set["on"] = true;
    } else if (service == "set_percentage") {
        if (auto ok = only_fields(data, {"percentage"}); !ok) return ok.error();
        if (!*percentage) return proto::make_error(Errc::invalid_field, "percentage is required", "percentage");
        if (**percentage <= 0) return proto::Command{{{"on", false}}, {}, {}};
        if (has(d, "on")) c.set["on"] = true;
    } else if (service == "set_preset_mode") {
        if (auto ok = only_fields(data, {"preset_mode"}); !ok) return ok.error();
        if (!*preset) return proto::make_error(Errc::invalid_field, "preset_mode is required", "preset_mode");
    } else {
        return proto::Error{Errc::not_found, "", "service"};
    }
    if (*percentage && **percentage > 0) c.set["fan_speed"] = speed_of(**percentage);
    if (*preset) c.set["mode"] = **preset;
    return c;
}

proto::Result<proto::Command> vacuum_command(std::string_view service, const json& data) {
    if (auto ok = only_fields(data, {}); !ok) return ok.error();
    if (service == "start") return proto::Command{{{"cleaning", true}}, {}, {}};
    if (service == "stop" || service == "return_to_base" || service == "pause") {
        return proto::Command{{{"cleaning", false}}, {}, {}};
    }
    return proto::Error{Errc::not_found, "", "service"};
}

json field(std::string description, json selector = json::object()) {
    return {{"name", ""}, {"description", std::move(description)}, {"required", false}, {"selector", std::move(selector)}};
}

json service(std::string name, std::string domain, json fields = json::object()) {
    return {{"name", std::move(name)}, {"description", ""}, {"fields", std::move(fields)},
            {"target", {{"entity", json::array({{{"domain", json::array({std::move(domain)})}}})}}}};
}

}  // namespace

std::string slug(std::string_view text) {
    std::string out;
    bool gap = false;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const char lower = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if ((lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9')) {
            if (gap && !out.empty()) out += '_';
            gap = false;
            out += lower;
        } else {
            gap = true;
        }
    }
    return out.empty() ? "unnamed" : out;
}

std::vector<EntityRef> entities_of(const proto::DeviceDescription& device) {
    std::vector<EntityRef> out;
    const auto base = slug(device.id.value);
    const auto domain = main_domain(device);
    const std::set<std::string>* shown = nullptr;
    if (!domain.empty()) {
        out.push_back({domain + "." + base, domain, device.id, ""});
        shown = &shown_by_main().find(domain)->second;
    }
    for (const auto& c : device.capabilities) {
        if (!proto::has(c.access, proto::Access::read)) continue;
        if (shown && shown->contains(c.attribute)) continue;
        const std::string d = c.type == proto::ValueType::boolean ? "binary_sensor" : "sensor";
        out.push_back({d + "." + base + "_" + slug(c.attribute), d, device.id, c.attribute});
    }
    return out;
}

EntityState state_of(const EntityRef& entity, const devices::Device& device) {
    json attributes = json::object();
    const auto name = friendly_name(device.description);
    attributes["friendly_name"] = entity.attribute.empty() ? name : name + " " + entity.attribute;
    if (device.availability == devices::Availability::offline || !device.problem.empty()) {
        return {"unavailable", std::move(attributes)};
    }
    if (!entity.attribute.empty()) {
        return entity.domain == "binary_sensor" ? binary_sensor_state(device, entity.attribute, std::move(attributes))
                                                : sensor_state(device, entity.attribute, std::move(attributes));
    }
    const auto& d = entity.domain;
    if (d == "light") return light_state(device, std::move(attributes));
    if (d == "climate") return climate_state(device, std::move(attributes));
    if (d == "media_player") return media_state(device, std::move(attributes));
    if (d == "cover") return cover_state(device, std::move(attributes));
    if (d == "lock") return lock_state(device, std::move(attributes));
    if (d == "fan") return fan_state(device, std::move(attributes));
    if (d == "vacuum") return vacuum_state(device, std::move(attributes));
    return {on_off(device), std::move(attributes)};  // switch
}

proto::Result<proto::Command> command_for(const EntityRef& entity, const devices::Device& device, std::string_view domain,
                                          std::string_view service, const json& data) {
    if (domain != entity.domain && domain != "homeassistant") return no_service(domain, service, entity);
    const auto& d = entity.domain;
    const bool generic = domain == "homeassistant";
    if (generic && service != "turn_on" && service != "turn_off" && service != "toggle") {
        return no_service(domain, service, entity);
    }
    proto::Result<proto::Command> c = proto::Error{Errc::not_found, "", "service"};
    if (d == "light") c = light_command(device, service, data);
    else if (d == "switch") c = on_off_command(device, service, data);
    else if (d == "climate") c = climate_command(device, service, data);
    else if (d == "media_player") c = media_command(device, service, data);
    else if (d == "fan") c = fan_command(device, service, data);
    else if (d == "cover") c = generic ? cover_command(device, service == "turn_on" ? "open_cover" : service == "turn_off" ? "close_cover" : "toggle", data)
                                       : cover_command(device, service, data);
    else if (d == "lock") c = generic ? lock_command(service == "turn_on" ? "lock" : service == "turn_off" ? "unlock" : "", data)
                                      : lock_command(service, data);
    else if (d == "vacuum") c = generic ? vacuum_command(service == "turn_on" ? "start" : "stop", data) : vacuum_command(service, data);
    if (!c && c.error().code == Errc::not_found && c.error().message.empty()) return no_service(domain, service, entity);
    return c;
}

json services_json() {
    const json number_selector = {{"number", json::object()}};
    const auto plain = [&](const std::string& domain, std::initializer_list<const char*> names) {
        json out = json::object();
        for (const auto* n : names) out[n] = service(n, domain);
        return out;
    };
    json all = json::object();
    all["homeassistant"] = plain("homeassistant", {"turn_on", "turn_off", "toggle"});
    all["light"] = plain("light", {"turn_off", "toggle"});
    all["light"]["turn_on"] = service("turn_on", "light",
                                      {{"brightness", field("0–255", number_selector)},
                                       {"brightness_pct", field("0–100", number_selector)},
                                       {"brightness_step", field("-255–255", number_selector)},
                                       {"brightness_step_pct", field("-100–100", number_selector)},
                                       {"color_temp_kelvin", field("kelvin", number_selector)},
                                       {"transition", field("seconds", number_selector)}});
    all["switch"] = plain("switch", {"turn_on", "turn_off", "toggle"});
    all["climate"] = plain("climate", {"turn_on", "turn_off", "toggle"});
    all["climate"]["set_hvac_mode"] = service("set_hvac_mode", "climate", {{"hvac_mode", field("mode")}});
    all["climate"]["set_temperature"] = service("set_temperature", "climate",
                                                {{"temperature", field("°C", number_selector)}, {"hvac_mode", field("mode")}});
    all["climate"]["set_fan_mode"] = service("set_fan_mode", "climate", {{"fan_mode", field("mode")}});
    all["media_player"] = plain("media_player", {"turn_on", "turn_off", "toggle", "media_play", "media_pause", "media_stop",
                                                 "media_play_pause", "media_next_track", "media_previous_track",
                                                 "volume_up", "volume_down"});
    all["media_player"]["volume_set"] = service("volume_set", "media_player", {{"volume_level", field("0–1", number_selector)}});
    all["media_player"]["select_source"] = service("select_source", "media_player", {{"source", field("source")}});
    all["media_player"]["play_media"] = service("play_media", "media_player",
                                                {{"media_content_id", field("media")}, {"media_content_type", field("type")}});
    all["cover"] = plain("cover", {"open_cover", "close_cover", "toggle"});
    all["cover"]["set_cover_position"] = service("set_cover_position", "cover", {{"position", field("0–100", number_selector)}});
    all["lock"] = plain("lock", {"lock", "unlock"});
    all["fan"] = plain("fan", {"turn_off", "toggle"});
    all["fan"]["turn_on"] = service("turn_on", "fan", {{"percentage", field("0–100", number_selector)}, {"preset_mode", field("mode")}});
    all["fan"]["set_percentage"] = service("set_percentage", "fan", {{"percentage", field("0–100", number_selector)}});
    all["fan"]["set_preset_mode"] = service("set_preset_mode", "fan", {{"preset_mode", field("mode")}});
    all["vacuum"] = plain("vacuum", {"start", "stop", "pause", "return_to_base"});
    all["conversation"] = {{"process", {{"name", "process"}, {"description", ""},
                                        {"fields", {{"text", field("text")}, {"language", field("language")}}}}}};
    return all;
}

}  // namespace hearth::hub::ha
