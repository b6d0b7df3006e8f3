// Scenes and rules wired into the hub: REST CRUD, activation, rules firing from real state
// changes over a real broker, traces, persistence across restarts and the loop guard.
#include <catch2/catch.hpp>

#include "proto/yaml.hpp"
#include "tests/sim_home.hpp"
#include "tests/support/metric_value.hpp"

using namespace hearth::testing;
using nlohmann::json;

namespace {

bool has_set(const MqttClient& client, const std::string& device, const std::string& needle = {}) {
    for (const auto& m : client.received())
        if (m.topic == "hearth/device/" + device + "/set" && m.payload.find(needle) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("The home file seeds scenes and rules which are listed with their status") {
    SimHome home;
    const auto scenes = home.get("/api/v1/scenes").json()["scenes"];
    CHECK(scenes.size() == 6);
    const auto sleep = home.get("/api/v1/scenes/sleep").json();
    CHECK(sleep["area"] == "bedroom");
    // No device has announced itself yet: the scene is unavailable, with the reason.
    CHECK(sleep["status"]["available"] == false);
    CHECK(!sleep["status"]["problem"].get<std::string>().empty());
    const auto rules = home.get("/api/v1/rules").json()["rules"];
    CHECK(rules.size() == 5);
    const auto rule = home.get("/api/v1/rules/bedroom_too_hot").json();
    CHECK(rule["status"]["available"] == false);

    // Once the devices are there, both become available.
    SimFleet fleet(home.broker, {"bedroom.ac"});
    home.announce("bedroom.climate_sensor", {{"temperature", 25}, {"humidity", 50}, {"battery", 90}});
    home.announce("bedroom.presence", {{"occupancy", false}, {"illuminance", 10}});
    CHECK(settle([&] { return home.get("/api/v1/rules/bedroom_too_hot").json()["status"]["available"] == true; }));
    CHECK(home.get("/api/v1/openapi.json").json()["paths"].contains("/api/v1/scenes/{id}/activate"));
}

TEST_CASE("Scene CRUD refuses a bad definition naming its field and activates only after saving") {
    SimHome home;
    SimFleet fleet(home.broker, {"study.desk_lamp"});
    REQUIRE(home.online("study.desk_lamp"));

    const auto bad = home.post("/api/v1/scenes", json{{"id", "focus"},
                                                      {"targets", {{{"device", "study.desk_lamp"}, {"state", {{"brightness", {{"expr", "current +"}}}}}}}}});
    CHECK(bad.status == 422);
    CHECK(bad.json()["error"]["field"].get<std::string>().starts_with("targets[0].state.brightness"));
    CHECK(home.get("/api/v1/scenes/focus").status == 404);

    const json focus{{"id", "focus"},
                     {"name", {{"zh", "专注"}, {"en", "focus"}}},
                     {"area", "study"},
                     {"targets", {{{"device", "study.desk_lamp"}, {"state", {{"on", true}, {"brightness", 75}}}}}}};
    const auto created = home.post("/api/v1/scenes", focus);
    REQUIRE(created.status == 201);
    CHECK(created.json()["status"]["available"] == true);
    CHECK(home.post("/api/v1/scenes", focus).status == 409);

    auto changed = focus;
    changed["targets"][0]["state"]["brightness"] = 55;
    REQUIRE(home.put("/api/v1/scenes/focus", changed).status == 200);
    CHECK(home.get("/api/v1/scenes/focus").json()["targets"][0]["state"]["brightness"] == 55);

    const auto activated = home.post("/api/v1/scenes/focus/activate", {{"transition", 0}});
    REQUIRE(activated.status == 200);
    const auto a = activated.json();
    REQUIRE(a["commands"].size() == 1);
    CHECK(a["commands"][0]["device"] == "study.desk_lamp");
    CHECK(a["commands"][0]["context_id"] == a["context_id"]);
    CHECK(home.state_becomes("study.desk_lamp", [](const json& s) { return s["on"] == true && s["brightness"] == 55; }));
    // The device echoed the context id on the wire.
    CHECK(settle([&] {
        for (const auto& t : home.get("/api/v1/traces?device=study.desk_lamp").json().value("traces", json::array()))
            if (t["id"] == a["context_id"] && t["commands"][0].contains("confirmed_at")) return true;
        return false;
    }));

    // A snapshot of the study as a new scene.
    const auto snap = home.post("/api/v1/scenes/snapshot", {{"id", "study_now"}, {"area", "study"}});
    REQUIRE(snap.status == 201);
    CHECK(snap.json()["targets"][0]["state"]["brightness"] == 55);
    CHECK(home.post("/api/v1/scenes/snapshot", {{"id", "x"}, {"devices", {"nope.lamp"}}}).json()["error"]["field"] == "devices[0]");

    CHECK(home.post("/api/v1/undo").status == 200);
    CHECK(home.state_becomes("study.desk_lamp", [](const json& s) { return s["on"] == false; }));

    REQUIRE(home.del("/api/v1/scenes/focus").status == 200);
    CHECK(home.get("/api/v1/scenes/focus").status == 404);
    home.restart();
    CHECK(home.get("/api/v1/scenes/focus").status == 404);
    CHECK(home.get("/api/v1/scenes/study_now").status == 200);
}

TEST_CASE("A hot occupied bedroom turns the AC to 26 with a confirmed trace and an empty one leaves a condition_false trace") {
    SimHome home;
    SimFleet fleet(home.broker, {"bedroom.ac"});
    REQUIRE(home.online("bedroom.ac"));
    REQUIRE(home.post("/api/v1/devices/bedroom.ac/commands", {{"on", false}, {"target_temperature", 22}}).status == 202);
    REQUIRE(home.state_becomes("bedroom.ac", [](const json& s) { return s["on"] == false; }));
    home.announce("bedroom.climate_sensor", {{"temperature", 27}, {"humidity", 50}, {"battery", 90}});
    home.announce("bedroom.presence", {{"occupancy", false}, {"illuminance", 10}});
    REQUIRE(home.online("bedroom.presence"));
    REQUIRE(home.state_becomes("bedroom.presence", [](const json& s) { return s["occupancy"] == false; }));
    REQUIRE(settle([&] { return home.get("/api/v1/rules/bedroom_too_hot").json()["status"]["available"] == true; }));

    // Hot but nobody there: the rule considered it and did not run.
    home.report("bedroom.climate_sensor", {{"temperature", 29}, {"humidity", 50}, {"battery", 90}});
    const auto skipped = home.trace_of("bedroom_too_hot", [](const json& t) { return t["outcome"] == "condition_false"; });
    REQUIRE(!skipped.is_null());
    CHECK(skipped["conditions"][0]["passed"] == false);
    CHECK(home.state("bedroom.ac")["on"] == false);

    // Someone is in, and it gets hot again.
    home.report("bedroom.climate_sensor", {{"temperature", 27}, {"humidity", 50}, {"battery", 90}});
    home.report("bedroom.presence", {{"occupancy", true}, {"illuminance", 10}});
    REQUIRE(home.state_becomes("bedroom.presence", [](const json& s) { return s["occupancy"] == true; }));
    home.report("bedroom.climate_sensor", {{"temperature", 29.5}, {"humidity", 50}, {"battery", 90}});
    CHECK(home.state_becomes("bedroom.ac", [](const json& s) {
        return s["on"] == true && s["hvac_mode"] == "cool" && s["target_temperature"] == 26;
    }));
    const auto ran = home.trace_of("bedroom_too_hot", [](const json& t) {
        return t["outcome"] == "ran" && !t["commands"].empty() && t["commands"][0].contains("confirmed_at");
    });
    REQUIRE(!ran.is_null());
    CHECK(ran["trigger"]["device"] == "bedroom.climate_sensor");
    CHECK(ran["commands"][0]["device"] == "bedroom.ac");
    CHECK(ran["commands"][0]["confirmed"]["target_temperature"] == 26);
    // The AC's explanation lists the rule's run.
    bool explained = false;
    for (const auto& t : home.get("/api/v1/traces?device=bedroom.ac").json().value("traces", json::array())) explained |= t["id"] == ran["id"];
    CHECK(explained);
    // Both outcomes are counted by result.
    const auto metrics = home.get("/metrics").body;
    CHECK(hearth::testing::metric_value(metrics, R"(hearth_rule_runs_total{result="condition_false"})") >= 1);
    CHECK(hearth::testing::metric_value(metrics, R"(hearth_rule_runs_total{result="ran"})") >= 1);
}

TEST_CASE("Rule CRUD refuses bad definitions by field and rules can be disabled and enabled and run and fired by webhook") {
    SimHome home;
    home.announce("bathroom.light", {{"on", true}, {"brightness", 50}});
    REQUIRE(home.online("bathroom.light"));

    const auto bad = home.post("/api/v1/rules", {{"id", "hook"}, {"triggers", {{{"webhook", "bell"}, {"for", "5m"}}}}, {"actions", {{{"notify", "x"}}}}});
    CHECK(bad.status == 422);
    CHECK(bad.json()["error"]["field"].get<std::string>().starts_with("triggers[0]"));

    const json hook{{"id", "hook"},
                    {"triggers", {{{"webhook", "bell"}}}},
                    {"actions", {{{"command", "bathroom.light"}, {"set", {{"on", false}}}}, {{"notify", "bell rang"}}}}};
    REQUIRE(home.post("/api/v1/rules", hook).status == 201);
    CHECK(home.post("/api/v1/webhooks/bell").json()["rules"] == 1);
    REQUIRE(home.mqtt.wait_for("hearth/device/bathroom.light/set", "false").has_value());
    CHECK(settle([&] {
        for (const auto& n : home.get("/api/v1/notifications").json().value("notifications", json::array()))
            if (n.dump().find("bell rang") != std::string::npos) return true;
        return false;
    }));

    REQUIRE(home.post("/api/v1/rules/hook/disable").status == 200);
    CHECK(home.get("/api/v1/rules/hook").json()["status"]["enabled"] == false);
    CHECK(home.post("/api/v1/rules/hook/run").status == 409);
    REQUIRE(home.post("/api/v1/rules/hook/enable").status == 200);
    home.mqtt.clear();
    CHECK(home.post("/api/v1/rules/hook/run").status == 202);
    REQUIRE(home.mqtt.wait_for("hearth/device/bathroom.light/set", "false").has_value());
    const auto run = home.trace_of("hook", [](const json& t) { return t["trigger"].value("id", "") == "run"; });
    CHECK(run["outcome"] == "ran");

    // The definition as given, without the internal run trigger.
    CHECK(home.get("/api/v1/rules/hook").json()["triggers"].size() == 1);
    auto changed = hook;
    changed["triggers"][0]["webhook"] = "door";
    REQUIRE(home.put("/api/v1/rules/hook", changed).status == 200);
    CHECK(home.post("/api/v1/webhooks/bell").json()["rules"] == 0);
    CHECK(home.post("/api/v1/webhooks/door").json()["rules"] == 1);
    REQUIRE(home.del("/api/v1/rules/hook").status == 200);
    CHECK(home.get("/api/v1/rules/hook").status == 404);
}

TEST_CASE("A rule sent as YAML is saved, read back as YAML, and its errors name their line and column") {
    SimHome home;
    home.announce("bathroom.light", {{"on", true}, {"brightness", 50}});
    REQUIRE(home.online("bathroom.light"));
    const auto send = [&](const std::string& method, const std::string& target, const std::string& yaml) {
        return http_request(home.hub.port(), method, target, yaml,
                            {{"Authorization", "Bearer " + home.token()}, {"Content-Type", "application/yaml"}});
    };

    const std::string good = "id: hook\ntriggers:\n  - webhook: bell\nactions:\n  - command: bathroom.light\n    set: {on: false}\n";
    REQUIRE(send("POST", "/api/v1/rules", good).status == 201);
    const auto yaml = http_request(home.hub.port(), "GET", "/api/v1/rules/hook", {},
                                   {{"Authorization", "Bearer " + home.token()}, {"Accept", "application/yaml"}});
    REQUIRE(yaml.status == 200);
    CHECK(yaml.headers.at("Content-Type").starts_with("application/yaml"));
    CHECK(yaml.body.find("status") == std::string::npos);
    CHECK(hearth::proto::yaml_to_json(yaml.body).value() == hearth::proto::yaml_to_json(good).value());

    // A field the rule cannot take: the error names the field, its line and its column.
    const auto bad = send("PUT", "/api/v1/rules/hook",
                          "id: hook\ntriggers:\n  - webhook: bell\n    for: 5m\nactions:\n  - command: bathroom.light\n    set: {on: false}\n");
    CHECK(bad.status == 422);
    const auto error = bad.json()["error"];
    CHECK(error["field"].get<std::string>().starts_with("triggers[0]"));
    CHECK(error["line"] == (error["field"] == "triggers[0].for" ? 4 : 3));
    CHECK(error["column"] == 5);

    // Not YAML at all: where the reading stopped.
    const auto broken = send("PUT", "/api/v1/rules/hook", "id: hook\ntriggers: [\n  - webhook: bell\n");
    CHECK(broken.status == 400);
    CHECK(broken.json()["error"]["line"].get<int>() >= 2);
    CHECK(broken.json()["error"].contains("column"));

    // Neither changed the rule.
    CHECK(home.post("/api/v1/webhooks/bell").json()["rules"] == 1);
}

TEST_CASE("Areas are created, renamed, given devices and deleted over REST, and the changes survive a restart") {
    SimHome home;
    home.announce("bathroom.light", {{"on", true}, {"brightness", 50}});
    REQUIRE(home.online("bathroom.light"));
    const auto area_named = [&](const std::string& id) {
        const auto areas = home.get("/api/v1/areas").json();
        for (const auto& a : areas["areas"])
            if (a["id"] == id) return a;
        return json();
    };

    CHECK(home.post("/api/v1/areas", {{"id", "garage"}}).status == 422);  // no name
    CHECK(home.post("/api/v1/areas", {{"id", "Bad Id"}, {"name", {{"en", "x"}}}}).json()["error"]["field"] == "id");
    CHECK(home.post("/api/v1/areas", {{"id", "bedroom"}, {"name", {{"en", "again"}}}}).status == 409);
    REQUIRE(home.post("/api/v1/areas", {{"id", "garage"}, {"name", {{"zh", "车库"}, {"en", "garage"}}}}).status == 201);
    CHECK(area_named("garage")["name"]["zh"] == "车库");

    REQUIRE(home.put("/api/v1/areas/garage", {{"name", {{"zh", "车房"}, {"en", "car port"}}}}).status == 200);
    CHECK(home.put("/api/v1/areas/garage", {{"id", "other"}, {"name", {{"en", "x"}}}}).status == 422);
    CHECK(home.put("/api/v1/areas/nowhere", {{"name", {{"en", "x"}}}}).status == 404);

    CHECK(home.put("/api/v1/devices/bathroom.light/area", {{"area", "nowhere"}}).json()["error"]["field"] == "area");
    REQUIRE(home.put("/api/v1/devices/bathroom.light/area", {{"area", "garage"}}).status == 200);
    CHECK(home.get("/api/v1/devices/bathroom.light").json()["area"] == "garage");
    // The device announcing its own area again does not move it back.
    home.announce("bathroom.light", {{"on", true}, {"brightness", 60}});
    REQUIRE(home.state_becomes("bathroom.light", [](const json& s) { return s.value("brightness", 0) == 60; }));
    CHECK(home.get("/api/v1/devices/bathroom.light").json()["area"] == "garage");

    const auto refused = home.del("/api/v1/areas/garage");
    CHECK(refused.status == 409);
    CHECK(refused.json()["error"]["message"].get<std::string>().find("bathroom.light") != std::string::npos);
    REQUIRE(home.del("/api/v1/areas/study").status == 200);
    CHECK(area_named("study").is_null());

    home.restart();
    CHECK(area_named("garage")["name"]["en"] == "car port");
    CHECK(area_named("garage")["devices"] == json::array({"bathroom.light"}));
    CHECK(area_named("study").is_null());  // the home file does not bring a deleted area back
    CHECK(area_named("bedroom")["name"]["zh"] == "卧室");
}

TEST_CASE("Pending for-windows and delays survive a hub restart") {
    SimHome home;
    home.announce("bathroom.presence", {{"occupancy", true}, {"illuminance", 10}});
    home.announce("bathroom.light", {{"on", true}, {"brightness", 50}});
    REQUIRE(home.online("bathroom.presence"));
    REQUIRE(home.online("bathroom.light"));
    REQUIRE(home.post("/api/v1/rules", {{"id", "empty_bathroom"},
                                        {"triggers", {{{"state", "bathroom.presence"}, {"attribute", "occupancy"}, {"to", false}, {"for", 6}}}},
                                        {"actions", {{{"command", "bathroom.light"}, {"set", {{"on", false}}}}}}})
                .status == 201);
    REQUIRE(home.post("/api/v1/rules", {{"id", "later"},
                                        {"triggers", {{{"webhook", "later"}}}},
                                        {"actions", {{{"delay", 6}}, {{"command", "bathroom.light"}, {"set", {{"brightness", 20}}}}}}})
                .status == 201);
    const auto windows_open = std::chrono::steady_clock::now();
    home.report("bathroom.presence", {{"occupancy", false}, {"illuminance", 10}});
    REQUIRE(home.state_becomes("bathroom.presence", [](const json& s) { return s["occupancy"] == false; }));
    REQUIRE(home.post("/api/v1/webhooks/later").json()["rules"] == 1);
    home.restart();
    // The hub resumes its rules once the broker is connected; both deadlines are still ahead then
    // (6 s leaves room for a restart on a loaded machine).
    REQUIRE(std::chrono::steady_clock::now() - windows_open < std::chrono::seconds(6));
    CHECK(!has_set(home.mqtt, "bathroom.light"));
    // Both deadlines pass after the restart and are honoured by the new hub.
    CHECK(home.mqtt.wait_for("hearth/device/bathroom.light/set", "\"on\":false").has_value());
    CHECK(home.mqtt.wait_for("hearth/device/bathroom.light/set", "\"brightness\":20").has_value());
    const auto held = home.trace_of("empty_bathroom", [](const json& t) { return t["outcome"] == "ran"; });
    CHECK(held["trigger"]["for_s"] == 6);
}

TEST_CASE("The loop guard stops a self-retriggering rule and the hub keeps working") {
    SimHome home;
    SimFleet fleet(home.broker, {"study.desk_lamp", "study.light"});
    REQUIRE(home.online("study.desk_lamp"));
    REQUIRE(home.online("study.light"));
    REQUIRE(home.post("/api/v1/rules", {{"id", "ping"},
                                        {"mode", "queued"},
                                        {"triggers", {{{"state", "study.desk_lamp"}, {"attribute", "brightness"}}}},
                                        {"actions", {{{"command", "study.desk_lamp"},
                                                      {"set", {{"on", true}, {"brightness", {{"expr", "if(current >= 50, 10, 90)"}}}}}}}}})
                .status == 201);
    REQUIRE(home.post("/api/v1/devices/study.desk_lamp/commands", {{"on", true}, {"brightness", 30}}).status == 202);
    REQUIRE(settle([&] { return !home.get("/api/v1/rules/ping").json()["status"].value("disabled_reason", "").empty(); },
                       std::chrono::seconds(20)));
    const auto stopped = home.trace_of("ping", [](const json& t) { return t["outcome"] == "loop_stopped"; });
    CHECK(!stopped.is_null());
    // A brightness the rule never sets: a rule still firing would answer it with 90, and that
    // command would reach the lamp, and its state the hub, before the study light's below.
    REQUIRE(home.post("/api/v1/devices/study.desk_lamp/commands", {{"brightness", 30}}).status == 202);
    REQUIRE(home.state_becomes("study.desk_lamp", [](const json& s) { return s["brightness"] == 30; }));
    // Everything else still works.
    CHECK(home.get("/api/v1/health").status == 200);
    REQUIRE(home.post("/api/v1/devices/study.light/commands", {{"on", true}, {"brightness", 42}}).status == 202);
    CHECK(home.state_becomes("study.light", [](const json& s) { return s["brightness"] == 42; }));
    CHECK(home.state("study.desk_lamp")["brightness"] == 30);
}

TEST_CASE("Export and import carry the whole home as one YAML document") {
    SimHome home;
    const auto exported = home.get("/api/v1/export");
    REQUIRE(exported.status == 200);
    CHECK(exported.headers.at("Content-Type").starts_with("application/yaml"));
    auto doc = hearth::proto::yaml_to_json(exported.body);
    REQUIRE(doc.has_value());
    CHECK((*doc)["areas"].size() == 6);
    CHECK((*doc)["scenes"].size() == 6);
    CHECK((*doc)["rules"].size() == 5);
    CHECK((*doc)["location"]["utc_offset_minutes"] == 480);

    (*doc)["scenes"].push_back({{"id", "bad"}, {"targets", {{{"device", "kitchen.light"}, {"state", {{"on", {{"expr", "1 +"}}}}}}}}});
    auto refused = http_request(home.hub.port(), "POST", "/api/v1/import", hearth::proto::json_to_yaml(*doc),
                                {{"Authorization", "Bearer " + home.token()}});
    CHECK(refused.status == 422);
    CHECK(refused.json()["error"]["field"].get<std::string>().starts_with("scenes[6].targets[0].state.on"));
    CHECK(home.get("/api/v1/scenes/bad").status == 404);

    (*doc)["scenes"].back() = {{"id", "kitchen_off"}, {"targets", {{{"device", "kitchen.light"}, {"state", {{"on", false}}}}}}};
    (*doc)["devices"].push_back({{"id", "kitchen.light"}, {"area", "kitchen"}, {"kind", "light"}, {"capabilities", {"on", "brightness"}}});
    auto imported = http_request(home.hub.port(), "POST", "/api/v1/import", hearth::proto::json_to_yaml(*doc),
                                 {{"Authorization", "Bearer " + home.token()}});
    REQUIRE(imported.status == 200);
    CHECK(imported.json()["imported"]["scenes"] == 7);
    CHECK(home.get("/api/v1/scenes/kitchen_off").json()["status"]["available"] == true);
    CHECK(home.get("/api/v1/devices/kitchen.light").status == 200);
}

TEST_CASE("A scene whose device is removed loads as unavailable and the hub keeps going") {
    SimHome home;
    home.announce("kitchen.light", {{"on", false}, {"brightness", 20}});
    REQUIRE(home.online("kitchen.light"));
    REQUIRE(home.post("/api/v1/scenes", {{"id", "cook"}, {"targets", {{{"device", "kitchen.light"}, {"state", {{"on", true}}}}}}}).status == 201);
    CHECK(home.get("/api/v1/scenes/cook").json()["status"]["available"] == true);
    home.mqtt.publish("hearth/device/kitchen.light/config", "", true);
    CHECK(settle([&] { return home.get("/api/v1/scenes/cook").json()["status"]["available"] == false; }));
    CHECK(home.post("/api/v1/scenes/cook/activate").status == 503);
    home.restart();
    const auto cook = home.get("/api/v1/scenes/cook").json();
    CHECK(cook["status"]["available"] == false);
    CHECK(cook["status"]["problem"].get<std::string>().find("kitchen.light") != std::string::npos);
}
