#include "proto/context.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::proto;

TEST_CASE("Every cause has a name that reads back as the same cause") {
    for (const auto c : {Cause::device, Cause::app, Cause::voice, Cause::rule, Cause::scene, Cause::undo, Cause::controller}) {
        CHECK(cause_from(to_string(c)) == c);
    }
    CHECK_FALSE(cause_from("ghost"));
}

TEST_CASE("A context in JSON names its cause and leaves out what is empty") {
    CHECK(to_json(Context{}) == nlohmann::json{{"cause", "device"}});
    const auto j = to_json(Context{"r-1.2", "r-1", Cause::rule, "night_light"});
    CHECK(j == nlohmann::json{{"id", "r-1.2"}, {"parent", "r-1"}, {"cause", "rule"}, {"source", "night_light"}});
}
