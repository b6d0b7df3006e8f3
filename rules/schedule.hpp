#pragma once
// Cron-style schedules in the home's local time: five fields, minute hour day-of-month month
// day-of-week, each `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a list of those.
// Day of week is 0–7 (0 and 7 are Sunday). When both day fields are restricted, either matches.
// Daylight-saving time: a time the clocks skip runs once, when they jump (02:30 → 03:00); a time
// they repeat runs once, the first time, unless the hour field is `*` (then in both passes).
#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "proto/errc.hpp"
#include "scenes/calendar.hpp"

namespace hearth::rules {

class Schedule {
public:
    static proto::Result<Schedule> parse(std::string_view spec);

    /// The first matching minute strictly after `after`, in the place's local time.
    std::optional<scenes::TimePoint> next_after(scenes::TimePoint after, const scenes::Place& place) const;
    const std::string& spec() const noexcept { return spec_; }

private:
    std::string spec_;
    std::bitset<60> minutes_;
    std::bitset<24> hours_;
    std::bitset<32> days_;
    std::bitset<13> months_;
    std::bitset<7> weekdays_;
    bool any_day_ = true;
    bool any_weekday_ = true;
};

}  // namespace hearth::rules
