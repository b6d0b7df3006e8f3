#pragma once
// The sun as seen from the home: sunrise, sunset and elevation, computed with libnova from the
// home's latitude and longitude. Pure functions of the time passed in.
#include <optional>
#include <string_view>

#include "scenes/calendar.hpp"

namespace hearth::rules {

enum class SunEvent { sunrise, sunset };
std::string_view to_string(SunEvent e) noexcept;
std::optional<SunEvent> sun_event_from(std::string_view s) noexcept;

/// The first sunrise or sunset strictly after `after`; nullopt during polar day or night when
/// there is none within the next few days.
std::optional<scenes::TimePoint> next_sun_event(SunEvent event, scenes::TimePoint after, const scenes::Place& place);

/// Degrees above the horizon of the sun's centre (negative below), without refraction.
double sun_elevation(scenes::TimePoint t, const scenes::Place& place);

}  // namespace hearth::rules
