#include "ctl/assignments.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::ctl;
using nlohmann::json;

TEST_CASE("Values become booleans, null, numbers, JSON or text by how they are typed") {
    CHECK(*parse_value("true") == json(true));
    CHECK(*parse_value("false") == json(false));
    CHECK(*parse_value("null") == json(nullptr));
    CHECK(*parse_value("30") == json(30));
    CHECK(parse_value("30")->is_number_integer());
    CHECK(*parse_value("-2.5") == json(-2.5));
    CHECK(*parse_value("1e3") == json(1000.0));
    CHECK(*parse_value("sleep_music") == json("sleep_music"));
    CHECK(*parse_value("\"42\"") == json("42"));
    CHECK(*parse_value("[1,2]") == json::array({1, 2}));
    CHECK(*parse_value("{\"r\":1}") == json{{"r", 1}});
}

TEST_CASE("Text that only looks like a number stays text") {
    CHECK(*parse_value("007") == json("007"));
    CHECK(*parse_value("1.") == json("1."));
    CHECK(*parse_value("+1") == json("+1"));
    CHECK(*parse_value("0x10") == json("0x10"));
    CHECK(*parse_value("") == json(""));
    CHECK(*parse_value("True") == json("True"));
}

TEST_CASE("Broken JSON after a brace, a bracket or a quote is a usage failure") {
    CHECK(parse_value("{oops").error().exit == Exit::usage);
    CHECK_FALSE(parse_value("[1,").has_value());
}

TEST_CASE("Key=value words make one command object, and on and off are shorthands") {
    const auto body = parse_assignments({"on", "brightness=30", "media=jazz", "color=[255,0,0]"});
    REQUIRE(body.has_value());
    CHECK(*body ==
          json{{"on", true}, {"brightness", 30}, {"media", "jazz"}, {"color", {255, 0, 0}}});
    CHECK(*parse_assignments({"off"}) == json{{"on", false}});
    CHECK(*parse_assignments({"name=a=b"}) == json{{"name", "a=b"}});
}

TEST_CASE("A word without =, an empty key or a key given twice is refused") {
    CHECK(parse_assignments({"brightness"}).error().message.find("KEY=VALUE") != std::string::npos);
    CHECK(parse_assignments({"=3"}).error().exit == Exit::usage);
    CHECK(parse_assignments({"on", "on=false"}).error().message.find("twice") != std::string::npos);
    CHECK_FALSE(parse_assignments({}).has_value());
}
