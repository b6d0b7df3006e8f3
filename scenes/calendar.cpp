#include "scenes/calendar.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace hearth::scenes {

using namespace std::chrono;

proto::Result<Place> place_from_json(const nlohmann::json& j, const TimeZoneLookup& lookup) {
    using proto::Errc;
    if (!j.is_object()) return proto::make_error(Errc::invalid_field, "a location is an object");
    const auto number = [&](const char* key, double lo, double hi) -> proto::Result<double> {
        if (!j.contains(key) || !j[key].is_number() || j[key].get<double>() < lo || j[key].get<double>() > hi) {
            return proto::make_error(Errc::invalid_field,
                                     std::string(key) + " must be a number from " + std::to_string(static_cast<int>(lo)) +
                                         " to " + std::to_string(static_cast<int>(hi)),
                                     key);
        }
        return j[key].get<double>();
    };
    const auto latitude = number("latitude", -90, 90);
    if (!latitude) return latitude.error();
    const auto longitude = number("longitude", -180, 180);
    if (!longitude) return longitude.error();
    if (j.contains("time_zone")) {
        const auto& zone = j["time_zone"];
        if (!zone.is_string() || zone.get<std::string>().empty()) {
            return proto::make_error(Errc::invalid_field, "time_zone is an IANA zone name like \"Europe/Berlin\"", "time_zone");
        }
        const auto name = zone.get<std::string>();
        auto found = lookup ? lookup(name) : proto::Result<TimeZone>(proto::make_error(Errc::invalid_field, "no time zone database"));
        if (!found) {
            return proto::make_error(Errc::invalid_field,
                                     "unknown time zone '" + name + "': " + found.error().message +
                                         " (an IANA name like \"Europe/Berlin\")",
                                     "time_zone");
        }
        return Place{*latitude, *longitude, std::move(*found)};
    }
    const auto offset = number("utc_offset_minutes", -720, 840);
    if (!offset) return offset.error();
    if (!j["utc_offset_minutes"].is_number_integer()) {
        return proto::make_error(Errc::invalid_field, "utc_offset_minutes must be whole minutes", "utc_offset_minutes");
    }
    return Place{*latitude, *longitude, static_cast<int>(*offset)};
}

nlohmann::json to_json(const Place& place) {
    nlohmann::json j{{"latitude", place.latitude}, {"longitude", place.longitude}};
    if (const auto fixed = place.time_zone.fixed_offset()) j["utc_offset_minutes"] = fixed->count();
    else j["time_zone"] = place.time_zone.name();
    return j;
}

LocalTime to_local(TimePoint t, const Place& place) {
    const auto utc = floor<seconds>(t);
    const auto local = utc + place.time_zone.offset_at(utc);
    const auto day = floor<days>(local);
    return {year_month_day{day}, weekday{day}, local - day};
}

TimePoint at_local(year_month_day date, seconds time_of_day, const Place& place) {
    return place.time_zone.instants_of(local_days{date} + time_of_day).first;
}

TimePoint next_local(TimePoint after, seconds time_of_day, const Place& place) {
    const auto today = to_local(after, place).date;
    auto candidate = at_local(today, time_of_day, place);
    if (candidate <= after) candidate = at_local(year_month_day{sys_days{today} + days(1)}, time_of_day, place);
    return candidate;
}

Season season(TimePoint t, const Place& place) {
    const unsigned month = static_cast<unsigned>(to_local(t, place).date.month());
    const Season north = month >= 3 && month <= 5   ? Season::spring
                         : month >= 6 && month <= 8 ? Season::summer
                         : month >= 9 && month <= 11 ? Season::autumn
                                                     : Season::winter;
    if (place.latitude >= 0) return north;
    switch (north) {
        case Season::spring: return Season::autumn;
        case Season::summer: return Season::winter;
        case Season::autumn: return Season::spring;
        case Season::winter: return Season::summer;
    }
    return north;
}

std::string_view to_string(Season s) noexcept {
    switch (s) {
        case Season::spring: return "spring";
        case Season::summer: return "summer";
        case Season::autumn: return "autumn";
        case Season::winter: return "winter";
    }
    return "spring";
}

std::optional<seconds> parse_time_of_day(std::string_view text) noexcept {
    if (text.size() != 5 && text.size() != 8) return std::nullopt;
    const auto two = [&](std::size_t at, int limit) -> std::optional<int> {
        int v = 0;
        const auto* first = text.data() + at;
        const auto [end, ec] = std::from_chars(first, first + 2, v);
        if (ec != std::errc{} || end != first + 2 || v < 0 || v >= limit) return std::nullopt;
        return v;
    };
    const auto h = two(0, 24);
    const auto m = text[2] == ':' ? two(3, 60) : std::nullopt;
    std::optional<int> s = 0;
    if (text.size() == 8) s = text[5] == ':' ? two(6, 60) : std::nullopt;
    if (!h || !m || !s) return std::nullopt;
    return hours(*h) + minutes(*m) + seconds(*s);
}

bool in_window(seconds t, seconds from, seconds to) noexcept {
    if (from <= to) return t >= from && t < to;
    return t >= from || t < to;
}

unsigned iso_weekday(weekday w) noexcept { return w.iso_encoding(); }

}  // namespace hearth::scenes
