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
