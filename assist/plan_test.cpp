#include "assist/plan.hpp"

#include <catch2/catch.hpp>

using namespace hearth;
using assist::ConversationRequest;
using assist::Dispatch;
using assist::plan_utterance;
using nlohmann::json;
using proto::DeviceId;
using nlu::Language;
using nlu::Outcome;
using nlu::Understanding;

namespace {

constexpr const char* kContext = "01TESTCONTEXT";

struct Home {
    devices::Registry registry;
    scenes::SceneBook scenes;
    scenes::UndoStack undo;
    scenes::Place place{31.23, 121.47, 480};
    scenes::TimePoint now = std::chrono::sys_days{std::chrono::year{2026} / 7 / 10} + std::chrono::hours(4);

    Home() {
        registry.upsert_area({proto::AreaId{"bedroom"}, {"卧室", "Bedroom"}});
        device("bedroom.lamp", {"on", "brightness"});
        device("bedroom.ac", {"on", "target_temperature"});
        (void)registry.apply_state(DeviceId{"bedroom.lamp"}, {{"on", false}, {"brightness", 60.0}});
        (void)registry.apply_state(DeviceId{"bedroom.ac"}, {{"on", false}, {"target_temperature", 24.0}});
        scene(R"J({"id": "sleep", "name": {"zh": "睡眠", "en": "Sleep"}, "targets": [
            {"device": "bedroom.lamp", "state": {"on": true, "brightness": 10}},
            {"device": "bedroom.ac", "state": {"on": true, "target_temperature": 26}}]})J");
    }

    void device(const char* id, std::vector<std::string> capabilities) {
        json j{{"id", id}, {"area", "bedroom"}, {"kind", "light"}, {"capabilities", capabilities}};
        registry.upsert(proto::description_from_json(j).value());
        (void)registry.set_availability(DeviceId{id}, devices::Availability::online);
    }

    void scene(const char* text, std::string problem = {}) {
        auto s = scenes::scene_from_json(json::parse(text));
        REQUIRE(s.has_value());
        const auto id = s->id;
        scenes[id] = scenes::SceneEntry{std::move(*s), std::move(problem)};
    }

    assist::HomeView view() const { return {registry, scenes, undo.top(), place, now}; }
};

Understanding understood(Outcome outcome, std::string intent, Language language = Language::zh) {
    Understanding u;
    u.understood = true;
    u.language = language;
    u.outcome = outcome;
    u.intent = nlu::Intent{std::move(intent), {}, 0.9};
    u.context_id = kContext;
    u.speech = "好的。";
    return u;
}

nlu::DeviceCommand command(const char* device, proto::Attributes set) {
    return {DeviceId{device}, proto::Command{std::move(set), std::nullopt, kContext}};
}

ConversationRequest request(std::string text, bool dry_run = false) {
    ConversationRequest r;
    r.text = std::move(text);
    r.dry_run = dry_run;
    return r;
}

std::vector<std::string> devices_of(const assist::Plan& plan) {
    std::vector<std::string> ids;
    for (const auto& c : plan.commands) ids.push_back(c.device.value);
    return ids;
}

}  // namespace

TEST_CASE("A command utterance is sent as one change with an undo snapshot of its devices and one command step") {
    Home home;
    auto u = understood(Outcome::command, "HassTurnOn");
    u.commands = {command("bedroom.lamp", {{"on", true}})};
    const auto plan = plan_utterance(u, request("开台灯"), home.view());
    CHECK(plan.dispatch == Dispatch::send);
    CHECK(devices_of(plan) == std::vector<std::string>{"bedroom.lamp"});
    REQUIRE(plan.undo_snapshot.has_value());
    CHECK(plan.undo_snapshot->label == "voice 开台灯");
    CHECK(plan.undo_snapshot->context_id == kContext);
    REQUIRE(plan.undo_snapshot->devices.size() == 1);
    CHECK(plan.undo_snapshot->devices[0].state.at("on") == proto::Value{false});
    CHECK_FALSE(plan.pops_undo);
    CHECK(plan.trace_rule.value == assist::kVoiceTraces);
    CHECK(plan.trigger["kind"] == "utterance");
    CHECK(plan.trigger["text"] == "开台灯");
    CHECK(plan.trigger["intent"] == "HassTurnOn");
    REQUIRE(plan.steps.size() == 1);
    CHECK(plan.steps[0].record.kind == "command");
    CHECK(plan.steps[0].record.detail["devices"] == json::array({"bedroom.lamp"}));
    CHECK(plan.understood);
    CHECK(plan.speech == "好的。");
    REQUIRE(plan.intents.size() == 1);
    CHECK(plan.intents[0].name == "HassTurnOn");
}

TEST_CASE("A dry run of a scene reports its planned commands and takes no snapshot and tells the rules nothing") {
    Home home;
    auto u = understood(Outcome::scene, "HearthMood");
    u.scene = proto::SceneId{"sleep"};
    const auto plan = plan_utterance(u, request("我困了", true), home.view());
    CHECK(plan.dispatch == Dispatch::report);
    CHECK(devices_of(plan) == std::vector<std::string>{"bedroom.lamp", "bedroom.ac"});
    for (const auto& c : plan.commands) CHECK(c.command.context_id == kContext);
    CHECK_FALSE(plan.undo_snapshot.has_value());
    CHECK(plan.steps.empty());
    CHECK(plan.intents.empty());
    REQUIRE(plan.skipped.has_value());
    CHECK(plan.skipped->empty());
}

TEST_CASE("A scene by voice snapshots its devices first and records a scene step listing the devices sent") {
    Home home;
    auto u = understood(Outcome::scene, "HearthMood");
    u.scene = proto::SceneId{"sleep"};
    u.intent->slots = {{"mood", std::string("sleepy")}};
    const auto plan = plan_utterance(u, request("我困了"), home.view());
    CHECK(plan.dispatch == Dispatch::send);
    CHECK(plan.trace_rule.value == assist::kVoiceTraces);
    REQUIRE(plan.undo_snapshot.has_value());
    CHECK(plan.undo_snapshot->devices.size() == 2);
    REQUIRE(plan.steps.size() == 1);
    CHECK(plan.steps[0].record.kind == "scene");
    CHECK(plan.steps[0].record.detail["scene"] == "sleep");
    CHECK(plan.steps[0].lists_sent_devices);
    // The rules hear the intent and, for a mood, the mood's name as well.
    REQUIRE(plan.intents.size() == 2);
    CHECK(plan.intents[0].name == "HearthMood");
    CHECK(plan.intents[1].name == "sleepy");
}

TEST_CASE("A scene that cannot be used is not understood and says so by name in the request's language") {
    Home home;
    home.scene(R"J({"id": "movie", "name": {"zh": "观影", "en": "Movie"}, "targets": [
        {"device": "bedroom.lamp", "state": {"on": false}}]})J", "device tv is missing");
    auto u = understood(Outcome::scene, "HassSceneOn", Language::en);
    u.scene = proto::SceneId{"movie"};
    const auto en = plan_utterance(u, request("movie time"), home.view());
    CHECK_FALSE(en.understood);
    CHECK(en.speech == "The scene Movie cannot be used right now");
    CHECK(en.dispatch == Dispatch::none);
    CHECK(en.commands.empty());

    u.language = Language::zh;
    CHECK(plan_utterance(u, request("看电影"), home.view()).speech == "场景观影现在无法使用");
    u.scene = proto::SceneId{"gone"};
    CHECK(plan_utterance(u, request("看电影"), home.view()).speech == "场景gone现在无法使用");
}

TEST_CASE("A Traditional Chinese request hears the hub's own replies in Traditional characters") {
    Home home;
    auto u = understood(Outcome::undo, "HearthUndo");
    u.script = nlu::Script::hant;
    const auto plan = plan_utterance(u, request("撤銷"), home.view());
    CHECK(plan.speech == "沒有可以撤銷的操作");

    auto scene = understood(Outcome::scene, "HassSceneOn");
    scene.script = nlu::Script::hant;
    scene.scene = proto::SceneId{"gone"};
    CHECK(plan_utterance(scene, request("看電影"), home.view()).speech == "場景gone現在無法使用");
}

TEST_CASE("Undo with nothing on the stack sends nothing and says there is nothing to undo") {
    Home home;
    const auto zh = plan_utterance(understood(Outcome::undo, "HearthUndo"), request("撤销"), home.view());
    CHECK(zh.dispatch == Dispatch::none);
    CHECK_FALSE(zh.pops_undo);
    CHECK(zh.understood);
    CHECK(zh.speech == "没有可以撤销的操作");
    const auto en = plan_utterance(understood(Outcome::undo, "HearthUndo", Language::en), request("undo"), home.view());
    CHECK(en.speech == "There is nothing to undo");
}

TEST_CASE("Undo restores the stack's top, pops it and says in its trigger which change it undoes") {
    Home home;
    home.undo.push(scenes::take_snapshot(home.registry, {DeviceId{"bedroom.lamp"}}, home.now, "voice 开台灯", "01EARLIER"));
    (void)home.registry.apply_state(DeviceId{"bedroom.lamp"}, {{"on", true}});
    auto u = understood(Outcome::undo, "HearthUndo");
    u.speech = "好的，撤销刚才的操作。";
    const auto plan = plan_utterance(u, request("撤销"), home.view());
    CHECK(plan.dispatch == Dispatch::send);
    CHECK(plan.pops_undo);
    CHECK_FALSE(plan.undo_snapshot.has_value());
    CHECK(plan.trace_rule.value == assist::kUndoTraces);
    REQUIRE(plan.commands.size() == 1);
    CHECK(plan.commands[0].command.set == proto::Attributes{{"on", false}});
    CHECK(plan.commands[0].command.context_id == kContext);
    CHECK(plan.trigger["text"] == "撤销");
    CHECK(plan.trigger["undoes"] == "voice 开台灯");
    CHECK(plan.trigger["undoes_context"] == "01EARLIER");
    REQUIRE(plan.steps.size() == 1);
    CHECK(plan.steps[0].record.kind == "undo");
    CHECK(plan.speech == "好的，撤销刚才的操作。");
}

TEST_CASE("A dry run of an undo leaves the stack alone") {
    Home home;
    home.undo.push(scenes::take_snapshot(home.registry, {DeviceId{"bedroom.lamp"}}, home.now, "voice 开台灯", "01EARLIER"));
    const auto plan = plan_utterance(understood(Outcome::undo, "HearthUndo"), request("撤销", true), home.view());
    CHECK(plan.dispatch == Dispatch::none);
    CHECK_FALSE(plan.pops_undo);
}

TEST_CASE("Several requests in one utterance merge their commands in order, a later part winning, with a step per part") {
    Home home;
    auto u = understood(Outcome::command, "HearthMood");
    auto sleepy = understood(Outcome::scene, "HearthMood");
    sleepy.scene = proto::SceneId{"sleep"};
    sleepy.text = "我困了";
    auto lamp_off = understood(Outcome::command, "HassTurnOff");
    lamp_off.commands = {command("bedroom.lamp", {{"on", false}})};
    lamp_off.text = "但是把台灯关着";
    u.parts = {sleepy, lamp_off};
    const auto plan = plan_utterance(u, request("我困了，但是把台灯关着"), home.view());
    CHECK(plan.dispatch == Dispatch::send);
    REQUIRE(devices_of(plan) == std::vector<std::string>{"bedroom.lamp", "bedroom.ac"});
    CHECK(plan.commands[0].command.set.at("on") == proto::Value{false});
    CHECK(plan.commands[0].command.set.at("brightness") == proto::Value{10.0});
    REQUIRE(plan.undo_snapshot.has_value());
    CHECK(plan.undo_snapshot->devices.size() == 2);
    REQUIRE(plan.steps.size() == 2);
    CHECK(plan.steps[0].record.path == "parts[0]");
    CHECK(plan.steps[0].record.kind == "scene");
    CHECK(plan.steps[1].record.kind == "command");
    CHECK(plan.steps[1].record.detail["devices"] == json::array({"bedroom.lamp"}));
    CHECK(plan.trigger["intents"] == json::array({"HearthMood", "HassTurnOff"}));
    CHECK(plan.intents.size() == 2);
}

TEST_CASE("A part naming a scene that cannot be used is skipped and the other parts still go out") {
    Home home;
    auto u = understood(Outcome::command, "HassTurnOn");
    auto movie = understood(Outcome::scene, "HassSceneOn");
    movie.scene = proto::SceneId{"gone"};
    auto lamp_on = understood(Outcome::command, "HassTurnOn");
    lamp_on.commands = {command("bedroom.lamp", {{"on", true}})};
    u.parts = {movie, lamp_on};
    const auto plan = plan_utterance(u, request("看电影然后开台灯"), home.view());
    CHECK(devices_of(plan) == std::vector<std::string>{"bedroom.lamp"});
    REQUIRE(plan.skipped.has_value());
    REQUIRE(plan.skipped->size() == 1);
    CHECK((*plan.skipped)[0]["scene"] == "gone");
}

TEST_CASE("A user sentence bound to a rule asks for the rule to run with a reply ready should it be refused") {
    Home home;
    auto u = understood(Outcome::custom, "custom");
    u.rule = proto::RuleId{"study"};
    const auto plan = plan_utterance(u, request("该学习了"), home.view());
    CHECK(plan.rule == proto::RuleId{"study"});
    CHECK(plan.speech_if_rule_refused == "规则study现在无法运行");
    CHECK(plan.dispatch == Dispatch::none);
    CHECK_FALSE(plan_utterance(u, request("该学习了", true), home.view()).rule.has_value());
}

TEST_CASE("An utterance that was not understood plans nothing and keeps the recogniser's speech") {
    Home home;
    Understanding u;
    u.speech = "Sorry, I did not understand.";
    const auto plan = plan_utterance(u, request("blah"), home.view());
    CHECK(plan.dispatch == Dispatch::none);
    CHECK_FALSE(plan.understood);
    CHECK(plan.speech == u.speech);
    CHECK(plan.intents.empty());
}
