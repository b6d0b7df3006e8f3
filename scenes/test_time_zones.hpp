#pragma once
// Tests only: real zones' 2026 transitions written out by hand (as the IANA database has them),
// so core tests exercise daylight-saving time without the hub's database.
#include "scenes/time_zone.hpp"

namespace hearth::scenes::test {

/// Europe/Berlin in 2026: CET (+01:00), CEST (+02:00) from 29 March 01:00 UTC (02:00 → 03:00
/// local), CET again from 25 October 01:00 UTC (03:00 → 02:00 local).
inline TimeZone berlin_2026() {
    using namespace std::chrono;
    return TimeZone{"Europe/Berlin", hours(1),
                    {{sys_days{2026y / March / 29} + hours(1), hours(2)}, {sys_days{2026y / October / 25} + hours(1), hours(1)}}};
}

/// America/New_York in 2026: EST (-05:00), EDT (-04:00) from 8 March 07:00 UTC, EST again from
/// 1 November 06:00 UTC.
inline TimeZone new_york_2026() {
    using namespace std::chrono;
    return TimeZone{"America/New_York", hours(-5),
                    {{sys_days{2026y / March / 8} + hours(7), hours(-4)}, {sys_days{2026y / November / 1} + hours(6), hours(-5)}}};
}

}  // namespace hearth::scenes::test
