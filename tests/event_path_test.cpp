// The event path end to end over a real Mosquitto and SQLite: every change carries its cause into
// history, the live feed and the traces; an optimistic device's assumed state comes back through
// the event path after the rule that commanded it has finished; and the hub's clock can run fast.
#include <catch2/catch.hpp>

#include "tests/support/broker.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mqtt_client.hpp"
#include "tests/support/running_hub.hpp"
#include "tests/support/ws_client.hpp"

using namespace hearth::testing;
using nlohmann::json;

namespace {

const char* kLamp = R"({"id":"hall.lamp","area":"hall","kind":"light","capabilities":["on","brightness"]})";

struct Home {
    Broker broker;
    std::filesystem::path data = make_temp_dir("hearth-events");
    std::unique_ptr<RunningHub> hub;
    MqttClient device{broker.url(), "event-path-device"};

    explicit Home(double clock_speed = 1.0) {
        hub = std::make_unique<RunningHub>(broker, data);
        if (clock_speed != 1.0) {
            hub->config().clock_speed = clock_speed;
            hub->restart();
        }
        device.subscribe("hearth/device/+/set");
        device.publish("hearth/device/hall.lamp/config", kLamp, true);
        device.publish("hearth/device/hall.lamp/state", R"({"on":false,"brightness":10})", true);
        device.publish("hearth/device/hall.lamp/availability", "online", true);
        REQUIRE(eventually([&] { return get("/api/v1/devices/hall.lamp")["online"] == true; }));
    }
    ~Home() {
        hub.reset();
        std::filesystem::remove_all(data);
    }
    json get(const std::string& target) { return http_get(hub->port(), target, hub->token()).json(); }
    HttpResult post(const std::string& target, const json& body) {
        return http_post(hub->port(), target, body.dump(), hub->token());
    }
    std::vector<json> history(const std::string& attribute) {
        std::vector<json> out;
        const auto points = get("/api/v1/devices/hall.lamp/history")["points"];
        for (const auto& p : points)
            if (p["attribute"] == attribute) out.push_back(p);
        return out;
    }
};

}  // namespace

TEST_CASE("A change answering an app's command is recorded with the app and its token as the cause") {
    Home home;
    const auto sent = home.post("/api/v1/devices/hall.lamp/commands", {{"on", true}});
    REQUIRE(sent.status == 202);
    const auto context = sent.json()["context_id"].get<std::string>();
    REQUIRE(home.device.wait_for("hearth/device/hall.lamp/set", context));
    home.device.publish("hearth/device/hall.lamp/state", json{{"on", true}, {"context_id", context}}.dump(), true);
    REQUIRE(eventually([&] { return home.history("on").size() == 2; }));
    const auto points = home.history("on");
    CHECK(points[0]["cause"] == "device");
    CHECK(points[1]["cause"] == "app");
    CHECK(points[1]["context_id"] == context);

    home.device.publish("hearth/device/hall.lamp/state", R"({"on":false})", true);
    REQUIRE(eventually([&] { return home.history("on").size() == 3; }));
    CHECK(home.history("on")[2]["cause"] == "device");
}

TEST_CASE("The live feed names the cause of each change") {
    Home home;
    WsClient ws(home.hub->port());
    ws.send({{"type", "auth"}, {"token", home.hub->token()}});
    REQUIRE((*ws.receive())["type"] == "auth_ok");
    ws.send({{"type", "subscribe"}, {"id", 1}, {"events", {"state"}}});
    REQUIRE((*ws.receive())["success"] == true);
    home.device.publish("hearth/device/hall.lamp/state", R"({"brightness":60,"context_id":"elsewhere-7"})", true);
    const auto change = ws.receive_until([](const json& m) { return m.value("type", "") == "state"; });
    REQUIRE(change);
    CHECK((*change)["context"]["cause"] == "controller");
    CHECK((*change)["context"]["id"] == "elsewhere-7");

    ws.send({{"type", "command"}, {"id", 2}, {"device", "hall.lamp"}, {"set", {{"brightness", 80}}}});
    const auto sent = ws.receive_until([](const json& m) { return m.value("type", "") == "result"; });
    REQUIRE(sent);
    const auto context = (*sent)["context_id"].get<std::string>();
    home.device.publish("hearth/device/hall.lamp/state", json{{"brightness", 80}, {"context_id", context}}.dump(), true);
    const auto answered = ws.receive_until([](const json& m) { return m.value("type", "") == "state"; });
    REQUIRE(answered);
    CHECK((*answered)["context"]["cause"] == "app");
    CHECK((*answered)["context"]["source"] == "owner");
    CHECK((*answered)["context"]["id"] == context);
}

TEST_CASE("An optimistic device's assumed state reaches the rules after the run that commanded it") {
    Home home;
    home.device.publish("homeassistant/switch/fan_plug/config",
                        R"({"command_topic":"fan_plug/set","unique_id":"fan_plug","name":"fan plug"})", true);
    REQUIRE(eventually([&] { return home.get("/api/v1/devices/fan_plug").contains("id"); }));
    // A first report never fires a state trigger: the plug is first known to be off.
    REQUIRE(home.post("/api/v1/devices/fan_plug/commands", {{"on", false}}).status == 202);
    REQUIRE(eventually([&] { return home.get("/api/v1/devices/fan_plug")["state"]["on"] == false; }));
    REQUIRE(home.post("/api/v1/rules", {{"id", "plug_on"},
                                        {"triggers", {{{"webhook", "go"}}}},
                                        {"actions", {{{"command", "fan_plug"}, {"set", {{"on", true}}}}}}})
                .status == 201);
    REQUIRE(home.post("/api/v1/rules", {{"id", "plug_seen"},
                                        {"triggers", {{{"state", "fan_plug"}, {"attribute", "on"}, {"to", true}}}},
                                        {"actions", {{{"notify", "the plug is on"}}}}})
                .status == 201);
    const auto fired = home.post("/api/v1/webhooks/go", json::object());
    CHECK(fired.status == 202);
    REQUIRE(eventually([&] { return home.get("/api/v1/devices/fan_plug")["state"]["on"] == true; }));
    REQUIRE(eventually([&] {
        const auto notifications = home.get("/api/v1/notifications")["notifications"];
        for (const auto& n : notifications)
            if (n["message"] == "the plug is on") return true;
        return false;
    }));
    REQUIRE(eventually([&] { return !home.get("/api/v1/rules/plug_seen/traces")["traces"].empty(); }));
    const auto traces = home.get("/api/v1/rules/plug_seen/traces")["traces"];
    CHECK(traces[0]["outcome"] == "ran");
    const auto why = home.get("/api/v1/rules/plug_on/traces")["traces"];
    REQUIRE(!why.empty());
    CHECK(why[0]["outcome"] == "ran");
    CHECK(traces[0]["parent_context"] == why[0]["commands"][0]["context_id"]);
}

TEST_CASE("A device's traces are found by the devices they are about") {
    Home home;
    REQUIRE(home.post("/api/v1/rules", {{"id", "lamp_on"},
                                        {"triggers", {{{"webhook", "lamp"}}}},
                                        {"actions", {{{"command", "hall.lamp"}, {"set", {{"on", true}}}}}}})
                .status == 201);
    REQUIRE(home.post("/api/v1/webhooks/lamp", json::object()).status == 202);
    REQUIRE(eventually([&] { return !home.get("/api/v1/traces?device=hall.lamp")["traces"].empty(); }));
    const auto traces = home.get("/api/v1/traces?device=hall.lamp")["traces"];
    CHECK(traces[0]["rule"] == "lamp_on");
    CHECK(home.get("/api/v1/traces?device=ghost.lamp")["traces"].empty());
}

TEST_CASE("With the clock 600 times faster a for: 30m rule fires after 30 simulated minutes") {
    Home home(600);
    REQUIRE(home.post("/api/v1/rules", {{"id", "left_on"},
                                        {"triggers", {{{"state", "hall.lamp"}, {"attribute", "on"}, {"to", true}, {"for", "30m"}}}},
                                        {"actions", {{{"command", "hall.lamp"}, {"set", {{"on", false}}}}}}})
                .status == 201);
    home.device.publish("hearth/device/hall.lamp/state", R"({"on":true})", true);
    REQUIRE(home.device.wait_for("hearth/device/hall.lamp/set", "\"on\":false", 20000));
    REQUIRE(eventually([&] { return !home.get("/api/v1/rules/left_on/traces")["traces"].empty(); }));
    REQUIRE(eventually([&] { return home.history("on").size() >= 2; }));
    const auto traces = home.get("/api/v1/rules/left_on/traces")["traces"];
    CHECK(traces[0]["outcome"] == "ran");
    const auto on = home.history("on");
    REQUIRE(on.size() >= 2);
    const auto turned_on_ms = on.back()["time_ms"].get<std::int64_t>();
    CHECK(traces[0]["started"].get<std::int64_t>() - turned_on_ms >= 30 * 60 * 1000);
}
