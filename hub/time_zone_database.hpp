#pragma once
// The system's IANA time zone database (Debian's tzdata, /usr/share/zoneinfo), read through Howard
// Hinnant's date/tz library, turned into the core's scenes::TimeZone values. This is the only
// place that reads zone data; the core gets the transitions as data.
#include <string>

#include "proto/errc.hpp"
#include "scenes/time_zone.hpp"

namespace hearth::hub {

/// The zone named `name` ("Europe/Berlin") with its transitions from 1970 to 2037 (the last
/// offset then holds: the system's zone files list no later ones); an
/// `invalid_field` error when the database has no such zone. The first call reads the database
/// (a few milliseconds). Hub thread only.
proto::Result<scenes::TimeZone> load_time_zone(const std::string& name);

}  // namespace hearth::hub
