#include "sim/credentials.hpp"

#include <catch2/catch.hpp>

using namespace hearth::sim;

TEST_CASE("Device credentials are read from id:password lines") {
    const auto c = parse_credentials("# written by scripts/broker-auth\n"
                                     "bedroom.ceiling_light:s3cret:with:colons\n"
                                     "\n"
                                     "h00001.kitchen.plug:abc\r\n");
    REQUIRE(c.has_value());
    CHECK(c->size() == 2);
    CHECK(c->at("bedroom.ceiling_light") == "s3cret:with:colons");
    CHECK(c->at("h00001.kitchen.plug") == "abc");
    CHECK(parse_credentials("").value().empty());
}

TEST_CASE("Bad credential lines are refused with their line number") {
    const auto no_colon = parse_credentials("a.b:x\nnopassword\n");
    REQUIRE_FALSE(no_colon.has_value());
    CHECK(no_colon.error().field == "line 2");
    CHECK_FALSE(parse_credentials("Bad/Id:x\n").has_value());
    CHECK_FALSE(parse_credentials("a.b:\n").has_value());
    const auto twice = parse_credentials("a.b:x\na.b:y\n");
    REQUIRE_FALSE(twice.has_value());
    CHECK(twice.error().message.find("twice") != std::string::npos);
}
