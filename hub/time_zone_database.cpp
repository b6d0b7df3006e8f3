#include "hub/time_zone_database.hpp"

#include <date/tz.h>

#include <stdexcept>

namespace hearth::hub {

proto::Result<scenes::TimeZone> load_time_zone(const std::string& name) {
    using std::chrono::sys_seconds;
    const date::time_zone* zone = nullptr;
    try {
        zone = date::locate_zone(name);
    } catch (const std::runtime_error& e) {
        return proto::make_error(proto::Errc::invalid_field, e.what());
    }
    // Debian's zone files list transitions up to 2037 and Debian's date/tz reads only that list
    // (its reader of the files' POSIX rule, date/ptz.h, does not compile as C++20), so the last
    // listed offset holds after 2037. The bound keeps a zone with no end of transitions finite.
    const sys_seconds from{std::chrono::sys_days{std::chrono::year{1970} / 1 / 1}};
    const sys_seconds until{std::chrono::sys_days{std::chrono::year{2200} / 1 / 1}};
    const auto first = zone->get_info(from);
    std::vector<scenes::ZoneTransition> transitions;
    auto offset = first.offset;
    for (auto t = first.end; t < until;) {
        const auto info = zone->get_info(t);
        if (info.offset != offset) transitions.push_back({info.begin, info.offset});
        offset = info.offset;
        if (info.end <= t) break;
        t = info.end;
    }
    return scenes::TimeZone{name, first.offset, std::move(transitions)};
}

}  // namespace hearth::hub
