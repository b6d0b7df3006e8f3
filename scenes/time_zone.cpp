#include "scenes/time_zone.hpp"

#include <algorithm>
#include <cstdlib>

namespace hearth::scenes {

using namespace std::chrono;

TimeZone TimeZone::fixed(minutes offset) {
    TimeZone zone{"UTC" + format_offset(offset), offset, {}};
    zone.fixed_ = offset;
    return zone;
}

TimeZone::TimeZone(std::string name, seconds initial, std::vector<ZoneTransition> transitions)
    : name_(std::move(name)),
      initial_(initial),
      transitions_(std::make_shared<const std::vector<ZoneTransition>>(std::move(transitions))) {}

seconds TimeZone::offset_at(sys_seconds t) const noexcept {
    if (!transitions_) return initial_;
    const auto& list = *transitions_;
    const auto after = std::upper_bound(list.begin(), list.end(), t,
                                        [](sys_seconds v, const ZoneTransition& z) { return v < z.at; });
    return after == list.begin() ? initial_ : std::prev(after)->offset;
}

// A wall time can only be shown at UTC = local - offset for an offset in force near it. Real zones
// change offset at most once within any two days, so the offsets a day either side are the only
// candidates; each candidate instant is checked against the offset actually in force then.
LocalInstants TimeZone::instants_of(local_seconds local) const noexcept {
    const sys_seconds as_utc{local.time_since_epoch()};
    const auto before = offset_at(as_utc - days(1));
    const auto after = offset_at(as_utc + days(1));
    const auto valid = [&](seconds offset) { return offset_at(as_utc - offset) == offset; };
    const bool early = valid(before);
    const bool late = valid(after);
    if (early && late && before != after) {
        const auto a = as_utc - before;
        const auto b = as_utc - after;
        return {LocalInstants::Kind::ambiguous, std::min(a, b), std::max(a, b)};
    }
    if (early || late) {
        const auto t = as_utc - (early ? before : after);
        return {LocalInstants::Kind::unique, t, t};
    }
    // Skipped: the clock jumped from before the wall time to after it at one transition, the first
    // one after the earliest instant that could have shown it.
    const auto from = as_utc - std::max(before, after);
    const auto& list = *transitions_;
    const auto it = std::upper_bound(list.begin(), list.end(), from,
                                     [](sys_seconds v, const ZoneTransition& z) { return v < z.at; });
    const auto t = it == list.end() ? from : it->at;
    return {LocalInstants::Kind::nonexistent, t, t};
}

std::string format_offset(seconds offset) {
    const auto total = std::abs(offset.count());
    const auto two = [](long long v) { return std::string{static_cast<char>('0' + v / 10 % 10), static_cast<char>('0' + v % 10)}; };
    return (offset.count() < 0 ? "-" : "+") + two(total / 3600) + ":" + two(total / 60 % 60);
}

}  // namespace hearth::scenes
