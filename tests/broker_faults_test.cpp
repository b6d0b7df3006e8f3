// Broker faults against a real Mosquitto and a real hub: work that came due while the hub was down
// waits for the broker; a command during an outage is held, then sent or refused (the reply and
// the trace say which); health during an outage; resubscription and the re-read of retained state
// once the broker is back. Invariants only, never timings (scripts/broker-faults measures those).
#include <catch2/catch.hpp>

#include <mqtt/async_client.h>

#include <future>
#include <mutex>

#include "tests/sim_home.hpp"
#include "tests/support/ws_client.hpp"

using namespace hearth::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

/// One topic watched through a persistent session: the broker keeps what arrives while the
/// watcher is away (and across its own restart) and hands it over when the watcher is back.
class SessionWatcher {
public:
    SessionWatcher(const Broker& broker, std::string topic) : client_(broker.url(), "broker-faults-watcher"), topic_(std::move(topic)) {
        client_.set_message_callback([this](mqtt::const_message_ptr m) {
            std::lock_guard lock(mutex_);
            payloads_.push_back(m->to_string());
        });
        connect();
        client_.subscribe(topic_, 1)->wait();
    }
    ~SessionWatcher() {
        try {
            if (client_.is_connected()) client_.disconnect()->wait();
        } catch (const std::exception&) {
        }
    }
    void connect() { client_.connect(mqtt::connect_options_builder().clean_session(false).finalize())->wait(); }
    void disconnect() { client_.disconnect()->wait(); }
    bool received(const std::string& needle) {
        return eventually([&] {
            std::lock_guard lock(mutex_);
            for (const auto& p : payloads_)
                if (p.find(needle) != std::string::npos) return true;
            return false;
        });
    }

private:
    mqtt::async_client client_;
    std::string topic_;
    std::mutex mutex_;
    std::vector<std::string> payloads_;
};

json health(SimHome& home) { return http_get(home.hub.port(), "/api/v1/health").json(); }

bool broker_state_is(SimHome& home, const std::string& state) {
    return settle([&] { return health(home)["broker"]["state"] == state; }, 20s);
}

json rule(const std::string& id, const json& triggers, const json& actions) {
    return {{"id", id}, {"triggers", triggers}, {"actions", actions}};
}

}  // namespace

TEST_CASE("Work that came due while the hub was down waits for the broker, then reaches the device") {
    SimHome home;
    home.announce("bathroom.presence", {{"occupancy", true}, {"illuminance", 10}});
    home.announce("bathroom.light", {{"on", true}, {"brightness", 50}});
    REQUIRE(home.online("bathroom.presence"));
    REQUIRE(home.online("bathroom.light"));
    REQUIRE(home.post("/api/v1/rules", rule("empty_bathroom",
                                            {{{"state", "bathroom.presence"}, {"attribute", "occupancy"}, {"to", false}, {"for", 5}}},
                                            {{{"command", "bathroom.light"}, {"set", {{"on", false}}}}}))
                .status == 201);
    REQUIRE(home.post("/api/v1/rules", rule("later", {{{"webhook", "later"}}},
                                            {{{"delay", 5}}, {{"command", "bathroom.light"}, {"set", {{"brightness", 20}}}}}))
                .status == 201);
    const auto windows_open = std::chrono::steady_clock::now();
    home.report("bathroom.presence", {{"occupancy", false}, {"illuminance", 10}});
    REQUIRE(home.state_becomes("bathroom.presence", [](const json& s) { return s["occupancy"] == false; }));
    REQUIRE(home.post("/api/v1/webhooks/later").json()["rules"] == 1);
    SessionWatcher light(home.broker, "hearth/device/bathroom.light/set");

    home.hub.stop();
    REQUIRE(std::chrono::steady_clock::now() - windows_open < 5s);  // the hub went down before the deadlines
    light.disconnect();
    home.broker.stop();
    std::this_thread::sleep_until(windows_open + 6s);  // both deadlines pass while the hub is down
    home.hub.start();
    std::this_thread::sleep_for(500ms);  // the hub is up, the broker is not (yet)
    const auto traces = home.get("/api/v1/rules/empty_bathroom/traces").json().value("traces", json::array());
    for (const auto& t : traces) CHECK(t["outcome"] != "ran");
    CHECK(health(home)["broker"]["state"] != "synced");

    home.broker.start();
    light.connect();
    CHECK(light.received("\"on\":false"));
    CHECK(light.received("\"brightness\":20"));
    const auto ran = home.trace_of("empty_bathroom", [](const json& t) { return t["outcome"] == "ran"; });
    REQUIRE(!ran.is_null());
    CHECK(ran["trigger"].contains("late_s"));
    REQUIRE(ran["commands"].size() == 1);
    CHECK_FALSE(ran["commands"][0].contains("error"));
    const auto later = home.trace_of("later", [](const json& t) { return t["outcome"] == "ran"; });
    REQUIRE(!later.is_null());
    CHECK_FALSE(later["commands"][0].contains("error"));
}

TEST_CASE("During an outage health says the broker is unreachable and availability unknown, and a command is held and sent on reconnection") {
    SimHome home;
    home.announce("bathroom.light", {{"on", true}, {"brightness", 50}});
    REQUIRE(home.online("bathroom.light"));
    REQUIRE(broker_state_is(home, "synced"));
    const auto before = health(home);
    CHECK(before["status"] == "ok");
    CHECK(before["devices_availability"] == "known");
    CHECK(before["devices_online"] >= 1);
    SessionWatcher light(home.broker, "hearth/device/bathroom.light/set");
    light.disconnect();

    home.broker.stop();
    REQUIRE(broker_state_is(home, "unreachable"));
    const auto during = health(home);
    CHECK(during["status"] == "degraded");
    CHECK(during["mqtt"] == "disconnected");
    CHECK(during["devices_online"] == 0);
    CHECK(during["devices_availability"] == "unknown");
    CHECK(during["devices_unknown"] == during["devices"]);

    auto reply = std::async(std::launch::async, [&] { return home.post("/api/v1/devices/bathroom.light/commands", {{"brightness", 30}}); });
    REQUIRE(settle([&] { return health(home)["broker"]["held_commands"] == 1; }));
    home.broker.start();
    const auto sent = reply.get();
    CHECK(sent.status == 202);
    CHECK(sent.json()["status"] == "sent");
    CHECK(sent.json()["held_ms"] > 0);

    REQUIRE(broker_state_is(home, "synced"));
    const auto after = health(home);
    CHECK(after["status"] == "ok");
    CHECK(after["devices_availability"] == "known");
    CHECK(after["devices_online"] >= 1);
    CHECK(after["broker"]["reconnects"] >= 1);
    CHECK(after["broker"]["held_commands"] == 0);
    light.connect();
    CHECK(light.received("\"brightness\":30"));
}

TEST_CASE("A command held past its hold is refused with broker_unavailable, in the reply and in the trace") {
    SimHome home;
    home.hub.config().command_hold = 1s;
    home.restart();
    home.announce("bathroom.light", {{"on", true}, {"brightness", 50}});
    REQUIRE(home.online("bathroom.light"));
    REQUIRE(home.post("/api/v1/rules", rule("dim", {{{"webhook", "dim"}}},
                                            {{{"command", "bathroom.light"}, {"set", {{"brightness", 10}}}}}))
                .status == 201);
    WsClient ws(home.hub.port());
    ws.send({{"type", "auth"}, {"token", home.token()}});
    REQUIRE(ws.receive_until([](const json& m) { return m.value("type", "") == "auth_ok"; }));

    home.broker.stop();
    REQUIRE(broker_state_is(home, "unreachable"));

    const auto refused = home.post("/api/v1/devices/bathroom.light/commands", {{"brightness", 30}});
    CHECK(refused.status == 503);
    CHECK(refused.json()["status"] == "refused");
    CHECK(refused.json()["error"]["code"] == "broker_unavailable");
    CHECK(refused.json()["held_ms"] == 1000);

    ws.send({{"type", "command"}, {"id", 7}, {"device", "bathroom.light"}, {"set", {{"on", false}}}});
    const auto answer = ws.receive_until([](const json& m) { return m.value("type", "") == "result" && m.value("id", 0) == 7; });
    REQUIRE(answer);
    CHECK((*answer)["success"] == false);
    CHECK((*answer)["error"]["code"] == "broker_unavailable");

    REQUIRE(home.post("/api/v1/webhooks/dim").json()["rules"] == 1);
    const auto trace = home.trace_of("dim", [](const json& t) {
        const auto commands = t.value("commands", json::array());
        return !commands.empty() && commands[0].value("error_code", "") == "broker_unavailable";
    });
    REQUIRE(!trace.is_null());
    CHECK(trace["commands"][0]["held_ms"] == 1000);
    CHECK(!trace["commands"][0]["error"].get<std::string>().empty());

    home.broker.start();
    REQUIRE(broker_state_is(home, "synced"));
    CHECK(home.post("/api/v1/devices/bathroom.light/commands", {{"brightness", 40}}).status == 202);
}

TEST_CASE("After the broker comes back the hub is resubscribed and re-reads every device's retained state") {
    SimHome home;
    home.announce("bathroom.light", {{"on", true}, {"brightness", 50}});
    home.announce("kitchen.light", {{"on", false}, {"brightness", 20}});
    REQUIRE(home.online("bathroom.light"));
    REQUIRE(home.online("kitchen.light"));
    REQUIRE(broker_state_is(home, "synced"));

    // Retained changes the hub cannot see as they happen: written by another broker into the
    // persistence file this one starts from.
    home.broker.stop();
    {
        Broker elsewhere;
        elsewhere.stop();
        std::filesystem::copy_file(home.broker.dir() / "mosquitto.db", elsewhere.dir() / "mosquitto.db",
                                   std::filesystem::copy_options::overwrite_existing);
        elsewhere.start();
        {
            MqttClient writer(elsewhere.url(), "broker-faults-writer");
            writer.publish("hearth/device/bathroom.light/state", R"({"on":false,"brightness":50})", true);
            writer.publish("hearth/device/kitchen.light/availability", "offline", true);
        }
        elsewhere.stop();
        std::filesystem::copy_file(elsewhere.dir() / "mosquitto.db", home.broker.dir() / "mosquitto.db",
                                   std::filesystem::copy_options::overwrite_existing);
    }
    home.broker.start();
    REQUIRE(broker_state_is(home, "synced"));
    // The marker came back after the retained messages: they are all in by now.
    CHECK(home.state("bathroom.light")["on"] == false);
    CHECK(home.device("kitchen.light")["online"] == false);

    // The subscriptions are back: a live report is taken.
    MqttClient device(home.broker.url(), "broker-faults-device");
    device.publish("hearth/device/bathroom.light/state", R"({"on":true,"brightness":70})");
    CHECK(home.state_becomes("bathroom.light", [](const json& s) { return s["brightness"] == 70; }));
}
