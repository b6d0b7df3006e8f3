#include "hub/repeat_limiter.hpp"

#include <catch2/catch.hpp>

using hearth::hub::RepeatLimiter;
using namespace std::chrono_literals;

namespace {
const RepeatLimiter::TimePoint t0{};
}

TEST_CASE("The first message of a kind is let through with nothing suppressed") {
    RepeatLimiter limiter(10s);
    CHECK(limiter.admit("a|bad_json", t0) == 0u);
    CHECK(limiter.admit("b|bad_json", t0) == 0u);
}

TEST_CASE("Repeats within the window are held back and counted with the next one let through") {
    RepeatLimiter limiter(10s);
    REQUIRE(limiter.admit("topic|bad_json", t0) == 0u);
    for (int i = 1; i <= 41; ++i) CHECK_FALSE(limiter.admit("topic|bad_json", t0 + i * 100ms));
    CHECK_FALSE(limiter.admit("topic|bad_json", t0 + 9999ms));
    CHECK(limiter.admit("topic|bad_json", t0 + 10s) == 42u);
    // The count starts again after it was reported.
    CHECK_FALSE(limiter.admit("topic|bad_json", t0 + 11s));
    CHECK(limiter.admit("topic|bad_json", t0 + 20s) == 1u);
    CHECK(limiter.admit("topic|bad_json", t0 + 31s) == 0u);
}

TEST_CASE("Kinds are limited each on their own") {
    RepeatLimiter limiter(10s);
    REQUIRE(limiter.admit("a", t0) == 0u);
    CHECK_FALSE(limiter.admit("a", t0 + 1s));
    CHECK(limiter.admit("b", t0 + 1s) == 0u);
    CHECK_FALSE(limiter.admit("b", t0 + 2s));
}

TEST_CASE("Beyond the tracked kinds, new kinds share one overflow budget") {
    RepeatLimiter limiter(10s, 4);
    for (const auto* key : {"a", "b", "c"}) REQUIRE(limiter.admit(key, t0) == 0u);
    CHECK(limiter.admit("d", t0) == 0u);  // the overflow's first
    CHECK_FALSE(limiter.admit("e", t0 + 1s));
    CHECK_FALSE(limiter.admit("f", t0 + 2s));
    CHECK(limiter.tracked() == 4);
    // Once the old kinds' windows have passed they make room again.
    CHECK(limiter.admit("g", t0 + 10s) == 0u);
    CHECK(limiter.tracked() <= 4);
    CHECK_FALSE(limiter.admit("g", t0 + 11s));
}

TEST_CASE("A flood of distinct kinds keeps the tracked kinds bounded") {
    RepeatLimiter limiter(10s, 100);
    std::size_t let_through = 0;
    for (int i = 0; i < 10000; ++i) let_through += limiter.admit("topic/" + std::to_string(i), t0 + i * 1ms).has_value();
    CHECK(limiter.tracked() <= 100);
    // 99 kinds of their own, then the overflow's one message per window (10 s of 10,000 ms).
    CHECK(let_through == 99 + 1);
}

TEST_CASE("The suppressed note is empty when nothing was held back") {
    CHECK(hearth::hub::suppressed_note(0).empty());
    CHECK(hearth::hub::suppressed_note(7) == " (suppressed 7 like it since the last one logged)");
}
