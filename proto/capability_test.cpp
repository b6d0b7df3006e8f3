#include "proto/capability.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::proto;

TEST_CASE("Canonical brightness is a writable number from 0 to 100 percent") {
    const auto* c = canonical_capability("brightness");
    REQUIRE(c != nullptr);
    CHECK(c->type == ValueType::number);
    CHECK(*c->min == 0);
    CHECK(*c->max == 100);
    CHECK(c->unit == "%");
    CHECK(has(c->access, Access::write));
    CHECK(canonical_capability("warp_drive") == nullptr);
}

TEST_CASE("A value outside the range is refused with the range in the message") {
    const auto r = check_value(*canonical_capability("brightness"), Value{150.0});
    REQUIRE(r.has_error());
    CHECK(r.error().code == Errc::out_of_range);
    CHECK(r.error().field == "brightness");
    CHECK(r.error().message == "brightness 150 is outside 0–100 %");
}

TEST_CASE("A value of the wrong type is refused naming both types") {
    const auto r = check_value(*canonical_capability("on"), Value{std::string("yes")});
    REQUIRE(r.has_error());
    CHECK(r.error().code == Errc::wrong_type);
    CHECK(r.error().message == "on expects bool, got text");
}

TEST_CASE("An enumeration accepts only its options") {
    const auto* mode = canonical_capability("hvac_mode");
    CHECK(check_value(*mode, Value{std::string("cool")}).has_value());
    const auto r = check_value(*mode, Value{std::string("warp")});
    REQUIRE(r.has_error());
    CHECK(r.error().code == Errc::out_of_range);
}

TEST_CASE("A capability given by name alone takes the canonical definition") {
    const auto c = capability_from_json(nlohmann::json("color_temp"));
    REQUIRE(c.has_value());
    CHECK(c->unit == "K");
}

TEST_CASE("A capability object may override part of the canonical definition") {
    const auto c = capability_from_json(nlohmann::json{{"attribute", "color_temp"}, {"min", 2700}, {"max", 6000}});
    REQUIRE(c.has_value());
    CHECK(*c->min == 2700);
    CHECK(c->unit == "K");
    CHECK(c->type == ValueType::number);
}

TEST_CASE("A capability survives a round trip through JSON") {
    const auto& original = *canonical_capability("fan_speed");
    const auto back = capability_from_json(to_json(original));
    REQUIRE(back.has_value());
    CHECK(*back == original);
}

TEST_CASE("An unknown capability without a type is refused naming the field") {
    const auto c = capability_from_json(nlohmann::json{{"attribute", "sparkle"}});
    REQUIRE(c.has_error());
    CHECK(c.error().field == "capabilities.sparkle.type");
}
