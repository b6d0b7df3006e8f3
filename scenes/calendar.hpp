#pragma once
// Wall time as the home sees it: the home's time zone (an IANA zone with its daylight-saving
// transitions, or a fixed UTC offset), the local date, time of day, weekday and season. Pure
// functions of a time point passed in; nothing here reads a clock or the time zone database.
#include <chrono>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "proto/errc.hpp"
#include "scenes/time_zone.hpp"

namespace hearth::scenes {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

/// Where the home is: latitude and longitude in degrees (north and east positive) and its time
/// zone.
struct Place {
    Place() = default;
    /// A fixed offset from UTC in minutes (Beijing = 480), with no daylight-saving time.
    Place(double lat, double lon, int utc_offset_minutes)
        : latitude(lat), longitude(lon), time_zone(TimeZone::fixed(std::chrono::minutes(utc_offset_minutes))) {}
    Place(double lat, double lon, TimeZone zone) : latitude(lat), longitude(lon), time_zone(std::move(zone)) {}

    double latitude = 0;
    double longitude = 0;
    TimeZone time_zone;
};

/// Finds an IANA zone by name ("Europe/Berlin"); the hub supplies it, reading the system database.
using TimeZoneLookup = std::function<proto::Result<TimeZone>(const std::string& name)>;

/// {"latitude": 52.5, "longitude": 13.4, "time_zone": "Europe/Berlin"}, or with a fixed
/// "utc_offset_minutes": 480 instead of a zone (a zone, when given, wins). A zone name is resolved
/// with `lookup`; an unknown one is an `invalid_field` error naming "time_zone". Errors name the field.
proto::Result<Place> place_from_json(const nlohmann::json& j, const TimeZoneLookup& lookup = {});

/// The location as place_from_json reads it: the zone's name, or the fixed offset.
nlohmann::json to_json(const Place& place);

struct LocalTime {
    std::chrono::year_month_day date;
    std::chrono::weekday weekday;
    std::chrono::seconds time_of_day{0};  // since local midnight
};

LocalTime to_local(TimePoint t, const Place& place);

/// The instant at which the local clock shows `time_of_day` on local `date`. When the clocks go
/// back and it shows that time twice, the first; when they go forward past it, the instant they
/// jump (a 02:30 skipped by a 02:00 → 03:00 change maps to 03:00).
TimePoint at_local(std::chrono::year_month_day date, std::chrono::seconds time_of_day, const Place& place);

/// The first instant strictly after `after` at which the local clock shows `time_of_day`.
TimePoint next_local(TimePoint after, std::chrono::seconds time_of_day, const Place& place);

/// Meteorological seasons: March–May is spring north of the equator and autumn south of it.
enum class Season { spring, summer, autumn, winter };
Season season(TimePoint t, const Place& place);
std::string_view to_string(Season s) noexcept;

/// "HH:MM" or "HH:MM:SS", 00:00–23:59:59.
std::optional<std::chrono::seconds> parse_time_of_day(std::string_view text) noexcept;

/// Whether `t` lies in [from, to) of the local day; a window whose end is before its start wraps
/// past midnight ("22:00"–"06:00").
bool in_window(std::chrono::seconds t, std::chrono::seconds from, std::chrono::seconds to) noexcept;

/// ISO weekday 1 (Monday) … 7 (Sunday).
unsigned iso_weekday(std::chrono::weekday w) noexcept;

}  // namespace hearth::scenes
