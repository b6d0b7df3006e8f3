#include "proto/json.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace hearth::proto;

TEST_CASE("Malformed JSON is refused with the byte position") {
    const auto r = parse_json(R"({"on": tru})");
    REQUIRE(r.has_error());
    CHECK(r.error().code == Errc::bad_json);
    CHECK(r.error().message.find("byte") != std::string::npos);
}

TEST_CASE("A number too large for a double is refused as bad JSON instead of thrown") {
    // Found by fuzz_command, fuzz_conversation_request, fuzz_moods and fuzz_ha_template.
    for (const auto* text : {"1e308308", R"({"brightness": 61e3084})", "[1e400]", "-1e99999"}) {
        INFO(text);
        const auto r = parse_json(text);
        REQUIRE(r.has_error());
        CHECK(r.error().code == Errc::bad_json);
        CHECK(r.error().message.find("out of range") != std::string::npos);
    }
}

TEST_CASE("Oversized JSON is refused before parsing") {
    const auto r = parse_json(std::string(100, ' '), JsonLimits{.max_bytes = 10});
    REQUIRE(r.has_error());
    CHECK(r.error().code == Errc::payload_too_large);
}

TEST_CASE("Deeply nested JSON is refused") {
    const auto r = parse_json(std::string(40, '[') + std::string(40, ']'), JsonLimits{.max_depth = 8});
    REQUIRE(r.has_error());
    CHECK(r.error().code == Errc::payload_too_large);
}

TEST_CASE("Well-formed JSON within limits parses") {
    const auto r = parse_json(R"({"a": [1, 2, {"b": null}]})");
    REQUIRE(r.has_value());
    CHECK((*r)["a"][1] == 2);
}

TEST_CASE("A typed field read of the wrong type is an invalid_field error naming the field") {
    const auto j = nlohmann::json::parse(R"({"type": 5, "n": "x", "f": 1.5, "b": "yes", "big": 18446744073709551615})");
    const auto s = optional_string(j, "type");
    REQUIRE(s.has_error());
    CHECK(s.error().code == Errc::invalid_field);
    CHECK(s.error().field == "type");
    CHECK(s.error().message == "type must be a string, not number");
    CHECK(optional_integer(j, "n").has_error());
    CHECK(optional_integer(j, "f").has_error());
    CHECK(optional_integer(j, "big").has_error());
    CHECK(optional_bool(j, "b").has_error());
    CHECK(optional_number(j, "n").has_error());
}

TEST_CASE("A missing or null field reads as absent, and a required one as an error") {
    const auto j = nlohmann::json::parse(R"({"a": null, "n": 7, "s": "hi", "t": true, "x": 2.5})");
    CHECK(optional_string(j, "a").value() == std::nullopt);
    CHECK(optional_string(j, "missing").value() == std::nullopt);
    CHECK(optional_string(j, "s").value() == "hi");
    CHECK(optional_integer(j, "n").value() == 7);
    CHECK(optional_number(j, "x").value() == 2.5);
    CHECK(optional_bool(j, "t").value() == true);
    CHECK(required_string(j, "s").value() == "hi");
    const auto missing = required_string(j, "a");
    REQUIRE(missing.has_error());
    CHECK(missing.error().field == "a");
    CHECK(optional_string(nlohmann::json::array(), "s").value() == std::nullopt);
}
