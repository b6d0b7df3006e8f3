// Real Zigbee2MQTT traffic (recorded fixtures) replayed through a real Mosquitto into hearthd:
// the devices register through Home Assistant discovery, and Hearth's commands come out in the
// format the real devices expect.
#include <catch2/catch.hpp>

#include <fstream>

#include "devices/adapters/fixture_replay.hpp"
#include "tests/support/broker.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mqtt_client.hpp"
#include "tests/support/running_hub.hpp"

using namespace hearth::testing;
using nlohmann::json;
namespace adapters = hearth::devices::adapters;

namespace {

const std::string kFixtures = HEARTH_SHARED_DIR "/testdata/mqtt-payloads/zigbee2mqtt/";

json read_json(const std::string& path) {
    std::ifstream in(path);
    return json::parse(in);
}

std::vector<std::string> fixture_files() {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
        const auto name = entry.path().filename().string();
        if (name.ends_with(".json") && name != "index.json" && name != "bridge.json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

struct Zigbee {
    Broker broker;
    std::filesystem::path data = make_temp_dir("hearth-z2m");
    RunningHub hub{broker, data};
    MqttClient z2m{broker.url(), "zigbee2mqtt"};

    Zigbee() {
        z2m.subscribe("zigbee2mqtt/#");
        for (const auto& m : adapters::bridge_state_messages(read_json(kFixtures + "bridge.json"))) {
            z2m.publish(m.topic, m.payload, m.retain);
        }
        for (const auto& file : fixture_files()) {
            for (const auto& m : adapters::replay_messages(read_json(file))) z2m.publish(m.topic, m.payload, m.retain);
        }
    }
    ~Zigbee() { std::filesystem::remove_all(data); }

    json get(const std::string& target) { return http_get(hub.port(), target, hub.token()).json(); }
    HttpResult command(const std::string& device, const std::string& body) {
        return http_post(hub.port(), "/api/v1/devices/" + device + "/commands", body, hub.token());
    }
};

}  // namespace

TEST_CASE("Every recorded Zigbee2MQTT device registers through HA discovery over a real broker") {
    Zigbee home;
    REQUIRE(fixture_files().size() == 12);
    REQUIRE(eventually([&] { return home.get("/api/v1/devices?limit=100")["total"] == 12; }));
    auto list = home.get("/api/v1/devices?limit=100")["devices"];
    for (auto& d : list) {
        INFO(d["id"]);
        CHECK(d["id"].get<std::string>().starts_with("zigbee2mqtt_0x"));
        CHECK_FALSE(d.contains("problem"));
        CHECK(!d["capabilities"].empty());
    }
    // Zigbee2MQTT does not retain state: once the hub has subscribed to the devices it learned
    // of, the devices' reports reach it (here the recorded ones, played again).
    for (const auto& file : fixture_files()) {
        for (const auto& m : adapters::replay_messages(read_json(file))) {
            if (!m.topic.starts_with("homeassistant/")) home.z2m.publish(m.topic, m.payload, m.retain);
        }
    }
    REQUIRE(eventually([&] {
        return home.get("/api/v1/devices/zigbee2mqtt_0x0017880104e45550")["state"].value("target_temperature", 0.0) == 22.5;
    }));
    // The IKEA bulb's recorded final state reads back in Hearth's units.
    REQUIRE(eventually([&] {
        auto bulb = home.get("/api/v1/devices/zigbee2mqtt_0x000b57fffec6a5b2");
        return bulb["kind"] == "light" && bulb["state"].contains("on");
    }));
    auto thermostat = home.get("/api/v1/devices/zigbee2mqtt_0x0017880104e45550");
    INFO(thermostat.dump());
    CHECK(thermostat["kind"] == "thermostat");
    CHECK(thermostat["state"]["target_temperature"] == 22.5);
}

TEST_CASE("Hearth commands reach Zigbee2MQTT devices in the format the real devices expect") {
    Zigbee home;
    REQUIRE(eventually([&] { return home.get("/api/v1/devices?limit=100")["total"] == 12; }));
    home.z2m.clear();

    REQUIRE(home.command("zigbee2mqtt_0x000b57fffec6a5b2", R"({"on": true, "brightness": 50})").status == 202);
    const auto bulb = home.z2m.wait_for("zigbee2mqtt/bulb/set");
    REQUIRE(bulb);
    const auto payload = json::parse(bulb->payload);
    CHECK(payload["state"] == "ON");
    CHECK(payload["brightness"] == 127);

    REQUIRE(home.command("zigbee2mqtt_0x0017880104e45550", R"({"target_temperature": 22.5})").status == 202);
    const auto setpoint = home.z2m.wait_for("zigbee2mqtt/thermostat/set/occupied_heating_setpoint");
    REQUIRE(setpoint);
    CHECK(setpoint->payload == "22.5");

    REQUIRE(home.command("zigbee2mqtt_0x0017880104e45547", R"({"position": 30})").status == 202);
    const auto curtain = home.z2m.wait_for("zigbee2mqtt/curtain/set");
    REQUIRE(curtain);
    CHECK(json::parse(curtain->payload) == json{{"position", 30}});

    // Validation still applies before anything is translated.
    const auto bad = home.command("zigbee2mqtt_0x000b57fffec6a5b2", R"({"brightness": 140})");
    CHECK(bad.status == 422);
    CHECK(bad.json()["error"]["code"] == "out_of_range");
}

TEST_CASE("Discovered entities that cannot be mapped are listed with their reasons") {
    Zigbee home;
    REQUIRE(eventually([&] { return home.get("/api/v1/devices?limit=100")["total"] == 12; }));
    auto adapters_list = home.get("/api/v1/adapters")["adapters"];
    const auto ha = std::find_if(adapters_list.begin(), adapters_list.end(),
                                 [](json a) { return a["name"] == "ha_discovery"; });
    REQUIRE(ha != adapters_list.end());
    CHECK((*ha)["devices"] == 12);
    REQUIRE(!(*ha)["unmapped"].empty());
    for (const auto& u : (*ha)["unmapped"]) {
        INFO(u.dump());
        CHECK(!u["reason"].get<std::string>().empty());
    }
}

TEST_CASE("A rule's availability trigger fires when a Zigbee2MQTT device goes offline") {
    Zigbee home;
    REQUIRE(eventually([&] { return home.get("/api/v1/devices/zigbee2mqtt_0x000b57fffec6a5b2")["online"] == true; }));
    const json rule = {{"id", "bulb_lost"},
                       {"triggers", {{{"availability", "zigbee2mqtt_0x000b57fffec6a5b2"}, {"to", "offline"}}}},
                       {"actions", {{{"notify", "bulb offline"}}}}};
    REQUIRE(http_post(home.hub.port(), "/api/v1/rules", rule.dump(), home.hub.token()).status == 201);

    home.z2m.publish("zigbee2mqtt/bridge/state", R"({"state":"offline"})", true);
    REQUIRE(eventually([&] { return home.get("/api/v1/devices/zigbee2mqtt_0x000b57fffec6a5b2")["online"] == false; }));
    REQUIRE(eventually([&] {
        for (const auto& n : home.get("/api/v1/notifications").value("notifications", json::array()))
            if (n.value("message", "") == "bulb offline") return true;
        return false;
    }));
    const auto traces = home.get("/api/v1/rules/bulb_lost/traces")["traces"];
    REQUIRE(!traces.empty());
    CHECK(traces[0]["trigger"]["from"] == "online");
    CHECK(traces[0]["trigger"]["to"] == "offline");
}
