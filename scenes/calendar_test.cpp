#include "scenes/calendar.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "scenes/test_time_zones.hpp"

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
    CHECK(p->time_zone.fixed_offset() == minutes(480));
    const auto bad = place_from_json(nlohmann::json{{"latitude", 99}, {"longitude", 0}, {"utc_offset_minutes", 0}});
    REQUIRE(bad.has_error());
    CHECK(bad.error().field == "latitude");
    CHECK(place_from_json(nlohmann::json{{"latitude", 0}, {"longitude", 0}, {"utc_offset_minutes", 1.5}}).error().field ==
          "utc_offset_minutes");
}

TEST_CASE("Local time follows daylight-saving time in the home's zone") {
    const Place berlin{52.5, 13.4, test::berlin_2026()};
    CHECK(to_local(utc(2026, 3, 29, 0, 59), berlin).time_of_day == hours(1) + minutes(59));
    CHECK(to_local(utc(2026, 3, 29, 1), berlin).time_of_day == hours(3));
    CHECK(to_local(utc(2026, 7, 1, 22), berlin).date == year{2026} / July / day{2});
    CHECK(at_local(year{2026} / July / day{1}, hours(7), berlin) == utc(2026, 7, 1, 5));
}

TEST_CASE("An at time the clocks skip comes once, when they jump; a repeated one comes once, the first time") {
    const Place berlin{52.5, 13.4, test::berlin_2026()};
    const auto half_past_two = hours(2) + minutes(30);
    const auto spring = next_local(utc(2026, 3, 28, 23), half_past_two, berlin);
    CHECK(spring == utc(2026, 3, 29, 1));
    CHECK(next_local(spring, half_past_two, berlin) == utc(2026, 3, 30, 0, 30));
    const auto autumn = next_local(utc(2026, 10, 24, 23), half_past_two, berlin);
    CHECK(autumn == utc(2026, 10, 25, 0, 30));
    CHECK(next_local(autumn, half_past_two, berlin) == utc(2026, 10, 26, 1, 30));
    CHECK(next_local(utc(2026, 10, 25, 1), half_past_two, berlin) == utc(2026, 10, 26, 1, 30));
}

TEST_CASE("A location names an IANA time zone, resolved by the lookup it is given") {
    const TimeZoneLookup lookup = [](const std::string& name) -> hearth::proto::Result<TimeZone> {
        if (name == "Europe/Berlin") return test::berlin_2026();
        return hearth::proto::make_error(hearth::proto::Errc::invalid_field, "not in the database");
    };
    const auto p = place_from_json(nlohmann::json{{"latitude", 52.5}, {"longitude", 13.4}, {"time_zone", "Europe/Berlin"}}, lookup);
    REQUIRE(p.has_value());
    CHECK(p->time_zone.name() == "Europe/Berlin");
    CHECK(to_json(*p) == nlohmann::json{{"latitude", 52.5}, {"longitude", 13.4}, {"time_zone", "Europe/Berlin"}});
    const auto unknown = place_from_json(nlohmann::json{{"latitude", 0}, {"longitude", 0}, {"time_zone", "Mars/Olympus"}}, lookup);
    REQUIRE(unknown.has_error());
    CHECK(unknown.error().field == "time_zone");
    CHECK(unknown.error().message.find("Mars/Olympus") != std::string::npos);
    CHECK(place_from_json(nlohmann::json{{"latitude", 0}, {"longitude", 0}, {"time_zone", 8}}, lookup).error().field == "time_zone");
}

TEST_CASE("A location without a zone keeps its fixed offset, and says so when written back") {
    const auto p = place_from_json(nlohmann::json{{"latitude", 39.9}, {"longitude", 116.4}, {"utc_offset_minutes", 480}});
    REQUIRE(p.has_value());
    CHECK(to_json(*p) == nlohmann::json{{"latitude", 39.9}, {"longitude", 116.4}, {"utc_offset_minutes", 480}});
}
