#include "rules/schedule.hpp"

#include <catch2/catch.hpp>

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
