#include "sim/sim_settings.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::sim;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("Simulator settings take their defaults when the sim block is absent") {
    const auto s = settings_from_json(json());
    REQUIRE(s.has_value());
    CHECK_FALSE(s->interval);
    CHECK(s->follows.empty());
    CHECK(s->speed == 20);
    CHECK(s->schedule.empty());
}

TEST_CASE("Simulator settings read interval, follows, schedule, playlists and initial state") {
    const auto s = settings_from_json(json::parse(R"({
        "interval": 2.5, "follows": "bedroom.ac", "room_temperature": 29, "speed": 10,
        "schedule": [{"from": "22:00", "to": "07:30"}],
        "playlists": {"jazz": ["So What", "Blue in Green"]}, "track_length": 60,
        "initial": {"on": true, "brightness": 40}})"));
    REQUIRE(s.has_value());
    CHECK(s->interval == 2500ms);
    CHECK(s->follows.value == "bedroom.ac");
    CHECK(s->room_temperature == 29);
    CHECK(s->speed == 10);
    REQUIRE(s->schedule.size() == 1);
    CHECK(s->schedule[0].from == 22h);
    CHECK(s->schedule[0].to == 7h + 30min);
    CHECK(s->playlists.at("jazz").size() == 2);
    CHECK(s->track_length == 60s);
    CHECK(s->initial.at("brightness") == hearth::proto::Value{40.0});
}

TEST_CASE("A schedule window that wraps past midnight contains the small hours but not the afternoon") {
    const TimeWindow night{22h, 7h + 30min};
    CHECK(night.contains(23h));
    CHECK(night.contains(3h));
    CHECK_FALSE(night.contains(7h + 30min));
    CHECK_FALSE(night.contains(15h));
    const TimeWindow morning{7h, 7h + 20min};
    CHECK(morning.contains(7h + 10min));
    CHECK_FALSE(morning.contains(22h));
}

TEST_CASE("Bad simulator settings are refused with the field named") {
    const auto field_of = [](const char* text) {
        const auto s = settings_from_json(json::parse(text));
        REQUIRE_FALSE(s.has_value());
        return s.error().field;
    };
    CHECK(field_of(R"({"interval": -1})") == "sim.interval");
    CHECK(field_of(R"({"interval": "often"})") == "sim.interval");
    CHECK(field_of(R"({"follows": "Not An Id"})") == "sim.follows");
    CHECK(field_of(R"({"schedule": [{"from": "25:00", "to": "07:00"}]})") == "sim.schedule[0].from");
    CHECK(field_of(R"({"schedule": [{"from": "22:00"}]})") == "sim.schedule[0]");
    CHECK(field_of(R"({"playlists": {"jazz": []}})") == "sim.playlists.jazz");
    CHECK(field_of(R"({"colour": "red"})") == "sim.colour");
    CHECK(field_of(R"([1, 2])") == "sim");
}

TEST_CASE("Times of day are read as HH:MM only") {
    REQUIRE(time_of_day_from("7:05").has_value());
    CHECK(*time_of_day_from("7:05") == 7h + 5min);
    CHECK(*time_of_day_from("23:59") == 23h + 59min);
    CHECK_FALSE(time_of_day_from("24:00").has_value());
    CHECK_FALSE(time_of_day_from("12:60").has_value());
    CHECK_FALSE(time_of_day_from("noon").has_value());
    CHECK_FALSE(time_of_day_from("1200").has_value());
}

TEST_CASE("A device can ask to be presented in Zigbee2MQTT style") {
    CHECK(settings_from_json(json())->style == PresentationStyle::native);
    const auto s = settings_from_json(json::parse(R"({"style": "zigbee2mqtt"})"));
    REQUIRE(s.has_value());
    CHECK(s->style == PresentationStyle::zigbee2mqtt);
    const auto bad = settings_from_json(json::parse(R"({"style": "zwave"})"));
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().field == "sim.style");
}
