#include "scenes/time_zone.hpp"

#include <catch2/catch.hpp>

#include "scenes/test_time_zones.hpp"

using namespace hearth::scenes;
using namespace std::chrono;

namespace {
sys_seconds utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    return sys_days{year{y} / month{m} / day{d}} + hours(h) + minutes(min);
}
local_seconds wall(int y, unsigned m, unsigned d, int h, int min = 0) {
    return local_days{year{y} / month{m} / day{d}} + hours(h) + minutes(min);
}
}  // namespace

TEST_CASE("A zone's offset changes at its transitions") {
    const auto berlin = test::berlin_2026();
    CHECK(berlin.offset_at(utc(2026, 1, 15, 12)) == hours(1));
    CHECK(berlin.offset_at(utc(2026, 3, 29, 0, 59)) == hours(1));
    CHECK(berlin.offset_at(utc(2026, 3, 29, 1)) == hours(2));
    CHECK(berlin.offset_at(utc(2026, 10, 25, 1)) == hours(1));
    CHECK(berlin.fixed_offset() == std::nullopt);
}

TEST_CASE("A wall time skipped when the clocks go forward maps to the jump") {
    const auto at = test::berlin_2026().instants_of(wall(2026, 3, 29, 2, 30));
    CHECK(at.kind == LocalInstants::Kind::nonexistent);
    CHECK(at.first == utc(2026, 3, 29, 1));
}

TEST_CASE("A wall time repeated when the clocks go back has two instants, the first one first") {
    const auto at = test::berlin_2026().instants_of(wall(2026, 10, 25, 2, 30));
    CHECK(at.kind == LocalInstants::Kind::ambiguous);
    CHECK(at.first == utc(2026, 10, 25, 0, 30));
    CHECK(at.second == utc(2026, 10, 25, 1, 30));
}

TEST_CASE("Ordinary wall times have one instant, west of Greenwich too") {
    const auto ny = test::new_york_2026();
    CHECK(ny.instants_of(wall(2026, 3, 8, 1, 59)).first == utc(2026, 3, 8, 6, 59));
    CHECK(ny.instants_of(wall(2026, 3, 8, 3, 0)).first == utc(2026, 3, 8, 7));
    CHECK(ny.instants_of(wall(2026, 7, 4, 12)).kind == LocalInstants::Kind::unique);
    CHECK(ny.instants_of(wall(2026, 11, 1, 1, 30)).kind == LocalInstants::Kind::ambiguous);
}

TEST_CASE("A fixed zone is named by its offset and never changes") {
    const auto beijing = TimeZone::fixed(minutes(480));
    CHECK(beijing.name() == "UTC+08:00");
    CHECK(beijing.fixed_offset() == minutes(480));
    CHECK(beijing.instants_of(wall(2026, 3, 29, 2, 30)).first == utc(2026, 3, 28, 18, 30));
    CHECK(format_offset(minutes(-270)) == "-04:30");
    CHECK(format_offset(minutes(345)) == "+05:45");
}
