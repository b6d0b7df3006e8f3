// A mixed home over a real Mosquitto: the demo home's devices simulated by hearth-fleet's
// transport, most speaking Hearth's native protocol and two (the study's shelf lamp and the kitchen
// plug) presented as Zigbee2MQTT devices with Home Assistant discovery. hearthd registers both
// kinds and commands reach each device in its own format.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "sim/mqtt_fleet.hpp"
#include "proto/home.hpp"
#include "tests/support/broker.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mqtt_client.hpp"
#include "tests/support/running_hub.hpp"

using namespace hearth::testing;
using namespace hearth::sim;
using nlohmann::json;

namespace {

const std::string kDemo = HEARTH_SOURCE_DIR "/sim/homes/demo.yaml";

std::vector<hearth::proto::HomeDevice> demo_devices() {
    std::ifstream in(kDemo);
    std::stringstream text;
    text << in.rdbuf();
    auto home = hearth::proto::home_from_yaml(text.str());
    REQUIRE(home.has_value());
    return home->devices;
}

/// The simulated fleet on its own thread; only that thread touches the transport.
class RunningFleet {
  public:
    explicit RunningFleet(const Broker& broker) {
        const auto clock = make_simulated_clock(1);
        auto fleet = Fleet::create(demo_devices(), {}, clock());
        REQUIRE(fleet.has_value());
        fleet_ = std::make_unique<Fleet>(std::move(*fleet));
        thread_ = std::thread([this, port = broker.port(), clock] {
            MqttFleet transport(*fleet_, {.port = port}, clock, [this](std::string_view line) {
                const std::lock_guard lock(mutex_);
                log_.emplace_back(line);
            });
            while (!stop_) transport.poll(std::chrono::milliseconds(20));
            transport.shutdown(std::chrono::seconds(2));
        });
    }
    ~RunningFleet() {
        stop_ = true;
        thread_.join();
    }
    std::vector<std::string> log() const {
        const std::lock_guard lock(mutex_);
        return log_;
    }

  private:
    std::unique_ptr<Fleet> fleet_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<std::string> log_;
    std::thread thread_;
};

struct MixedHome {
    Broker broker;
    std::filesystem::path data = make_temp_dir("hearth-mixed");
    RunningHub hub{broker, data, kDemo};
    RunningFleet fleet{broker};
    ~MixedHome() { std::filesystem::remove_all(data); }

    json get(const std::string& target) { return http_get(hub.port(), target, hub.token()).json(); }
    /// A device's JSON, or an empty object while the hub does not answer 200.
    json device(const std::string& id) {
        const auto r = http_get(hub.port(), "/api/v1/devices/" + id, hub.token());
        auto j = r.status == 200 ? r.json() : json::object();
        if (!j.is_object()) j = json::object();
        if (!j.contains("state") || !j["state"].is_object()) j["state"] = json::object();
        return j;
    }
    json state(const std::string& id) { return device(id)["state"]; }
    bool online(const std::string& id) { return device(id).value("online", false); }
    HttpResult command(const std::string& device, const std::string& body) {
        return http_post(hub.port(), "/api/v1/devices/" + device + "/commands", body, hub.token());
    }
};

const std::string kLamp =
    "zigbee2mqtt_" + ieee_address_for(hearth::proto::DeviceId{"study.shelf_lamp"});
const std::string kPlug =
    "zigbee2mqtt_" + ieee_address_for(hearth::proto::DeviceId{"kitchen.plug"});

}  // namespace

TEST_CASE("Native and Zigbee2MQTT-style simulated devices register side by side") {
    MixedHome home;
    REQUIRE(eventually([&] { return home.online(kLamp); }));
    REQUIRE(eventually([&] { return home.online(kPlug); }));
    REQUIRE(eventually([&] { return home.online("bedroom.ceiling_light"); }));

    const auto lamp = home.device(kLamp);
    INFO(lamp.dump());
    CHECK(lamp["kind"] == "light");
    CHECK(lamp["area"] == "study");  // from the discovery's suggested_area
    CHECK(lamp["name"]["en"] == "shelf lamp");
    CHECK(lamp["state"].contains("brightness"));
    const auto plug = home.device(kPlug);
    CHECK(plug["area"] == "kitchen");
    CHECK(plug["state"].contains("on"));
    CHECK(plug["state"].contains("power"));
}

TEST_CASE("Commands reach the Zigbee2MQTT-style lamp and the native devices alike") {
    MixedHome home;
    REQUIRE(eventually([&] { return home.online(kLamp); }));
    REQUIRE(eventually([&] { return home.online("study.desk_lamp"); }));

    REQUIRE(home.command(kLamp, R"({"on": true, "brightness": 40, "color_temp": 3000})").status ==
            202);
    REQUIRE(eventually([&] {
        const auto s = home.state(kLamp);
        return s.value("on", false) && s.value("brightness", 0.0) == 40 &&
               std::abs(s.value("color_temp", 0.0) - 3000) <= 10;
    }));
    REQUIRE(home.command(kLamp, R"({"on": false})").status == 202);
    REQUIRE(eventually([&] { return !home.state(kLamp).value("on", true); }));

    REQUIRE(home.command(kPlug, R"({"on": true})").status == 202);
    REQUIRE(eventually([&] { return home.state(kPlug).value("on", false); }));

    REQUIRE(home.command("study.desk_lamp", R"({"on": true, "brightness": 70})").status == 202);
    REQUIRE(eventually([&] {
        const auto s = home.state("study.desk_lamp");
        return s.value("on", false) && s.value("brightness", 0.0) == 70;
    }));
    REQUIRE(home.command("bedroom.curtain", R"({"position": 100})").status == 202);
    REQUIRE(eventually([&] {
        const auto position = home.state("bedroom.curtain")["position"];
        return position.is_number() && position.get<double>() == 100;
    }));
    for (const auto& line : home.fleet.log()) CHECK(line.find("ignored") == std::string::npos);
}

TEST_CASE("A device that asks for Zigbee2MQTT style but cannot be presented stays native") {
    Broker broker;
    const auto clock = make_simulated_clock(1);
    std::vector<hearth::proto::HomeDevice> devices;
    for (auto& d : demo_devices()) {
        if (d.description.id.value == "bedroom.ac" ||
            d.description.id.value == "study.shelf_lamp") {
            d.sim["style"] = "zigbee2mqtt";
            devices.push_back(std::move(d));
        }
    }
    auto fleet = Fleet::create(devices, {}, clock());
    REQUIRE(fleet.has_value());
    std::vector<std::string> log;
    MqttFleet transport(*fleet, {.port = broker.port()}, clock,
                        [&](std::string_view line) { log.emplace_back(line); });
    REQUIRE(log.size() == 1);
    CHECK(log[0] ==
          "bedroom.ac: stays native, Zigbee2MQTT style cannot present kind air_conditioner");
    CHECK(transport.styled(0) == nullptr);
    REQUIRE(transport.styled(1) != nullptr);
    CHECK(transport.styled(1)->friendly_name() == "study_shelf_lamp");
}

TEST_CASE(
    "A Zigbee2MQTT-style device announces again on Home Assistant's birth and leaves its will") {
    Broker broker;
    MqttClient watcher{broker.url(), "watcher"};
    watcher.subscribe("homeassistant/#");
    watcher.subscribe("zigbee2mqtt/#");
    const auto clock = make_simulated_clock(1);
    std::vector<hearth::proto::HomeDevice> devices;
    for (auto& d : demo_devices())
        if (d.description.id.value == "kitchen.plug") devices.push_back(std::move(d));
    auto fleet = Fleet::create(devices, {}, clock());
    REQUIRE(fleet.has_value());
    MqttFleet transport(*fleet, {.port = broker.port()}, clock);
    const auto& style = *transport.styled(0);
    const auto config = "homeassistant/switch/" + style.ieee_address() + "/switch/config";
    const auto pump_until = [&](auto done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done() && std::chrono::steady_clock::now() < deadline)
            transport.poll(std::chrono::milliseconds(20));
        return done();
    };
    const auto seen = [&](const std::string& topic, const std::string& needle = {}) {
        for (const auto& m : watcher.received())
            if (m.topic == topic && m.payload.find(needle) != std::string::npos) return true;
        return false;
    };
    REQUIRE(pump_until([&] { return seen(config) && seen(style.availability_topic(), "online"); }));

    watcher.clear();
    MqttClient ha{broker.url(), "home-assistant"};
    ha.publish("homeassistant/status", "online");
    REQUIRE(pump_until([&] { return seen(config) && seen(style.state_topic()); }));

    watcher.clear();
    transport.drop_connection(0);
    REQUIRE(pump_until([&] { return seen(style.availability_topic(), "offline"); }));
}
