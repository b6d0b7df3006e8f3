#include "scenes/timestamp.hpp"

#include <catch2/catch.hpp>

#include "scenes/test_time_zones.hpp"

using namespace hearth::scenes;
using namespace std::chrono;

namespace {
TimePoint utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    return sys_days{year{y} / month{m} / day{d}} + hours(h) + minutes(min);
}
}  // namespace

TEST_CASE("ISO 8601 timestamps are read with Z, an offset, or none (UTC)") {
    CHECK(parse_iso8601("2026-03-29T01:00:00Z") == utc(2026, 3, 29, 1));
    CHECK(parse_iso8601("2026-03-29T03:00:00+02:00") == utc(2026, 3, 29, 1));
    CHECK(parse_iso8601("2026-03-28T20:00:00-05:00") == utc(2026, 3, 29, 1));
    CHECK(parse_iso8601("2026-03-29T06:45:00+0545") == utc(2026, 3, 29, 1));
    CHECK(parse_iso8601("2026-03-29T09:00:00+08") == utc(2026, 3, 29, 1));
    CHECK(parse_iso8601("2026-03-29T01:00:00") == utc(2026, 3, 29, 1));
    CHECK(parse_iso8601("2026-03-29T01:00:00.250Z") == utc(2026, 3, 29, 1) + milliseconds(250));
}

TEST_CASE("Malformed or impossible timestamps are refused") {
    CHECK_FALSE(parse_iso8601(""));
    CHECK_FALSE(parse_iso8601("2026-02-30T01:00:00Z"));
    CHECK_FALSE(parse_iso8601("2026-03-29T24:00:00Z"));
    CHECK_FALSE(parse_iso8601("2026-03-29 01:00:00Z"));
    CHECK_FALSE(parse_iso8601("2026-03-29T01:00:00 02:00"));  // a '+' decoded as a space
    CHECK_FALSE(parse_iso8601("2026-03-29T01:00:00+2:00"));
    CHECK_FALSE(parse_iso8601("2026-03-29T01:00:00+02:00x"));
    CHECK_FALSE(parse_iso8601("2026-03-29T01:00:00."));
    CHECK_FALSE(parse_iso8601("+026-03-29T01:00:00Z"));
    CHECK_FALSE(parse_iso8601("9999-12-31T23:59:59Z"));
}

TEST_CASE("Timestamps are written in the home's zone with the offset of that moment") {
    const auto berlin = test::berlin_2026();
    CHECK(format_iso8601(utc(2026, 3, 29, 0, 59), berlin) == "2026-03-29T01:59:00+01:00");
    CHECK(format_iso8601(utc(2026, 3, 29, 1), berlin) == "2026-03-29T03:00:00+02:00");
    CHECK(format_iso8601(utc(2026, 10, 25, 0, 30), berlin) == "2026-10-25T02:30:00+02:00");
    CHECK(format_iso8601(utc(2026, 10, 25, 1, 30), berlin) == "2026-10-25T02:30:00+01:00");
    CHECK(format_iso8601(utc(2026, 1, 1, 0), TimeZone::fixed(minutes(-300))) == "2025-12-31T19:00:00-05:00");
    CHECK(parse_iso8601(format_iso8601(utc(2026, 10, 25, 1, 30), berlin)) == utc(2026, 10, 25, 1, 30));
}
