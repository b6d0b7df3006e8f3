#include "assist/conversation_request.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth;
using assist::conversation_request_from_json;
using nlohmann::json;

namespace {

std::string refused_field(const json& j) {
    const auto r = conversation_request_from_json(j);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == proto::Errc::invalid_field);
    return r.error().field;
}

}  // namespace

TEST_CASE("A full conversation request is read field by field") {
    const auto r = conversation_request_from_json({{"text", "我困了"}, {"area", "bedroom"}, {"language", "zh"}, {"dry_run", true}});
    REQUIRE(r.has_value());
    CHECK(r->text == "我困了");
    CHECK(r->area == proto::AreaId{"bedroom"});
    CHECK(r->language == "zh");
    CHECK(r->dry_run);
}

TEST_CASE("Only text is required, null reads as absent and other fields are ignored") {
    const auto r = conversation_request_from_json({{"id", 5}, {"type", "conversation"}, {"text", "开灯"}, {"area", nullptr},
                                                   {"language", nullptr}, {"dry_run", nullptr}});
    REQUIRE(r.has_value());
    CHECK(r->text == "开灯");
    CHECK_FALSE(r->area.has_value());
    CHECK(r->language.empty());
    CHECK_FALSE(r->dry_run);
}

TEST_CASE("A field of the wrong type is refused as invalid_field naming it, never thrown") {
    CHECK(refused_field({{"text", 5}}) == "text");
    CHECK(refused_field({{"text", "开灯"}, {"dry_run", "yes"}}) == "dry_run");
    CHECK(refused_field({{"text", "开灯"}, {"area", 3}}) == "area");
    CHECK(refused_field({{"text", "开灯"}, {"language", json::array()}}) == "language");
}

TEST_CASE("A missing or empty text and an unknown language are refused naming the field") {
    CHECK(refused_field({{"area", "bedroom"}}) == "text");
    CHECK(refused_field({{"text", ""}}) == "text");
    CHECK(refused_field({{"text", "hi"}, {"language", "fr"}}) == "language");
}

TEST_CASE("A request that is not a JSON object is bad_json") {
    for (const auto& j : {json(), json("开灯"), json::array({"开灯"})}) {
        const auto r = conversation_request_from_json(j);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == proto::Errc::bad_json);
    }
}
