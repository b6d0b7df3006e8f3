#include "rules/sun.hpp"

#include <catch2/catch.hpp>
#include <cmath>

#include "scenes/test_time_zones.hpp"

using namespace hearth;
using namespace hearth::rules;
using namespace std::chrono;

namespace {

const scenes::Place kBeijing{39.9042, 116.4074, 480};

scenes::TimePoint local(const scenes::Place& p, int y, unsigned m, unsigned d, int h, int min = 0) {
    return scenes::at_local(year{y} / month{m} / day{d}, hours(h) + minutes(min), p);
}

long minutes_between(scenes::TimePoint a, scenes::TimePoint b) { return std::lround(duration<double>(a - b).count() / 60); }

}  // namespace

TEST_CASE("Sunrise and sunset in Beijing at midsummer match the almanac within a few minutes") {
    const auto midnight = local(kBeijing, 2026, 6, 21, 0);
    const auto rise = next_sun_event(SunEvent::sunrise, midnight, kBeijing);
    const auto set = next_sun_event(SunEvent::sunset, midnight, kBeijing);
    REQUIRE(rise);
    REQUIRE(set);
    CHECK(std::abs(minutes_between(*rise, local(kBeijing, 2026, 6, 21, 4, 46))) <= 4);
    CHECK(std::abs(minutes_between(*set, local(kBeijing, 2026, 6, 21, 19, 46))) <= 4);
}

TEST_CASE("The next sunset after a sunset is the following evening") {
    const auto first = next_sun_event(SunEvent::sunset, local(kBeijing, 2026, 12, 1, 12), kBeijing);
    REQUIRE(first);
    const auto second = next_sun_event(SunEvent::sunset, *first, kBeijing);
    REQUIRE(second);
    CHECK(std::abs(minutes_between(*second, *first) - 24 * 60) <= 3);
}

TEST_CASE("The sun is high at noon and below the horizon at midnight") {
    CHECK(sun_elevation(local(kBeijing, 2026, 6, 21, 12, 15), kBeijing) > 70);
    CHECK(sun_elevation(local(kBeijing, 2026, 6, 21, 0), kBeijing) < -10);
    CHECK(sun_elevation(local(kBeijing, 2026, 12, 21, 12, 10), kBeijing) < 30);
}

TEST_CASE("Polar night has no sunrise") {
    const scenes::Place svalbard{78.2, 15.6, 60};
    CHECK_FALSE(next_sun_event(SunEvent::sunrise, local(svalbard, 2026, 12, 20, 0), svalbard));
}

TEST_CASE("Sunrise and sunset in Berlin stay right on the days the clocks change") {
    const scenes::Place berlin{52.52, 13.405, scenes::test::berlin_2026()};
    // NOAA's solar calculator, in local time: 29 March (CEST from 03:00), 25 October (CET from 03:00).
    const auto spring_rise = next_sun_event(SunEvent::sunrise, local(berlin, 2026, 3, 29, 0), berlin);
    const auto spring_set = next_sun_event(SunEvent::sunset, local(berlin, 2026, 3, 29, 0), berlin);
    const auto autumn_rise = next_sun_event(SunEvent::sunrise, local(berlin, 2026, 10, 25, 0), berlin);
    const auto autumn_set = next_sun_event(SunEvent::sunset, local(berlin, 2026, 10, 25, 0), berlin);
    REQUIRE(spring_rise);
    REQUIRE(spring_set);
    REQUIRE(autumn_rise);
    REQUIRE(autumn_set);
    CHECK(std::abs(minutes_between(*spring_rise, local(berlin, 2026, 3, 29, 6, 50))) <= 4);
    CHECK(std::abs(minutes_between(*spring_set, local(berlin, 2026, 3, 29, 19, 33))) <= 4);
    CHECK(std::abs(minutes_between(*autumn_rise, local(berlin, 2026, 10, 25, 6, 47))) <= 4);
    CHECK(std::abs(minutes_between(*autumn_set, local(berlin, 2026, 10, 25, 16, 50))) <= 4);
    CHECK(scenes::to_local(*spring_rise, berlin).date == year{2026} / March / day{29});
    CHECK(scenes::to_local(*autumn_set, berlin).date == year{2026} / October / day{25});
}
