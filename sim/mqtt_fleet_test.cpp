// Black-box test of the fleet transport: a few simulated devices against a real mosquitto,
// watched and commanded by a plain libmosquitto client.
#include "sim/mqtt_fleet.hpp"

#include <mosquitto.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <vector>

#include "tests/support/broker.hpp"

using namespace hearth;
using namespace hearth::sim;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const char* kHome = R"(
devices:
  - {id: room.light, kind: light, capabilities: [on, brightness, transition]}
  - {id: room.curtain, kind: curtain, capabilities: [position]}
  - {id: room.sensor, kind: climate_sensor, capabilities: [temperature, humidity], sim: {interval: 600}}
)";

struct Message {
    std::string topic;
    std::string payload;
    bool retained = false;
};

/// A plain MQTT client on its own libmosquitto thread that records everything it receives.
class Observer {
public:
    Observer(int port, const char* id) {
        client_ = mosquitto_new(id, true, this);
        mosquitto_message_callback_set(client_, [](mosquitto*, void* self, const mosquitto_message* m) {
            auto& o = *static_cast<Observer*>(self);
            const std::lock_guard lock(o.mutex_);
            o.messages_.push_back({m->topic, std::string(static_cast<const char*>(m->payload), m->payloadlen), m->retain});
        });
        mosquitto_connect_callback_set(client_, [](mosquitto*, void* self, int) {
            static_cast<Observer*>(self)->connected_ = true;
        });
        if (mosquitto_connect(client_, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) throw std::runtime_error("observer");
        mosquitto_loop_start(client_);
        if (!testing::eventually([&] { return connected_.load(); })) throw std::runtime_error("observer connect");
    }
    ~Observer() {
        mosquitto_disconnect(client_);
        mosquitto_loop_stop(client_, false);
        mosquitto_destroy(client_);
    }

    void subscribe(const std::string& filter) { mosquitto_subscribe(client_, nullptr, filter.c_str(), 1); }
    void publish(const std::string& topic, const std::string& payload, bool retained = false) {
        mosquitto_publish(client_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, retained);
    }
    std::vector<Message> on(const std::string& topic) const {
        const std::lock_guard lock(mutex_);
        std::vector<Message> out;
        for (const auto& m : messages_) {
            if (m.topic == topic) out.push_back(m);
        }
        return out;
    }
    std::optional<Message> last(const std::string& topic) const {
        auto all = on(topic);
        if (all.empty()) return std::nullopt;
        return all.back();
    }

private:
    mosquitto* client_ = nullptr;
    mutable std::mutex mutex_;
    std::vector<Message> messages_;
    std::atomic<bool> connected_{false};
};

std::string topic(const char* device, const char* leaf) { return std::string("hearth/device/") + device + "/" + leaf; }

struct Rig {
    testing::Broker broker;
    Fleet fleet;
    MqttFleet transport;
    std::vector<std::string> log;

    explicit Rig(std::chrono::milliseconds retry_delay = 300ms, const SimulatedClock& clock = make_simulated_clock(1.0))
        : fleet(make_fleet(clock())),
          transport(fleet, {.port = broker.port(), .retry_delay = retry_delay}, clock,
                    [this](std::string_view line) { log.emplace_back(line); }) {}

    static Fleet make_fleet(Instant start) {
        auto home = proto::home_from_yaml(kHome);
        REQUIRE(home.has_value());
        auto fleet = Fleet::create(home->devices, {}, start);
        REQUIRE(fleet.has_value());
        return std::move(*fleet);
    }

    /// Runs the fleet's loop until `done` holds, for at most `deadline`.
    template <class Predicate>
    bool pump_until(Predicate done, std::chrono::milliseconds deadline = 10s) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        while (!done()) {
            if (std::chrono::steady_clock::now() > until) return false;
            transport.poll(10ms);
        }
        return true;
    }
    bool all_connected() const {
        for (std::size_t i = 0; i < fleet.size(); ++i) {
            if (!transport.connected(i)) return false;
        }
        return true;
    }
};

}  // namespace

TEST_CASE("Each simulated device announces its config, state and availability, all retained") {
    Rig rig;
    REQUIRE(rig.pump_until([&] { return rig.all_connected(); }));
    CHECK(rig.transport.counters().connected == 3);
    const auto announced = [&](const Observer& o) {
        for (const char* d : {"room.light", "room.curtain", "room.sensor"}) {
            for (const char* leaf : {"config", "state", "availability"}) {
                if (!o.last(topic(d, leaf))) return false;
            }
        }
        return true;
    };
    // Once one client has seen every announcement, a client that subscribes later gets retained copies.
    Observer first(rig.broker.port(), "first");
    first.subscribe("hearth/#");
    REQUIRE(rig.pump_until([&] { return announced(first); }));
    Observer late(rig.broker.port(), "late");
    late.subscribe("hearth/#");
    REQUIRE(rig.pump_until([&] { return announced(late); }));
    for (const char* d : {"room.light", "room.curtain", "room.sensor"}) {
        for (const char* leaf : {"config", "state", "availability"}) CHECK(late.last(topic(d, leaf))->retained);
        CHECK(late.last(topic(d, "availability"))->payload == "online");
        CHECK(json::parse(late.last(topic(d, "config"))->payload)["id"] == d);
    }
    CHECK(json::parse(late.last(topic("room.light", "state"))->payload) == json{{"on", false}, {"brightness", 100}});
}

TEST_CASE("A valid set changes the state, echoing the context id, and the new state is retained") {
    Rig rig;
    REQUIRE(rig.pump_until([&] { return rig.all_connected(); }));
    Observer hub(rig.broker.port(), "hub");
    hub.subscribe("hearth/device/+/state");
    REQUIRE(rig.pump_until([&] { return hub.last(topic("room.light", "state")).has_value(); }));

    hub.publish(topic("room.light", "set"), R"({"on": true, "brightness": 30, "context_id": "ctx-1"})");
    REQUIRE(rig.pump_until([&] {
        const auto m = hub.last(topic("room.light", "state"));
        return m && json::parse(m->payload).value("context_id", "") == "ctx-1";
    }));
    const auto state = json::parse(hub.last(topic("room.light", "state"))->payload);
    CHECK(state == json{{"on", true}, {"brightness", 30}, {"context_id", "ctx-1"}});

    Observer late(rig.broker.port(), "late");
    late.subscribe(topic("room.light", "state"));
    REQUIRE(rig.pump_until([&] { return late.last(topic("room.light", "state")).has_value(); }));
    const auto retained = late.last(topic("room.light", "state"));
    CHECK(retained->retained);
    CHECK(json::parse(retained->payload)["brightness"] == 30);
}

TEST_CASE("Curtains commanded over MQTT report their position as they travel") {
    // Simulated time moves only when the test moves it, so every step of the travel is seen
    // however slowly the machine runs.
    auto now = make_simulated_clock(1.0)();
    Rig rig(300ms, [&] { return now; });
    REQUIRE(rig.pump_until([&] { return rig.all_connected(); }));
    Observer hub(rig.broker.port(), "hub");
    const auto state_topic = topic("room.curtain", "state");
    hub.subscribe(state_topic);
    REQUIRE(rig.pump_until([&] { return hub.last(state_topic).has_value(); }));
    const double start = json::parse(hub.last(state_topic)->payload)["position"];
    const double target = 20;
    REQUIRE(start < target);

    hub.publish(topic("room.curtain", "set"), R"({"position": 20, "context_id": "open-a-bit"})");
    REQUIRE(rig.pump_until([&] {
        const auto m = hub.last(state_topic);
        return m && json::parse(m->payload).value("context_id", "") == "open-a-bit";
    }));
    CHECK(json::parse(hub.last(state_topic)->payload)["position"] == start);  // the answer, before it moves

    // At 20 % a second the travel takes 1 s: a report every kMotionStep until the target.
    std::vector<double> positions;
    while (positions.empty() || positions.back() != target) {
        REQUIRE(positions.size() < 10);
        const auto seen = hub.on(state_topic).size();
        now += kMotionStep;
        REQUIRE(rig.pump_until([&] { return hub.on(state_topic).size() > seen; }));
        const auto m = json::parse(hub.last(state_topic)->payload);
        CHECK(m["context_id"] == "open-a-bit");
        positions.push_back(m["position"]);
    }
    INFO("positions: " << json(positions).dump());
    REQUIRE(positions.size() >= 2);
    for (std::size_t i = 0; i + 1 < positions.size(); ++i) {
        CHECK(start < positions[i]);
        CHECK(positions[i] < target);
        if (i > 0) CHECK(positions[i - 1] < positions[i]);
    }
}

TEST_CASE("An invalid set is ignored: no state is published and nothing changes") {
    Rig rig;
    REQUIRE(rig.pump_until([&] { return rig.all_connected(); }));
    Observer hub(rig.broker.port(), "hub");
    hub.subscribe(topic("room.light", "state"));
    REQUIRE(rig.pump_until([&] { return hub.last(topic("room.light", "state")).has_value(); }));
    const auto before = hub.on(topic("room.light", "state")).size();
    const auto state_before = rig.fleet.state_payload(0);

    hub.publish(topic("room.light", "set"), R"({"brightness": 300, "context_id": "bad-1"})");
    hub.publish(topic("room.light", "set"), R"({"volume": 3})");
    hub.publish(topic("room.light", "set"), "not json");
    REQUIRE(rig.pump_until([&] { return rig.transport.counters().commands_refused == 3; }));
    // A valid command sent after them is answered; nothing came before it.
    hub.publish(topic("room.light", "set"), R"({"on": true, "context_id": "good"})");
    REQUIRE(rig.pump_until([&] { return hub.on(topic("room.light", "state")).size() > before; }));
    const auto states = hub.on(topic("room.light", "state"));
    REQUIRE(states.size() == before + 1);
    CHECK(json::parse(states.back().payload)["context_id"] == "good");
    CHECK(json::parse(states.back().payload)["brightness"] == json::parse(state_before)["brightness"]);
    REQUIRE(rig.log.size() == 3);
    CHECK(rig.log[0].find("out_of_range") != std::string::npos);
    CHECK(rig.log[1].find("unknown_attribute") != std::string::npos);
}

TEST_CASE("Killing a device's connection makes the broker publish its last will, and it comes back") {
    Rig rig(500ms);
    REQUIRE(rig.pump_until([&] { return rig.all_connected(); }));
    Observer hub(rig.broker.port(), "hub");
    hub.subscribe("hearth/device/+/availability");
    REQUIRE(rig.pump_until([&] { return hub.on(topic("room.curtain", "availability")).size() == 1; }));

    rig.transport.drop_connection(1);
    // The broker publishes the will on its own. The fleet is not polled until the retained copy has
    // been read, so the device cannot have reconnected and replaced it with `online`.
    REQUIRE(testing::eventually([&] {
        const auto m = hub.last(topic("room.curtain", "availability"));
        return m && m->payload == "offline";
    }));
    CHECK(hub.on(topic("room.light", "availability")).size() == 1);

    Observer late(rig.broker.port(), "late");
    late.subscribe(topic("room.curtain", "availability"));
    REQUIRE(testing::eventually([&] { return late.last(topic("room.curtain", "availability")).has_value(); }));
    CHECK(late.last(topic("room.curtain", "availability"))->payload == "offline");
    CHECK(late.last(topic("room.curtain", "availability"))->retained);

    REQUIRE(rig.pump_until([&] {
        const auto m = hub.last(topic("room.curtain", "availability"));
        return m && m->payload == "online";
    }));
    CHECK(rig.transport.connected(1));
}

TEST_CASE("When the hub says it is online, every device announces itself again") {
    Rig rig;
    REQUIRE(rig.pump_until([&] { return rig.all_connected(); }));
    Observer hub(rig.broker.port(), "hub");
    hub.subscribe("hearth/device/+/config");
    hub.subscribe("hearth/device/+/availability");
    REQUIRE(rig.pump_until([&] { return hub.on(topic("room.sensor", "config")).size() == 1; }));

    hub.publish("hearth/hub/status", "online", true);
    REQUIRE(rig.pump_until([&] {
        for (const char* d : {"room.light", "room.curtain", "room.sensor"}) {
            if (hub.on(topic(d, "config")).size() < 2 || hub.on(topic(d, "availability")).size() < 2) return false;
        }
        return true;
    }));
    CHECK(rig.transport.counters().messages_in == 3);
}

TEST_CASE("A clean shutdown publishes offline for every device") {
    Rig rig;
    REQUIRE(rig.pump_until([&] { return rig.all_connected(); }));
    Observer hub(rig.broker.port(), "hub");
    hub.subscribe("hearth/device/+/availability");
    REQUIRE(rig.pump_until([&] { return hub.on(topic("room.sensor", "availability")).size() == 1; }));
    rig.transport.shutdown(2s);
    CHECK_FALSE(rig.transport.connected(0));
    REQUIRE(testing::eventually([&] {
        for (const char* d : {"room.light", "room.curtain", "room.sensor"}) {
            const auto m = hub.last(topic(d, "availability"));
            if (!m || m->payload != "offline") return false;
        }
        return true;
    }));
}
