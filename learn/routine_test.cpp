#include "learn/routine.hpp"

#include <catch2/catch.hpp>

using namespace hearth;
using namespace hearth::learn;
using namespace std::chrono;

namespace {

const auto kZone = scenes::TimeZone::fixed(hours(8));  // Beijing: no daylight-saving time
// Monday 2026-03-02, 00:00 in Beijing.
const TimePoint kMonday = sys_days{2026y / March / 2} - hours(8);

std::int64_t at(int day, int hour, int minute) {
    return duration_cast<milliseconds>((kMonday + days(day) + hours(hour) + minutes(minute)).time_since_epoch()).count();
}

bool weekend(int day) { return day % 7 == 5 || day % 7 == 6; }

const Target kKitchenOn{proto::DeviceId{"kitchen.light"}, "on", true};

}  // namespace

TEST_CASE("a light switched on every weekday morning within minutes is a weekday routine with its window") {
    Snapshot s;
    const auto light = s.target_of(kKitchenOn);
    for (int day = 0; day < 28; ++day) {
        if (weekend(day) || day == 9) continue;  // one weekday skipped
        s.actions.push_back({at(day, 6, 45 + day % 10), light, proto::Cause::device});
    }
    const auto found = find_routines(s, kMonday + days(28), kZone);
    REQUIRE(found.size() == 1);
    const auto& r = found.front();
    CHECK(r.target == kKitchenOn);
    CHECK(r.days == DayType::weekdays);
    CHECK(r.window_start == minutes(6 * 60 + 45));
    CHECK(r.window_end == minutes(6 * 60 + 53));
    CHECK(r.support == 19);
    CHECK(r.eligible_days == 20);
    CHECK(r.consistency == Approx(0.95));
    CHECK(r.occurrences.size() == 19);
}

TEST_CASE("changes caused by rules or scenes are never routines") {
    Snapshot s;
    const auto light = s.target_of(kKitchenOn);
    for (int day = 0; day < 28; ++day) {
        s.actions.push_back({at(day, 7, 0), light, day % 2 ? proto::Cause::rule : proto::Cause::scene});
    }
    CHECK(find_routines(s, kMonday + days(28), kZone).empty());
}

TEST_CASE("a habit on fewer days than the minimum, or too irregular, is not a routine") {
    Snapshot s;
    const auto light = s.target_of(kKitchenOn);
    for (int day = 0; day < 4; ++day) s.actions.push_back({at(day, 7, 0), light, proto::Cause::app});
    CHECK(find_routines(s, kMonday + days(5), kZone).empty());
    // Every day, but at 07:00 only on half of them.
    Snapshot irregular;
    const auto l = irregular.target_of(kKitchenOn);
    for (int day = 0; day < 28; ++day) irregular.actions.push_back({at(day, day % 2 ? 7 : 15, 0), l, proto::Cause::app});
    CHECK(find_routines(irregular, kMonday + days(28), kZone).empty());
}

TEST_CASE("a habit every day is one every-day routine, not also a weekday and a weekend one") {
    Snapshot s;
    const auto light = s.target_of(kKitchenOn);
    for (int day = 0; day < 14; ++day) s.actions.push_back({at(day, 22, 30 + day % 5), light, proto::Cause::voice});
    const auto found = find_routines(s, kMonday + days(14), kZone);
    REQUIRE(found.size() == 1);
    CHECK(found.front().days == DayType::every_day);
    CHECK(found.front().typical == minutes(22 * 60 + 32));
}

TEST_CASE("a habit around midnight is found in a window that wraps past it") {
    Snapshot s;
    const auto light = s.target_of(kKitchenOn);
    for (int day = 0; day < 14; ++day) {
        // 23:50 one evening, 00:05 after the next midnight the other.
        s.actions.push_back({day % 2 ? at(day, 23, 50) : at(day + 1, 0, 5), light, proto::Cause::device});
    }
    const auto found = find_routines(s, kMonday + days(16), kZone);
    REQUIRE(found.size() == 1);
    CHECK(found.front().window_start == minutes(23 * 60 + 50));
    CHECK(found.front().window_end == minutes(5));
}

TEST_CASE("a routine a rule already performs in the same window is not reported") {
    Snapshot s;
    const auto light = s.target_of(kKitchenOn);
    for (int day = 0; day < 14; ++day) {
        s.actions.push_back({at(day, 18, 0), light, proto::Cause::rule});
        s.actions.push_back({at(day, 17, 58), light, proto::Cause::device});  // someone is quicker
    }
    CHECK(find_routines(s, kMonday + days(14), kZone).empty());
}

TEST_CASE("weekday and weekend habits of one target at different times are two routines") {
    Snapshot s;
    const auto light = s.target_of(kKitchenOn);
    for (int day = 0; day < 28; ++day) s.actions.push_back({at(day, weekend(day) ? 9 : 7, 0), light, proto::Cause::app});
    const auto found = find_routines(s, kMonday + days(28), kZone);
    REQUIRE(found.size() == 2);
    CHECK(found[0].days != found[1].days);
    for (const auto& r : found) CHECK(r.typical == minutes(r.days == DayType::weekends ? 9 * 60 : 7 * 60));
}

TEST_CASE("only the look-back counts: habits that stopped before it are forgotten") {
    Snapshot s;
    const auto light = s.target_of(kKitchenOn);
    for (int day = 0; day < 28; ++day) s.actions.push_back({at(day, 7, 0), light, proto::Cause::app});
    CHECK(find_routines(s, kMonday + days(70), kZone).empty());
}
