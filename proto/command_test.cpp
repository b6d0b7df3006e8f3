#include "proto/command.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::proto;

TEST_CASE("A command separates attributes from transition and context id") {
    const auto c = command_from_json(nlohmann::json::parse(
        R"({"on": true, "brightness": 30, "transition": 2.5, "context_id": "c1"})"));
    REQUIRE(c.has_value());
    CHECK(c->set.size() == 2);
    CHECK(*as_number(c->set.at("brightness")) == 30);
    CHECK(*c->transition == 2.5);
    CHECK(c->context_id == "c1");
}

TEST_CASE("A command writes whole numbers without a fraction") {
    Command c;
    c.set["brightness"] = 30.0;
    c.set["target_temperature"] = 25.5;
    CHECK(to_payload(c) == R"({"brightness":30,"target_temperature":25.5})");
}

TEST_CASE("A command with an object value is refused naming the attribute") {
    const auto c = command_from_json(nlohmann::json::parse(R"({"brightness": {"x": 1}})"));
    REQUIRE(c.has_error());
    CHECK(c.error().code == Errc::wrong_type);
    CHECK(c.error().field == "brightness");
}

TEST_CASE("A command that sets nothing is refused") {
    CHECK(command_from_json(nlohmann::json::object()).has_error());
    CHECK(command_from_json(nlohmann::json::array()).error().code == Errc::bad_json);
}

TEST_CASE("A negative transition is refused") {
    const auto c = command_from_json(nlohmann::json::parse(R"({"on": true, "transition": -1})"));
    REQUIRE(c.has_error());
    CHECK(c.error().field == "transition");
}
