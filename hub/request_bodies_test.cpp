#include "hub/request_bodies.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth;
using namespace hearth::hub;

TEST_CASE("A token request whose scope is not text is refused naming scope instead of throwing") {
    // Found by fuzz_token: value("scope", "read") threw nlohmann's type_error (a 500 over REST).
    for (const auto* body : {R"({"name":"x","scope":["admin"]})", R"({"name":"x","scope":5})", R"({"name":"x","scope":{}})"}) {
        INFO(body);
        const auto r = token_request_from_json(nlohmann::json::parse(body));
        REQUIRE(r.has_error());
        CHECK(r.error().code == proto::Errc::invalid_field);
        CHECK(r.error().field == "scope");
    }
}

TEST_CASE("A token request reads its name and scope, read when absent") {
    const auto control = token_request_from_json(nlohmann::json::parse(R"({"name":"kitchen tablet","scope":"control"})"));
    REQUIRE(control.has_value());
    CHECK(control->name == "kitchen tablet");
    CHECK(control->scope == Scope::control);
    CHECK(token_request_from_json(nlohmann::json::parse(R"({"name":"x","scope":null})"))->scope == Scope::read);
    CHECK(token_request_from_json(nlohmann::json::parse(R"({"name":"x","scope":"root"})")).error().field == "scope");
    CHECK(token_request_from_json(nlohmann::json::parse(R"({"name":""})")).error().field == "name");
}
