#include "scenes/calendar.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::scenes;
using namespace std::chrono;

namespace {
TimePoint utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    return sys_days{year{y} / month{m} / day{d}} + hours(h) + minutes(min);
}
}  // namespace

TEST_CASE("Local time applies the home's fixed UTC offset") {
    const Place beijing{39.9, 116.4, 480};
    const auto t = to_local(utc(2026, 1, 31, 20, 15), beijing);
    CHECK(t.date == year{2026} / February / day{1});
    CHECK(t.time_of_day == hours(4) + minutes(15));
    CHECK(iso_weekday(t.weekday) == 7);
}

TEST_CASE("The next local time of day is today when still ahead, else tomorrow") {
    const Place p{0, 0, 60};
    CHECK(next_local(utc(2026, 3, 1, 5), hours(7), p) == utc(2026, 3, 1, 6));
    CHECK(next_local(utc(2026, 3, 1, 6), hours(7), p) == utc(2026, 3, 2, 6));
}

TEST_CASE("Seasons follow the hemisphere") {
    CHECK(season(utc(2026, 7, 1, 12), Place{39.9, 116.4, 480}) == Season::summer);
    CHECK(season(utc(2026, 7, 1, 12), Place{-33.9, 151.2, 600}) == Season::winter);
    CHECK(season(utc(2026, 4, 1, 12), Place{-33.9, 151.2, 600}) == Season::autumn);
    CHECK(season(utc(2026, 12, 31, 20), Place{0, 0, 480}) == Season::winter);
}

TEST_CASE("Times of day parse strictly and windows wrap past midnight") {
    CHECK(parse_time_of_day("07:30") == hours(7) + minutes(30));
    CHECK(parse_time_of_day("23:59:59") == hours(23) + minutes(59) + seconds(59));
    CHECK_FALSE(parse_time_of_day("24:00"));
    CHECK_FALSE(parse_time_of_day("7:30"));
    CHECK_FALSE(parse_time_of_day("07-30"));
    CHECK(in_window(hours(23), hours(22), hours(6)));
    CHECK(in_window(hours(1), hours(22), hours(6)));
    CHECK_FALSE(in_window(hours(12), hours(22), hours(6)));
    CHECK(in_window(hours(12), hours(9), hours(17)));
}

TEST_CASE("A location reads latitude, longitude and a whole-minute UTC offset") {
    const auto p = place_from_json(nlohmann::json{{"latitude", 39.9}, {"longitude", 116.4}, {"utc_offset_minutes", 480}});
    REQUIRE(p.has_value());
    CHECK(p->utc_offset_minutes == 480);
    const auto bad = place_from_json(nlohmann::json{{"latitude", 99}, {"longitude", 0}, {"utc_offset_minutes", 0}});
    REQUIRE(bad.has_error());
    CHECK(bad.error().field == "latitude");
    CHECK(place_from_json(nlohmann::json{{"latitude", 0}, {"longitude", 0}, {"utc_offset_minutes", 1.5}}).error().field ==
          "utc_offset_minutes");
}
