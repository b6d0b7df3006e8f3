// Understanding wired into the hub: utterances over REST, WebSocket and the MQTT assist topic,
// acted on by real simulated devices through a real broker.
#include <catch2/catch.hpp>

#include "scenes/calendar.hpp"
#include "tests/sim_home.hpp"
#include "tests/support/metric_value.hpp"
#include "tests/support/ws_client.hpp"

using namespace hearth::testing;
using nlohmann::json;

namespace {

const std::set<std::string> kBedroom = {"bedroom.ceiling_light", "bedroom.bedside_lamp", "bedroom.ac", "bedroom.speaker",
                                        "bedroom.curtain"};

/// The demo's sleep scene heats to 20 °C in winter and cools to 26 °C otherwise (Shanghai, the
/// demo home's location).
bool ac_set_for_sleep(const json& s) {
    const hearth::scenes::Place shanghai{31.23, 121.47, 480};
    const bool winter =
        hearth::scenes::season(std::chrono::system_clock::now(), shanghai) == hearth::scenes::Season::winter;
    return s["on"] == true && s["hvac_mode"] == (winter ? "heat" : "cool") &&
           s["target_temperature"] == (winter ? 20 : 26) && s["fan_speed"] == "low";
}

bool all_online(SimHome& home, const std::set<std::string>& ids) {
    for (const auto& id : ids)
        if (!home.online(id)) return false;
    return true;
}

std::size_t set_messages(const MqttClient& client) {
    std::size_t n = 0;
    for (const auto& m : client.received())
        if (m.topic.ends_with("/set")) ++n;
    return n;
}

}  // namespace

TEST_CASE("我困了 in the bedroom dims the lights and sets the AC for sleep and plays sleep music and undo restores it all") {
    SimHome home;
    SimFleet fleet(home.broker, kBedroom);
    REQUIRE(all_online(home, kBedroom));
    // A known starting point: the ceiling light on, the lamp off at 60, the AC off, the speaker quiet.
    REQUIRE(home.post("/api/v1/devices/bedroom.ceiling_light/commands", {{"on", true}, {"brightness", 70}}).status == 202);
    REQUIRE(home.post("/api/v1/devices/bedroom.bedside_lamp/commands", {{"on", false}, {"brightness", 60}}).status == 202);
    REQUIRE(home.post("/api/v1/devices/bedroom.ac/commands", {{"on", false}, {"target_temperature", 24}}).status == 202);
    REQUIRE(home.post("/api/v1/devices/bedroom.speaker/commands", {{"playback", "stopped"}, {"volume", 40}}).status == 202);
    REQUIRE(home.state_becomes("bedroom.ceiling_light", [](const json& s) { return s.value("on", false) && s["brightness"] == 70; }));
    REQUIRE(home.state_becomes("bedroom.bedside_lamp", [](const json& s) { return s["on"] == false && s["brightness"] == 60; }));
    REQUIRE(home.state_becomes("bedroom.ac", [](const json& s) { return s["on"] == false && s["target_temperature"] == 24; }));
    REQUIRE(home.state_becomes("bedroom.speaker", [](const json& s) { return s["playback"] == "stopped" && s["volume"] == 40; }));

    const auto reply = home.post("/api/v1/conversation", {{"text", "我困了"}, {"area", "bedroom"}});
    REQUIRE(reply.status == 200);
    const auto r = reply.json();
    CHECK(r["understood"] == true);
    CHECK(r["language"] == "zh");
    CHECK(r["intent"]["name"] == "HearthMood");
    CHECK(r["scene"] == "sleep");
    CHECK(r["speech"].is_string());
    const auto context = r["context_id"].get<std::string>();
    CHECK(!context.empty());
    std::set<std::string> commanded;
    for (const auto& c : r["commands"]) commanded.insert(c["device"].get<std::string>());
    CHECK(commanded.contains("bedroom.speaker"));
    CHECK(commanded.contains("bedroom.ac"));

    // The devices' own reports show the scene.
    CHECK(home.state_becomes("bedroom.ceiling_light", [](const json& s) { return s["on"] == false; }));
    CHECK(home.state_becomes("bedroom.bedside_lamp", [](const json& s) { return s["on"] == true && s["brightness"] == 10; }));
    CHECK(home.state_becomes("bedroom.ac", ac_set_for_sleep));
    CHECK(home.state_becomes("bedroom.speaker", [](const json& s) {
        return s["media"] == "sleep_music" && s["playback"] == "playing" && s["volume"] == 15;
    }));

    // A trace explains why the speaker plays, with the device's confirmation attached.
    json trace;
    REQUIRE(settle([&] {
        for (const auto& t : home.get("/api/v1/traces?device=bedroom.speaker").json().value("traces", json::array())) {
            if (t["id"] != context) continue;
            for (const auto& c : t["commands"])
                if (c["device"] == "bedroom.speaker" && c.contains("confirmed_at")) trace = t;
        }
        return !trace.is_null();
    }));
    CHECK(trace["trigger"]["text"] == "我困了");
    CHECK(trace["trigger"]["intent"] == "HearthMood");
    CHECK(trace["outcome"] == "ran");

    // Undo (by voice) brings the previous state back.
    const auto undo = home.post("/api/v1/conversation", {{"text", "撤销"}, {"area", "bedroom"}}).json();
    CHECK(undo["understood"] == true);
    CHECK(home.state_becomes("bedroom.ceiling_light", [](const json& s) { return s["on"] == true && s["brightness"] == 70; }));
    CHECK(home.state_becomes("bedroom.bedside_lamp", [](const json& s) { return s["on"] == false && s["brightness"] == 60; }));
    CHECK(home.state_becomes("bedroom.ac", [](const json& s) { return s["on"] == false && s["target_temperature"] == 24; }));
    CHECK(home.state_becomes("bedroom.speaker", [](const json& s) { return s["playback"] == "stopped" && s["volume"] == 40; }));
    // Nothing left to undo.
    CHECK(home.post("/api/v1/undo").status == 404);
    const auto metrics = home.get("/metrics").body;
    CHECK(hearth::testing::metric_value(metrics, R"(hearth_utterances_total{outcome="acted"})") >= 1);
    CHECK(!hearth::testing::metric_value(metrics, R"(hearth_utterances_total{outcome="dry_run"})"));
}

TEST_CASE("A dry run understands and plans but sends nothing and pushes no undo") {
    SimHome home;
    SimFleet fleet(home.broker, kBedroom);
    REQUIRE(all_online(home, kBedroom));
    const auto before = home.state("bedroom.speaker");
    home.mqtt.clear();
    const auto r = home.post("/api/v1/conversation", {{"text", "我困了"}, {"area", "bedroom"}, {"dry_run", true}}).json();
    CHECK(r["understood"] == true);
    CHECK(r["scene"] == "sleep");
    CHECK(!r["commands"].empty());
    CHECK(r["dry_run"] == true);
    // A command sent afterwards arrives, so anything the dry run had sent would have arrived first.
    REQUIRE(home.post("/api/v1/devices/bedroom.curtain/commands", {{"position", 37}}).status == 202);
    REQUIRE(home.mqtt.wait_for("hearth/device/bedroom.curtain/set", "37").has_value());
    CHECK(set_messages(home.mqtt) == 1);
    CHECK(home.state("bedroom.speaker") == before);
    CHECK(home.post("/api/v1/undo").status == 404);
    const auto metrics = home.get("/metrics").body;
    CHECK(hearth::testing::metric_value(metrics, R"(hearth_utterances_total{outcome="dry_run"})") == 1);
    CHECK(!hearth::testing::metric_value(metrics, R"(hearth_utterances_total{outcome="acted"})"));
}

TEST_CASE("English and Chinese commands reach the devices and each can be undone") {
    SimHome home;
    SimFleet fleet(home.broker, {"kitchen.light", "bedroom.ac"});
    REQUIRE(all_online(home, {"kitchen.light", "bedroom.ac"}));
    REQUIRE(home.post("/api/v1/devices/kitchen.light/commands", {{"on", true}}).status == 202);
    REQUIRE(home.state_becomes("kitchen.light", [](const json& s) { return s["on"] == true; }));

    const auto off = home.post("/api/v1/conversation", {{"text", "turn off the kitchen light"}}).json();
    CHECK(off["understood"] == true);
    CHECK(off["language"] == "en");
    CHECK(off["intent"]["name"] == "HassTurnOff");
    REQUIRE(off["commands"].size() == 1);
    CHECK(off["commands"][0]["device"] == "kitchen.light");
    CHECK(home.state_becomes("kitchen.light", [](const json& s) { return s["on"] == false; }));

    const auto ac = home.post("/api/v1/conversation", {{"text", "把卧室空调调到二十五点五度"}}).json();
    CHECK(ac["understood"] == true);
    CHECK(ac["intent"]["name"] == "HassClimateSetTemperature");
    CHECK(home.state_becomes("bedroom.ac", [](const json& s) { return s["target_temperature"] == 25.5; }));

    // Voice commands snapshot their devices first: undo twice restores both.
    CHECK(home.post("/api/v1/undo").status == 200);
    CHECK(home.post("/api/v1/undo").status == 200);
    CHECK(home.state_becomes("kitchen.light", [](const json& s) { return s["on"] == true; }));
}

TEST_CASE("下一首 and previous track change what the bedroom speaker plays") {
    SimHome home;
    SimFleet fleet(home.broker, {"bedroom.speaker"});
    REQUIRE(home.online("bedroom.speaker"));
    REQUIRE(home.post("/api/v1/devices/bedroom.speaker/commands", {{"playback", "playing"}, {"media", "jazz"}}).status == 202);
    REQUIRE(home.state_becomes("bedroom.speaker", [](const json& s) { return s["track"] == "So What"; }));

    const auto next = home.post("/api/v1/conversation", {{"text", "下一首"}, {"area", "bedroom"}}).json();
    CHECK(next["intent"]["name"] == "HassMediaNext");
    REQUIRE(next["commands"].size() == 1);
    CHECK(next["commands"][0]["device"] == "bedroom.speaker");
    CHECK(next["commands"][0]["set"] == json{{"skip", "next"}});
    CHECK(home.state_becomes("bedroom.speaker", [](const json& s) { return s["track"] == "Blue in Green"; }));

    const auto back = home.post("/api/v1/conversation", {{"text", "previous track"}, {"area", "bedroom"}}).json();
    CHECK(back["intent"]["name"] == "HassMediaPrevious");
    CHECK(home.state_becomes("bedroom.speaker", [](const json& s) { return s["track"] == "So What"; }));
}

TEST_CASE("A voice device gets its answer on the MQTT assist topic in its own area") {
    SimHome home;
    SimFleet fleet(home.broker, kBedroom);
    REQUIRE(all_online(home, kBedroom));
    // The bedroom speaker hears it: "turn on the light" means the bedroom's lights.
    home.mqtt.publish("hearth/assist/bedroom.speaker/text", R"({"text":"把灯关掉"})");
    const auto reply = home.mqtt.wait_for("hearth/assist/bedroom.speaker/response");
    REQUIRE(reply.has_value());
    const auto r = json::parse(reply->payload);
    CHECK(r["understood"] == true);
    CHECK(r["intent"]["name"] == "HassTurnOff");
    for (const auto& c : r["commands"]) CHECK(c["device"].get<std::string>().starts_with("bedroom."));
    CHECK(home.state_becomes("bedroom.ceiling_light", [](const json& s) { return s["on"] == false; }));

    home.mqtt.publish("hearth/assist/bedroom.speaker/text", "what is this nonsense");
    const auto second = home.mqtt.wait_for("hearth/assist/bedroom.speaker/response", "not_understood");
    REQUIRE(second.has_value());
    CHECK(json::parse(second->payload)["understood"] == false);
}

TEST_CASE("Conversation refuses bad requests with the field named and works over WebSocket") {
    SimHome home;
    CHECK(home.post("/api/v1/conversation", {{"area", "bedroom"}}).json()["error"]["field"] == "text");
    CHECK(home.post("/api/v1/conversation", {{"text", "hi"}, {"area", "attic"}}).json()["error"]["field"] == "area");
    CHECK(home.post("/api/v1/conversation", {{"text", "hi"}, {"dry_run", "yes"}}).json()["error"]["field"] == "dry_run");
    CHECK(hearth::testing::metric_value(home.get("/metrics").body, R"(hearth_utterances_total{outcome="invalid"})") == 3);

    WsClient ws(home.hub.port());
    ws.send({{"type", "auth"}, {"token", home.token()}});
    REQUIRE(ws.receive_until([](const json& m) { return m["type"] == "auth_ok"; }).has_value());
    ws.send({{"id", 5}, {"type", "conversation"}, {"text", "我困了"}, {"area", "bedroom"}, {"dry_run", true}});
    const auto result = ws.receive_until([](const json& m) { return m.value("id", 0) == 5; });
    REQUIRE(result.has_value());
    CHECK((*result)["success"] == true);
    CHECK((*result)["scene"] == "sleep");
    // The dry run pushed nothing, so there is nothing to undo over the socket either.
    ws.send({{"id", 6}, {"type", "undo"}});
    const auto undo = ws.receive_until([](const json& m) { return m.value("id", 0) == 6; });
    REQUIRE(undo.has_value());
    CHECK((*undo)["success"] == false);
    CHECK((*undo)["error"]["code"] == "not_found");
    ws.send({{"id", 7}, {"type", "activate"}, {"scene", "nope"}});
    const auto activate = ws.receive_until([](const json& m) { return m.value("id", 0) == 7; });
    REQUIRE(activate.has_value());
    CHECK((*activate)["error"]["field"] == "id");
}

TEST_CASE("Moods and user sentences are configurable over REST and persist") {
    SimHome home;
    SimFleet fleet(home.broker, {"study.desk_lamp", "study.light"});
    REQUIRE(all_online(home, {"study.desk_lamp", "study.light"}));
    CHECK(home.get("/api/v1/conversation/moods").json()["moods"]["sleepy"] == "sleep");
    const auto bad = home.put("/api/v1/conversation/moods", {{"moods", {{"sleepy", "nap"}}}});
    CHECK(bad.status == 422);
    CHECK(bad.json()["error"]["field"] == "moods.sleepy");
    REQUIRE(home.put("/api/v1/conversation/moods", {{"moods", {{"sleepy", "reading"}}}}).status == 200);

    const auto sentence = home.post("/api/v1/conversation/sentences", {{"id", "study_time"}, {"pattern", "该学习了"}, {"scene", "reading"}});
    REQUIRE(sentence.status == 201);
    CHECK(home.post("/api/v1/conversation/sentences", {{"pattern", "x"}, {"scene", "nope"}}).json()["error"]["field"] == "scene");

    home.restart();
    CHECK(home.get("/api/v1/conversation/moods").json()["moods"]["sleepy"] == "reading");
    CHECK(home.get("/api/v1/conversation/sentences").json()["sentences"].size() == 1);
    REQUIRE(all_online(home, {"study.desk_lamp", "study.light"}));

    const auto r = home.post("/api/v1/conversation", {{"text", "该学习了"}}).json();
    CHECK(r["understood"] == true);
    CHECK(r["scene"] == "reading");
    CHECK(home.state_becomes("study.desk_lamp", [](const json& s) { return s["on"] == true && s["brightness"] == 90; }));

    CHECK(home.del("/api/v1/conversation/sentences/study_time").status == 200);
    CHECK(home.get("/api/v1/conversation/sentences").json()["sentences"].empty());
}

TEST_CASE("Two requests in one utterance act on both, leave one trace and are undone together") {
    const std::set<std::string> devices = {"living_room.ceiling_light", "bedroom.ac"};
    SimHome home;
    SimFleet fleet(home.broker, devices);
    REQUIRE(all_online(home, devices));
    REQUIRE(home.post("/api/v1/devices/living_room.ceiling_light/commands", {{"on", false}}).status == 202);
    REQUIRE(home.post("/api/v1/devices/bedroom.ac/commands", {{"on", true}, {"target_temperature", 24}}).status == 202);
    REQUIRE(home.state_becomes("living_room.ceiling_light", [](const json& s) { return s["on"] == false; }));
    REQUIRE(home.state_becomes("bedroom.ac", [](const json& s) { return s["on"] == true; }));

    const auto r = home.post("/api/v1/conversation", {{"text", "把客厅的灯打开然后关掉卧室空调"}}).json();
    CHECK(r["understood"] == true);
    CHECK(r["intent"]["name"] == "HassTurnOn");
    REQUIRE(r["intents"].size() == 2);
    CHECK(r["intents"][1]["name"] == "HassTurnOff");
    REQUIRE(r["commands"].size() == 2);
    CHECK(r["commands"][0]["device"] == "living_room.ceiling_light");
    CHECK(r["commands"][1]["device"] == "bedroom.ac");
    CHECK(r["script"] == "hans");
    const auto speech = r["speech"].get<std::string>();
    CHECK(speech.find("客厅") < speech.find("卧室空调"));
    CHECK(home.state_becomes("living_room.ceiling_light", [](const json& s) { return s["on"] == true; }));
    CHECK(home.state_becomes("bedroom.ac", [](const json& s) { return s["on"] == false; }));

    // One trace holds both commands.
    const auto context = r["context_id"].get<std::string>();
    json trace;
    REQUIRE(settle([&] {
        for (const auto& t : home.get("/api/v1/traces?device=bedroom.ac").json().value("traces", json::array()))
            if (t["id"] == context) trace = t;
        return !trace.is_null();
    }));
    CHECK(trace["commands"].size() == 2);
    CHECK(trace["steps"].size() == 2);

    // One undo brings both back, and nothing is left to undo.
    CHECK(home.post("/api/v1/conversation", {{"text", "撤销"}}).json()["understood"] == true);
    CHECK(home.state_becomes("living_room.ceiling_light", [](const json& s) { return s["on"] == false; }));
    CHECK(home.state_becomes("bedroom.ac", [](const json& s) { return s["on"] == true && s["target_temperature"] == 24; }));
    CHECK(home.post("/api/v1/undo").status == 404);
}

TEST_CASE("Traditional Chinese utterances get Traditional replies") {
    const std::set<std::string> devices = {"living_room.ceiling_light"};
    SimHome home;
    SimFleet fleet(home.broker, devices);
    REQUIRE(all_online(home, devices));
    const auto r = home.post("/api/v1/conversation", {{"text", "打開客廳的燈"}}).json();
    CHECK(r["understood"] == true);
    CHECK(r["language"] == "zh");
    CHECK(r["script"] == "hant");
    const auto speech = r["speech"].get<std::string>();
    CHECK(speech.find("客廳") != std::string::npos);
    CHECK(speech.find("客厅") == std::string::npos);
}

TEST_CASE("REST, WebSocket and the MQTT assist topic refuse a wrong-typed text or dry_run naming the field") {
    SimHome home;
    const std::vector<std::pair<json, std::string>> bad = {{json{{"text", 5}}, "text"},
                                                           {json{{"text", "开灯"}, {"dry_run", "yes"}}, "dry_run"}};
    WsClient ws(home.hub.port());
    ws.send({{"type", "auth"}, {"token", home.token()}});
    REQUIRE(ws.receive_until([](const json& m) { return m["type"] == "auth_ok"; }).has_value());
    int id = 10;
    for (const auto& [body, field] : bad) {
        INFO(body.dump());
        const auto rest = home.post("/api/v1/conversation", body);
        CHECK(rest.status == 422);
        CHECK(rest.json()["error"]["code"] == "invalid_field");
        CHECK(rest.json()["error"]["field"] == field);

        auto message = body;
        message["id"] = ++id;
        message["type"] = "conversation";
        ws.send(message);
        const auto answer = ws.receive_until([&](const json& m) { return m.value("id", 0) == id; });
        REQUIRE(answer.has_value());
        CHECK((*answer)["success"] == false);
        CHECK((*answer)["error"]["code"] == "invalid_field");
        CHECK((*answer)["error"]["field"] == field);

        home.mqtt.clear();
        home.mqtt.publish("hearth/assist/bedroom.speaker/text", body.dump());
        const auto reply = home.mqtt.wait_for("hearth/assist/bedroom.speaker/response");
        REQUIRE(reply.has_value());
        const auto r = json::parse(reply->payload);
        CHECK(r["device"] == "bedroom.speaker");
        CHECK(r["error"]["code"] == "invalid_field");
        CHECK(r["error"]["field"] == field);
    }
}

TEST_CASE("A device the home does not have is answered over REST and MQTT assist and nothing is sent") {
    SimHome home;
    SimFleet fleet(home.broker, kBedroom);
    REQUIRE(all_online(home, kBedroom));
    const auto sets_before = set_messages(home.mqtt);

    const auto rest = home.post("/api/v1/conversation", {{"text", "把加湿器打开"}, {"area", "bedroom"}}).json();
    CHECK(rest["outcome"] == "failed");
    CHECK(rest["commands"].empty());
    CHECK(rest["speech"].get<std::string>().find("加湿器") != std::string::npos);

    home.mqtt.publish("hearth/assist/bedroom.speaker/text", R"({"text":"turn on the kettle"})");
    const auto reply = home.mqtt.wait_for("hearth/assist/bedroom.speaker/response", "kettle");
    REQUIRE(reply.has_value());
    const auto r = json::parse(reply->payload);
    CHECK(r["outcome"] == "failed");
    CHECK(r["commands"].empty());
    CHECK(set_messages(home.mqtt) == sets_before);
}

TEST_CASE("A misspelt device word is asked about, not acted on") {
    SimHome home;
    SimFleet fleet(home.broker, {"living_room.floor_lamp", "living_room.ceiling_light"});
    REQUIRE(all_online(home, {"living_room.floor_lamp", "living_room.ceiling_light"}));
    const auto r = home.post("/api/v1/conversation", {{"text", "turn on the flor lmap"}, {"area", "living_room"}}).json();
    CHECK(r["outcome"] == "clarify");
    CHECK(r["commands"].empty());
    CHECK(r["speech"].get<std::string>().find("floor lamp") != std::string::npos);
    CHECK(home.device("living_room.ceiling_light")["state"].value("on", false) == false);
}

TEST_CASE("All the lights means every light in the home, not the speaker's room") {
    const std::set<std::string> lights = {"kitchen.light", "bedroom.ceiling_light", "living_room.ceiling_light"};
    SimHome home;
    SimFleet fleet(home.broker, lights);
    REQUIRE(all_online(home, lights));
    for (const auto& id : lights) REQUIRE(home.post("/api/v1/devices/" + id + "/commands", {{"on", true}}).status == 202);
    for (const auto& id : lights) REQUIRE(home.state_becomes(id, [](const json& s) { return s["on"] == true; }));

    const auto r = home.post("/api/v1/conversation", {{"text", "turn off all the lights"}, {"area", "living_room"}}).json();
    CHECK(r["outcome"] == "command");
    std::set<std::string> commanded;
    for (const auto& c : r["commands"]) commanded.insert(c["device"].get<std::string>());
    CHECK(commanded == lights);
    for (const auto& id : lights) CHECK(home.state_becomes(id, [](const json& s) { return s["on"] == false; }));
}

TEST_CASE("A floor command reaches the lights of that floor only") {
    // The demo home with its bedroom and study upstairs.
    const auto path = make_temp_dir("hearth-floors") / "home.yaml";
    {
        std::ifstream in(kDemoHome);
        std::stringstream text;
        text << in.rdbuf();
        auto yaml = text.str();
        const std::string upstairs = ", floor: {id: upstairs, name: {zh: 二楼, en: upstairs}, level: 2}}";
        const std::string downstairs = ", floor: {id: ground, name: {zh: 一楼, en: ground floor}, level: 1}}";
        for (const auto* room : {"en: bedroom}}", "en: study}}"})
            yaml.replace(yaml.find(room), std::string(room).size(), std::string(room).substr(0, std::string(room).size() - 1) + upstairs);
        for (const auto* room : {"en: living room}}", "en: kitchen}}", "en: bathroom}}", "en: entrance}}"})
            yaml.replace(yaml.find(room), std::string(room).size(), std::string(room).substr(0, std::string(room).size() - 1) + downstairs);
        std::ofstream(path) << yaml;
    }
    const std::set<std::string> lights = {"kitchen.light", "bedroom.ceiling_light", "study.light"};
    SimHome home(path.string());
    SimFleet fleet(home.broker, lights);
    REQUIRE(all_online(home, lights));
    for (const auto& id : lights) REQUIRE(home.post("/api/v1/devices/" + id + "/commands", {{"on", true}}).status == 202);
    for (const auto& id : lights) REQUIRE(home.state_becomes(id, [](const json& s) { return s["on"] == true; }));

    const auto r = home.post("/api/v1/conversation", {{"text", "关掉二楼的灯"}, {"area", "kitchen"}}).json();
    CHECK(r["outcome"] == "command");
    CHECK(r["intent"]["slots"]["floor"] == "upstairs");
    std::set<std::string> commanded;
    for (const auto& c : r["commands"]) commanded.insert(c["device"].get<std::string>());
    CHECK(commanded == std::set<std::string>{"bedroom.ceiling_light", "study.light"});
    CHECK(home.state_becomes("study.light", [](const json& s) { return s["on"] == false; }));
    CHECK(home.device("kitchen.light")["state"]["on"] == true);
    std::filesystem::remove_all(path.parent_path());
}

TEST_CASE("A Cantonese command over MQTT assist acts in the speaker's room") {
    SimHome home;
    SimFleet fleet(home.broker, kBedroom);
    REQUIRE(all_online(home, kBedroom));
    home.mqtt.publish("hearth/assist/bedroom.speaker/text", R"({"text":"冷氣校到廿五度半"})");
    const auto reply = home.mqtt.wait_for("hearth/assist/bedroom.speaker/response");
    REQUIRE(reply.has_value());
    const auto r = json::parse(reply->payload);
    CHECK(r["outcome"] == "command");
    CHECK(r["script"] == "hant");
    REQUIRE(r["commands"].size() == 1);
    CHECK(r["commands"][0]["device"] == "bedroom.ac");
    CHECK(home.state_becomes("bedroom.ac", [](const json& s) { return s["target_temperature"] == 25.5; }));
}
