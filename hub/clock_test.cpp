#include "hub/clock.hpp"

#include <catch2/catch.hpp>

using hearth::hub::Clock;
using namespace std::chrono_literals;

TEST_CASE("A real-time clock reads the wall clock and waits as long as asked") {
    const Clock clock;
    const auto before = std::chrono::system_clock::now();
    const auto t = clock.now();
    CHECK(t >= before);
    CHECK(t <= std::chrono::system_clock::now());
    CHECK(clock.real(30min) == 30min);
}

TEST_CASE("An accelerated clock waits a speed-th of the time in real time") {
    const Clock clock(600);
    CHECK(clock.real(30min) == 3s);
    CHECK(clock.speed() == 600);
    const auto a = clock.now();
    const auto b = clock.now();
    CHECK(b >= a);
}

TEST_CASE("A clock given no sensible speed runs in real time") {
    CHECK(Clock(0).speed() == 1);
    CHECK(Clock(-5).speed() == 1);
}
