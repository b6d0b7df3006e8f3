#pragma once
// The demo home for automation tests: a real Mosquitto, a real hub with its SQLite file, chosen
// devices of sim/homes/demo.yaml simulated in-process by the fleet library (sped up), and
// a plain MQTT client that can play the remaining devices (sensors the test drives by hand).
#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/fleet.hpp"
#include "sim/mqtt_fleet.hpp"
#include "proto/device.hpp"
#include "proto/home.hpp"
#include "tests/support/broker.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mqtt_client.hpp"
#include "tests/support/running_hub.hpp"

namespace hearth::testing {

/// Polls `done` every 40 ms (below the hub's 50 requests per second per client) until it holds or
/// the deadline passes; returns its last answer.
template <class Predicate>
bool settle(Predicate done, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
    return true;
}

inline const char* kDemoHome = HEARTH_SOURCE_DIR "/sim/homes/demo.yaml";

inline proto::HomeDocument demo_home() {
    std::ifstream in(kDemoHome);
    std::stringstream text;
    text << in.rdbuf();
    auto home = proto::home_from_yaml(text.str());
    if (!home) throw std::runtime_error(home.error().message);
    return *home;
}

/// Runs the given demo devices in-process on their own thread, `speed` times faster than real time.
class SimFleet {
public:
    SimFleet(const Broker& broker, const std::set<std::string>& ids, double speed = 20) {
        std::vector<proto::HomeDevice> devices;
        for (auto& d : demo_home().devices)
            if (ids.contains(d.description.id.value)) devices.push_back(d);
        thread_ = std::thread([this, devices, port = broker.port(), speed] {
            auto clock = sim::make_simulated_clock(speed);
            auto fleet = sim::Fleet::create(devices, {}, clock());
            if (!fleet) return;
            sim::TransportOptions options;
            options.port = port;
            sim::MqttFleet transport(*fleet, options, clock);
            while (!stop_) transport.poll(std::chrono::milliseconds(10));
            transport.shutdown(std::chrono::milliseconds(500));
        });
    }
    ~SimFleet() {
        stop_ = true;
        thread_.join();
    }

private:
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

struct SimHome {
    Broker broker;
    std::filesystem::path data = make_temp_dir("hearth-auto");
    std::string home_path = kDemoHome;
    RunningHub hub{broker, data, home_path};
    MqttClient mqtt{broker.url(), "test-hand"};

    SimHome() {
        mqtt.subscribe("hearth/#");
        wait_for_broker();
    }
    /// Another home file than the demo's (its devices must be demo devices for SimFleet).
    explicit SimHome(std::string home) : home_path(std::move(home)) {
        mqtt.subscribe("hearth/#");
        wait_for_broker();
    }
    /// Until the hub's own MQTT connection is up (commands are refused before).
    void wait_for_broker() {
        settle([&] { return get("/api/v1/health").json().value("mqtt", "") == "connected"; });
    }
    void restart() {
        hub.restart();
        wait_for_broker();
    }
    ~SimHome() { std::filesystem::remove_all(data); }

    std::string token() const { return hub.token(); }
    HttpResult get(const std::string& target) { return http_get(hub.port(), target, hub.token()); }
    HttpResult post(const std::string& target, const nlohmann::json& body = nlohmann::json::object()) {
        return http_post(hub.port(), target, body.dump(), hub.token());
    }
    HttpResult put(const std::string& target, const nlohmann::json& body) {
        return http_request(hub.port(), "PUT", target, body.dump(),
                            {{"Authorization", "Bearer " + hub.token()}, {"Content-Type", "application/json"}});
    }
    HttpResult del(const std::string& target) {
        return http_request(hub.port(), "DELETE", target, {}, {{"Authorization", "Bearer " + hub.token()}});
    }
    nlohmann::json device(const std::string& id) { return get("/api/v1/devices/" + id).json(); }
    nlohmann::json state(const std::string& id) { return device(id).value("state", nlohmann::json::object()); }

    /// Polls the device's reported state until `predicate` holds. A device not known yet, or with
    /// nothing reported, has no state to judge.
    bool state_becomes(const std::string& id, const std::function<bool(const nlohmann::json&)>& predicate,
                       std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
        return settle([&] {
            const auto s = state(id);
            return !s.empty() && predicate(s);
        }, deadline);
    }
    bool online(const std::string& id) {
        return settle([&] { return device(id).value("online", false) == true; });
    }

    /// Plays a demo device by hand: its description, state and availability, retained.
    void announce(const std::string& id, const nlohmann::json& state) {
        for (const auto& d : demo_home().devices) {
            if (d.description.id.value != id) continue;
            mqtt.publish("hearth/device/" + id + "/config", proto::to_json(d.description).dump(), true);
            mqtt.publish("hearth/device/" + id + "/state", state.dump(), true);
            mqtt.publish("hearth/device/" + id + "/availability", "online", true);
        }
    }
    void report(const std::string& id, const nlohmann::json& state) {
        mqtt.publish("hearth/device/" + id + "/state", state.dump(), true);
    }

    /// The first trace of `rule` (newest first) that satisfies `predicate`, waiting for it.
    nlohmann::json trace_of(const std::string& rule, const std::function<bool(const nlohmann::json&)>& predicate) {
        nlohmann::json found;
        settle([&] {
            for (const auto& t : get("/api/v1/rules/" + rule + "/traces").json().value("traces", nlohmann::json::array())) {
                if (predicate(t)) {
                    found = t;
                    return true;
                }
            }
            return false;
        });
        return found;
    }
};

}  // namespace hearth::testing
