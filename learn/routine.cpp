#include "learn/routine.hpp"

#include <algorithm>
#include <map>

namespace hearth::learn {

namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr std::int64_t kMsPerDay = 24LL * 60 * 60 * 1000;

struct Occurrence {
    std::int64_t day = 0;  // local days since 1970-01-01
    int minute = 0;        // local minutes since midnight; beyond a day for a window's wrapped copy
    std::int64_t at_ms = 0;
};

struct Local {
    std::int64_t day = 0;
    int minute = 0;
};

Local local_of(std::int64_t at_ms, const scenes::TimeZone& zone) {
    const auto instant = std::chrono::sys_seconds(std::chrono::seconds(at_ms / 1000));
    const auto local_ms = at_ms + std::chrono::milliseconds(zone.offset_at(instant)).count();
    const auto day = local_ms >= 0 ? local_ms / kMsPerDay : (local_ms - kMsPerDay + 1) / kMsPerDay;
    return Local{day, static_cast<int>((local_ms - day * kMsPerDay) / 60'000)};
}

bool is_weekend(std::int64_t day) {
    const std::chrono::weekday w{std::chrono::sys_days(std::chrono::days(day))};
    return w == std::chrono::Saturday || w == std::chrono::Sunday;
}

bool matches(DayType days, std::int64_t day) {
    switch (days) {
        case DayType::every_day: return true;
        case DayType::weekdays: return !is_weekend(day);
        case DayType::weekends: return is_weekend(day);
    }
    return false;
}

int days_of_type(DayType days, std::int64_t first, std::int64_t last) {
    int n = 0;
    for (auto d = first; d <= last; ++d) n += matches(days, d);
    return n;
}

/// The window of at most `width` minutes holding occurrences on the most distinct days (the
/// narrower on a tie), with the earliest occurrence of each of those days.
struct Window {
    int start = 0;
    int end = 0;
    std::vector<Occurrence> per_day;
};

Window best_window(std::vector<Occurrence> occurrences, int width) {
    const auto n = occurrences.size();
    // A copy a day later lets a window run past midnight: 23:50 and 00:10 the next morning.
    for (std::size_t i = 0; i < n; ++i) {
        auto wrapped = occurrences[i];
        wrapped.minute += kMinutesPerDay;
        wrapped.day -= 1;
        occurrences.push_back(wrapped);
    }
    std::ranges::sort(occurrences, [](const Occurrence& a, const Occurrence& b) {
        return a.minute != b.minute ? a.minute < b.minute : a.day < b.day;
    });
    // Two pointers over the sorted occurrences, counting occurrences per day inside the window, so
    // a pass is linear in the occurrences (a year of a busy home has tens of thousands per target).
    std::int64_t first_day = occurrences.empty() ? 0 : occurrences.front().day;
    for (const auto& o : occurrences) first_day = std::min(first_day, o.day);
    std::vector<int> per_day_count;
    const auto slot = [&](const Occurrence& o) -> int& {
        const auto index = static_cast<std::size_t>(o.day - first_day);
        if (index >= per_day_count.size()) per_day_count.resize(index + 1, 0);
        return per_day_count[index];
    };
    std::size_t distinct = 0, best_days = 0, best_i = 0, best_j = 0;
    int best_span = kMinutesPerDay;
    std::size_t j = 0;
    for (std::size_t i = 0; i < occurrences.size() && occurrences[i].minute < kMinutesPerDay; ++i) {
        while (j < occurrences.size() && occurrences[j].minute <= occurrences[i].minute + width) {
            if (slot(occurrences[j])++ == 0) ++distinct;
            ++j;
        }
        const int span = occurrences[j - 1].minute - occurrences[i].minute;
        if (distinct > best_days || (distinct == best_days && span < best_span)) {
            best_days = distinct;
            best_span = span;
            best_i = i;
            best_j = j;
        }
        if (--slot(occurrences[i]) == 0) --distinct;
    }
    Window best;
    if (best_j == 0) return best;
    best.start = occurrences[best_i].minute;
    best.end = occurrences[best_j - 1].minute;
    std::vector<bool> seen;
    for (auto k = best_i; k < best_j; ++k) {
        const auto index = static_cast<std::size_t>(occurrences[k].day - first_day);
        if (index >= seen.size()) seen.resize(index + 1, false);
        if (seen[index]) continue;
        seen[index] = true;
        best.per_day.push_back(occurrences[k]);
    }
    return best;
}

bool holds_on(const Window& window, DayType days, std::int64_t first, std::int64_t last, const RoutineOptions& options) {
    const int eligible = days_of_type(days, first, last);
    if (eligible == 0) return true;
    const auto support = std::ranges::count_if(window.per_day, [&](const Occurrence& o) { return matches(days, o.day); });
    return static_cast<double>(support) / eligible >= options.min_share_each_day_type;
}

bool in_window(int minute, int start, int end) {
    for (const int m : {minute - kMinutesPerDay, minute, minute + kMinutesPerDay})
        if (m >= start && m <= end) return true;
    return false;
}

std::chrono::minutes time_of_day(int minute) { return std::chrono::minutes(minute % kMinutesPerDay); }

struct TargetHistory {
    std::vector<Occurrence> manual;
    std::vector<Occurrence> automated;
};

}  // namespace

std::uint32_t Snapshot::target_of(const Target& target) {
    for (std::size_t i = 0; i < targets.size(); ++i)
        if (targets[i] == target) return static_cast<std::uint32_t>(i);
    targets.push_back(target);
    return static_cast<std::uint32_t>(targets.size() - 1);
}

bool is_manual(proto::Cause cause) noexcept {
    return cause == proto::Cause::device || cause == proto::Cause::app || cause == proto::Cause::voice;
}

std::string_view to_string(DayType days) noexcept {
    switch (days) {
        case DayType::every_day: return "every_day";
        case DayType::weekdays: return "weekdays";
        case DayType::weekends: return "weekends";
    }
    return "every_day";
}

std::vector<Routine> find_routines(const Snapshot& snapshot, TimePoint now, const scenes::TimeZone& zone,
                                   const RoutineOptions& options) {
    if (snapshot.actions.empty()) return {};
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const auto from_ms = now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(options.look_back).count();
    // Today is not over: the look-back ends at its local midnight.
    const auto today = local_of(now_ms, zone).day;
    const auto first_ms = std::max(from_ms, snapshot.actions.front().at_ms);
    const auto first_day = local_of(first_ms, zone).day;
    const auto last_day = today - 1;
    if (last_day < first_day) return {};

    std::map<std::uint32_t, TargetHistory> by_target;
    for (const auto& action : snapshot.actions) {
        if (action.at_ms < from_ms || action.at_ms >= now_ms) continue;
        const auto local = local_of(action.at_ms, zone);
        if (local.day < first_day || local.day > last_day) continue;
        const Occurrence o{local.day, local.minute, action.at_ms};
        if (is_manual(action.cause))
            by_target[action.target].manual.push_back(o);
        else if (action.cause == proto::Cause::rule || action.cause == proto::Cause::scene)
            by_target[action.target].automated.push_back(o);
    }

    std::vector<Routine> found;
    for (const auto& [target, history] : by_target) {
        if (history.manual.size() < static_cast<std::size_t>(options.min_days)) continue;
        bool every_day = false;
        for (const auto days : {DayType::every_day, DayType::weekdays, DayType::weekends}) {
            if (every_day) break;
            std::vector<Occurrence> of_type;
            for (const auto& o : history.manual)
                if (matches(days, o.day)) of_type.push_back(o);
            const int eligible = days_of_type(days, first_day, last_day);
            if (eligible < options.min_days || of_type.size() < static_cast<std::size_t>(options.min_days)) continue;
            auto window = best_window(std::move(of_type), static_cast<int>(options.max_window.count()));
            const int support = static_cast<int>(window.per_day.size());
            const double consistency = static_cast<double>(support) / eligible;
            if (support < options.min_days || consistency < options.min_consistency) continue;
            // Every day means weekdays and weekends alike: 07:00 on weekdays only is 20 of 28 days (0.71).
            if (days == DayType::every_day && !(holds_on(window, DayType::weekdays, first_day, last_day, options) &&
                                                holds_on(window, DayType::weekends, first_day, last_day, options)))
                continue;

            std::vector<std::int64_t> automated_days;
            const int margin = static_cast<int>(options.automation_margin.count());
            for (const auto& o : history.automated)
                if (matches(days, o.day) && in_window(o.minute, window.start - margin, window.end + margin))
                    automated_days.push_back(o.day);
            std::ranges::sort(automated_days);
            const auto automated = std::ranges::unique(automated_days).begin() - automated_days.begin();
            if (static_cast<double>(automated) >= options.automated_share * support) continue;

            Routine routine;
            routine.target = snapshot.targets.at(target);
            routine.days = days;
            routine.window_start = time_of_day(window.start);
            routine.window_end = time_of_day(window.end);
            std::vector<int> minutes;
            for (const auto& o : window.per_day) minutes.push_back(o.minute);
            std::ranges::sort(minutes);
            routine.typical = time_of_day(minutes[minutes.size() / 2]);
            routine.support = support;
            routine.eligible_days = eligible;
            routine.consistency = consistency;
            std::ranges::sort(window.per_day, {}, &Occurrence::at_ms);
            for (const auto& o : window.per_day)
                routine.occurrences.push_back(TimePoint(std::chrono::milliseconds(o.at_ms)));
            found.push_back(std::move(routine));
            every_day = days == DayType::every_day;
        }
    }
    std::ranges::sort(found, [](const Routine& a, const Routine& b) {
        return a.consistency != b.consistency ? a.consistency > b.consistency : a.support > b.support;
    });
    return found;
}

}  // namespace hearth::learn
