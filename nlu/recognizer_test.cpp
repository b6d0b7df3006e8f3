#include "nlu/recognizer.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "proto/home.hpp"

using namespace hearth;
using namespace hearth::nlu;

namespace {

devices::Registry demo_home() {
    std::ifstream in(std::string(HEARTH_SOURCE_DIR) + "/sim/homes/demo.yaml");
    std::stringstream yaml;
    yaml << in.rdbuf();
    auto home = proto::home_from_yaml(yaml.str());
    REQUIRE(home.has_value());
    devices::Registry r;
    for (const auto& a : home->areas) r.upsert_area(a);
    for (const auto& d : home->devices) {
        r.upsert(d.description);
        r.set_availability(d.description.id, devices::Availability::online);
    }
    const auto state = [&](const char* id, proto::Attributes a) {
        REQUIRE(r.apply_state(proto::DeviceId(id), a).has_value());
    };
    state("bedroom.ac", {{"on", true}, {"hvac_mode", std::string("cool")}, {"target_temperature", 26.0}, {"temperature", 29.0}});
    state("living_room.ac", {{"on", false}, {"target_temperature", 25.0}, {"temperature", 27.0}});
    state("bedroom.climate_sensor", {{"temperature", 28.5}, {"humidity", 60.0}});
    state("living_room.ceiling_light", {{"on", true}, {"brightness", 50.0}});
    state("living_room.floor_lamp", {{"on", false}, {"brightness", 40.0}});
    state("kitchen.light", {{"on", true}, {"brightness", 80.0}});
    state("bedroom.ceiling_light", {{"on", true}, {"brightness", 60.0}});
    state("bedroom.speaker", {{"playback", std::string("playing")}, {"volume", 30.0}});
    state("living_room.tv", {{"on", true}, {"volume", 20.0}});
    state("living_room.curtain", {{"position", 0.0}});
    state("entrance.door_lock", {{"locked", false}});
    return r;
}

Vocabulary demo_vocabulary() {
    Vocabulary v;
    const auto scene = [&](const char* id, const char* zh, const char* en, std::optional<const char*> area = {}) {
        SceneEntry s{proto::SceneId(id), {zh, en}, {}};
        if (area) s.area = proto::AreaId(*area);
        v.scenes.push_back(s);
    };
    scene("sleep", "睡眠模式", "sleep mode", "bedroom");
    scene("wake_up", "起床模式", "wake up mode");
    scene("away", "离家模式", "away mode");
    scene("home", "回家模式", "home mode");
    scene("movie", "观影模式", "movie mode", "living_room");
    scene("reading", "阅读模式", "reading mode", "study");
    v.sentences.push_back({"该{activity}了", std::nullopt, proto::RuleId("dinner_bell")});
    v.sentences.push_back({"派对开始", proto::SceneId("movie"), std::nullopt});
    return v;
}

struct Fixture {
    devices::Registry registry = demo_home();
    Recognizer recognizer{registry, demo_vocabulary()};

    Understanding say(const std::string& text, std::optional<const char*> area = {}) {
        Request q{text, std::nullopt, "ctx-1", {}};
        if (area) q.area = proto::AreaId(*area);
        return recognizer.recognize(q, registry);
    }
};

const proto::Attributes* command_for(const Understanding& u, const char* device) {
    for (const auto& c : u.commands)
        if (c.device.value == device) return &c.command.set;
    return nullptr;
}

double number(const proto::Attributes& a, const char* key) {
    const auto it = a.find(key);
    REQUIRE(it != a.end());
    REQUIRE(proto::as_number(it->second));
    return *proto::as_number(it->second);
}

bool flag(const proto::Attributes& a, const char* key) {
    const auto it = a.find(key);
    REQUIRE(it != a.end());
    REQUIRE(proto::as_bool(it->second));
    return *proto::as_bool(it->second);
}

}  // namespace

TEST_CASE("我困了 in the bedroom activates the sleep scene") {
    Fixture f;
    const auto u = f.say("我困了", "bedroom");
    CHECK(u.understood);
    CHECK(u.language == Language::zh);
    CHECK(u.outcome == Outcome::scene);
    REQUIRE(u.scene.has_value());
    CHECK(u.scene->value == "sleep");
    REQUIRE(u.intent.has_value());
    CHECK(u.intent->name == "HearthMood");
    CHECK(u.commands.empty());
    CHECK(u.context_id == "ctx-1");
    CHECK_FALSE(u.speech.empty());
}

TEST_CASE("I'm tired activates the sleep scene") {
    Fixture f;
    const auto u = f.say("I'm tired", "bedroom");
    CHECK(u.language == Language::en);
    REQUIRE(u.scene.has_value());
    CHECK(u.scene->value == "sleep");
    CHECK(u.speech.find("sleep mode") != std::string::npos);
}

TEST_CASE("A mood without a scene in the catalogue fails and says so") {
    Fixture f;
    auto v = demo_vocabulary();
    v.scenes.clear();
    f.recognizer.set_vocabulary(f.registry, v);
    const auto u = f.say("晚安", "bedroom");
    CHECK(u.outcome == Outcome::failed);
    CHECK_FALSE(u.understood);
    CHECK_FALSE(u.scene.has_value());
}

TEST_CASE("我不困 is not an action, and the reply says so") {
    Fixture f;
    const auto u = f.say("我不困", "bedroom");
    CHECK_FALSE(u.understood);
    CHECK(u.outcome == Outcome::declined);
    CHECK_FALSE(u.scene.has_value());
    CHECK(u.commands.empty());
    CHECK_FALSE(u.speech.empty());
}

TEST_CASE("Negated commands do nothing in both languages") {
    Fixture f;
    for (const char* text : {"别关灯", "不要打开空调", "don't turn off the lights", "do not open the curtains", "I'm not tired"}) {
        const auto u = f.say(text, "living_room");
        INFO(text);
        CHECK(u.outcome == Outcome::declined);
        CHECK(u.commands.empty());
    }
}

TEST_CASE("Chit-chat is not understood and changes nothing") {
    Fixture f;
    for (const char* text : {"今天天气不错", "tell me a joke", ""}) {
        const auto u = f.say(text, "living_room");
        INFO(text);
        CHECK_FALSE(u.understood);
        CHECK(u.commands.empty());
        CHECK_FALSE(u.scene.has_value());
    }
}

TEST_CASE("A Chinese decimal temperature sets the bedroom AC target") {
    Fixture f;
    const auto u = f.say("把卧室空调调到二十五点五度");
    REQUIRE(u.outcome == Outcome::command);
    CHECK(u.intent->name == "HassClimateSetTemperature");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "bedroom.ac");
    CHECK(number(u.commands[0].command.set, "target_temperature") == Approx(25.5));
    CHECK(u.commands[0].command.context_id == "ctx-1");
}

TEST_CASE("Traditional characters and full-width digits are understood") {
    Fixture f;
    auto u = f.say("把臥室空調調到２４度");
    REQUIRE(u.commands.size() == 1);
    CHECK(number(u.commands[0].command.set, "target_temperature") == Approx(24));
    u = f.say("把客廳窗簾調到百分之五十");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "living_room.curtain");
    CHECK(number(u.commands[0].command.set, "position") == Approx(50));
}

TEST_CASE("Relative changes become absolute values from the current state") {
    Fixture f;
    auto u = f.say("卧室空调调高两度");
    REQUIRE(u.commands.size() == 1);
    CHECK(number(u.commands[0].command.set, "target_temperature") == Approx(28));

    u = f.say("客厅灯调亮一点");
    const auto* light = command_for(u, "living_room.ceiling_light");
    REQUIRE(light != nullptr);
    CHECK(number(*light, "brightness") > 50);

    u = f.say("a bit warmer", "bedroom");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "bedroom.ac");
    CHECK(number(u.commands[0].command.set, "target_temperature") == Approx(27));

    u = f.say("turn the tv down a bit", "living_room");
    REQUIRE(u.commands.size() == 1);
    CHECK(number(u.commands[0].command.set, "volume") == Approx(10));
}

TEST_CASE("Sound-alike Chinese names reach the right devices") {
    Fixture f;
    auto u = f.say("可厅的等打开");
    REQUIRE(u.outcome == Outcome::command);
    REQUIRE(command_for(u, "living_room.ceiling_light") != nullptr);
    CHECK(flag(*command_for(u, "living_room.ceiling_light"), "on"));
    for (const auto& c : u.commands) CHECK(c.device.value.starts_with("living_room."));

    // A sound-alike device name wins over the area and kind words inside it.
    u = f.say("可厅灯打开");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "living_room.ceiling_light");

    u = f.say("把卧室空掉关了");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "bedroom.ac");
    CHECK_FALSE(flag(u.commands[0].command.set, "on"));

    u = f.say("打开客厅窗连");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "living_room.curtain");
    CHECK(number(u.commands[0].command.set, "position") == Approx(100));
    CHECK(u.intent->confidence < 1.0);
}

TEST_CASE("Misspelt English names are matched by edit distance") {
    Fixture f;
    const auto u = f.say("turn on the kitchn light");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "kitchen.light");
}

TEST_CASE("English commands name devices, areas and kinds") {
    Fixture f;
    auto u = f.say("turn off the kitchen light");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.intent->name == "HassTurnOff");
    CHECK(u.commands[0].device.value == "kitchen.light");
    CHECK_FALSE(flag(u.commands[0].command.set, "on"));

    u = f.say("set the bedroom light to 30%");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.intent->name == "HassLightSet");
    CHECK(number(u.commands[0].command.set, "brightness") == Approx(30));

    u = f.say("set the bedroom AC to 22 degrees");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "bedroom.ac");
    CHECK(number(u.commands[0].command.set, "target_temperature") == Approx(22));
}

TEST_CASE("开灯 means the lights of the room that heard it") {
    Fixture f;
    const auto u = f.say("开灯", "kitchen");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "kitchen.light");
    CHECK(flag(u.commands[0].command.set, "on"));
    CHECK(u.intent->slots.at("area") == proto::Value(std::string("kitchen")));
}

TEST_CASE("Several named rooms are all served") {
    Fixture f;
    const auto u = f.say("打开卧室和厨房的灯");
    REQUIRE(u.commands.size() == 3);
    CHECK(command_for(u, "kitchen.light") != nullptr);
    CHECK(command_for(u, "bedroom.ceiling_light") != nullptr);
    CHECK(command_for(u, "bedroom.bedside_lamp") != nullptr);
}

TEST_CASE("Two equally good matches get a clarifying question, not a guess") {
    Fixture f;
    const auto u = f.say("打开空调");
    CHECK(u.outcome == Outcome::clarify);
    CHECK_FALSE(u.understood);
    CHECK(u.commands.empty());
    CHECK(u.speech.find("卧室空调") != std::string::npos);
    CHECK(u.speech.find("客厅空调") != std::string::npos);

    // Two devices with one name are just as ambiguous.
    auto d = f.registry.find(proto::DeviceId("study.desk_lamp"))->description;
    d.name = {"落地灯", "floor lamp"};
    f.registry.upsert(d);
    f.recognizer.rebuild(f.registry);
    const auto same = f.say("打开落地灯");
    CHECK(same.outcome == Outcome::clarify);
    CHECK(same.commands.empty());
}

TEST_CASE("Below the confidence threshold the recogniser asks instead of acting") {
    Fixture f;
    auto v = demo_vocabulary();
    v.confidence_threshold = 0.95;
    f.recognizer.set_vocabulary(f.registry, v);
    const auto u = f.say("打开客厅窗连");
    CHECK(u.outcome == Outcome::clarify);
    CHECK(u.commands.empty());
    REQUIRE(u.intent.has_value());
    CHECK(u.intent->confidence < 0.95);
    CHECK(u.speech.find("窗帘") != std::string::npos);
}

TEST_CASE("Out-of-range values are refused with the reason") {
    Fixture f;
    const auto u = f.say("把卧室空调调到35度");
    CHECK(u.outcome == Outcome::failed);
    CHECK(u.commands.empty());
    CHECK(u.speech.find("16") != std::string::npos);
}

TEST_CASE("Undo is its own intent") {
    Fixture f;
    for (const char* text : {"撤销", "undo that"}) {
        const auto u = f.say(text);
        CHECK(u.outcome == Outcome::undo);
        CHECK(u.understood);
        CHECK(u.intent->name == "HearthUndo");
    }
}

TEST_CASE("Situations become commands in the speaker's room") {
    Fixture f;
    auto u = f.say("好热啊", "bedroom");
    REQUIRE(u.outcome == Outcome::command);
    const auto* ac = command_for(u, "bedroom.ac");
    REQUIRE(ac != nullptr);
    CHECK(number(*ac, "target_temperature") == Approx(24));

    u = f.say("it's too dark in here", "living_room");
    REQUIRE(u.outcome == Outcome::command);
    REQUIRE(command_for(u, "living_room.ceiling_light") != nullptr);
    CHECK(number(*command_for(u, "living_room.ceiling_light"), "brightness") == Approx(80));
    REQUIRE(command_for(u, "living_room.floor_lamp") != nullptr);
    CHECK(flag(*command_for(u, "living_room.floor_lamp"), "on"));

    u = f.say("空气好闷", "bedroom");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "living_room.air_purifier");

    u = f.say("太热了");
    CHECK(u.outcome == Outcome::clarify);
}

TEST_CASE("Questions are answered from the registry") {
    Fixture f;
    auto u = f.say("卧室温度是多少？");
    CHECK(u.outcome == Outcome::answer);
    CHECK(u.intent->name == "HassClimateGetTemperature");
    CHECK(u.commands.empty());
    CHECK(u.speech.find("29") != std::string::npos);

    u = f.say("is the kitchen light on?");
    CHECK(u.intent->name == "HassGetState");
    CHECK(u.speech == "Yes, the kitchen light is on.");

    u = f.say("门锁了吗", "entrance");
    CHECK(u.intent->name == "HassGetState");
    CHECK(u.speech.find("没锁") != std::string::npos);
}

TEST_CASE("Media, vacuum and lock intents") {
    Fixture f;
    auto u = f.say("暂停", "bedroom");
    CHECK(u.intent->name == "HassMediaPause");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "bedroom.speaker");

    u = f.say("下一首", "bedroom");
    CHECK(u.intent->name == "HassMediaNext");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].command.set == proto::Attributes{{"skip", std::string("next")}});
    CHECK(u.speech == "好的，已在卧室音箱上切到下一首。");

    u = f.say("previous track on the bedroom speaker");
    CHECK(u.intent->name == "HassMediaPrevious");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].command.set == proto::Attributes{{"skip", std::string("previous")}});

    u = f.say("扫地机器人开始打扫");
    CHECK(u.intent->name == "HassVacuumStart");
    REQUIRE(u.commands.size() == 1);
    CHECK(flag(u.commands[0].command.set, "cleaning"));

    u = f.say("把门锁上", "living_room");
    REQUIRE(u.commands.size() == 1);
    CHECK(flag(u.commands[0].command.set, "locked"));
    CHECK(u.speech == "好的，已锁上玄关门锁。");

    u = f.say("锁门", "entrance");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "entrance.door_lock");
    CHECK(flag(u.commands[0].command.set, "locked"));

    u = f.say("ＴＶ音量５０");
    CHECK(u.intent->name == "HassSetVolume");
    REQUIRE(u.commands.size() == 1);
    CHECK(number(u.commands[0].command.set, "volume") == Approx(50));
}

TEST_CASE("Scenes are activated by name") {
    Fixture f;
    auto u = f.say("打开观影模式");
    CHECK(u.outcome == Outcome::scene);
    REQUIRE(u.scene.has_value());
    CHECK(u.scene->value == "movie");
    u = f.say("activate reading mode");
    REQUIRE(u.scene.has_value());
    CHECK(u.scene->value == "reading");
}

TEST_CASE("Scenes sharing a name are told apart by area, or asked about") {
    Fixture f;
    auto v = demo_vocabulary();
    v.scenes.push_back({proto::SceneId("study_reading"), {"阅读模式", "reading mode"}, proto::AreaId("bedroom")});
    f.recognizer.set_vocabulary(f.registry, v);
    auto u = f.say("打开阅读模式", "bedroom");
    REQUIRE(u.scene.has_value());
    CHECK(u.scene->value == "study_reading");
    u = f.say("打开阅读模式", "kitchen");
    CHECK(u.outcome == Outcome::clarify);
    CHECK_FALSE(u.scene.has_value());
}

TEST_CASE("User sentences with wildcards run their rule or scene") {
    Fixture f;
    auto u = f.say("该吃饭了");
    CHECK(u.outcome == Outcome::custom);
    REQUIRE(u.rule.has_value());
    CHECK(u.rule->value == "dinner_bell");
    CHECK(u.intent->name == "custom");
    CHECK(u.intent->slots.at("activity") == proto::Value(std::string("吃饭")));

    u = f.say("派對開始");
    CHECK(u.outcome == Outcome::custom);
    REQUIRE(u.scene.has_value());
    CHECK(u.scene->value == "movie");
}

TEST_CASE("The result has the REST shape the hub serves") {
    Fixture f;
    const auto j = to_json(f.say("把卧室空调调到二十五点五度"));
    for (const char* key : {"understood", "language", "intent", "scene", "commands", "speech", "context_id"})
        CHECK(j.contains(key));
    CHECK(j["language"] == "zh");
    CHECK(j["intent"]["name"] == "HassClimateSetTemperature");
    CHECK(j["intent"]["slots"]["temperature"] == 25.5);
    CHECK(j["intent"]["confidence"].is_number());
    CHECK(j["scene"].is_null());
    CHECK(j["commands"][0]["device"] == "bedroom.ac");
    CHECK(j["commands"][0]["set"]["target_temperature"] == 25.5);
}

TEST_CASE("Overlong or garbled input is refused and changes nothing") {
    Fixture f;
    auto u = f.say(std::string(5000, 'a'));
    CHECK(u.outcome == Outcome::not_understood);
    CHECK(u.commands.empty());
    CHECK(u.speech.find("too long") != std::string::npos);
    u = f.say("\xff\xfe\x80 开灯", "kitchen");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "kitchen.light");
}

TEST_CASE("A rebuilt recogniser knows renamed devices") {
    Fixture f;
    auto d = f.registry.find(proto::DeviceId("study.desk_lamp"))->description;
    d.name = {"阅读灯", "reading lamp"};
    f.registry.upsert(d);
    f.recognizer.rebuild(f.registry);
    const auto u = f.say("打开阅读灯");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands[0].device.value == "study.desk_lamp");
}

TEST_CASE("Sensor readings are answered per room") {
    Fixture f;
    const auto u = f.say("卧室的湿度是多少");
    CHECK(u.outcome == Outcome::answer);
    CHECK(u.intent->slots.at("attribute") == proto::Value(std::string("humidity")));
    CHECK(u.speech.find("60%") != std::string::npos);
}

TEST_CASE("An AC mode word is set along with the command") {
    Fixture f;
    const auto u = f.say("把客厅空调调到26度制冷");
    REQUIRE(u.commands.size() == 1);
    CHECK(number(u.commands[0].command.set, "target_temperature") == Approx(26));
    CHECK(u.commands[0].command.set.at("hvac_mode") == proto::Value(std::string("cool")));
    CHECK(flag(u.commands[0].command.set, "on"));
}

TEST_CASE("Two requests joined by 然后 are recognised one by one and their commands merged in order") {
    Fixture f;
    const auto u = f.say("把客厅的灯打开然后关掉卧室空调");
    REQUIRE(u.parts.size() == 2);
    CHECK(u.understood);
    REQUIRE(u.intent);
    CHECK(u.intent->name == "HassTurnOn");
    CHECK(u.parts[1].intent->name == "HassTurnOff");
    REQUIRE(u.commands.size() >= 2);
    CHECK(u.commands.front().device.value.starts_with("living_room."));
    CHECK(u.commands.back().device.value == "bedroom.ac");
    CHECK(u.commands.back().command.set.at("on") == proto::Value(false));
    CHECK(u.speech.find("客厅") < u.speech.find("卧室空调"));
    const auto j = to_json(u);
    REQUIRE(j["intents"].size() == 2);
    CHECK(j["intents"][1]["name"] == "HassTurnOff");
    CHECK(j["intent"]["name"] == "HassTurnOn");
}

TEST_CASE("并且, commas and 但是 split requests; a part without an area takes the previous part's") {
    Fixture f;
    const auto u = f.say("打开卧室的灯并且拉上窗帘");
    REQUIRE(u.parts.size() == 2);
    CHECK(command_for(u, "bedroom.ceiling_light"));
    CHECK(command_for(u, "bedroom.curtain"));
    CHECK_FALSE(command_for(u, "living_room.curtain"));

    const auto comma = f.say("关掉厨房灯，打开书房灯");
    REQUIRE(comma.parts.size() == 2);
    CHECK(command_for(comma, "kitchen.light"));
    CHECK(command_for(comma, "study.light"));

    const auto but = f.say("关掉卧室的灯但是打开窗帘");
    REQUIRE(but.parts.size() == 2);
    CHECK(but.parts[0].outcome == Outcome::command);
    CHECK(but.parts[1].outcome == Outcome::command);
    const auto* light = command_for(but, "bedroom.ceiling_light");
    REQUIRE(light);
    CHECK_FALSE(flag(*light, "on"));
    const auto* curtain = command_for(but, "bedroom.curtain");
    REQUIRE(curtain);
    CHECK(number(*curtain, "position") == 100.0);
    CHECK_FALSE(command_for(but, "living_room.curtain"));
}

TEST_CASE("Each part has its own negation") {
    Fixture f;
    const auto u = f.say("打开卧室灯但是别开空调");
    REQUIRE(u.parts.size() == 2);
    CHECK(u.parts[0].outcome == Outcome::command);
    CHECK(u.parts[1].outcome == Outcome::declined);
    CHECK(command_for(u, "bedroom.ceiling_light"));
    CHECK_FALSE(command_for(u, "bedroom.ac"));
    CHECK_FALSE(command_for(u, "living_room.ac"));
}

TEST_CASE("A mood and a command in one utterance keep both") {
    Fixture f;
    const auto u = f.say("我困了，但是把玄关灯开着", "bedroom");
    REQUIRE(u.parts.size() == 2);
    CHECK(u.parts[0].intent->name == "HearthMood");
    CHECK(u.scene == proto::SceneId("sleep"));
    CHECK(u.parts[1].intent->name == "HassTurnOn");
    CHECK(command_for(u, "entrance.light"));
}

TEST_CASE("English requests split on and before a verb, then and but") {
    Fixture f;
    const auto u = f.say("turn on the kitchen light and turn off the bedroom AC");
    REQUIRE(u.parts.size() == 2);
    CHECK(command_for(u, "kitchen.light"));
    CHECK(command_for(u, "bedroom.ac"));
    CHECK(u.speech.find("kitchen") < u.speech.find("bedroom"));

    const auto then = f.say("turn off the study light then pause the bedroom speaker");
    REQUIRE(then.parts.size() == 2);
    CHECK(then.parts[1].intent->name == "HassMediaPause");

    const auto but = f.say("turn on the bedroom light but don't turn on the AC");
    REQUIRE(but.parts.size() == 2);
    CHECK(but.parts[1].outcome == Outcome::declined);
}

TEST_CASE("Several areas or devices joined by 和 or and stay one request") {
    Fixture f;
    const auto zh = f.say("打开客厅和卧室的灯");
    CHECK(zh.parts.empty());
    CHECK(command_for(zh, "living_room.ceiling_light"));
    CHECK(command_for(zh, "bedroom.ceiling_light"));
    const auto en = f.say("turn off the kitchen and living room lights");
    CHECK(en.parts.empty());
    CHECK_FALSE(en.commands.empty());
    CHECK(to_json(en)["intents"].size() == 1);
}

TEST_CASE("An unclear part is asked about by name and only that part is left undone") {
    Fixture f;
    const auto u = f.say("打开厨房灯然后关空调");
    REQUIRE(u.parts.size() == 2);
    CHECK(u.parts[0].outcome == Outcome::command);
    CHECK(u.parts[1].outcome == Outcome::clarify);
    CHECK(command_for(u, "kitchen.light"));
    CHECK(u.commands.size() == 1);
    CHECK(u.speech.find("关空调") != std::string::npos);
}

TEST_CASE("A part that names no device is about the devices the previous part acted on") {
    Fixture f;
    const auto u = f.say("把卧室灯打开然后调到五十");
    REQUIRE(u.parts.size() == 2);
    CHECK(u.parts[1].outcome == Outcome::command);
    REQUIRE(u.parts[1].commands.size() == 1);
    CHECK(u.parts[1].commands[0].device.value == "bedroom.ceiling_light");
    CHECK(u.parts[1].commands[0].command.set.at("brightness") == proto::Value{50.0});
    // A part that names its own kind or area is not about the previous part's devices.
    const auto other = f.say("打开卧室灯然后打开厨房的灯");
    REQUIRE(other.parts.size() == 2);
    REQUIRE(other.parts[1].commands.size() == 1);
    CHECK(other.parts[1].commands[0].device.value == "kitchen.light");
}

TEST_CASE("Undo inside a longer utterance is not acted on and the reply says to say it alone") {
    Fixture f;
    const auto u = f.say("打开厨房灯然后撤销");
    REQUIRE(u.parts.size() == 2);
    CHECK(u.parts[0].outcome == Outcome::command);
    CHECK(u.parts[1].outcome == Outcome::failed);
    CHECK(u.commands.size() == 1);
    CHECK(u.speech.find("关于“撤销”：这一句请单独说") != std::string::npos);
    const auto e = f.say("turn on the kitchen light and then undo");
    REQUIRE(e.parts.size() == 2);
    CHECK(e.parts[1].outcome == Outcome::failed);
    CHECK(e.speech.find("Say that on its own") != std::string::npos);
}

TEST_CASE("Traditional input gets its reply in Traditional characters") {
    Fixture f;
    const auto u = f.say("打開客廳的燈");
    CHECK(u.script == Script::hant);
    CHECK(u.speech.find("客廳") != std::string::npos);
    CHECK(u.speech.find("燈") != std::string::npos);
    CHECK(u.speech.find("客厅") == std::string::npos);
    const auto j = to_json(u);
    CHECK(j["script"] == "hant");
    CHECK(j["language"] == "zh");
    CHECK(to_json(f.say("打开客厅的灯"))["script"] == "hans");
    CHECK_FALSE(to_json(f.say("turn on the kitchen light")).contains("script"));
}

TEST_CASE("A device the home does not have is said to be missing and nothing is sent") {
    Fixture f;
    for (const auto* text : {"把加湿器打开", "打开热水器", "turn on the kettle", "turn on the dishwasher"}) {
        const auto u = f.say(text, "bedroom");
        INFO(text);
        CHECK(u.outcome == Outcome::failed);
        CHECK(u.commands.empty());
    }
    CHECK(f.say("把加湿器打开", "bedroom").speech == "家里没有加湿器。");
    CHECK(f.say("turn on the kettle", "kitchen").speech == "There is no kettle here.");
    // A room without that kind, and a qualifier naming nothing: no light of another room is used.
    const auto balcony = f.say("把阳台的灯打开", "living_room");
    CHECK(balcony.outcome == Outcome::failed);
    CHECK(balcony.speech == "家里没有阳台的灯。");
    const auto tv = f.say("关掉卧室的电视", "living_room");
    CHECK(tv.outcome == Outcome::failed);
    CHECK(tv.commands.empty());
}

TEST_CASE("Windows are not curtains") {
    Fixture f;
    for (const auto* text : {"关窗", "把客厅的窗户关上", "close the living room window", "open the window"}) {
        const auto u = f.say(text, "living_room");
        INFO(text);
        CHECK(u.outcome == Outcome::failed);
        CHECK(u.commands.empty());
    }
    const auto curtains = f.say("拉上窗帘", "living_room");
    REQUIRE(command_for(curtains, "living_room.curtain"));
    CHECK(number(*command_for(curtains, "living_room.curtain"), "position") == 0);
}

TEST_CASE("A cover of the named class is found and others are left alone") {
    Fixture f;
    proto::DeviceDescription window;
    window.id = proto::DeviceId("living_room.window");
    window.name = {"客厅窗户", "living room window"};
    window.area = proto::AreaId("living_room");
    window.kind = proto::DeviceKind::curtain;
    window.device_class = "window";
    window.capabilities = {*proto::canonical_capability("position")};
    f.registry.upsert(window);
    f.registry.set_availability(window.id, devices::Availability::online);
    f.recognizer.rebuild(f.registry);
    const auto u = f.say("关窗", "living_room");
    REQUIRE(u.commands.size() == 1);
    CHECK(u.commands.front().device.value == "living_room.window");
    const auto curtains = f.say("close the curtains", "living_room");
    REQUIRE(curtains.commands.size() == 1);
    CHECK(curtains.commands.front().device.value == "living_room.curtain");
}

TEST_CASE("Fractions, half degrees and spoken decimals are read exactly") {
    Fixture f;
    const auto position = [&](const char* text) {
        const auto u = f.say(text, "living_room");
        INFO(text);
        REQUIRE(command_for(u, "living_room.curtain"));
        return number(*command_for(u, "living_room.curtain"), "position");
    };
    CHECK(position("把窗帘开到三成") == 30);
    CHECK(position("窗帘开一半") == 50);
    CHECK(position("窗帘开个四分之一") == 25);
    CHECK(position("open the curtains a quarter of the way") == 25);
    CHECK(position("open the curtains three quarters") == 75);
    const auto target = [&](const char* text) {
        const auto u = f.say(text, "bedroom");
        INFO(text);
        REQUIRE(command_for(u, "bedroom.ac"));
        return number(*command_for(u, "bedroom.ac"), "target_temperature");
    };
    CHECK(target("空调调到二十五度半") == 25.5);
    CHECK(target("冷氣校到廿五度半") == 25.5);
    CHECK(target("空调调低半度") == 25.5);
    CHECK(target("set the AC to twenty five and a half degrees") == 25.5);
    CHECK(target("set the temperature to twenty six point five") == 26.5);
    CHECK(target("turn the AC down half a degree") == 25.5);
    CHECK(target("make it two degrees cooler") == 24);
    const auto u = f.say("卧室灯调到七成亮", "bedroom");
    REQUIRE(command_for(u, "bedroom.ceiling_light"));
    CHECK(number(*command_for(u, "bedroom.ceiling_light"), "brightness") == 70);
}

TEST_CASE("All the lights are the whole home's unless a room or here is said") {
    Fixture f;
    std::size_t lights = 0;
    for (const auto* d : f.registry.list()) lights += d->description.kind == proto::DeviceKind::light;
    for (const auto* text : {"把所有的灯都关掉", "全屋的灯关掉", "熄晒啲燈", "turn off all the lights", "turn off every light in the house"}) {
        const auto u = f.say(text, "living_room");
        INFO(text);
        CHECK(u.outcome == Outcome::command);
        CHECK(u.commands.size() == lights);
    }
    const auto named = f.say("关掉卧室所有的灯", "living_room");
    for (const auto& c : named.commands) CHECK(c.device.value.starts_with("bedroom."));
    const auto here = f.say("turn off all the lights in here", "kitchen");
    REQUIRE(here.commands.size() == 1);
    CHECK(here.commands.front().device.value == "kitchen.light");
}

TEST_CASE("Nothing named to act on is asked about") {
    Fixture f;
    for (const auto* text : {"打开", "turn it on", "调到五十", "set it to 50"}) {
        const auto u = f.say(text, "living_room");
        INFO(text);
        CHECK(u.outcome == Outcome::clarify);
        CHECK(u.commands.empty());
    }
}

TEST_CASE("A misspelt English kind word is matched and two misspellings are asked about") {
    Fixture f;
    const auto curtains = f.say("close the curtians", "living_room");
    REQUIRE(curtains.commands.size() == 1);
    CHECK(curtains.commands.front().device.value == "living_room.curtain");
    const auto lamp = f.say("turn on the flor lmap", "living_room");
    CHECK(lamp.outcome == Outcome::clarify);
    CHECK(lamp.commands.empty());
    const auto of = f.say("turn of the kitchen light", "kitchen");
    REQUIRE(command_for(of, "kitchen.light"));
    CHECK_FALSE(flag(*command_for(of, "kitchen.light"), "on"));
}

TEST_CASE("Yes-or-no questions are answered with yes or no, counts with the number") {
    Fixture f;
    CHECK(f.say("卧室灯开着吗？").speech.starts_with("是的"));
    CHECK(f.say("客厅落地灯开着吗？").speech.starts_with("不"));
    CHECK(f.say("is the kitchen light on?").speech.starts_with("Yes"));
    CHECK(f.say("is the front door lock locked?").speech.starts_with("No"));
    const auto count = f.say("how many lights are on?");
    CHECK(count.outcome == Outcome::answer);
    CHECK(count.speech.starts_with("3"));
}

TEST_CASE("Floors are read from the areas and a floor the home lacks is said to be missing") {
    Fixture f;
    CHECK(f.say("关掉二楼的灯", "living_room").outcome == Outcome::failed);
    CHECK(f.say("turn off the upstairs lights", "living_room").commands.empty());
    for (const auto* id : {"bedroom", "study"}) {
        auto a = *f.registry.find_area(proto::AreaId(id));
        a.floor = proto::Floor{"upstairs", {"二楼", "upstairs"}, 2};
        f.registry.upsert_area(a);
    }
    for (const auto* id : {"living_room", "kitchen", "bathroom", "entrance"}) {
        auto a = *f.registry.find_area(proto::AreaId(id));
        a.floor = proto::Floor{"ground", {"一楼", "ground floor"}, 1};
        f.registry.upsert_area(a);
    }
    f.recognizer.rebuild(f.registry);
    for (const auto* text : {"关掉二楼的灯", "turn off the upstairs lights", "关掉楼上的灯"}) {
        const auto u = f.say(text, "living_room");
        INFO(text);
        CHECK(u.outcome == Outcome::command);
        REQUIRE_FALSE(u.commands.empty());
        for (const auto& c : u.commands) CHECK((c.device.value.starts_with("bedroom.") || c.device.value.starts_with("study.")));
    }
    const auto down = f.say("关掉楼下的灯", "bedroom");
    REQUIRE_FALSE(down.commands.empty());
    for (const auto& c : down.commands) CHECK_FALSE((c.device.value.starts_with("bedroom.") || c.device.value.starts_with("study.")));
}

TEST_CASE("Cantonese everyday wording is understood") {
    Fixture f;
    const auto off = f.say("熄燈", "kitchen");
    REQUIRE(command_for(off, "kitchen.light"));
    CHECK_FALSE(flag(*command_for(off, "kitchen.light"), "on"));
    CHECK(f.say("我好眼瞓", "bedroom").scene == proto::SceneId("sleep"));
    CHECK(f.say("我返工喇", "entrance").scene == proto::SceneId("away"));
    CHECK(f.say("我唔眼瞓", "bedroom").outcome == Outcome::declined);
    const auto quieter = f.say("電視細聲啲", "living_room");
    REQUIRE(command_for(quieter, "living_room.tv"));
    CHECK(number(*command_for(quieter, "living_room.tv"), "volume") < 20);
}

TEST_CASE("A state word of a sensor class picks the sensor of that class and is answered yes or no") {
    Fixture f;
    const auto sensor = [&](const char* id, proto::LocalizedName name, const char* area, const char* device_class,
                            const char* attribute, proto::Value value) {
        proto::DeviceDescription d;
        d.id = proto::DeviceId(id);
        d.name = std::move(name);
        d.area = proto::AreaId(area);
        d.kind = proto::DeviceKind::sensor;
        d.device_class = device_class;
        const auto type = std::holds_alternative<bool>(value) ? proto::ValueType::boolean : proto::ValueType::number;
        d.capabilities = {proto::Capability{attribute, type, {}, {}, {}, {}, {}, proto::Access::read}};
        f.registry.upsert(d);
        f.registry.set_availability(d.id, devices::Availability::online);
        REQUIRE(f.registry.apply_state(d.id, {{attribute, value}}).has_value());
    };
    // Two sensors share the name "Phone"; an adopted leak sensor reports its own yes-or-no reading
    // beside a moisture reading of the same class.
    sensor("phone.battery", {"手机", "Phone"}, "bedroom", "battery", "detected", false);
    sensor("phone.charging", {"手机", "Phone"}, "bedroom", "battery_charging", "detected", true);
    sensor("kitchen.leak", {"漏水传感器", "leak sensor"}, "kitchen", "moisture", "water_leak", false);
    sensor("kitchen.soil", {"土壤湿度", "plant moisture"}, "kitchen", "moisture", "value", 40.0);
    f.recognizer.rebuild(f.registry);

    const auto charging = f.say("is the phone charging?");
    CHECK(charging.outcome == Outcome::answer);
    CHECK(charging.speech.starts_with("Yes"));
    REQUIRE(charging.targets.size() == 1);
    CHECK(charging.targets.front().value == "phone.charging");
    CHECK(f.say("is the phone battery low?").speech.starts_with("No"));
    CHECK(f.say("手機電量過低嗎？").speech.starts_with("不"));
    CHECK(f.say("手机在充电吗？").speech.starts_with("是的"));

    const auto leak = f.say("is there any leak?", "living_room");
    CHECK(leak.speech.starts_with("No"));
    REQUIRE(leak.targets.size() == 1);
    CHECK(leak.targets.front().value == "kitchen.leak");
    CHECK(f.say("are any devices wet?", "living_room").speech.starts_with("No"));
    CHECK(f.say("is the kitchen dry?", "living_room").speech.starts_with("Yes"));
    CHECK(f.say("漏水传感器是潮湿的吗？").speech.starts_with("不"));
    CHECK(f.say("is the phone charging?").commands.empty());
}
