#include "rules/schedule.hpp"

#include <catch2/catch.hpp>

#include "scenes/test_time_zones.hpp"

using namespace hearth;
using namespace hearth::rules;
using namespace std::chrono;

namespace {

const scenes::Place kHome{39.9, 116.4, 480};

scenes::TimePoint local(int y, unsigned m, unsigned d, int h, int min = 0) {
    return scenes::at_local(year{y} / month{m} / day{d}, hours(h) + minutes(min), kHome);
}

Schedule schedule(const char* spec) {
    auto s = Schedule::parse(spec);
    REQUIRE(s.has_value());
    return *s;
}

}  // namespace

TEST_CASE("A step schedule fires at the next matching minute in local time") {
    CHECK(schedule("*/15 * * * *").next_after(local(2026, 5, 4, 10, 7), kHome) == local(2026, 5, 4, 10, 15));
    CHECK(schedule("*/15 * * * *").next_after(local(2026, 5, 4, 10, 15), kHome) == local(2026, 5, 4, 10, 30));
}

TEST_CASE("A weekday schedule skips the weekend") {
    // 2026-05-08 is a Friday.
    CHECK(schedule("30 7 * * 1-5").next_after(local(2026, 5, 8, 8), kHome) == local(2026, 5, 11, 7, 30));
    CHECK(schedule("0 9 * * 0,6").next_after(local(2026, 5, 8, 8), kHome) == local(2026, 5, 9, 9));
    CHECK(schedule("0 9 * * 7").next_after(local(2026, 5, 8, 8), kHome) == local(2026, 5, 10, 9));
}

TEST_CASE("Day of month and month restrict the schedule, and leap days are found") {
    CHECK(schedule("0 0 29 2 *").next_after(local(2026, 3, 1, 0), kHome) == local(2028, 2, 29, 0));
    CHECK(schedule("15 8 1 */3 *").next_after(local(2026, 2, 10, 0), kHome) == local(2026, 4, 1, 8, 15));
}

TEST_CASE("Malformed schedules are refused naming the field") {
    const auto error = [](const char* spec) {
        auto s = Schedule::parse(spec);
        REQUIRE(s.has_error());
        return s.error().message;
    };
    CHECK(error("* * * *").find("five fields") != std::string::npos);
    CHECK(error("60 * * * *").find("minute") != std::string::npos);
    CHECK(error("* 7-5 * * *").find("hour") != std::string::npos);
    CHECK(error("* * * * mon").find("day of week") != std::string::npos);
    CHECK(error("*/0 * * * *").find("minute") != std::string::npos);
    CHECK(error("1, * * * *").find("minute") != std::string::npos);
}

namespace {

const scenes::Place kBerlin{52.52, 13.405, scenes::test::berlin_2026()};
const scenes::Place kNewYork{40.71, -74.01, scenes::test::new_york_2026()};

scenes::TimePoint utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    return sys_days{year{y} / month{m} / day{d}} + hours(h) + minutes(min);
}

/// How many times `spec` fires in [from, to).
int runs(const char* spec, scenes::TimePoint from, scenes::TimePoint to, const scenes::Place& place) {
    const auto s = schedule(spec);
    int n = 0;
    for (auto t = s.next_after(from - seconds(1), place); t && *t < to; t = s.next_after(*t, place)) ++n;
    return n;
}

}  // namespace

TEST_CASE("On the spring-forward day a cron at 02:30 runs once, at 03:00") {
    const auto s = schedule("30 2 * * *");
    const auto first = s.next_after(utc(2026, 3, 28, 12), kBerlin);
    CHECK(first == utc(2026, 3, 29, 1));  // 03:00 CEST, the instant the clocks jump
    CHECK(s.next_after(*first, kBerlin) == utc(2026, 3, 30, 0, 30));  // 02:30 CEST
    CHECK(runs("30 2 * * *", utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), kBerlin) == 1);
}

TEST_CASE("On the fall-back day a cron at 02:30 runs once, at the first 02:30") {
    const auto s = schedule("30 2 * * *");
    const auto first = s.next_after(utc(2026, 10, 24, 12), kBerlin);
    CHECK(first == utc(2026, 10, 25, 0, 30));  // 02:30 CEST, not 02:30 CET an hour later
    CHECK(s.next_after(*first, kBerlin) == utc(2026, 10, 26, 1, 30));
    CHECK(runs("30 2 * * *", utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), kBerlin) == 1);
}

TEST_CASE("An every-hour cron keeps its rhythm through both changes, in New York too") {
    // The local day is 23 hours long in spring and 25 in autumn.
    CHECK(runs("*/15 * * * *", utc(2026, 3, 8, 5), utc(2026, 3, 9, 4), kNewYork) == 92);
    CHECK(runs("*/15 * * * *", utc(2026, 11, 1, 4), utc(2026, 11, 2, 5), kNewYork) == 100);
    CHECK(runs("0 * * * *", utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), kBerlin) == 25);
    CHECK(runs("0 9 * * *", utc(2026, 3, 7, 12), utc(2026, 3, 10, 12), kNewYork) == 3);
    CHECK(schedule("0 9 * * *").next_after(utc(2026, 3, 8, 12), kNewYork) == utc(2026, 3, 8, 13));  // 09:00 EDT
}
