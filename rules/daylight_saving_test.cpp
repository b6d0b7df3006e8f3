// The engine's time triggers in a home with daylight-saving time (Europe/Berlin, 2026: clocks go
// forward 02:00 → 03:00 on 29 March and back 03:00 → 02:00 on 25 October).
#include <catch2/catch.hpp>

#include "rules/engine_test_home.hpp"
#include "rules/sun.hpp"
#include "scenes/test_time_zones.hpp"

using namespace hearth;
using namespace hearth::rules;
using namespace hearth::rules::test;
using namespace std::chrono;

namespace {

const scenes::Place kBerlin{52.52, 13.405, scenes::test::berlin_2026()};

TimePoint utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    return sys_days{year{y} / month{m} / day{d}} + hours(h) + minutes(min);
}

EngineConfig berlin_config() {
    auto c = Home::make_config();
    c.place = kBerlin;
    return c;
}

/// A Berlin home at `now` with one rule whose single trigger is `trigger` (YAML flow mapping).
struct BerlinHome : Home {
    BerlinHome(TimePoint start, const std::string& trigger) : Home(berlin_config()) {
        now = start;
        rules("- id: timed\n  triggers: [" + trigger + "]\n  actions: [{notify: now}]\n");
    }
};

}  // namespace

TEST_CASE("On the spring-forward day a cron at 02:30 fires once, at 03:00 local") {
    BerlinHome h(utc(2026, 3, 28, 12), R"({schedule: "30 2 * * *"})");
    CHECK(h.engine.next_wake() == utc(2026, 3, 29, 1));
    h.pass(24h);
    CHECK(h.effects.notifications.size() == 1);
    CHECK(h.engine.next_wake() == utc(2026, 3, 30, 0, 30));
}

TEST_CASE("On the fall-back day a cron at 02:30 fires once, at the first 02:30") {
    BerlinHome h(utc(2026, 10, 24, 12), R"({schedule: "30 2 * * *"})");
    CHECK(h.engine.next_wake() == utc(2026, 10, 25, 0, 30));
    h.pass(24h);
    CHECK(h.effects.notifications.size() == 1);
    CHECK(h.engine.next_wake() == utc(2026, 10, 26, 1, 30));
}

TEST_CASE("An at trigger for a skipped time fires once when the clocks jump, and a repeated one once") {
    BerlinHome spring(utc(2026, 3, 28, 12), R"({time: "02:30"})");
    CHECK(spring.engine.next_wake() == utc(2026, 3, 29, 1));
    spring.pass(24h);
    CHECK(spring.effects.notifications.size() == 1);

    BerlinHome autumn(utc(2026, 10, 24, 12), R"({time: "02:30"})");
    CHECK(autumn.engine.next_wake() == utc(2026, 10, 25, 0, 30));
    autumn.pass(24h);
    CHECK(autumn.effects.notifications.size() == 1);
    CHECK(autumn.engine.next_wake() == utc(2026, 10, 26, 1, 30));
}

TEST_CASE("An at trigger keeps its local time across both changes") {
    BerlinHome spring(utc(2026, 3, 28, 12), R"({time: "07:00"})");
    spring.pass(12h);
    CHECK(spring.engine.next_wake() == utc(2026, 3, 29, 5));  // 07:00 CEST
    BerlinHome autumn(utc(2026, 10, 24, 12), R"({time: "07:00"})");
    autumn.pass(12h);
    CHECK(autumn.engine.next_wake() == utc(2026, 10, 25, 6));  // 07:00 CET
}

TEST_CASE("A sunrise trigger fires at the real sunrise on both change days") {
    for (const auto start : {utc(2026, 3, 28, 22), utc(2026, 10, 24, 22)}) {
        BerlinHome h(start, R"({sun: sunrise})");
        const auto sunrise = next_sun_event(SunEvent::sunrise, start, kBerlin);
        REQUIRE(sunrise);
        CHECK(h.engine.next_wake() == *sunrise);
        const auto local = scenes::to_local(*sunrise, kBerlin).time_of_day;
        CHECK(local > hours(6) + minutes(45));  // about 06:50 CEST in spring, 06:47 CET in autumn
        CHECK(local < hours(7) + minutes(5));
        h.pass(12h);
        CHECK(h.effects.notifications.size() == 1);
    }
}
