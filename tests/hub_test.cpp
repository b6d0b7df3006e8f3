// hearthd against a real Mosquitto, over real MQTT and HTTP clients.
#include <catch2/catch.hpp>

#include <signal.h>
#include <fstream>
#include <thread>
#include <spawn.h>
#include <sys/wait.h>

#include "tests/support/broker.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mqtt_client.hpp"
#include "tests/support/running_hub.hpp"

using namespace hearth::testing;
using nlohmann::json;

extern char** environ;

namespace {

const char* kLightConfig =
    R"({"id":"bedroom.ceiling_light","area":"bedroom","kind":"light","name":{"zh":"卧室灯","en":"bedroom light"},)"
    R"("capabilities":["on","brightness","color_temp","transition"]})";
const char* kSensorConfig =
    R"({"id":"bedroom.climate_sensor","area":"bedroom","kind":"climate_sensor","capabilities":["temperature","humidity"]})";

struct Home {
    Broker broker;
    std::filesystem::path data = make_temp_dir("hearth-data");
    RunningHub hub{broker, data, HEARTH_SOURCE_DIR "/sim/homes/demo.yaml"};
    MqttClient device{broker.url(), "test-device"};

    Home() {
        device.subscribe("hearth/device/+/set");
        device.subscribe("hearth/hub/status");
    }
    ~Home() { std::filesystem::remove_all(data); }

    void announce_light(const std::string& state = R"({"on":false,"brightness":40})") {
        device.publish("hearth/device/bedroom.ceiling_light/config", kLightConfig, true);
        device.publish("hearth/device/bedroom.ceiling_light/state", state, true);
        device.publish("hearth/device/bedroom.ceiling_light/availability", "online", true);
    }

    HttpResult get(const std::string& target) { return http_get(hub.port(), target, hub.token()); }
    HttpResult post(const std::string& target, const std::string& body) {
        return http_post(hub.port(), target, body, hub.token());
    }
    json get_device(const std::string& id) { return get("/api/v1/devices/" + id).json(); }

    bool device_matches(const std::string& id, const std::function<bool(const json&)>& predicate) {
        return eventually([&] {
            const auto d = get_device(id);
            return !d.contains("error") && predicate(d);
        });
    }
};

}  // namespace

TEST_CASE("A device that announces itself over MQTT is listed over REST, online with its state") {
    Home home;
    home.announce_light();
    REQUIRE(home.device_matches("bedroom.ceiling_light", [](json d) {
        return d["online"] == true && d["state"]["brightness"] == 40;
    }));
    const auto d = home.get_device("bedroom.ceiling_light");
    CHECK(d["name"]["zh"] == "卧室灯");
    CHECK(d["area"] == "bedroom");
    CHECK(d["kind"] == "light");
    CHECK(d["capabilities"].size() == 4);
    const auto list = home.get("/api/v1/devices?area=bedroom&kind=light").json();
    CHECK(list["devices"].size() == 1);
    const auto areas = home.get("/api/v1/areas").json();
    CHECK(areas["areas"].size() == 6);
}

TEST_CASE("A REST command reaches the device over MQTT and the device's new state comes back") {
    Home home;
    home.announce_light();
    REQUIRE(home.device_matches("bedroom.ceiling_light", [](json d) { return d["online"] == true; }));
    const auto sent = home.post("/api/v1/devices/bedroom.ceiling_light/commands",
                                R"({"on": true, "brightness": 70, "transition": 1})");
    REQUIRE(sent.status == 202);
    const auto context = sent.json()["context_id"].get<std::string>();
    const auto received = home.device.wait_for("hearth/device/bedroom.ceiling_light/set");
    REQUIRE(received);
    const auto payload = json::parse(received->payload);
    CHECK(payload["brightness"] == 70);
    CHECK(payload["on"] == true);
    CHECK(payload["transition"] == 1);
    CHECK(payload["context_id"] == context);

    home.device.publish("hearth/device/bedroom.ceiling_light/state",
                        R"({"on":true,"brightness":70,"context_id":")" + context + "\"}", true);
    CHECK(home.device_matches("bedroom.ceiling_light", [](json d) {
        return d["state"]["on"] == true && d["state"]["brightness"] == 70 && d["version"] == 2;
    }));
}

TEST_CASE("Invalid commands get a specific error and nothing is sent to the device") {
    Home home;
    home.announce_light();
    home.device.publish("hearth/device/bedroom.climate_sensor/config", kSensorConfig, true);
    home.device.publish("hearth/device/bedroom.climate_sensor/availability", "online", true);
    REQUIRE(home.device_matches("bedroom.climate_sensor", [](json d) { return d["online"] == true; }));
    REQUIRE(home.device_matches("bedroom.ceiling_light", [](json d) { return d["online"] == true; }));
    const auto post = [&](const std::string& id, const std::string& body) {
        return home.post("/api/v1/devices/" + id + "/commands", body);
    };
    struct Case {
        std::string device, body;
        int status;
        std::string code, field;
    };
    const std::vector<Case> cases = {
        {"bedroom.ceiling_light", R"({"volume": 3})", 422, "unknown_attribute", "volume"},
        {"bedroom.ceiling_light", R"({"on": "yes"})", 422, "wrong_type", "on"},
        {"bedroom.ceiling_light", R"({"brightness": 101})", 422, "out_of_range", "brightness"},
        {"bedroom.ceiling_light", R"({"color_temp": 100})", 422, "out_of_range", "color_temp"},
        {"bedroom.climate_sensor", R"({"temperature": 20})", 422, "read_only", "temperature"},
        {"no.such_device", R"({"on": true})", 404, "unknown_device", "device"},
        {"bedroom.ceiling_light", R"({"on": tr)", 400, "bad_json", ""},
        {"bedroom.ceiling_light", R"({})", 422, "invalid_field", ""},
        {"bedroom.ceiling_light", R"([1,2])", 400, "bad_json", ""},
    };
    for (const auto& c : cases) {
        INFO(c.device << " " << c.body);
        const auto r = post(c.device, c.body);
        CHECK(r.status == c.status);
        const auto e = r.json()["error"];
        CHECK(e["code"] == c.code);
        CHECK(!e["message"].get<std::string>().empty());
        if (!c.field.empty()) CHECK(e["field"] == c.field);
    }
    CHECK(home.get("/api/v1/devices/nope").status == 404);
    // A valid command afterwards is the first and only thing the device receives.
    REQUIRE(post("bedroom.ceiling_light", R"({"on": true})").status == 202);
    REQUIRE(home.device.wait_for("hearth/device/bedroom.ceiling_light/set"));
    int sets = 0;
    for (const auto& m : home.device.received()) sets += m.topic.ends_with("/set");
    CHECK(sets == 1);
}

TEST_CASE("Malformed, oversized or mistyped MQTT state is refused and changes nothing") {
    Home home;
    home.announce_light(R"({"on":true,"brightness":40})");
    REQUIRE(home.device_matches("bedroom.ceiling_light", [](json d) { return d["state"]["brightness"] == 40; }));
    const auto topic = "hearth/device/bedroom.ceiling_light/state";
    home.device.publish(topic, R"({"on": tru)");
    home.device.publish(topic, std::string(70 * 1024, ' ') + "{}");
    home.device.publish(topic, R"({"brightness": "bright"})");
    home.device.publish(topic, R"([1, 2, 3])");
    home.device.publish(topic, R"({"brightness": {"deep": 1}})");
    home.device.publish("hearth/device/bedroom.ceiling_light/config", R"({"id": "other.id"})");
    home.device.publish("hearth/device/bedroom.ceiling_light/availability", "maybe");
    // A good message after the bad ones shows they were all processed, and only it took effect.
    home.device.publish(topic, R"({"on":true,"brightness":41})");
    REQUIRE(home.device_matches("bedroom.ceiling_light", [](json d) { return d["state"]["brightness"] == 41; }));
    const auto d = home.get_device("bedroom.ceiling_light");
    CHECK(d["state"]["on"] == true);
    CHECK(d["version"] == 2);
    CHECK(d["online"] == true);
    CHECK(d["capabilities"].size() == 4);
    const auto rejected = home.hub.on_hub_thread([](hearth::hub::Hub& h) { return h.stats().mqtt_rejected; });
    CHECK(rejected == 7);
    CHECK(home.get("/api/v1/health").json()["status"] == "ok");
}

TEST_CASE("A device that dies is marked offline through its last will") {
    Home home;
    home.device.publish("hearth/device/bedroom.ceiling_light/config", kLightConfig, true);
    // mosquitto_sub plays the device's connection: it registers the will and then dies uncleanly.
    const auto port = std::to_string(home.broker.port());
    const char* argv[] = {"mosquitto_sub", "-p", port.c_str(), "-i", "lwt-device", "-t", "x/none", "--will-topic",
                          "hearth/device/bedroom.ceiling_light/availability", "--will-payload", "offline",
                          "--will-retain", "--will-qos", "1", nullptr};
    pid_t pid = -1;
    REQUIRE(posix_spawnp(&pid, "mosquitto_sub", nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
    home.device.publish("hearth/device/bedroom.ceiling_light/availability", "online", true);
    REQUIRE(home.device_matches("bedroom.ceiling_light", [](json d) { return d["online"] == true; }));
    // The will is registered once the broker has accepted the connection.
    REQUIRE(eventually([&] {
        std::ifstream log(home.broker.dir() / "mosquitto.log");
        const std::string all((std::istreambuf_iterator<char>(log)), {});
        return all.find("as lwt-device") != std::string::npos;
    }));
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    CHECK(home.device_matches("bedroom.ceiling_light", [](json d) {
        return d["online"] == false && d["availability"] == "offline";
    }));
    const auto r = home.post("/api/v1/devices/bedroom.ceiling_light/commands", R"({"on": true})");
    CHECK(r.status == 503);
    CHECK(r.json()["error"]["code"] == "device_unavailable");
}

TEST_CASE("After a broker restart the hub reconnects and re-syncs by itself") {
    Home home;
    home.announce_light();
    REQUIRE(home.device_matches("bedroom.ceiling_light", [](json d) { return d["online"] == true; }));
    home.broker.restart();
    REQUIRE(eventually([&] { return home.get("/api/v1/health").json()["mqtt"] == "connected"; },
                       std::chrono::seconds(20)));
    // The device reconnects too and reports a change made while the hub was cut off.
    MqttClient device{home.broker.url(), "test-device-2"};
    device.subscribe("hearth/device/+/set");
    device.publish("hearth/device/bedroom.ceiling_light/state", R"({"on":true,"brightness":90})", true);
    CHECK(home.device_matches("bedroom.ceiling_light", [](json d) { return d["state"]["brightness"] == 90; }));
    // The hub re-announced itself, and commands flow again.
    MqttClient watcher{home.broker.url(), "watcher"};
    watcher.subscribe("hearth/hub/status");
    CHECK(watcher.wait_for("hearth/hub/status", "online"));
    REQUIRE(home.post("/api/v1/devices/bedroom.ceiling_light/commands", R"({"on": false})").status ==
            202);
    CHECK(device.wait_for("hearth/device/bedroom.ceiling_light/set", "\"on\":false"));
}
