#include "rules/engine.hpp"

#include "rules/engine_test_home.hpp"

using namespace hearth;
using namespace hearth::rules;
using namespace hearth::rules::test;
using proto::Value;

// ---- triggers ----

TEST_CASE("A state trigger fires on a change to the given value and leaves a trace with its command") {
    Home h;
    h.rules(R"Y(
- id: door_light
  triggers: [{state: entrance.door, attribute: contact, from: true, to: false}]
  actions: [{command: bedroom.lamp, set: {on: true}}]
)Y");
    h.set("entrance.door", {{"contact", false}});
    REQUIRE(h.effects.sent.size() == 1);
    CHECK(h.effects.sent[0].device.value == "bedroom.lamp");
    CHECK(h.effects.sent[0].command.set == proto::Attributes{{"on", true}});
    const auto* trace = h.effects.last_trace("door_light");
    REQUIRE(trace);
    CHECK(trace->outcome == Outcome::ran);
    CHECK(trace->trigger["to"] == false);
    REQUIRE(trace->commands.size() == 1);
    CHECK(trace->commands[0].command.context_id == trace->id + ".1");
    h.set("entrance.door", {{"contact", true}});
    CHECK(h.effects.sent.size() == 1);
}

TEST_CASE("A numeric trigger fires when the value crosses the threshold, not while it stays above") {
    Home h;
    h.rules(R"Y(
- id: hot
  triggers: [{numeric: bedroom.ac, attribute: temperature, above: 28}]
  actions: [{command: bedroom.ac, set: {on: true, target_temperature: 26}}]
)Y");
    h.set("bedroom.ac", {{"temperature", 28.0}});
    CHECK(h.effects.sent.empty());
    h.set("bedroom.ac", {{"temperature", 28.5}});
    CHECK(h.effects.sent.size() == 1);
    h.set("bedroom.ac", {{"temperature", 29.0}});
    CHECK(h.effects.sent.size() == 1);
    h.set("bedroom.ac", {{"temperature", 27.0}});
    h.set("bedroom.ac", {{"temperature", 28.1}});
    CHECK(h.effects.sent.size() == 2);
}

TEST_CASE("A held trigger fires only after the state lasted for the duration, and a reset leaves a trace") {
    Home h;
    h.set("bathroom.light", {{"on", true}});
    h.rules(R"Y(
- id: bathroom_off
  triggers: [{state: bathroom.presence, attribute: occupancy, to: false, for: 40m}]
  conditions: [{state: bathroom.light, attribute: on, is: true}]
  actions: [{command: bathroom.light, set: {on: false}}]
)Y");
    h.set("bathroom.presence", {{"occupancy", true}});
    h.set("bathroom.presence", {{"occupancy", false}});
    REQUIRE(h.engine.next_wake() == h.now + 40min);
    h.pass(30min);
    CHECK(h.effects.sent.empty());
    h.set("bathroom.presence", {{"occupancy", true}});
    CHECK(h.count("bathroom_off", Outcome::hold_reset) == 1);
    CHECK_FALSE(h.engine.next_wake());
    h.set("bathroom.presence", {{"occupancy", false}});
    h.pass(39min);
    CHECK(h.effects.sent.empty());
    h.pass(1min);
    REQUIRE(h.effects.sent.size() == 1);
    CHECK(h.effects.sent[0].command.set == proto::Attributes{{"on", false}});
    CHECK(h.effects.last_trace("bathroom_off")->trigger["for_s"] == 2400);
}

TEST_CASE("An event trigger matches the event name and data") {
    Home h;
    h.rules(R"Y(
- id: double_press
  triggers: [{event: entrance.button, name: press, data: {action: double}}]
  actions: [{notify: pressed twice}]
)Y");
    h.engine.handle_event(proto::DeviceId{"entrance.button"}, "press", {{"action", std::string("single")}}, h.now);
    CHECK(h.effects.notifications.empty());
    h.engine.handle_event(proto::DeviceId{"entrance.button"}, "press", {{"action", std::string("double")}}, h.now);
    REQUIRE(h.effects.notifications.size() == 1);
    CHECK(h.effects.notifications[0].message == "pressed twice");
    CHECK(h.effects.notifications[0].rule.value == "double_press");
    const auto j = to_json(h.effects.notifications[0]);
    CHECK(j["context_id"] == h.effects.last_trace("double_press")->id);
    CHECK(j["at"] == to_millis(h.now));
    CHECK(to_json(*h.engine.status(proto::RuleId{"double_press"}))["available"] == true);
}

TEST_CASE("An availability trigger fires when a device goes offline for a while") {
    Home h;
    h.rules(R"Y(
- id: lost
  triggers: [{availability: bedroom.ac, to: offline, for: 5m}]
  actions: [{notify: AC offline}]
)Y");
    using devices::Availability;
    h.engine.handle_availability(proto::DeviceId{"bedroom.ac"}, Availability::online, Availability::offline, h.now);
    h.pass(2min);
    h.engine.handle_availability(proto::DeviceId{"bedroom.ac"}, Availability::offline, Availability::online, h.now);
    CHECK(h.count("lost", Outcome::hold_reset) == 1);
    h.engine.handle_availability(proto::DeviceId{"bedroom.ac"}, Availability::online, Availability::offline, h.now);
    h.pass(5min);
    CHECK(h.effects.notifications.size() == 1);
}

TEST_CASE("A time-of-day trigger fires at the local time on the given weekdays") {
    Home h;  // Friday 2026-07-10 12:00
    h.rules(R"Y(
- id: weekday_wake
  triggers: [{time: "07:00", weekdays: [mon, tue, wed, thu, fri]}]
  actions: [{notify: wake up}]
)Y");
    CHECK(h.engine.next_wake() == at(2026, 7, 13, 7));
    h.pass(72h);
    CHECK(h.effects.notifications.size() == 1);
    CHECK(h.engine.next_wake() == at(2026, 7, 14, 7));
}

TEST_CASE("A cron schedule fires at every matching minute") {
    Home h;
    h.rules(R"Y(
- id: quarter
  triggers: [{schedule: "*/15 * * * *"}]
  actions: [{notify: tick}]
)Y");
    h.pass(1h);
    CHECK(h.effects.notifications.size() == 4);
}

TEST_CASE("A sunset trigger fires at sunset plus its offset") {
    Home h;
    h.rules(R"Y(
- id: dusk
  triggers: [{sun: sunset, offset: -30m}]
  actions: [{command: bedroom.lamp, set: {on: true, brightness: 60}}]
)Y");
    const auto sunset = next_sun_event(SunEvent::sunset, h.now, kPlace);
    REQUIRE(sunset);
    CHECK(h.engine.next_wake() == *sunset - 30min);
    h.pass(12h);
    REQUIRE(h.effects.sent.size() == 1);
    CHECK(h.effects.last_trace("dusk")->trigger["kind"] == "sun");
}

TEST_CASE("Start, intent and webhook triggers fire when the hub says so") {
    Home h;
    h.rules(R"Y(
- id: on_start
  triggers: [{start: true}]
  actions: [{notify: started}]
- id: sleepy
  triggers: [{intent: sleepy}]
  actions: [{command: {area: bedroom, kind: light}, set: {on: false}}]
- id: hook
  triggers: [{webhook: garage}]
  actions: [{notify: garage}]
)Y");
    h.engine.start(h.now);
    CHECK(h.effects.notifications.size() == 1);
    CHECK(h.engine.fire_webhook("garage", h.now) == 1);
    CHECK(h.engine.fire_webhook("other", h.now) == 0);
    CHECK(h.effects.notifications.size() == 2);
    h.set("bedroom.light", {{"on", true}});
    CHECK(h.engine.fire_intent("sleepy", {{"room", std::string("bedroom")}}, h.now, "utterance-1") == 1);
    CHECK(h.effects.sent.size() == 2);
    const auto* trace = h.effects.last_trace("sleepy");
    CHECK(trace->trigger["slots"]["room"] == "bedroom");
    CHECK(trace->parent_context == "utterance-1");
    REQUIRE(h.effects.undo.size() == 1);
    CHECK(h.effects.undo[0].label == "intent sleepy");
    CHECK(h.effects.undo[0].devices.size() == 2);
}

TEST_CASE("Run now starts a rule's actions without its triggers or conditions and refuses disabled rules") {
    Home h;
    h.rules(R"Y(
- id: night_off
  triggers: [{webhook: go}]
  conditions: [{state: bedroom.presence, attribute: occupancy, is: false}]
  actions: [{command: bedroom.light, set: {on: false}}]
)Y");
    h.set("bedroom.presence", {{"occupancy", true}});
    h.set("bedroom.light", {{"on", true}});
    h.engine.fire_webhook("go", h.now);
    CHECK(h.effects.sent.empty());

    REQUIRE(h.engine.run_now(proto::RuleId{"night_off"}, h.now).has_value());
    REQUIRE(h.effects.sent.size() == 1);
    CHECK(h.effects.sent[0].device.value == "bedroom.light");
    const auto* trace = h.effects.last_trace("night_off");
    REQUIRE(trace != nullptr);
    CHECK(trace->trigger["kind"] == "manual");
    CHECK(trace->outcome == Outcome::ran);
    CHECK(trace->conditions.empty());

    CHECK(h.engine.run_now(proto::RuleId{"nothing"}, h.now).error().code == proto::Errc::not_found);
    REQUIRE(h.engine.set_enabled(proto::RuleId{"night_off"}, false, h.now).has_value());
    CHECK(h.engine.run_now(proto::RuleId{"night_off"}, h.now).error().code == proto::Errc::conflict);
    CHECK(h.effects.sent.size() == 1);
}

// ---- conditions ----

TEST_CASE("State conditions compare values, lists and ranges") {
    Home h;
    h.rules(R"Y(
- id: c
  triggers: [{webhook: go}]
  conditions:
    - {state: bedroom.ac, attribute: hvac_mode, in: [cool, dry]}
    - {state: bedroom.ac, attribute: temperature, above: 25, below: 30}
    - {state: bedroom.presence, attribute: occupancy, is: true}
  actions: [{notify: ok}]
)Y");
    h.engine.fire_webhook("go", h.now);
    CHECK(h.effects.notifications.size() == 1);
    h.set("bedroom.ac", {{"temperature", 31.0}});
    h.engine.fire_webhook("go", h.now);
    CHECK(h.effects.notifications.size() == 1);
    const auto* trace = h.effects.last_trace("c");
    CHECK(trace->outcome == Outcome::condition_false);
    CHECK(trace->reason == "conditions[1] is false");
    REQUIRE(trace->conditions.size() == 2);
    CHECK(trace->conditions[0].passed);
    CHECK(trace->conditions[1].detail == "bedroom.ac.temperature is 31");
}

TEST_CASE("Time windows wrap past midnight and weekdays restrict them") {
    Home h;
    h.rules(R"Y(
- id: night
  triggers: [{webhook: go}]
  conditions: [{time: {after: "22:00", before: "06:00"}}]
  actions: [{notify: night}]
- id: weekend
  triggers: [{webhook: go}]
  conditions: [{time: {weekdays: [sat, sun]}}]
  actions: [{notify: weekend}]
)Y");
    h.engine.fire_webhook("go", at(2026, 7, 10, 23));  // Friday night
    h.engine.fire_webhook("go", at(2026, 7, 11, 3));   // Saturday small hours
    h.engine.fire_webhook("go", at(2026, 7, 11, 12));  // Saturday noon
    REQUIRE(h.effects.notifications.size() == 4);
    CHECK(h.effects.notifications[0].message == "night");
    CHECK(h.effects.notifications[1].message == "night");
    CHECK(h.effects.notifications[2].message == "weekend");
    CHECK(h.effects.notifications[3].message == "weekend");
}

TEST_CASE("Sun, someone-home, logic, expression and trigger-id conditions") {
    Home h;
    h.rules(R"Y(
- id: dark_and_home
  triggers: [{webhook: a, id: first}, {webhook: b, id: second}]
  conditions:
    - {sun: below_horizon}
    - {someone_home: true}
    - {or: [{trigger: second}, {not: [{state: bedroom.light, attribute: on, is: false}]}]}
    - "state('bedroom.ac', 'temperature') < 30 and season() == 'summer'"
  actions: [{notify: yes}]
)Y");
    h.engine.fire_webhook("b", at(2026, 7, 10, 12));
    CHECK(h.effects.notifications.empty());
    h.engine.fire_webhook("b", at(2026, 7, 10, 23));
    CHECK(h.effects.notifications.size() == 1);
    h.engine.fire_webhook("a", at(2026, 7, 10, 23));
    CHECK(h.effects.notifications.size() == 1);
    h.set("bedroom.presence", {{"occupancy", false}});
    h.engine.fire_webhook("b", at(2026, 7, 10, 23));
    CHECK(h.effects.notifications.size() == 1);
    CHECK(h.effects.last_trace("dark_and_home")->reason == "conditions[1] is false");
}

// ---- actions ----

TEST_CASE("Commands reach every device of a kind in an area, with relative values") {
    Home h;
    h.set("bedroom.light", {{"on", true}, {"brightness", 80.0}});
    h.set("bedroom.lamp", {{"on", true}, {"brightness", 20.0}});
    h.rules(R"Y(
- id: dim
  triggers: [{webhook: dim}]
  actions: [{command: {area: bedroom, kind: light}, set: {brightness: {expr: "current - 30"}}, transition: 2}]
)Y");
    h.engine.fire_webhook("dim", h.now);
    REQUIRE(h.effects.sent.size() == 2);
    CHECK(h.effects.sent[0].device.value == "bedroom.lamp");
    CHECK(h.effects.sent[0].command.set.at("brightness") == Value{0.0});
    CHECK(h.effects.sent[1].command.set.at("brightness") == Value{50.0});
    CHECK(h.effects.sent[1].command.transition == 2.0);
}

TEST_CASE("A command the device refuses is recorded as an error and the run goes on") {
    Home h;
    h.rules(R"Y(
- id: bad
  triggers: [{webhook: go}]
  actions:
    - {command: bedroom.ac, set: {target_temperature: 45}}
    - {notify: after}
)Y");
    h.engine.fire_webhook("go", h.now);
    CHECK(h.effects.sent.empty());
    CHECK(h.effects.notifications.size() == 1);
    const auto* trace = h.effects.last_trace("bad");
    CHECK(trace->outcome == Outcome::ran);
    CHECK_FALSE(trace->steps[0].error.empty());
}

TEST_CASE("Activating a scene from a rule plans the differences and saves an undo snapshot first") {
    Home h;
    h.scene(R"Y({id: night, targets: [{device: bedroom.light, state: {on: true, brightness: 40}},
                                      {device: bedroom.ac, state: {on: true, target_temperature: 26}}]})Y");
    h.rules(R"Y(
- id: goodnight
  triggers: [{webhook: night}]
  actions: [{scene: night}]
)Y");
    h.engine.fire_webhook("night", h.now);
    REQUIRE(h.effects.undo.size() == 1);
    CHECK(h.effects.undo[0].label == "scene night");
    CHECK(h.effects.undo[0].devices.size() == 2);
    REQUIRE(h.effects.sent.size() == 2);
    CHECK(h.effects.sent[0].command.set == proto::Attributes{{"on", true}});
    CHECK(h.effects.sent[1].command.set == proto::Attributes{{"on", true}, {"target_temperature", 26.0}});
    CHECK(h.effects.sent[0].command.context_id != h.effects.sent[1].command.context_id);
}

TEST_CASE("Delay, wait, choose, notify and stop run in order with time passed in") {
    Home h;
    h.rules(R"Y(
- id: flow
  triggers: [{webhook: go}]
  actions:
    - {notify: start}
    - {delay: 5m}
    - {wait: {state: bedroom.presence, attribute: occupancy, to: false}, timeout: 10m}
    - choose:
        - if: {state: bedroom.presence, attribute: occupancy, is: false}
          then: [{notify: empty}, {stop: done}]
      else: [{notify: still here}]
    - {notify: end}
)Y");
    h.engine.fire_webhook("go", h.now);
    CHECK(h.effects.notifications.size() == 1);
    h.pass(4min);
    CHECK(h.engine.status(proto::RuleId{"flow"})->active_runs == 1);
    h.pass(2min);
    h.set("bedroom.presence", {{"occupancy", false}});
    REQUIRE(h.effects.notifications.size() == 2);
    CHECK(h.effects.notifications[1].message == "empty");
    const auto* trace = h.effects.last_trace("flow");
    CHECK(trace->outcome == Outcome::stopped);
    CHECK(trace->reason == "done");
    CHECK(trace->steps.back().path == "actions[3].choose[0].then[1]");

    h.effects.clear();
    h.set("bedroom.presence", {{"occupancy", true}});
    h.engine.fire_webhook("go", h.now);
    h.pass(16min);  // the wait times out and the run goes on
    REQUIRE(h.effects.notifications.size() == 3);
    CHECK(h.effects.notifications[1].message == "still here");
    CHECK(h.effects.notifications[2].message == "end");
    CHECK(h.effects.last_trace("flow")->outcome == Outcome::ran);
}

TEST_CASE("A wait that times out stops the run when continue_on_timeout is false") {
    Home h;
    h.rules(R"Y(
- id: strict
  triggers: [{webhook: go}]
  actions:
    - {wait: {event: entrance.button, name: press}, timeout: 1m, continue_on_timeout: false}
    - {notify: pressed}
)Y");
    h.engine.fire_webhook("go", h.now);
    h.pass(2min);
    CHECK(h.effects.notifications.empty());
    CHECK(h.effects.last_trace("strict")->outcome == Outcome::cancelled);
    h.engine.fire_webhook("go", h.now);
    h.engine.handle_event(proto::DeviceId{"entrance.button"}, "press", {}, h.now);
    CHECK(h.effects.notifications.size() == 1);
}

// ---- run modes ----

namespace {
std::string moded(const char* mode, int max = 10) {
    return std::string("- id: m\n  mode: ") + mode + "\n  max: " + std::to_string(max) +
           "\n  triggers: [{webhook: go}]\n  actions: [{notify: begin}, {delay: 1m}, {notify: end}]\n";
}
}  // namespace

TEST_CASE("Mode single drops a trigger while the rule runs") {
    Home h;
    h.rules(moded("single"));
    h.engine.fire_webhook("go", h.now);
    h.engine.fire_webhook("go", h.now);
    CHECK(h.count("m", Outcome::dropped) == 1);
    CHECK(h.effects.last_trace("m")->reason == "already running (mode single)");
    h.pass(1min);
    CHECK(h.effects.notifications.size() == 2);
}

TEST_CASE("Mode restart cancels the running run and starts again") {
    Home h;
    h.rules(moded("restart"));
    h.engine.fire_webhook("go", h.now);
    h.pass(30s);
    h.engine.fire_webhook("go", h.now);
    CHECK(h.count("m", Outcome::cancelled) == 1);
    h.pass(45s);
    CHECK(h.effects.notifications.size() == 2);  // begin, begin
    h.pass(15s);
    CHECK(h.effects.notifications.size() == 3);
}

TEST_CASE("Mode queued runs one after another up to max") {
    Home h;
    h.rules(moded("queued", 2));
    h.engine.fire_webhook("go", h.now);
    h.engine.fire_webhook("go", h.now);
    h.engine.fire_webhook("go", h.now);
    CHECK(h.count("m", Outcome::dropped) == 1);
    CHECK(h.engine.status(proto::RuleId{"m"})->queued_runs == 1);
    h.pass(1min);
    CHECK(h.effects.notifications.size() == 3);  // begin, end, begin
    h.pass(1min);
    CHECK(h.count("m", Outcome::ran) == 2);
}

TEST_CASE("Mode parallel runs side by side up to max") {
    Home h;
    h.rules(moded("parallel", 2));
    for (int i = 0; i < 3; ++i) h.engine.fire_webhook("go", h.now);
    CHECK(h.engine.status(proto::RuleId{"m"})->active_runs == 2);
    CHECK(h.count("m", Outcome::dropped) == 1);
    h.pass(1min);
    CHECK(h.count("m", Outcome::ran) == 2);
}

// ---- loop guard, traces, availability, index ----

TEST_CASE("A chain of rules that keeps re-triggering itself is stopped and the rest keeps working") {
    Home h;
    h.rules(R"Y(
- id: ping
  triggers: [{state: bedroom.light, attribute: on}]
  actions: [{command: bedroom.lamp, set: {on: {expr: "not state('bedroom.lamp', 'on')"}}}]
- id: pong
  triggers: [{state: bedroom.lamp, attribute: on}]
  actions: [{command: bedroom.light, set: {on: {expr: "not state('bedroom.light', 'on')"}}}]
- id: bystander
  triggers: [{webhook: go}]
  actions: [{notify: still here}]
)Y");
    h.set("bedroom.light", {{"on", true}});
    for (int i = 0; i < 100 && !h.effects.sent.empty(); ++i) {
        h.now += 100ms;
        h.obey();
    }
    REQUIRE(h.effects.statuses.size() == 1);
    const auto stopped = h.effects.statuses[0];
    CHECK((stopped.id.value == "ping" || stopped.id.value == "pong"));
    CHECK(stopped.disabled_reason.find("times within 10 s (chain:") != std::string::npos);
    CHECK(h.count(stopped.id.value, Outcome::loop_stopped) == 1);
    CHECK(h.effects.sent.empty());
    h.engine.fire_webhook("go", h.now);
    CHECK(h.effects.notifications.size() == 1);
    REQUIRE(h.engine.set_enabled(stopped.id, true, h.now).has_value());
    CHECK(h.engine.status(stopped.id)->disabled_reason.empty());
}

TEST_CASE("A device's confirmation is attached to the trace of the command that caused it") {
    Home h;
    h.rules(R"Y(
- id: on
  triggers: [{webhook: go}]
  actions: [{command: bedroom.light, set: {on: true, brightness: 70}}]
)Y");
    h.engine.fire_webhook("go", h.now);
    const auto id = h.effects.last_trace("on")->id;
    h.now += 300ms;
    h.obey();
    const auto* trace = h.effects.last_trace("on");
    CHECK(trace->id == id);
    REQUIRE(trace->commands.size() == 1);
    REQUIRE(trace->commands[0].confirmed_at);
    CHECK(*trace->commands[0].confirmed_at == h.now);
    CHECK(trace->commands[0].confirmed == proto::Attributes{{"brightness", 70.0}, {"on", true}});
    const auto j = to_json(*trace);
    CHECK(j["commands"][0]["confirmed"]["brightness"] == 70);
    const auto back = trace_from_json(j);
    REQUIRE(back.has_value());
    CHECK(to_json(*back) == j);
}

TEST_CASE("A rule naming a missing device loads unavailable and comes back when the device appears") {
    Home h;
    const auto report = h.engine.load(yaml(R"Y(
- id: garage
  triggers: [{state: garage.door, attribute: contact, to: false}]
  actions: [{notify: garage open}]
- {id: broken, triggers: [{state: a.b}], actions: []}
)Y"),
                                      h.now);
    CHECK(report.loaded == 1);
    CHECK(report.unavailable == 1);
    REQUIRE(report.errors.size() == 1);
    CHECK(report.errors[0].field == "rules[1].triggers[0].attribute");
    CHECK(h.engine.status(proto::RuleId{"garage"})->problem == "device garage.door does not exist");
    h.device("garage.door", "entrance", "contact_sensor", {"contact"});
    h.engine.resolve(h.now);
    CHECK(h.engine.status(proto::RuleId{"garage"})->problem.empty());
    h.set("garage.door", {{"contact", true}});
    h.set("garage.door", {{"contact", false}});
    CHECK(h.effects.notifications.size() == 1);
    h.registry.remove(proto::DeviceId{"garage.door"});
    h.engine.resolve(h.now);
    CHECK_FALSE(h.engine.status(proto::RuleId{"garage"})->problem.empty());
}

TEST_CASE("Triggers are indexed by device and attribute") {
    Home h;
    h.rules(R"Y(
- {id: a, triggers: [{state: bedroom.light, attribute: on}], actions: [{notify: a}]}
- {id: b, triggers: [{numeric: bedroom.light, attribute: brightness, above: 50}], actions: [{notify: b}]}
- {id: c, triggers: [{state: bedroom.light, attribute: on}, {webhook: x}], actions: [{notify: c}]}
)Y");
    CHECK(h.engine.listeners(proto::DeviceId{"bedroom.light"}, "on") == 2);
    CHECK(h.engine.listeners(proto::DeviceId{"bedroom.light"}, "brightness") == 1);
    CHECK(h.engine.listeners(proto::DeviceId{"bedroom.lamp"}, "on") == 0);
    REQUIRE(h.engine.set_enabled(proto::RuleId{"c"}, false, h.now).has_value());
    CHECK(h.engine.listeners(proto::DeviceId{"bedroom.light"}, "on") == 1);
}

TEST_CASE("Upserting a rule replaces it and cancels its runs; removing it stops its timers") {
    Home h;
    h.rules(moded("single"));
    h.engine.fire_webhook("go", h.now);
    auto replaced = h.engine.upsert(yaml("{id: m, triggers: [{webhook: go}], actions: [{notify: new}]}"), h.now);
    REQUIRE(replaced.has_value());
    CHECK(h.count("m", Outcome::cancelled) == 1);
    CHECK_FALSE(h.engine.next_wake());
    const auto bad = h.engine.upsert(yaml("{id: m, triggers: [{webhook: go, for: 1m}], actions: [{notify: new}]}"), h.now);
    REQUIRE(bad.has_error());
    CHECK(bad.error().field == "triggers[0].for");
    h.rules("- {id: t, triggers: [{schedule: '* * * * *'}], actions: [{notify: tick}]}");
    CHECK(h.engine.next_wake());
    CHECK(h.engine.remove(proto::RuleId{"t"}, h.now));
    CHECK_FALSE(h.engine.next_wake());
}

TEST_CASE("Upserting many rules at once indexes all of them and reports a bad one without dropping the rest") {
    Home h;
    const auto results = h.engine.upsert_all(yaml(R"Y(
- {id: a, triggers: [{state: bedroom.light, attribute: on}], actions: [{notify: a}]}
- {id: b, triggers: [{webhook: go, for: 1m}], actions: [{notify: b}]}
- {id: c, triggers: [{state: bedroom.light, attribute: on}], actions: [{notify: c}]}
)Y"), h.now);
    REQUIRE(results.size() == 3);
    CHECK(results[0].has_value());
    REQUIRE(results[1].has_error());
    CHECK(results[1].error().field == "triggers[0].for");
    CHECK(results[2].has_value());
    CHECK(h.engine.listeners(proto::DeviceId{"bedroom.light"}, "on") == 2);
}

TEST_CASE("A first report after a restart does not fire instant triggers but opens for windows") {
    Home h;
    h.device("hall.door", "entrance", "contact_sensor", {"contact"});
    h.device("hall.presence", "entrance", "presence_sensor", {"occupancy"});
    h.rules(R"Y(
- {id: opened, triggers: [{state: hall.door, attribute: contact, to: false}], actions: [{notify: opened}]}
- {id: first, triggers: [{state: hall.door, attribute: contact, from: null}], actions: [{notify: first report}]}
- {id: empty, triggers: [{state: hall.presence, attribute: occupancy, to: false, for: 10m}], actions: [{notify: empty}]}
)Y");
    h.set("hall.door", {{"contact", false}});
    h.set("hall.presence", {{"occupancy", false}});
    REQUIRE(h.effects.notifications.size() == 1);
    CHECK(h.effects.notifications[0].message == "first report");
    h.pass(10min);
    CHECK(h.effects.notifications.size() == 2);
    h.set("hall.door", {{"contact", true}});
    h.set("hall.door", {{"contact", false}});
    CHECK(h.effects.notifications.size() == 3);
}

TEST_CASE("Someone-home can be limited to a configured set of sensors") {
    Home h;  // bedroom occupied, bathroom empty
    h.rules(R"Y(
- id: bathroom_only
  triggers: [{webhook: go}]
  conditions: [{someone_home: false, sensors: [bathroom.presence]}]
  actions: [{notify: bathroom empty}]
)Y");
    h.engine.fire_webhook("go", h.now);
    CHECK(h.effects.notifications.size() == 1);
    h.set("bathroom.presence", {{"occupancy", true}});
    h.engine.fire_webhook("go", h.now);
    CHECK(h.effects.notifications.size() == 1);
    CHECK(h.effects.last_trace("bathroom_only")->conditions[0].detail == "bathroom.presence reports occupancy");
}

TEST_CASE("A rule whose device disappears stops, and its pending for window goes with it") {
    Home h;
    h.rules(R"Y(
- id: bathroom_off
  triggers: [{state: bathroom.presence, attribute: occupancy, to: false, for: 40m}]
  actions: [{command: bathroom.light, set: {on: false}}]
)Y");
    h.set("bathroom.presence", {{"occupancy", true}});
    h.set("bathroom.presence", {{"occupancy", false}});
    REQUIRE(h.engine.next_wake());
    h.registry.remove(proto::DeviceId{"bathroom.light"});
    h.engine.resolve(h.now);
    CHECK(h.engine.status(proto::RuleId{"bathroom_off"})->problem == "device bathroom.light does not exist");
    REQUIRE(h.effects.statuses.size() == 1);
    CHECK_FALSE(h.engine.next_wake());
    CHECK(h.engine.export_pending()["holds"].empty());
}

TEST_CASE("A scene that is unavailable when a rule activates it is an error in the trace") {
    Home h;
    h.scene("{id: broken, targets: [{device: bedroom.lamp, state: {on: true}}]}");
    h.scenes.at(proto::SceneId{"broken"}).problem = "device bedroom.lamp is unusable";
    h.rules("- {id: r, triggers: [{webhook: go}], actions: [{scene: broken}, {notify: after}]}");
    h.engine.fire_webhook("go", h.now);
    const auto* trace = h.effects.last_trace("r");
    REQUIRE(trace);
    CHECK(trace->steps[0].error == "scene broken is unavailable: device bedroom.lamp is unusable");
    CHECK(h.effects.sent.empty());
    CHECK(h.effects.notifications.size() == 1);
}

TEST_CASE("A rule's command carries the rule as its cause and the run as its parent") {
    Home h;
    h.rules(R"Y(
- id: on
  triggers: [{webhook: go}]
  actions: [{command: bedroom.light, set: {on: true}}]
)Y");
    h.engine.fire_webhook("go", h.now);
    REQUIRE(h.effects.contexts.size() == 1);
    const auto& cause = h.effects.contexts[0];
    CHECK(cause.cause == proto::Cause::rule);
    CHECK(cause.source == "on");
    CHECK(cause.parent == h.effects.last_trace("on")->id);
    CHECK(cause.id == h.effects.sent[0].command.context_id);
    REQUIRE(h.book.command(cause.id));
    CHECK(h.book.command(cause.id)->trace == cause.parent);
}

TEST_CASE("A command that could not be sent shows in the run's trace as failed") {
    Home h;
    h.rules(R"Y(
- id: on
  triggers: [{webhook: go}]
  actions: [{command: bedroom.light, set: {on: true}}]
)Y");
    h.effects.refuse = proto::make_error(proto::Errc::device_unavailable, "the MQTT broker is not connected");
    h.engine.fire_webhook("go", h.now);
    const auto* trace = h.effects.last_trace("on");
    REQUIRE(trace);
    REQUIRE_FALSE(trace->commands.empty());
    CHECK(trace->commands[0].error == "the MQTT broker is not connected");
    CHECK(trace->steps[0].error == "bedroom.light: the MQTT broker is not connected");
    CHECK(trace->steps[0].detail["devices"].empty());
    CHECK(to_json(*trace)["commands"][0]["error"] == "the MQTT broker is not connected");
    CHECK_FALSE(h.book.command(trace->commands[0].command.context_id));
}

namespace {

// Effects that break the contract: sending re-enters the engine with the state the device took.
class ReenteringEffects final : public Effects {
public:
    Engine* engine = nullptr;
    devices::Registry* registry = nullptr;
    TimePoint now{};
    proto::Result<void> send(const scenes::DeviceCommand& command, const proto::Context&) override {
        const auto update = registry->apply_state(command.device, command.command.set, command.command.context_id);
        for (const auto& change : update->changes) engine->handle(change, now);
        return {};
    }
    void notify(const Notification&) override {}
    void push_undo(scenes::Snapshot) override {}
    void record(const Trace&) override {}
    void status_changed(const RuleStatus&) override {}
};

}  // namespace

TEST_CASE("An effect that calls back into the engine while it runs fails loudly") {
    Home h;
    ReenteringEffects effects;
    Engine engine(h.registry, h.scenes, effects, h.book, Home::make_config());
    effects.engine = &engine;
    effects.registry = &h.registry;
    REQUIRE(engine.load(yaml(R"Y(
- id: on
  triggers: [{webhook: go}]
  actions: [{command: bedroom.light, set: {on: true}}]
)Y"), h.now).errors.empty());
    CHECK_THROWS_AS(engine.fire_webhook("go", h.now), std::logic_error);
}
