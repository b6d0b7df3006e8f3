#pragma once
// ISO 8601 timestamps as the API reads and writes them: "2026-03-29T03:00:00+02:00",
// "2026-03-29T01:00:00Z", "2026-03-29T01:00:00.250-05:00". Pure text ↔ instant.
#include <optional>
#include <string>
#include <string_view>

#include "scenes/calendar.hpp"

namespace hearth::scenes {

/// Date `YYYY-MM-DD`, `T`, time `HH:MM:SS` with optional fraction (up to milliseconds are kept),
/// then `Z`, `±HH:MM`, `±HHMM` or `±HH`. Without an offset the time is read as UTC, as the API
/// always did. nullopt for anything else, including impossible dates and times and instants the
/// clock cannot hold (before 1678 or after 2261).
std::optional<TimePoint> parse_iso8601(std::string_view text) noexcept;

/// The instant as the local clock in `zone` shows it, with that moment's offset:
/// "2026-03-29T03:00:00+02:00" (seconds precision).
std::string format_iso8601(TimePoint t, const TimeZone& zone);

}  // namespace hearth::scenes
