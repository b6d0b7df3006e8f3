#include "ctl/views.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::ctl;
using nlohmann::json;

TEST_CASE("Names show English first, then Chinese, and plain text as it is") {
    CHECK(display_name(json{{"zh", "卧室灯"}, {"en", "bedroom light"}}) == "bedroom light");
    CHECK(display_name(json{{"zh", "卧室灯"}}) == "卧室灯");
    CHECK(display_name(json("lamp")) == "lamp");
    CHECK(display_name(json()) == "");
}

TEST_CASE("Key state shows the important attributes first, at most the limit") {
    const json state{
        {"track", "Weightless"}, {"volume", 15}, {"playback", "playing"}, {"media", "sleep_music"}};
    CHECK(key_state(state) == "playback=playing media=sleep_music volume=15");
    const json light{{"color_temp", 4000}, {"brightness", 30}, {"on", true}};
    CHECK(key_state(light) == "on=true brightness=30");
    const json ac{{"on", true},
                  {"hvac_mode", "cool"},
                  {"target_temperature", 26},
                  {"temperature", 27.5},
                  {"fan_speed", "low"}};
    CHECK(key_state(ac, 2) == "on=true hvac_mode=cool");
    CHECK(key_state(json()) == "");
}

TEST_CASE("Times show in the given offset, with or without the date") {
    // 2026-11-21T08:00:00.250Z
    const std::int64_t ms = 1795248000250;
    CHECK(format_time(ms, std::chrono::minutes(0), true) == "2026-11-21 08:00:00");
    CHECK(format_time(ms, std::chrono::minutes(480), false) == "16:00:00.250");
    CHECK(format_time(ms, std::chrono::minutes(-600), true) == "2026-11-20 22:00:00");
}

TEST_CASE("The devices table has one row per device with online as yes or no") {
    const json devices = json::array({
        {{"id", "bedroom.ac"},
         {"name", {{"en", "bedroom AC"}}},
         {"area", "bedroom"},
         {"online", true},
         {"state", {{"on", false}, {"temperature", 28}}}},
        {{"id", "entrance.door_lock"},
         {"area", "entrance"},
         {"online", false},
         {"state", json::object()}},
    });
    const auto table = devices_table(devices);
    CHECK(table.rows() == 2);
    CHECK(table.render() ==
          "ID                  NAME        AREA      ONLINE  STATE\n"
          "bedroom.ac          bedroom AC  bedroom   yes     on=false temperature=28\n"
          "entrance.door_lock              entrance  no\n");
}

TEST_CASE("Scenes and rules show their availability and the reason when there is one") {
    const json scenes =
        json::array({{{"id", "sleep"},
                      {"name", {{"en", "sleep"}}},
                      {"targets", json::array({1, 2})},
                      {"status", {{"available", false}, {"problem", "device x does not exist"}}}}});
    CHECK(scenes_table(scenes).render().find("2        no: device x does not exist") !=
          std::string::npos);
    const json rules = json::array(
        {{{"id", "r1"}, {"status", {{"enabled", true}, {"available", true}, {"active_runs", 1}}}}});
    CHECK(rules_table(rules).render().find("r1  ") != std::string::npos);
    CHECK(rules_table(rules).render().find("yes      ok      1 active, 0 queued") !=
          std::string::npos);
}

TEST_CASE("An activation lists what was sent, then what was skipped or refused") {
    const json answer{
        {"scene", "sleep"},
        {"context_id", "c1"},
        {"commands",
         json::array({{{"device", "bedroom.ac"}, {"set", {{"on", true}}}, {"transition", 3}}})},
        {"skipped", json::array()},
        {"refused",
         json::array({{{"code", "device_unavailable"}, {"message", "offline"}, {"field", "x"}}})}};
    CHECK(activation_text(answer) ==
          "activated sleep: 1 command (context c1)\n"
          "  bedroom.ac  {\"on\":true} transition 3 s\n"
          "  refused: device_unavailable: offline [x]\n");
    CHECK(
        activation_text(json{{"undone", true}, {"label", "sleep"}, {"commands", json::array()}}) ==
        "undid sleep: 0 commands\n");
}

TEST_CASE("A conversation shows the speech, the intent and the commands") {
    const json answer{
        {"understood", true},
        {"speech", "好的，晚安"},
        {"intent", {{"name", "HearthMood"}, {"slots", {{"mood", "sleepy"}}}}},
        {"outcome", "scene"},
        {"scene", "sleep"},
        {"dry_run", true},
        {"commands", json::array({{{"device", "bedroom.speaker"}, {"set", {{"volume", 15}}}}})}};
    CHECK(conversation_text(answer) ==
          "好的，晚安\n"
          "understood: HearthMood mood=sleepy; outcome scene, scene sleep (dry run: nothing sent)\n"
          "  bedroom.speaker  {\"volume\":15}\n");
}

TEST_CASE("A WebSocket state message is one line with the old and the new value") {
    const json state{
        {"type", "state"},  {"device", "bedroom.ac"}, {"attribute", "target_temperature"},
        {"value", 26},      {"old_value", 27},        {"time_ms", 1795248000250},
        {"subscription", 1}};
    CHECK(event_line(state, std::chrono::minutes(0)) ==
          "08:00:00.250 state bedroom.ac target_temperature 27 -> 26");
    const json availability{
        {"type", "availability"}, {"device", "bedroom.ac"}, {"online", false}, {"subscription", 1}};
    CHECK(event_line(availability, std::chrono::minutes(0)) ==
          "availability bedroom.ac {\"online\":false}");
}

TEST_CASE("Tokens and traces show their times as dates") {
    const json tokens = json::array(
        {{{"id", "t1"}, {"name", "ci"}, {"scope", "read"}, {"created_ms", 1795248000250}}});
    CHECK(tokens_table(tokens, std::chrono::minutes(0)).render() ==
          "ID  NAME  SCOPE  CREATED\nt1  ci    read   2026-11-21 08:00:00\n");
    const json traces =
        json::array({{{"rule", "r"},
                      {"started", 1795248000250},
                      {"trigger", {{"kind", "manual"}, {"id", "run"}}},
                      {"outcome", "ran"},
                      {"commands", json::array({{{"device", "x"}, {"confirmed_at", 1}}})}}});
    CHECK(traces_table(traces, std::chrono::minutes(0))
              .render()
              .find("manual (run)  ran      1 (1 confirmed)") != std::string::npos);
}
