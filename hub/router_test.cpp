#include "hub/router.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::hub;

namespace {
HttpResponse dispatch(const Router& router, std::string method, std::string path) {
    HttpResponse out{0, {}};
    router.dispatch(HttpRequest{std::move(method), std::move(path), {}, {}, {}, {}, {}},
                    [&](HttpResponse r) { out = std::move(r); });
    return out;
}
}  // namespace

TEST_CASE("A route with a parameter receives the decoded path segment") {
    Router router;
    std::string seen;
    router.add("GET", "/api/v1/devices/{id}", Scope::read, [&](const HttpRequest&, const PathParams& p, Reply reply) {
        seen = p.at("id");
        reply(json_response({{"ok", true}}));
    });
    CHECK(dispatch(router, "GET", "/api/v1/devices/bedroom.ac%5F1").status == 200);
    CHECK(seen == "bedroom.ac_1");
}

TEST_CASE("An unknown path is a 404 and a known path with another method a 405, both in the error shape") {
    Router router;
    router.add("GET", "/api/v1/areas", Scope::read, [](const HttpRequest&, const PathParams&, Reply reply) { reply({}); });
    const auto missing = dispatch(router, "GET", "/api/v1/nothing");
    CHECK(missing.status == 404);
    CHECK(nlohmann::json::parse(missing.body)["error"]["code"] == "not_found");
    CHECK(dispatch(router, "DELETE", "/api/v1/areas").status == 405);
}

TEST_CASE("A handler that throws answers 500 with the error shape") {
    Router router;
    router.add_public("GET", "/boom", [](const HttpRequest&, const PathParams&, Reply) { throw std::runtime_error("x"); });
    const auto r = dispatch(router, "GET", "/boom");
    CHECK(r.status == 500);
    CHECK(nlohmann::json::parse(r.body)["error"]["code"] == "internal");
}

TEST_CASE("Error codes map to their HTTP status") {
    using hearth::proto::Errc;
    CHECK(http_status(Errc::bad_json) == 400);
    CHECK(http_status(Errc::out_of_range) == 422);
    CHECK(http_status(Errc::unknown_device) == 404);
    CHECK(http_status(Errc::payload_too_large) == 413);
    CHECK(http_status(Errc::device_unavailable) == 503);
    CHECK(http_status(Errc::broker_unavailable) == 503);
    CHECK(http_status(Errc::storage_full) == 507);
}

TEST_CASE("Query strings are split and decoded") {
    const auto q = *parse_query("area=living_room&kind=light&name=%E5%AE%A2+x");
    CHECK(q.at("area") == "living_room");
    CHECK(q.at("kind") == "light");
    CHECK(q.at("name") == "客 x");
}

TEST_CASE("The gate sees the route's scope and may answer instead of the handler") {
    Router router;
    bool handled = false;
    router.add("POST", "/x", Scope::admin, [&](const HttpRequest&, const PathParams&, Reply reply) {
        handled = true;
        reply({});
    });
    router.set_gate([](const HttpRequest&, const Route& route, Reply reply, Proceed proceed) {
        if (route.scope == Scope::admin) return reply(error_response(403, hearth::proto::Errc::forbidden, "no"));
        proceed("kitchen-panel", reply);
    });
    CHECK(dispatch(router, "POST", "/x").status == 403);
    CHECK_FALSE(handled);
}

TEST_CASE("A handler sees the name of the token the gate let through") {
    Router router;
    std::string caller;
    router.add("GET", "/y", Scope::read, [&](const HttpRequest& request, const PathParams&, Reply reply) {
        caller = request.caller;
        reply({});
    });
    router.set_gate([](const HttpRequest&, const Route&, Reply reply, Proceed proceed) {
        proceed("kitchen-panel", reply);
    });
    CHECK(dispatch(router, "GET", "/y").status == 200);
    CHECK(caller == "kitchen-panel");
}

TEST_CASE("The handler answers through the reply the gate passes on, so the gate sees every answer") {
    Router router;
    router.add("GET", "/api/v1/devices/{id}", Scope::read, [](const HttpRequest&, const PathParams&, Reply reply) {
        reply(HttpResponse{404, "{}"});
    });
    std::vector<std::pair<std::string, int>> seen;
    router.set_gate([&](const HttpRequest&, const Route& route, Reply reply, Proceed proceed) {
        proceed("panel", [&seen, pattern = route.pattern, reply](HttpResponse response) {
            seen.emplace_back(pattern, response.status);
            reply(std::move(response));
        });
    });
    CHECK(dispatch(router, "GET", "/api/v1/devices/lamp").status == 404);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == std::pair<std::string, int>{"/api/v1/devices/{id}", 404});
}

TEST_CASE("A query's '+' is a space and its %2B a plus, so offsets in timestamps survive") {
    const auto q = *parse_query("q=a%2Bb&r=a+b&from=2026-03-29T03:00:00%2B02:00");
    CHECK(q.at("q") == "a+b");
    CHECK(q.at("r") == "a b");
    CHECK(q.at("from") == "2026-03-29T03:00:00+02:00");
}

TEST_CASE("A fallback answers GETs to paths no route knows, and never steals a known path's 405") {
    Router router;
    router.add("POST", "/api/v1/x", Scope::control, [](const HttpRequest&, const PathParams&, Reply reply) { reply({}); });
    router.set_fallback("GET", [](const HttpRequest& request, const PathParams&, Reply reply) {
        reply(HttpResponse{200, "page " + request.path, "text/html"});
    });
    CHECK(dispatch(router, "GET", "/devices/bedroom.ac").body == "page /devices/bedroom.ac");
    CHECK(dispatch(router, "GET", "/api/v1/x").status == 405);
    CHECK(dispatch(router, "POST", "/elsewhere").status == 404);
}

TEST_CASE("A request target's query arrives decoded: ?q=a%2Bb as a+b and ?q=a+b as a b") {
    const auto plus = parse_target("/api/v1/history?q=a%2Bb");
    REQUIRE(plus.has_value());
    CHECK(plus->path == "/api/v1/history");
    CHECK(plus->query.at("q") == "a+b");
    const auto space = parse_target("/api/v1/history?q=a+b&flag");
    REQUIRE(space.has_value());
    CHECK(space->query.at("q") == "a b");
    CHECK(space->query.at("flag").empty());
}

TEST_CASE("A malformed request target is refused naming what is wrong") {
    for (const auto* target : {"/x?q=%ZZ", "/x?q=%4", "/a b", "no-slash", "/x#frag", "/x?q=\xff"}) {
        INFO(target);
        const auto parsed = parse_target(target);
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error().code == hearth::proto::Errc::invalid_field);
        CHECK_FALSE(parsed.error().field.empty());
    }
}

TEST_CASE("A path parameter is decoded once, and an encoded slash stays inside it") {
    Router router;
    std::string seen;
    router.add("GET", "/api/v1/devices/{id}", Scope::read, [&](const HttpRequest&, const PathParams& p, Reply reply) {
        seen = p.at("id");
        reply({});
    });
    CHECK(dispatch(router, "GET", "/api/v1/devices/a%252Fb").status == 200);
    CHECK(seen == "a%2Fb");
    CHECK(dispatch(router, "GET", "/api/v1/devices/a%2Fb+c").status == 200);
    CHECK(seen == "a/b+c");
    CHECK(dispatch(router, "GET", "/api/v1/devices/a%ZZ").status == 404);
}

TEST_CASE("A request target is read only within its view, as Beast hands it over") {
    const std::string buffer = "/x?q=a%2Bb&r=1 HTTP/1.1";
    const auto parsed = parse_target(std::string_view(buffer).substr(0, 14));
    REQUIRE(parsed.has_value());
    CHECK(parsed->query.at("q") == "a+b");
    CHECK(parsed->query.at("r") == "1");
}
