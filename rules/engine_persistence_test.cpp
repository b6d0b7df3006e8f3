#include "rules/engine.hpp"

#include "rules/engine_test_home.hpp"

using namespace hearth;
using namespace hearth::rules;
using namespace hearth::rules::test;

namespace {

std::string bathroom_rule(const char* missed) {
    return std::string(R"Y(
- id: bathroom_off
  missed: )Y") + missed + R"Y(
  triggers: [{state: bathroom.presence, attribute: occupancy, to: false, for: 40m}]
  actions: [{command: bathroom.light, set: {on: false}}]
)Y";
}

std::string delayed_rule(const char* missed) {
    return std::string(R"Y(
- id: later
  missed: )Y") + missed + R"Y(
  triggers: [{webhook: go}]
  actions:
    - {notify: begin}
    - choose:
        - if: "true"
          then: [{delay: 10m}, {command: bedroom.lamp, set: {on: true}}]
)Y";
}

/// The pending state of a home that started a 40-minute window at `start` and ran 10 minutes.
nlohmann::json pending_hold(const char* missed, TimePoint& start) {
    Home a;
    a.set("bathroom.light", {{"on", true}});
    a.rules(bathroom_rule(missed));
    a.set("bathroom.presence", {{"occupancy", true}});
    start = a.now;
    a.set("bathroom.presence", {{"occupancy", false}});
    a.pass(std::chrono::minutes(10));
    return a.engine.export_pending();
}

}  // namespace

TEST_CASE("A pending for window survives a restart and fires at its original deadline") {
    TimePoint start;
    const auto pending = pending_hold("run_late", start);
    REQUIRE(pending["holds"].size() == 1);
    Home b;
    b.now = start + 15min;
    b.set("bathroom.light", {{"on", true}});
    b.rules(bathroom_rule("run_late"));
    CHECK(b.engine.resume(pending, b.now).empty());
    CHECK(b.engine.next_wake() == start + 40min);
    b.pass(24min);
    CHECK(b.effects.sent.empty());
    b.pass(1min);
    CHECK(b.effects.sent.size() == 1);
}

TEST_CASE("A for window that ended while the hub was down runs late when the rule says run_late") {
    TimePoint start;
    const auto pending = pending_hold("run_late", start);
    Home b;
    b.now = start + 2h;
    b.rules(bathroom_rule("run_late"));
    CHECK(b.engine.resume(pending, b.now).empty());
    b.engine.advance(b.now);
    REQUIRE(b.effects.sent.size() == 1);
    CHECK(b.effects.last_trace("bathroom_off")->trigger["late_s"] == 80 * 60);
}

TEST_CASE("A for window that ended while the hub was down is skipped with a trace when the rule says skip") {
    TimePoint start;
    const auto pending = pending_hold("skip", start);
    Home b;
    b.now = start + 2h;
    b.rules(bathroom_rule("skip"));
    CHECK(b.engine.resume(pending, b.now).empty());
    b.engine.advance(b.now);
    CHECK(b.effects.sent.empty());
    CHECK(b.count("bathroom_off", Outcome::missed) == 1);
}

TEST_CASE("A deadline only just passed runs whatever the policy, within the grace period") {
    TimePoint start;
    const auto pending = pending_hold("skip", start);
    Home b;
    b.now = start + 40min + 30s;
    b.rules(bathroom_rule("skip"));
    CHECK(b.engine.resume(pending, b.now).empty());
    b.engine.advance(b.now);
    CHECK(b.effects.sent.size() == 1);
}

TEST_CASE("A run inside a delay resumes where it stopped, keeping its trace") {
    Home a;
    a.rules(delayed_rule("run_late"));
    a.engine.fire_webhook("go", a.now);
    a.pass(2min);
    const auto pending = a.engine.export_pending();
    REQUIRE(pending["runs"].size() == 1);
    const auto id = pending["runs"][0]["trace"]["id"].get<std::string>();

    Home b;
    b.now = a.now + 3min;
    b.rules(delayed_rule("run_late"));
    CHECK(b.engine.resume(pending, b.now).empty());
    CHECK(b.engine.status(proto::RuleId{"later"})->active_runs == 1);
    b.pass(5min);
    REQUIRE(b.effects.sent.size() == 1);
    const auto* trace = b.effects.last_trace("later");
    CHECK(trace->id == id);
    CHECK(trace->outcome == Outcome::ran);
    CHECK(trace->steps.front().kind == "notify");
}

TEST_CASE("A delay that ended while the hub was down is dropped with a trace when the rule says skip") {
    Home a;
    a.rules(delayed_rule("skip"));
    a.engine.fire_webhook("go", a.now);
    const auto pending = a.engine.export_pending();
    Home b;
    b.now = a.now + 1h;
    b.rules(delayed_rule("skip"));
    CHECK(b.engine.resume(pending, b.now).empty());
    b.engine.advance(b.now);
    CHECK(b.effects.sent.empty());
    CHECK(b.count("later", Outcome::missed) == 1);
    CHECK(b.engine.status(proto::RuleId{"later"})->active_runs == 0);
}

TEST_CASE("A time trigger missed while the hub was down fires once late, or is skipped") {
    for (const char* policy : {"run_late", "skip"}) {
        const auto rule = std::string("- {id: wake, missed: ") + policy +
                          ", triggers: [{time: '07:00'}], actions: [{notify: morning}]}";
        Home a;
        a.now = at(2026, 7, 10, 6);
        a.rules(rule);
        const auto pending = a.engine.export_pending();
        REQUIRE(pending["triggers"].size() == 1);
        Home b;
        b.now = at(2026, 7, 10, 9);
        b.rules(rule);
        CHECK(b.engine.resume(pending, b.now).empty());
        b.engine.advance(b.now);
        CHECK(b.effects.notifications.size() == (std::string(policy) == "run_late" ? 1u : 0u));
        CHECK(b.count("wake", Outcome::missed) == (std::string(policy) == "skip" ? 1u : 0u));
        CHECK(b.engine.next_wake() == at(2026, 7, 11, 7));
    }
}

TEST_CASE("Queued runs survive a restart") {
    const char* rule = "- {id: q, mode: queued, triggers: [{webhook: go}], actions: [{delay: 1m}, {notify: done}]}";
    Home a;
    a.rules(rule);
    a.engine.fire_webhook("go", a.now);
    a.engine.fire_webhook("go", a.now);
    const auto pending = a.engine.export_pending();
    CHECK(pending["queued"].size() == 1);
    Home b;
    b.now = a.now + 30s;
    b.rules(rule);
    CHECK(b.engine.resume(pending, b.now).empty());
    b.pass(3min);
    CHECK(b.effects.notifications.size() == 2);
}

TEST_CASE("Pending entries for rules that are gone or changed are dropped and reported") {
    TimePoint start;
    const auto pending = pending_hold("run_late", start);
    Home b;
    b.rules("- {id: other, triggers: [{webhook: x}], actions: [{notify: x}]}");
    const auto errors = b.engine.resume(pending, b.now);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == "holds[0]");
    Home c;
    c.rules("- {id: bathroom_off, triggers: [{webhook: x}], actions: [{notify: x}]}");
    const auto changed = c.engine.resume(pending, c.now);
    REQUIRE(changed.size() == 1);
    CHECK(changed[0].code == proto::Errc::conflict);
    CHECK(c.engine.resume(nlohmann::json::array(), c.now).size() == 1);
}

TEST_CASE("A run waiting for a trigger resumes waiting and still honours its timeout") {
    const char* rule = R"Y(
- id: greet
  triggers: [{webhook: go}]
  actions:
    - {wait: {state: entrance.door, attribute: contact, to: false}, timeout: 10m, continue_on_timeout: false}
    - {notify: welcome}
)Y";
    Home a;
    a.rules(rule);
    a.engine.fire_webhook("go", a.now);
    const auto pending = a.engine.export_pending();
    REQUIRE(pending["runs"][0]["state"] == "waiting");

    Home b;
    b.now = a.now + 2min;
    b.rules(rule);
    CHECK(b.engine.resume(pending, b.now).empty());
    b.set("entrance.door", {{"contact", false}});
    CHECK(b.effects.notifications.size() == 1);

    Home c;
    c.now = a.now + 2min;
    c.rules(rule);
    CHECK(c.engine.resume(pending, c.now).empty());
    c.pass(9min);
    CHECK(c.effects.notifications.empty());
    CHECK(c.effects.last_trace("greet")->outcome == Outcome::cancelled);
}
