#include "sim/device_model.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

namespace hearth::sim {
namespace {

using proto::DeviceKind;
using namespace std::chrono_literals;

double minutes_between(Instant from, Instant to) {
    return std::chrono::duration<double, std::ratio<60>>(to - from).count();
}

double hour_of_day(Instant now) {
    const auto since_midnight = now - std::chrono::floor<std::chrono::days>(now);
    return std::chrono::duration<double, std::ratio<3600>>(since_midnight).count();
}

double round_to(double value, double resolution) {
    // Dividing by the inverse keeps 30.4 from coming out as 30.400000000000002.
    if (resolution < 1) {
        const double inverse = std::round(1 / resolution);
        return std::round(value * inverse) / inverse;
    }
    return std::round(value / resolution) * resolution;
}

bool is_climate_control(const proto::DeviceDescription& d) {
    return d.find("target_temperature") && d.find("temperature");
}

Duration default_interval(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::air_conditioner:
        case DeviceKind::thermostat:
        case DeviceKind::vacuum: return 10s;
        case DeviceKind::air_purifier: return 15s;
        case DeviceKind::climate_sensor:
        case DeviceKind::presence_sensor:
        case DeviceKind::sensor: return 30s;
        case DeviceKind::contact_sensor: return 60s;
        case DeviceKind::button: return 300s;
        default: return 600s;
    }
}

constexpr Duration kAutoLock = 120s;

}  // namespace

DeviceModel::DeviceModel(proto::DeviceDescription description, SimSettings settings, std::uint64_t seed, Instant now)
    : description_(std::move(description)), settings_(std::move(settings)), random_(seed), last_tick_(now) {
    set_defaults();
    temperature_ = reads("temperature") && settings_.initial.contains("temperature") ? number("temperature")
                                                                                      : ambient(now);
    if (reads("temperature")) set_number("temperature", temperature_, 0.1);
    battery_ = number("battery", 100);
    pm25_ = number("pm25", 40);
    if (description_.kind == DeviceKind::sensor) baseline_ = state_;
    update_power();
    const bool periodic = is_climate_control(description_) || reads("battery") ||
                          default_interval(description_.kind) < 600s || settings_.interval;
    // Spread the first reports over one interval so a fleet does not report in lockstep.
    if (periodic) report_at_ = now + Duration(static_cast<std::int64_t>(random_.uniform() * interval().count()));
    if (text("playback") == "playing") start_track(now);
}

void DeviceModel::set_defaults() {
    for (const auto& c : description_.capabilities) {
        if (!proto::has(c.access, proto::Access::read)) continue;
        const auto& a = c.attribute;
        proto::Value v;
        switch (c.type) {
            case proto::ValueType::boolean:
                v = a == "contact" || a == "locked";
                break;
            case proto::ValueType::number: {
                double d = c.min.value_or(0);
                if (a == "brightness") d = 100;
                else if (a == "color_temp") d = 4000;
                else if (a == "target_temperature") d = 26;
                else if (a == "humidity") d = 55;
                else if (a == "volume") d = 30;
                else if (a == "pm25") d = 40;
                else if (a == "illuminance") d = 300;
                else if (a == "battery") d = std::round(random_.uniform(60, 100));
                if (c.min) d = std::max(d, *c.min);
                if (c.max) d = std::min(d, *c.max);
                v = d;
                break;
            }
            case proto::ValueType::enumeration: {
                std::string s = c.options.front();
                if (a == "hvac_mode") s = description_.find("on") ? "cool" : "off";
                else if (a == "playback") s = "stopped";
                if (std::find(c.options.begin(), c.options.end(), s) == c.options.end()) s = c.options.front();
                v = s;
                break;
            }
            case proto::ValueType::text:
                v = std::string{};
                break;
        }
        state_[a] = std::move(v);
    }
    for (const auto& [attribute, value] : settings_.initial) {
        const auto it = state_.find(attribute);
        if (it != state_.end() && it->second.index() == value.index()) it->second = value;
    }
    if (const auto mode = text("hvac_mode"); !mode.empty() && mode != "off") last_hvac_mode_ = mode;
}

std::string DeviceModel::state_payload(std::string_view context_id) const {
    auto j = proto::to_json(state_);
    if (!context_id.empty()) j[proto::kContextKey] = context_id;
    return j.dump();
}

bool DeviceModel::reads(std::string_view attribute) const noexcept {
    const auto* c = description_.find(attribute);
    return c && proto::has(c->access, proto::Access::read);
}

double DeviceModel::number(std::string_view attribute, double fallback) const noexcept {
    const auto it = state_.find(attribute);
    if (it == state_.end()) return fallback;
    const auto* d = proto::as_number(it->second);
    return d ? *d : fallback;
}

bool DeviceModel::flag(std::string_view attribute) const noexcept {
    const auto it = state_.find(attribute);
    if (it == state_.end()) return false;
    const auto* b = proto::as_bool(it->second);
    return b && *b;
}

std::string DeviceModel::text(std::string_view attribute) const {
    const auto it = state_.find(attribute);
    if (it == state_.end()) return {};
    const auto* s = proto::as_text(it->second);
    return s ? *s : std::string{};
}

bool DeviceModel::set(std::string_view attribute, proto::Value value) {
    const auto it = state_.find(attribute);
    if (it == state_.end() || it->second == value) return false;
    it->second = std::move(value);
    return true;
}

bool DeviceModel::set_number(std::string_view attribute, double value, double resolution) {
    if (const auto* c = description_.find(attribute)) {
        if (c->min) value = std::max(value, *c->min);
        if (c->max) value = std::min(value, *c->max);
    }
    return set(attribute, round_to(value, resolution));
}

Duration DeviceModel::interval() const { return settings_.interval.value_or(default_interval(description_.kind)); }

double DeviceModel::ambient(Instant now) const {
    // Warmest mid-afternoon, coolest before dawn.
    const double diurnal = 1.5 * std::cos(2 * std::numbers::pi * (hour_of_day(now) - 15) / 24);
    return settings_.room_temperature.value_or(26) + diurnal;
}

std::optional<double> DeviceModel::measured_temperature() const noexcept {
    if (!reads("temperature")) return std::nullopt;
    return temperature_;
}

Instant DeviceModel::next_wake() const noexcept {
    auto wake = Instant::max();
    for (const auto& m : motions_) wake = std::min(wake, std::min(last_motion_step_ + kMotionStep, m.start + m.length));
    for (const auto& at : {report_at_, track_at_, release_at_}) {
        if (at) wake = std::min(wake, *at);
    }
    return wake;
}

void DeviceModel::apply(const proto::Command& command, Instant now) {
    if (is_climate_control(description_) || description_.kind == DeviceKind::air_purifier ||
        description_.kind == DeviceKind::vacuum) {
        integrate(now);
    }
    proto::Attributes immediate;
    start_motion(command, now, immediate);
    apply_immediate(immediate, now);
    update_power();
}

void DeviceModel::cancel_motion_of(std::string_view attribute) {
    for (auto& m : motions_) {
        std::erase_if(m.numbers, [&](const auto& n) { return n.first == attribute; });
        m.final.erase(std::string(attribute));
    }
    std::erase_if(motions_, [](const Motion& m) { return m.numbers.empty() && m.final.empty(); });
}

void DeviceModel::start_motion(const proto::Command& command, Instant now, proto::Attributes& immediate) {
    for (const auto& [attribute, value] : command.set) {
        cancel_motion_of(attribute);
        if (attribute == "on") cancel_motion_of("brightness");
    }
    Motion m{now, Duration(0), {}, {}, command.context_id};
    const bool was_on = reads("on") ? flag("on") : true;
    const auto on = command.set.find("on");
    const bool will_be_on = on != command.set.end() ? *proto::as_bool(on->second) : was_on;
    // A light that is off and stays off has nothing to show while it fades.
    const double transition = was_on || will_be_on ? command.transition.value_or(0) : 0;
    if (transition > 0) {
        m.length = Duration(static_cast<std::int64_t>(transition * 1000));
        const auto brightness = command.set.find("brightness");
        const double current = number("brightness", 100);
        const double target = brightness != command.set.end() ? *proto::as_number(brightness->second) : current;
        if (reads("brightness") && !was_on && will_be_on) {
            immediate["on"] = true;
            set("brightness", 0.0);
            m.numbers.push_back({"brightness", {0, target > 0 ? target : 100}});
            m.final["brightness"] = target > 0 ? target : 100;
        } else if (reads("brightness") && was_on && !will_be_on) {
            m.numbers.push_back({"brightness", {current, 0}});
            m.final["on"] = false;
            m.final["brightness"] = target;  // the level the light comes back at
        } else if (on != command.set.end()) {
            immediate["on"] = on->second;
        }
        for (const auto& [attribute, value] : command.set) {
            if (attribute == "on" || (attribute == "brightness" && !m.final.empty())) continue;
            if (const auto* d = proto::as_number(value); d && reads(attribute)) {
                m.numbers.push_back({attribute, {number(attribute, *d), *d}});
                m.final[attribute] = *d;
            } else {
                immediate[attribute] = value;
            }
        }
    } else if (const auto position = command.set.find("position"); position != command.set.end()) {
        const double target = *proto::as_number(position->second);
        const double seconds = std::fabs(target - number("position")) / settings_.speed;
        m.length = Duration(static_cast<std::int64_t>(seconds * 1000));
        m.numbers.push_back({"position", {number("position"), target}});
        m.final["position"] = target;
        for (const auto& [attribute, value] : command.set) {
            if (attribute != "position") immediate[attribute] = value;
        }
    } else {
        immediate = command.set;
    }
    if (m.final.empty()) return;
    last_motion_step_ = now;
    motions_.push_back(std::move(m));
}

bool DeviceModel::step_motions(Instant now, std::string& context_id) {
    bool changed = false;
    for (const auto& m : motions_) {
        const double t = m.length.count() <= 0 ? 1.0
                                               : std::clamp(static_cast<double>((now - m.start).count()) /
                                                                static_cast<double>(m.length.count()),
                                                            0.0, 1.0);
        bool moved = false;
        if (t >= 1.0) {
            for (const auto& [attribute, value] : m.final) moved |= set(attribute, value);
        } else {
            for (const auto& [attribute, range] : m.numbers) {
                const auto* c = description_.find(attribute);
                const double resolution = c && c->step ? *c->step : 1.0;
                moved |= set_number(attribute, range.first + (range.second - range.first) * t, resolution);
            }
        }
        if (moved) context_id = m.context_id;
        changed |= moved;
    }
    std::erase_if(motions_, [&](const Motion& m) { return now >= m.start + m.length; });
    last_motion_step_ = now;
    if (changed) update_power();
    return changed;
}

void DeviceModel::apply_immediate(const proto::Attributes& attributes, Instant now) {
    for (const auto& [attribute, value] : attributes) set(attribute, value);
    // A speaker shows what it was told to say in its `said` attribute, when it has one.
    if (const auto say = attributes.find("say"); say != attributes.end() && reads("said")) set("said", say->second);
    if (reads("hvac_mode")) {
        const auto mode = attributes.find("hvac_mode");
        if (mode != attributes.end()) {
            const auto& m = *proto::as_text(mode->second);
            if (m == "off") {
                set("on", false);
            } else {
                last_hvac_mode_ = m;
                if (!attributes.contains("on")) set("on", true);
            }
        } else if (attributes.contains("on") && flag("on") && text("hvac_mode") == "off") {
            set("hvac_mode", last_hvac_mode_);
        }
    }
    if (reads("playback")) {
        if (attributes.contains("media")) track_index_ = 0;
        const auto skip = attributes.find("skip");
        if (skip != attributes.end()) {
            if (*proto::as_text(skip->second) == "next") ++track_index_;
            else if (track_index_ > 0) --track_index_;  // "previous" on the first track restarts it
        }
        const bool new_track = attributes.contains("media") || skip != attributes.end();
        const auto playback = text("playback");
        if (playback == "playing") {
            if (text("media").empty()) {
                const auto* c = description_.find("media");
                set("media", c && !c->options.empty() ? c->options.front() : std::string("default"));
            }
            if (new_track || !track_at_) start_track(now);
            if (track_left_ > Duration(0) && !new_track) track_at_ = now + track_left_;
            track_left_ = Duration(0);
        } else if (playback == "paused") {
            if (new_track) start_track(now);
            if (track_at_) track_left_ = *track_at_ - now;
            track_at_.reset();
        } else {
            track_at_.reset();
            track_left_ = Duration(0);
            track_index_ = 0;
            set("track", std::string{});
        }
    }
    if (description_.kind == DeviceKind::lock) {
        const auto locked = attributes.find("locked");
        if (locked != attributes.end()) {
            battery_ = std::max(0.0, battery_ - 0.05);
            set_number("battery", battery_, 1);
            if (*proto::as_bool(locked->second)) release_at_.reset();
            else release_at_ = now + kAutoLock;
        }
    }
}

void DeviceModel::start_track(Instant now) {
    const auto media = text("media");
    const auto playlist = settings_.playlists.find(media);
    std::string title;
    if (playlist != settings_.playlists.end()) {
        title = playlist->second[track_index_ % playlist->second.size()];
    } else {
        title = media + " #" + std::to_string(track_index_ + 1);
    }
    set("track", title);
    track_at_ = now + settings_.track_length;
}

bool DeviceModel::tick_track(Instant now) {
    ++track_index_;
    const auto before = text("track");
    start_track(now);
    return text("track") != before;
}

void DeviceModel::update_power() {
    if (!reads("power")) return;
    const bool on = description_.find("on") ? flag("on") : true;
    double watts = on ? 40 : 0.3;
    switch (description_.kind) {
        case DeviceKind::light: watts = on ? 1.5 + 8.5 * number("brightness", 100) / 100 : 0.3; break;
        case DeviceKind::air_conditioner: watts = on && text("hvac_mode") != "off" ? 850 : 2; break;
        case DeviceKind::air_purifier: watts = on ? 25 : 0.5; break;
        case DeviceKind::tv: watts = on ? 90 : 0.5; break;
        case DeviceKind::speaker: watts = text("playback") == "playing" ? 6 : 1.5; break;
        default: break;
    }
    set_number("power", watts, 0.1);
}

void DeviceModel::integrate(Instant now) {
    const double minutes = std::max(0.0, minutes_between(last_tick_, now));
    last_tick_ = now;
    if (is_climate_control(description_)) {
        const double room = ambient(now);
        const auto mode = reads("hvac_mode") ? text("hvac_mode") : std::string("auto");
        const bool running = (description_.find("on") ? flag("on") : true) && mode != "off" && mode != "fan_only";
        const double target = number("target_temperature", 26);
        double goal = room;
        double minutes_to_settle = 40;
        if (running) {
            minutes_to_settle = 12;
            if (mode == "cool") goal = std::min(target, room);
            else if (mode == "heat") goal = std::max(target, room);
            else if (mode == "dry") goal = room - 1, minutes_to_settle = 30;
            else goal = target;
        }
        temperature_ = goal + (temperature_ - goal) * std::exp(-minutes / minutes_to_settle);
    } else if (description_.kind == DeviceKind::air_purifier) {
        // Outdoor air leaking in: about 50 by day, rising to 110 around 20:00 (cooking, traffic).
        const double from_eight = hour_of_day(now) - 20;
        double goal = 50 + 60 * std::exp(-from_eight * from_eight / 8);
        double minutes_to_settle = 60;
        if (flag("on")) {
            goal = 5;
            const auto speed = text("fan_speed");
            minutes_to_settle = speed == "high" ? 3 : speed == "medium" ? 6 : speed == "low" ? 12 : 5;
            if (text("mode") == "sleep") minutes_to_settle = 15;
        }
        pm25_ = goal + (pm25_ - goal) * std::exp(-minutes / minutes_to_settle);
    } else if (description_.kind == DeviceKind::vacuum) {
        if (flag("cleaning")) {
            battery_ -= 1.2 * minutes;
            if (battery_ <= 15) set("cleaning", false);  // back to the dock
        } else {
            battery_ += 2.5 * minutes;
        }
        battery_ = std::clamp(battery_, 0.0, 100.0);
    } else if (reads("battery")) {
        battery_ = std::max(0.0, battery_ - minutes * 0.5 / (24 * 60));
    }
}

Step DeviceModel::advance(Instant now) {
    Step step;
    if (!motions_.empty() && now >= next_wake()) step.state_changed |= step_motions(now, step.context_id);
    if (track_at_ && now >= *track_at_) step.state_changed |= tick_track(now);
    if (release_at_ && now >= *release_at_) {
        release_at_.reset();
        const bool closed = set("contact", true);
        const bool locked = set("locked", true);
        step.state_changed |= closed || locked;
    }
    if (report_at_ && now >= *report_at_) {
        step.state_changed |= tick(now, step);
        report_at_ = now + interval();
    }
    return step;
}

bool DeviceModel::tick(Instant now, Step& step) {
    integrate(now);
    bool changed = false;
    if (reads("battery")) changed |= set_number("battery", battery_, 1);
    if (is_climate_control(description_)) {
        changed |= set_number("temperature", temperature_, 0.1);
        if (reads("humidity")) changed |= set_number("humidity", random_.normal(55, 1), 1);
        update_power();
        return changed;
    }
    switch (description_.kind) {
        case DeviceKind::climate_sensor: {
            temperature_ = followed_temperature_.value_or(ambient(now));
            set_number("temperature", random_.normal(temperature_, 0.15), 0.1);
            set_number("humidity", random_.normal(followed_temperature_ ? 50 : 55, 1.5), 1);
            return true;
        }
        case DeviceKind::presence_sensor: return tick_presence(now) || changed;
        case DeviceKind::contact_sensor: {
            if (flag("contact") && random_.chance(0.05)) {
                release_at_ = now + Duration(static_cast<std::int64_t>(random_.uniform(5, 40) * 1000));
                changed |= set("contact", false);
            }
            return changed;
        }
        case DeviceKind::air_purifier:
            return set_number("pm25", std::max(0.0, random_.normal(pm25_, 1)), 1) || changed;
        case DeviceKind::button:
            if (random_.chance(0.3)) {
                static const char* kActions[] = {"single", "single", "double", "long"};
                step.events.push_back(
                    nlohmann::json{{"event", "press"}, {"action", kActions[random_.next() % 4]}}.dump());
            }
            return changed;
        case DeviceKind::sensor: {
            for (const auto& [attribute, base] : baseline_) {
                const auto* d = proto::as_number(base);
                if (!d || attribute == "battery") continue;
                set_number(attribute, random_.normal(*d, std::max(0.5, std::fabs(*d) * 0.03)), 0.1);
            }
            return true;
        }
        default: return changed;
    }
}

bool DeviceModel::tick_presence(Instant now) {
    const auto minute = std::chrono::minutes(static_cast<int>(hour_of_day(now) * 60));
    const auto in = [&](std::chrono::minutes shift) {
        return std::any_of(settings_.schedule.begin(), settings_.schedule.end(), [&](const TimeWindow& w) {
            return w.contains((minute + shift + std::chrono::minutes(24 * 60)) % std::chrono::minutes(24 * 60));
        });
    };
    const bool inside = in(0min);
    const bool near = in(15min) || in(-15min);
    const bool occupied = flag("occupancy");
    double p = 0;  // probability of being occupied after this interval
    if (settings_.schedule.empty()) p = occupied ? 0.6 : 0.1;
    else if (inside) p = occupied ? 0.97 : 0.6;
    else if (near) p = 0.4;
    else p = occupied ? 0.3 : 0.02;
    bool changed = set("occupancy", random_.chance(p));
    if (reads("illuminance")) {
        const double h = hour_of_day(now);
        const double daylight = h > 6 && h < 19 ? 800 * std::sin(std::numbers::pi * (h - 6) / 13) : 0;
        changed |= set_number("illuminance", std::max(0.0, random_.normal(daylight + 3, 2 + daylight * 0.05)), 1);
    }
    return changed;
}

}  // namespace hearth::sim
