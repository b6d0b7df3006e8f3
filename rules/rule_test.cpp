#include "rules/rule.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "proto/yaml.hpp"

using namespace hearth;
using namespace hearth::rules;

namespace {

nlohmann::json yaml(const char* text) {
    auto j = proto::yaml_to_json(text);
    REQUIRE(j.has_value());
    return *j;
}

Rule parse(const char* text) {
    auto r = rule_from_json(yaml(text));
    INFO((r ? "" : r.error().message + " [" + r.error().field + "]"));
    REQUIRE(r.has_value());
    return *r;
}

proto::Error error(const char* text) {
    auto r = rule_from_json(yaml(text));
    REQUIRE(r.has_error());
    return r.error();
}

}  // namespace

TEST_CASE("A rule with every kind of trigger parses") {
    const auto r = parse(R"Y(
id: everything
mode: queued
max: 3
missed: skip
triggers:
  - {state: bathroom.presence, attribute: occupancy, to: false, for: 40m}
  - {numeric: bedroom.climate_sensor, attribute: temperature, above: 28}
  - {event: hall.button, name: press, data: {action: double}}
  - {availability: entrance.door_lock, to: offline, for: 5m}
  - {time: "07:30", weekdays: [mon, fri]}
  - {schedule: "*/15 * * * *"}
  - {sun: sunset, offset: -15m}
  - {start: true}
  - {intent: sleepy, id: voice}
  - {webhook: garage}
actions:
  - {notify: hi}
)Y");
    REQUIRE(r.triggers.size() == 10);
    CHECK(r.mode == RunMode::queued);
    CHECK(r.max == 3);
    CHECK(r.missed == Missed::skip);
    CHECK(r.triggers[0].hold == std::chrono::minutes(40));
    CHECK(std::get<StateTrigger>(r.triggers[0].what).to == proto::Value{false});
    CHECK(std::get<NumericTrigger>(r.triggers[1].what).above == 28.0);
    CHECK(std::get<EventTrigger>(r.triggers[2].what).data.at("action") == proto::Value{std::string("double")});
    CHECK(std::get<AvailabilityTrigger>(r.triggers[3].what).to == devices::Availability::offline);
    CHECK(std::get<TimeTrigger>(r.triggers[4].what).weekdays == std::vector<unsigned>{1, 5});
    CHECK(std::get<SunTrigger>(r.triggers[6].what).offset == std::chrono::minutes(-15));
    CHECK(r.triggers[8].id == "voice");
    CHECK(kind_name(r.triggers[9]) == "webhook");
}

TEST_CASE("Conditions and actions of every kind parse") {
    const auto r = parse(R"Y(
id: all_parts
triggers: [{intent: test}]
conditions:
  - {state: bedroom.presence, attribute: occupancy, is: true}
  - {state: bedroom.ac, attribute: hvac_mode, in: [cool, dry]}
  - {state: bedroom.climate_sensor, attribute: temperature, above: 20, below: 35}
  - {time: {after: "22:00", before: "06:00", weekdays: [sat, sun]}}
  - {sun: below_horizon}
  - {someone_home: true, sensors: [bedroom.presence]}
  - {or: [{sun: above_horizon}, {not: [{someone_home: false}]}]}
  - {and: [{expr: "hour() > 6"}]}
  - "state('bedroom.ac', 'on') == true"
  - {trigger: voice}
actions:
  - {command: bedroom.ac, set: {on: true, target_temperature: {expr: "if(season() == 'winter', 20, 26)"}}, transition: 2}
  - {command: {area: bedroom, kind: light}, set: {on: false}}
  - {scene: sleep}
  - {delay: 1h30m}
  - {wait: {state: bedroom.presence, attribute: occupancy, to: true}, timeout: "00:10", continue_on_timeout: false}
  - choose:
      - if: {state: bedroom.presence, attribute: occupancy, is: true}
        then: [{notify: occupied}]
    else: [{stop: nobody}]
  - {notify: done, title: Hearth}
)Y");
    CHECK(r.conditions.size() == 10);
    REQUIRE(r.actions.size() == 7);
    CHECK(std::get<DelayAction>(r.actions[3].what).duration == std::chrono::minutes(90));
    const auto& wait = std::get<WaitAction>(r.actions[4].what);
    CHECK(wait.timeout == std::chrono::minutes(10));
    CHECK_FALSE(wait.continue_on_timeout);
    const auto& choose = std::get<ChooseAction>(r.actions[5].what);
    CHECK(choose.branches.size() == 1);
    CHECK(choose.otherwise.size() == 1);
    CHECK(std::get<CommandAction>(r.actions[1].what).target.kind == proto::DeviceKind::light);
}

TEST_CASE("Rule errors name the offending field") {
    CHECK(error("{id: x, triggers: [{event: a.b, name: press, for: 5m}], actions: [{notify: x}]}").field == "triggers[0].for");
    CHECK(error("{id: x, triggers: [{state: a.b, attribute: on, for: soon}], actions: [{notify: x}]}").field == "triggers[0].for");
    CHECK(error("{id: x, triggers: [{state: a.b, atribute: on}], actions: [{notify: x}]}").field == "triggers[0].atribute");
    CHECK(error("{id: x, triggers: [{numeric: a.b, attribute: t}], actions: [{notify: x}]}").field == "triggers[0].above");
    CHECK(error("{id: x, triggers: [{schedule: '61 * * * *'}], actions: [{notify: x}]}").field == "triggers[0].schedule");
    CHECK(error("{id: x, triggers: [{sun: noon}], actions: [{notify: x}]}").field == "triggers[0].sun");
    CHECK(error("{id: x, triggers: [{time: '25:00'}], actions: [{notify: x}]}").field == "triggers[0].time");
    CHECK(error("{id: x, triggers: [{intent: a}], conditions: [{time: {after: '7'}}], actions: [{notify: x}]}").field ==
          "conditions[0].time.after");
    CHECK(error("{id: x, triggers: [{intent: a}], conditions: [{or: [{expr: '1 +'}]}], actions: [{notify: x}]}").field ==
          "conditions[0].or[0].expr");
    CHECK(error("{id: x, triggers: [{intent: a}], actions: [{notify: x}, {choose: [{if: {sun: above_horizon}, then: [{command: a.b, set: {}}]}]}]}")
              .field == "actions[1].choose[0].then[0].set");
    CHECK(error("{id: x, triggers: [{intent: a}], actions: [{wait: {time: '07:00'}, timeout: 5m}]}").field == "actions[0].wait");
    CHECK(error("{id: x, triggers: [{intent: a}], actions: [{delay: 5m}], mode: sometimes}").field == "mode");
    CHECK(error("{id: x, triggers: [], actions: [{delay: 5m}]}").field == "triggers");
    CHECK(error("{id: X, triggers: [{intent: a}], actions: [{delay: 5m}]}").field == "id");
    const auto e = error("{id: x, triggers: [{intent: a}], conditions: [\"state('a.b', 'on') = 1\"], actions: [{delay: 1}]}");
    CHECK(e.field == "conditions[0]");
    CHECK(e.message.find("at column 20") != std::string::npos);
}

TEST_CASE("Durations accept units, clock notation and seconds") {
    using namespace std::chrono;
    CHECK(duration_from_json("40m") == minutes(40));
    CHECK(duration_from_json("1h30m") == minutes(90));
    CHECK(duration_from_json("90s") == seconds(90));
    CHECK(duration_from_json("-15min") == minutes(-15));
    CHECK(duration_from_json("01:30") == minutes(90));
    CHECK(duration_from_json("00:00:45") == seconds(45));
    CHECK(duration_from_json(120) == seconds(120));
    CHECK_FALSE(duration_from_json("soon"));
    CHECK_FALSE(duration_from_json("5"));
    CHECK_FALSE(duration_from_json("5x"));
}

TEST_CASE("A rule that names a missing device, attribute or scene has a problem, not an error") {
    devices::Registry registry;
    registry.upsert(proto::description_from_json(nlohmann::json{
                        {"id", "a.b"}, {"kind", "light"}, {"capabilities", {"on"}}})
                        .value());
    const scenes::SceneBook scenes;
    CHECK(rule_problem(parse("{id: x, triggers: [{state: a.b, attribute: on}], actions: [{command: a.b, set: {on: false}}]}"),
                       registry, scenes)
              .empty());
    CHECK(rule_problem(parse("{id: x, triggers: [{state: a.c, attribute: on}], actions: [{notify: x}]}"), registry, scenes) ==
          "device a.c does not exist");
    CHECK(rule_problem(parse("{id: x, triggers: [{state: a.b, attribute: brightness}], actions: [{notify: x}]}"), registry,
                       scenes) == "a.b has no attribute brightness");
    CHECK(rule_problem(parse("{id: x, triggers: [{intent: a}], actions: [{scene: nope}]}"), registry, scenes) ==
          "scene nope does not exist");
    CHECK(rule_problem(parse("{id: x, triggers: [{intent: a}], conditions: [\"state('z.z', 'on')\"], actions: [{notify: x}]}"),
                       registry, scenes) == "device z.z does not exist");
}
