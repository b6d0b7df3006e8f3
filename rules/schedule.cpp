#include "rules/schedule.hpp"

#include <charconv>
#include <sstream>
#include <vector>

namespace hearth::rules {

using namespace std::chrono;

namespace {

std::optional<int> number(std::string_view s) {
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

/// Sets the bits a field selects; false when the field is malformed or out of [lo, hi].
template <std::size_t N>
bool parse_field(std::string_view field, int lo, int hi, std::bitset<N>& bits) {
    while (!field.empty()) {
        const auto comma = field.find(',');
        auto part = field.substr(0, comma);
        field = comma == std::string_view::npos ? std::string_view{} : field.substr(comma + 1);
        if (comma != std::string_view::npos && field.empty()) return false;
        int step = 1;
        if (const auto slash = part.find('/'); slash != std::string_view::npos) {
            const auto s = number(part.substr(slash + 1));
            if (!s || *s <= 0) return false;
            step = *s;
            part = part.substr(0, slash);
        }
        int first = lo;
        int last = hi;
        if (part != "*") {
            const auto dash = part.find('-');
            const auto a = number(part.substr(0, dash));
            const auto b = dash == std::string_view::npos ? a : number(part.substr(dash + 1));
            if (!a || !b || *a > *b) return false;
            first = *a;
            last = *b;
            if (dash == std::string_view::npos && step != 1) last = hi;
        }
        if (first < lo || last > hi) return false;
        for (int v = first; v <= last; v += step) bits.set(static_cast<std::size_t>(v));
    }
    return true;
}

}  // namespace

proto::Result<Schedule> Schedule::parse(std::string_view spec) {
    std::istringstream in{std::string(spec)};
    std::vector<std::string> fields;
    for (std::string f; in >> f;) fields.push_back(f);
    if (fields.size() != 5) {
        return proto::make_error(proto::Errc::invalid_field,
                                 "a schedule has five fields: minute hour day-of-month month day-of-week");
    }
    Schedule s;
    s.spec_ = std::string(spec);
    std::bitset<8> weekdays;
    static constexpr const char* kNames[] = {"minute", "hour", "day of month", "month", "day of week"};
    const bool ok[] = {parse_field(fields[0], 0, 59, s.minutes_), parse_field(fields[1], 0, 23, s.hours_),
                       parse_field(fields[2], 1, 31, s.days_), parse_field(fields[3], 1, 12, s.months_),
                       parse_field(fields[4], 0, 7, weekdays)};
    for (int i = 0; i < 5; ++i) {
        if (!ok[i]) {
            return proto::make_error(proto::Errc::invalid_field,
                                     std::string("bad ") + kNames[i] + " field '" + fields[static_cast<std::size_t>(i)] + "'");
        }
    }
    for (std::size_t d = 0; d < 7; ++d) s.weekdays_[d] = weekdays[d] || (d == 0 && weekdays[7]);
    s.any_day_ = fields[2] == "*";
    s.any_weekday_ = fields[4] == "*";
    return s;
}

// Walks local days and, within a day, every matching wall time. When the clocks go forward, a wall
// time in the skipped hour runs once, at the jump (cron's usual rule). When they go back, a fixed
// hour runs once, in the first pass; an every-hour schedule (hour field `*`) runs in both passes,
// so "every 15 minutes" keeps its rhythm. Instants of one local day all come before the next
// day's, but not in wall order on a repeated hour, hence the earliest over the day.
std::optional<scenes::TimePoint> Schedule::next_after(scenes::TimePoint after, const scenes::Place& place) const {
    const auto local = scenes::to_local(after, place);
    const auto start_day = local_days{local.date};
    const bool every_hour = hours_.all();
    for (int d = 0; d <= 366 * 5; ++d) {
        const auto day = start_day + days(d);
        const year_month_day date{day};
        if (!months_[static_cast<unsigned>(date.month())]) continue;
        const bool dom = days_[static_cast<unsigned>(date.day())];
        const bool dow = weekdays_[weekday{day}.c_encoding()];
        const bool day_ok = any_day_ && any_weekday_ ? true
                            : any_day_           ? dow
                            : any_weekday_       ? dom
                                                 : dom || dow;
        if (!day_ok) continue;
        std::optional<scenes::TimePoint> best;
        const auto consider = [&](scenes::TimePoint t) {
            if (t > after && (!best || t < *best)) best = t;
        };
        for (int h = 0; h < 24; ++h) {
            if (!hours_[static_cast<std::size_t>(h)]) continue;
            for (int m = 0; m < 60; ++m) {
                if (!minutes_[static_cast<std::size_t>(m)]) continue;
                const auto at = place.time_zone.instants_of(day + hours(h) + minutes(m));
                consider(at.first);
                if (every_hour && at.kind == scenes::LocalInstants::Kind::ambiguous) consider(at.second);
            }
        }
        if (best) return best;
    }
    return std::nullopt;
}

}  // namespace hearth::rules
