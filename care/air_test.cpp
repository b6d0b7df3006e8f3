#include "care/air.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::care;
using nlohmann::json;

namespace {

const Household kNobody{};
constexpr unsigned kJuly = 7;
constexpr unsigned kApril = 4;

Household with(const char* person) { return household_from_json(json::parse(person)).value(); }

}  // namespace

TEST_CASE("The default curve maps PM2.5 bands to purifier levels") {
    const AirSettings s;
    CHECK(decide_air(s, 20, std::nullopt, kNobody, kJuly).level == PurifierLevel::off);
    CHECK(decide_air(s, 35, std::nullopt, kNobody, kJuly).level == PurifierLevel::low);
    CHECK(decide_air(s, 74, std::nullopt, kNobody, kJuly).level == PurifierLevel::low);
    CHECK(decide_air(s, 75, std::nullopt, kNobody, kJuly).level == PurifierLevel::medium);
    CHECK(decide_air(s, 300, std::nullopt, kNobody, kJuly).level == PurifierLevel::high);
    const auto d = decide_air(s, 74, std::nullopt, kNobody, kJuly);
    CHECK(d.why_en == "PM2.5 74 µg/m³ (35–75): low → low");
    CHECK(d.why_zh.find("低档") != std::string::npos);
}

TEST_CASE("A reading wobbling at a boundary does not switch the level back and forth") {
    const AirSettings s;  // hysteresis 5
    auto level = decide_air(s, 76, std::nullopt, kNobody, kJuly).curve_level;
    CHECK(level == PurifierLevel::medium);
    for (const double pm25 : {74.0, 76.0, 72.0, 75.0, 71.0}) {
        level = decide_air(s, pm25, level, kNobody, kJuly).curve_level;
        CHECK(level == PurifierLevel::medium);
    }
    level = decide_air(s, 69, level, kNobody, kJuly).curve_level;
    CHECK(level == PurifierLevel::low);
    // Going up needs no margin.
    CHECK(decide_air(s, 75, level, kNobody, kJuly).curve_level == PurifierLevel::medium);
    // From high straight down past two bands at once.
    CHECK(decide_air(s, 10, PurifierLevel::high, kNobody, kJuly).curve_level == PurifierLevel::off);
    CHECK(decide_air(s, 32, PurifierLevel::low, kNobody, kJuly).curve_level == PurifierLevel::low);
    CHECK(decide_air(s, 29, PurifierLevel::low, kNobody, kJuly).curve_level == PurifierLevel::off);
}

TEST_CASE("A pollen-allergic member steps the level up in pollen season only") {
    const AirSettings s;
    const auto home = with(R"([{"id": "mia", "name": "Mia", "allergies": ["pollen"]}])");
    const auto spring = decide_air(s, 40, std::nullopt, home, kApril);
    CHECK(spring.curve_level == PurifierLevel::low);
    CHECK(spring.level == PurifierLevel::medium);
    CHECK(spring.why_en.find("Mia's pollen allergy") != std::string::npos);
    CHECK(decide_air(s, 10, std::nullopt, home, kApril).level == PurifierLevel::low);
    CHECK(decide_air(s, 40, std::nullopt, home, kJuly).level == PurifierLevel::low);
    CHECK(decide_air(s, 200, std::nullopt, home, kApril).level == PurifierLevel::high);
}

TEST_CASE("A dust allergy steps a running purifier up all year but does not start it") {
    const AirSettings s;
    const auto home = with(R"([{"id": "bo", "name": "Bo", "allergies": ["dust"]}])");
    CHECK(decide_air(s, 40, std::nullopt, home, kJuly).level == PurifierLevel::medium);
    CHECK(decide_air(s, 10, std::nullopt, home, kJuly).level == PurifierLevel::off);
}

TEST_CASE("Air settings read a user curve and refuse bad parameters naming the field") {
    const auto s = air_settings_from_json(json::parse(R"({"curve": [{"pm25": 20, "level": "low"}, {"pm25": 50, "level": "high"}],
                                                           "hysteresis": 3, "pollen_months": [4, 5]})"));
    REQUIRE(s.has_value());
    CHECK(decide_air(*s, 55, std::nullopt, kNobody, kJuly).level == PurifierLevel::high);
    CHECK(decide_air(*s, 48, PurifierLevel::high, kNobody, kJuly).level == PurifierLevel::high);
    CHECK(decide_air(*s, 46, PurifierLevel::high, kNobody, kJuly).level == PurifierLevel::low);
    CHECK(air_settings_from_json(to_json(*s)).value() == *s);
    const auto field_of = [](const char* text) { return air_settings_from_json(json::parse(text)).error().field; };
    CHECK(field_of(R"({"curve": [{"pm25": 50, "level": "low"}, {"pm25": 40, "level": "high"}]})") == "curve[1]");
    CHECK(field_of(R"({"curve": [{"pm25": 50, "level": "turbo"}]})") == "curve[0].level");
    CHECK(field_of(R"({"curve": [{"pm25": "50", "level": "low"}]})") == "curve[0].pm25");
    CHECK(field_of(R"({"curve": []})") == "curve");
    CHECK(field_of(R"({"hysteresis": -1})") == "hysteresis");
    CHECK(field_of(R"({"enabled": "yes"})") == "enabled");
    CHECK(field_of(R"({"pollen_months": [13]})") == "pollen_months[0]");
}
