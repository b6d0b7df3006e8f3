#pragma once
// Wall time as the home sees it: a fixed UTC offset from configuration, the local date, time of
// day, weekday and season. Pure functions of a time point passed in; nothing here reads a clock.
#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string_view>

#include "proto/errc.hpp"

namespace hearth::scenes {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

/// Where the home is: latitude and longitude in degrees (north and east positive) and its fixed
/// offset from UTC in minutes (Beijing = 480).
struct Place {
    double latitude = 0;
    double longitude = 0;
    int utc_offset_minutes = 0;
};

/// {"latitude": 39.9, "longitude": 116.4, "utc_offset_minutes": 480}; errors name the field.
proto::Result<Place> place_from_json(const nlohmann::json& j);

struct LocalTime {
    std::chrono::year_month_day date;
    std::chrono::weekday weekday;
    std::chrono::seconds time_of_day{0};  // since local midnight
};

LocalTime to_local(TimePoint t, const Place& place);

/// The instant at which the local clock shows `time_of_day` on local `date`.
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
