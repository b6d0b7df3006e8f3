#include "sim/sim_settings.hpp"

#include <nlohmann/json.hpp>

namespace hearth::sim {
namespace {

using proto::Errc;
using proto::make_error;

proto::Result<double> positive_number(const nlohmann::json& j, const std::string& field) {
    if (!j.is_number() || j.get<double>() <= 0) {
        return make_error(Errc::invalid_field, field + " must be a positive number", field);
    }
    return j.get<double>();
}

std::chrono::milliseconds from_seconds(double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

proto::Result<std::vector<TimeWindow>> schedule_from(const nlohmann::json& j) {
    if (!j.is_array()) return make_error(Errc::invalid_field, "sim.schedule is a list of {from, to}", "sim.schedule");
    std::vector<TimeWindow> windows;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const auto field = "sim.schedule[" + std::to_string(i) + "]";
        const auto& w = j[i];
        if (!w.is_object() || !w.contains("from") || !w.contains("to") || !w["from"].is_string() ||
            !w["to"].is_string()) {
            return make_error(Errc::invalid_field, "a schedule window is {from: \"HH:MM\", to: \"HH:MM\"}", field);
        }
        auto from = time_of_day_from(w["from"].get<std::string>());
        if (!from) return make_error(Errc::invalid_field, from.error().message, field + ".from");
        auto to = time_of_day_from(w["to"].get<std::string>());
        if (!to) return make_error(Errc::invalid_field, to.error().message, field + ".to");
        windows.push_back({*from, *to});
    }
    return windows;
}

proto::Result<std::map<std::string, std::vector<std::string>>> playlists_from(const nlohmann::json& j) {
    const std::string field = "sim.playlists";
    if (!j.is_object()) return make_error(Errc::invalid_field, field + " maps a playlist to its track titles", field);
    std::map<std::string, std::vector<std::string>> playlists;
    for (const auto& [name, tracks] : j.items()) {
        if (!tracks.is_array() || tracks.empty()) {
            return make_error(Errc::invalid_field, "a playlist is a non-empty list of titles", field + "." + name);
        }
        for (const auto& t : tracks) {
            if (!t.is_string()) return make_error(Errc::invalid_field, "track titles are text", field + "." + name);
            playlists[name].push_back(t.get<std::string>());
        }
    }
    return playlists;
}

}  // namespace

bool TimeWindow::contains(std::chrono::minutes time_of_day) const noexcept {
    if (from <= to) return time_of_day >= from && time_of_day < to;
    return time_of_day >= from || time_of_day < to;
}

proto::Result<std::chrono::minutes> time_of_day_from(std::string_view text) {
    const auto bad = [&] { return make_error(Errc::invalid_field, "'" + std::string(text) + "' is not a time HH:MM"); };
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() - colon != 3) return bad();
    int hours = 0;
    int minutes = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == colon) continue;
        if (text[i] < '0' || text[i] > '9') return bad();
        int& part = i < colon ? hours : minutes;
        part = part * 10 + (text[i] - '0');
    }
    if (hours > 23 || minutes > 59) return bad();
    return std::chrono::minutes(hours * 60 + minutes);
}

std::optional<PresentationStyle> presentation_style_from(std::string_view text) noexcept {
    if (text == "native") return PresentationStyle::native;
    if (text == "zigbee2mqtt") return PresentationStyle::zigbee2mqtt;
    return std::nullopt;
}

proto::Result<SimSettings> settings_from_json(const nlohmann::json& j) {
    SimSettings s;
    if (j.is_null()) return s;
    if (!j.is_object()) return make_error(Errc::invalid_field, "sim must be an object", "sim");
    for (const auto& [key, value] : j.items()) {
        const auto field = "sim." + key;
        if (key == "interval") {
            auto seconds = positive_number(value, field);
            if (!seconds) return seconds.error();
            s.interval = from_seconds(*seconds);
        } else if (key == "follows") {
            if (!value.is_string() || !proto::is_valid_id(value.get<std::string>())) {
                return make_error(Errc::invalid_field, "sim.follows names a device id", field);
            }
            s.follows = proto::DeviceId(value.get<std::string>());
        } else if (key == "room_temperature") {
            if (!value.is_number()) return make_error(Errc::invalid_field, field + " must be a number (°C)", field);
            s.room_temperature = value.get<double>();
        } else if (key == "schedule") {
            auto windows = schedule_from(value);
            if (!windows) return windows.error();
            s.schedule = std::move(*windows);
        } else if (key == "speed") {
            auto speed = positive_number(value, field);
            if (!speed) return speed.error();
            s.speed = *speed;
        } else if (key == "playlists") {
            auto playlists = playlists_from(value);
            if (!playlists) return playlists.error();
            s.playlists = std::move(*playlists);
        } else if (key == "track_length") {
            auto seconds = positive_number(value, field);
            if (!seconds) return seconds.error();
            s.track_length = from_seconds(*seconds);
        } else if (key == "style") {
            const auto style = value.is_string() ? presentation_style_from(value.get<std::string>()) : std::nullopt;
            if (!style) return make_error(Errc::invalid_field, "sim.style is native or zigbee2mqtt", field);
            s.style = *style;
        } else if (key == "initial") {
            if (!value.is_object()) return make_error(Errc::invalid_field, "sim.initial is an object of attributes", field);
            for (const auto& [attribute, v] : value.items()) {
                auto parsed = proto::value_from_json(v);
                if (!parsed || proto::is_null(*parsed)) {
                    return make_error(Errc::wrong_type, "initial values are bool, number or text", field + "." + attribute);
                }
                s.initial.emplace(attribute, std::move(*parsed));
            }
        } else {
            return make_error(Errc::invalid_field, "unknown simulator setting " + key, field);
        }
    }
    return s;
}

}  // namespace hearth::sim
