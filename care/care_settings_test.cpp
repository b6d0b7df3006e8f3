#include "care/care_settings.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::care;
using nlohmann::json;

TEST_CASE("Care settings apply over the current ones and read back the same") {
    const auto s = care_settings_from_json(json::parse(R"({
        "notifications": {"quiet_hours": {"from": "23:00", "to": "06:30"}, "dedup": {"air": 120}},
        "webhooks": [{"url": "http://127.0.0.1:8123/hook?x=1", "attempts": 3, "backoff_ms": 50}],
        "air": {"enabled": false}})"));
    REQUIRE(s.has_value());
    CHECK(!s->air.enabled);
    CHECK(s->air.curve == AirSettings{}.curve);
    CHECK(s->notifications.window_of("air") == std::chrono::minutes(120));
    REQUIRE(s->webhooks.size() == 1);
    CHECK(s->webhooks[0].host == "127.0.0.1");
    CHECK(s->webhooks[0].port == "8123");
    CHECK(s->webhooks[0].target == "/hook?x=1");
    CHECK(care_settings_from_json(to_json(*s)).value() == *s);
    const auto later = care_settings_from_json(json::parse(R"({"air": {"hysteresis": 8}})"), *s);
    CHECK(!later->air.enabled);
    CHECK(later->air.hysteresis == 8);
    CHECK(later->webhooks == s->webhooks);
}

TEST_CASE("Bad care settings are refused naming the field") {
    const auto field_of = [](const char* text) { return care_settings_from_json(json::parse(text)).error().field; };
    CHECK(field_of(R"({"webhooks": [{"url": "https://example.com/"}]})") == "webhooks[0].url");
    CHECK(field_of(R"({"webhooks": [{"url": "not a url"}]})") == "webhooks[0].url");
    CHECK(field_of(R"({"webhooks": [{"url": "http://h/", "attempts": 0}]})") == "webhooks[0].attempts");
    CHECK(field_of(R"({"air": {"curve": [{"pm25": 10, "level": "max"}]}})") == "air.curve[0].level");
    CHECK(field_of(R"({"notifications": {"quiet_hours": {"from": "22:00", "to": "7"}}})") == "notifications.quiet_hours.to");
    CHECK(field_of(R"({"notifications": {"dedup": {"air": -1}}})") == "notifications.dedup.air");
    CHECK(field_of(R"({"watch": {"enabled": 1}})") == "watch.enabled");
    CHECK(field_of(R"({"music": {}})") == "music");
}
