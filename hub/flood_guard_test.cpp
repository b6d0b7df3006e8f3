#include "hub/flood_guard.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using hearth::hub::FloodGuard;
using hearth::hub::FloodLimits;

namespace {
const auto t0 = FloodGuard::Clock::time_point{} + 1h;

int admitted(FloodGuard& guard, std::string_view topic, int messages, FloodGuard::Clock::time_point at) {
    int n = 0;
    for (int i = 0; i < messages; ++i) n += guard.admit(topic, at);
    return n;
}
}  // namespace

TEST_CASE("A topic over its rate loses the excess, counted, while other topics get through") {
    FloodGuard guard(FloodLimits{.per_second = 10, .burst = 20});
    CHECK(admitted(guard, "hearth/device/stuck/state", 1000, t0) == 20);
    CHECK(admitted(guard, "hearth/device/lamp/state", 5, t0) == 5);
    const auto stats = guard.stats();
    CHECK(stats.dropped == 980);
    REQUIRE(stats.worst.size() == 1);
    CHECK(stats.worst[0] == std::pair<std::string, std::uint64_t>{"hearth/device/stuck/state", 980});
}

TEST_CASE("A flooding topic gets its sustained rate back as time passes") {
    FloodGuard guard(FloodLimits{.per_second = 10, .burst = 20});
    CHECK(admitted(guard, "t", 100, t0) == 20);
    CHECK(admitted(guard, "t", 100, t0 + 500ms) == 5);
    CHECK(admitted(guard, "t", 100, t0 + 1h) == 20);  // never more than the burst after a rest
}

TEST_CASE("A topic forgotten while idle starts again with a full burst") {
    FloodGuard guard(FloodLimits{.per_second = 10, .burst = 20});
    CHECK(admitted(guard, "t", 20, t0) == 20);
    CHECK(admitted(guard, "other", 1, t0 + 1min) == 1);  // sweeps idle topics
    CHECK(admitted(guard, "t", 30, t0 + 1min) == 20);
}

TEST_CASE("A rate of zero lets everything through") {
    FloodGuard guard(FloodLimits{.per_second = 0, .burst = 0});
    CHECK(admitted(guard, "t", 10'000, t0) == 10'000);
    CHECK(guard.stats().dropped == 0);
}
