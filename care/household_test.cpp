#include "care/household.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::care;
using nlohmann::json;

TEST_CASE("A household reads people with roles, allergies, times and presence devices and writes them back") {
    const auto j = json::parse(R"([
        {"id": "mia", "name": "米娅", "role": "child", "allergies": ["pollen"], "bedtime": "21:00", "wake_time": "07:00",
         "presence": ["bedroom.presence"], "quiet_hours": {"from": "20:30", "to": "07:30"}},
        {"id": "grandpa", "name": "爷爷", "role": "elder"}])");
    const auto household = household_from_json(j);
    REQUIRE(household.has_value());
    REQUIRE(household->people.size() == 2);
    const auto& mia = household->people[0];
    CHECK(mia.role == Role::child);
    CHECK(mia.allergic_to(Allergen::pollen));
    CHECK(*mia.bedtime == std::chrono::minutes(21 * 60));
    CHECK(mia.presence[0].value == "bedroom.presence");
    CHECK(mia.quiet_hours->from == std::chrono::minutes(20 * 60 + 30));
    CHECK(household->people[1].role == Role::elder);
    CHECK(household->anyone_allergic_to(Allergen::pollen));
    CHECK(!household->anyone_allergic_to(Allergen::dust));
    CHECK(household_from_json(to_json(*household)).value() == *household);
}

TEST_CASE("A bad person is refused naming the field") {
    const auto field_of = [](const char* text) { return household_from_json(json::parse(text)).error().field; };
    CHECK(field_of(R"([{"id": "mia", "name": "M", "role": "teen"}])") == "[0].role");
    CHECK(field_of(R"([{"id": "mia", "name": "M"}, {"id": "bo", "name": "B", "allergies": ["cats"]}])") == "[1].allergies[0]");
    CHECK(field_of(R"([{"id": "mia", "name": "M", "bedtime": "25:00"}])") == "[0].bedtime");
    CHECK(field_of(R"([{"id": "mia", "name": "M", "presence": ["No Such"]}])") == "[0].presence[0]");
    CHECK(field_of(R"([{"id": "mia", "name": "M", "quiet_hours": {"from": "22:00"}}])") == "[0].quiet_hours.to");
    CHECK(field_of(R"([{"id": "Mia!", "name": "M"}])") == "[0].id");
    CHECK(field_of(R"([{"id": "mia"}])") == "[0].name");
    CHECK(field_of(R"([{"id": "mia", "name": "M"}, {"id": "mia", "name": "N"}])") == "[1].id");
    CHECK(!household_from_json(json::object()));
}

TEST_CASE("Times of day read only as HH:MM") {
    CHECK(parse_time_of_day("00:00") == std::chrono::minutes(0));
    CHECK(parse_time_of_day("23:59") == std::chrono::minutes(23 * 60 + 59));
    CHECK(!parse_time_of_day("24:00"));
    CHECK(!parse_time_of_day("7:00"));
    CHECK(!parse_time_of_day("07:60"));
    CHECK(format_time_of_day(std::chrono::minutes(7 * 60 + 5)) == "07:05");
}
