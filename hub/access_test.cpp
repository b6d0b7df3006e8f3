#include "hub/access.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::hub;
using namespace std::chrono_literals;

TEST_CASE("An issued token verifies by its secret and is stored only as a hash") {
    Tokens tokens;
    const auto issued = tokens.issue("phone", Scope::control, WallTime{});
    CHECK(issued.secret.starts_with("hth_"));
    CHECK(issued.token.hash == sha256_hex(issued.secret));
    CHECK(to_json(issued.token).dump().find(issued.secret) == std::string::npos);
    CHECK(to_public_json(issued.token).contains("hash") == false);
    const auto* found = tokens.verify(issued.secret);
    REQUIRE(found != nullptr);
    CHECK(found->scope == Scope::control);
    CHECK(tokens.verify(issued.secret + "x") == nullptr);
    CHECK(tokens.verify("") == nullptr);
}

TEST_CASE("A revoked token no longer verifies") {
    Tokens tokens;
    const auto issued = tokens.issue("old", Scope::read, WallTime{});
    CHECK(tokens.revoke(issued.token.id));
    CHECK(tokens.verify(issued.secret) == nullptr);
    CHECK_FALSE(tokens.revoke(issued.token.id));
}

TEST_CASE("A stored token reads back with its scope") {
    Tokens tokens;
    const auto issued = tokens.issue("tablet", Scope::admin, WallTime{std::chrono::milliseconds(1234)});
    const auto back = token_from_json(to_json(issued.token));
    REQUIRE(back.has_value());
    CHECK(back->scope == Scope::admin);
    CHECK(back->hash == issued.token.hash);
    CHECK(back->created == issued.token.created);
}

TEST_CASE("Two issued tokens differ") {
    Tokens tokens;
    CHECK(tokens.issue("a", Scope::read, {}).secret != tokens.issue("b", Scope::read, {}).secret);
    CHECK(tokens.list().size() == 2);
}

TEST_CASE("A client that exceeds its request budget is refused until the budget refills") {
    ClientGuard guard({.requests_per_second = 10, .burst = 5});
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    for (int i = 0; i < 5; ++i) CHECK(guard.take_request("a", t0));
    CHECK_FALSE(guard.take_request("a", t0));
    CHECK(guard.take_request("b", t0));
    CHECK(guard.take_request("a", t0 + 100ms));
}

TEST_CASE("A request limit of zero lets every request through") {
    ClientGuard guard(ClientLimits{.requests_per_second = 0, .burst = 0});
    const auto now = std::chrono::steady_clock::time_point{};
    for (int i = 0; i < 1000; ++i) REQUIRE(guard.take_request("10.0.0.1", now));
}

TEST_CASE("Repeated bad tokens are slowed down, then locked out for a while") {
    ClientGuard guard({.bad_tokens_before_slowdown = 2, .bad_tokens_before_lockout = 4, .lockout = 60s});
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    CHECK(guard.bad_token("x", t0) == 0ms);
    CHECK(guard.bad_token("x", t0) > 0ms);
    CHECK(guard.bad_token("x", t0) > 0ms);
    CHECK(guard.locked_for("x", t0) == 0s);
    guard.bad_token("x", t0);
    CHECK(guard.locked_for("x", t0) == 60s);
    CHECK(guard.locked_for("x", t0 + 61s) == 0s);
    CHECK(guard.locked_for("y", t0) == 0s);
}

TEST_CASE("Bad tokens, lockouts, refusals while locked and requests over budget are counted") {
    ClientGuard guard({.requests_per_second = 1, .burst = 1, .bad_tokens_before_slowdown = 2, .bad_tokens_before_lockout = 3});
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i) guard.bad_token("x", t0);
    guard.locked_refusal();
    CHECK(guard.take_request("y", t0));
    CHECK_FALSE(guard.take_request("y", t0));
    CHECK(guard.stats().bad_tokens == 3);
    CHECK(guard.stats().lockouts == 1);
    CHECK(guard.stats().locked_refusals == 1);
    CHECK(guard.stats().rate_limited == 1);
}

TEST_CASE("Each loopback address is its own client: a locked 127.0.0.2 leaves 127.0.0.1 alone") {
    ClientGuard guard({.bad_tokens_before_lockout = 10});
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    for (int i = 0; i < 10; ++i) guard.bad_token("127.0.0.2", t0);
    CHECK(guard.locked_for("127.0.0.2", t0) > 0s);
    CHECK(guard.locked_for("127.0.0.1", t0) == 0s);
}

TEST_CASE("Many distinct addresses are forgotten once they have nothing left to remember, lockouts kept") {
    ClientGuard guard({.requests_per_second = 50, .burst = 100, .bad_tokens_before_lockout = 1, .lockout = 300s});
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    guard.bad_token("10.9.9.9", t0);
    for (int i = 0; i < 10000; ++i) guard.take_request("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), t0);
    CHECK(guard.tracked() == 10001);
    // Ten seconds on, every budget has refilled: those addresses hold nothing worth keeping.
    for (int i = 0; i < 10000; ++i) guard.take_request("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256), t0 + 10s);
    CHECK(guard.tracked() < 20001);
    CHECK(guard.locked_for("10.9.9.9", t0 + 10s) > 0s);
}
