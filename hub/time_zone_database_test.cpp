#include "hub/time_zone_database.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "scenes/calendar.hpp"
#include "scenes/test_time_zones.hpp"

using namespace hearth;
using namespace std::chrono;

TEST_CASE("Europe/Berlin from the system database has the 2026 changes the core tests assume") {
    const auto berlin = hub::load_time_zone("Europe/Berlin");
    REQUIRE(berlin.has_value());
    CHECK(berlin->name() == "Europe/Berlin");
    CHECK(berlin->fixed_offset() == std::nullopt);
    const auto hand = scenes::test::berlin_2026();
    for (sys_seconds t = sys_days{2026y / January / 1}; t < sys_days{2027y / January / 1}; t += hours(1)) {
        REQUIRE(berlin->offset_at(t) == hand.offset_at(t));
    }
    CHECK(berlin->offset_at(sys_days{2037y / July / 1}) == hours(2));
}

TEST_CASE("America/New_York and Asia/Shanghai load with their offsets") {
    const auto ny = hub::load_time_zone("America/New_York");
    REQUIRE(ny.has_value());
    CHECK(ny->offset_at(sys_days{2026y / March / 8} + hours(6) + minutes(59)) == hours(-5));
    CHECK(ny->offset_at(sys_days{2026y / March / 8} + hours(7)) == hours(-4));
    const auto shanghai = hub::load_time_zone("Asia/Shanghai");
    REQUIRE(shanghai.has_value());
    CHECK(shanghai->offset_at(sys_days{2026y / July / 1}) == hours(8));
    CHECK(shanghai->offset_at(sys_days{2026y / January / 1}) == hours(8));
}

TEST_CASE("An unknown time zone in a location is refused, naming time_zone") {
    CHECK(hub::load_time_zone("Mars/Olympus_Mons").has_error());
    const auto place = scenes::place_from_json(
        nlohmann::json{{"latitude", 52.5}, {"longitude", 13.4}, {"time_zone", "Europe/Berln"}}, hub::load_time_zone);
    REQUIRE(place.has_error());
    CHECK(place.error().code == proto::Errc::invalid_field);
    CHECK(place.error().field == "time_zone");
    CHECK(place.error().message.find("Europe/Berln") != std::string::npos);
}
