// The app API end to end: auth on every route, tokens, limits, OpenAPI against the real routes,
// WebSocket subscriptions and the slow-client case, history, and the hub coming back from SQLite.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include "tests/support/broker.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/metric_value.hpp"
#include "tests/support/mqtt_client.hpp"
#include "tests/support/running_hub.hpp"
#include "tests/support/ws_client.hpp"

using namespace hearth::testing;
using hearth::hub::Hub;
using nlohmann::json;

namespace {

const char* kLightConfig =
    R"({"id":"bedroom.ceiling_light","area":"bedroom","kind":"light","name":{"zh":"卧室灯","en":"bedroom light"},)"
    R"("capabilities":["on","brightness",{"attribute":"media","type":"text","access":["read"]}]})";
const char* kLampConfig = R"({"id":"kitchen.light","area":"kitchen","kind":"light","capabilities":["on"]})";

struct Api {
    Broker broker;
    std::filesystem::path data = make_temp_dir("hearth-api");
    std::unique_ptr<RunningHub> hub;
    MqttClient device{broker.url(), "api-test-device"};

    explicit Api(const std::function<void(hearth::hub::HubConfig&)>& configure = {}) {
        device.subscribe("hearth/device/+/set");
        hub = std::make_unique<RunningHub>(broker, data, HEARTH_SOURCE_DIR "/sim/homes/demo.yaml");
        if (configure) {
            configure(hub->config());
            hub->restart();
        }
    }
    ~Api() {
        hub.reset();
        std::filesystem::remove_all(data);
    }
    std::string token() const { return hub->token(); }
    HttpResult get(const std::string& target, const std::string& token) { return http_get(hub->port(), target, token); }
    HttpResult post(const std::string& target, const std::string& body, const std::string& token) {
        return http_post(hub->port(), target, body, token);
    }
    void announce() {
        device.publish("hearth/device/bedroom.ceiling_light/config", kLightConfig, true);
        device.publish("hearth/device/bedroom.ceiling_light/state", R"({"on":false,"brightness":40})", true);
        device.publish("hearth/device/bedroom.ceiling_light/availability", "online", true);
        device.publish("hearth/device/kitchen.light/config", kLampConfig, true);
        device.publish("hearth/device/kitchen.light/availability", "online", true);
        REQUIRE(eventually([&] { return get("/api/v1/devices", token()).json()["total"] == 2; }));
    }
    std::string create_token(const std::string& scope) {
        const auto r = post("/api/v1/tokens", json{{"name", scope + "-token"}, {"scope", scope}}.dump(), token());
        REQUIRE(r.status == 201);
        return r.json()["secret"];
    }
};

std::string concrete(const std::string& pattern) { return std::regex_replace(pattern, std::regex(R"(\{[a-z_]+\})"), "x"); }

std::vector<hearth::hub::Route> routes_of(RunningHub& hub) {
    return hub.on_hub_thread([](Hub& h) { return h.router().routes(); });
}

}  // namespace

TEST_CASE("The owner token is written once, readable by the owner only") {
    Api api;
    struct stat st {};
    REQUIRE(stat((api.data / "owner.token").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(api.token().starts_with("hth_"));
    const auto first = api.token();
    api.hub->restart();
    CHECK(api.token() == first);
    CHECK(api.get("/api/v1/devices", first).status == 200);
}

TEST_CASE("Every route except health refuses a request without a valid token") {
    Api api([](auto& c) {
        c.limits.bad_tokens_before_slowdown = 1000;
        c.limits.bad_tokens_before_lockout = 1000;
        c.limits.requests_per_second = 0;  // every route twice from one address: more than a burst
    });
    for (const auto& route : routes_of(*api.hub)) {
        INFO(route.method << " " << route.pattern);
        const auto r = http_request(api.hub->port(), route.method, concrete(route.pattern), "{}");
        if (route.pattern == "/api/v1/health") {
            CHECK(r.status == 200);
            continue;
        }
        CHECK(r.status == 401);
        CHECK(r.json()["error"]["code"] == "unauthorized");
        CHECK(r.headers.count("WWW-Authenticate") == 1);
        const auto wrong = http_request(api.hub->port(), route.method, concrete(route.pattern), "{}",
                                        {{"Authorization", "Bearer hth_not-a-real-token"}});
        CHECK(wrong.status == 401);
    }
}

TEST_CASE("A token's scope limits what it may do") {
    Api api;
    api.announce();
    const auto reader = api.create_token("read");
    const auto controller = api.create_token("control");
    CHECK(api.get("/api/v1/devices", reader).status == 200);
    const auto refused = api.post("/api/v1/devices/kitchen.light/commands", R"({"on":true})", reader);
    CHECK(refused.status == 403);
    CHECK(refused.json()["error"]["code"] == "forbidden");
    CHECK(api.post("/api/v1/devices/kitchen.light/commands", R"({"on":true})", controller).status == 202);
    CHECK(api.get("/api/v1/tokens", controller).status == 403);
    for (const auto& route : routes_of(*api.hub)) {
        if (!route.scope || *route.scope != hearth::hub::Scope::admin) continue;
        INFO(route.method << " " << route.pattern);
        CHECK(http_request(api.hub->port(), route.method, concrete(route.pattern), "{}", bearer(controller)).status == 403);
    }
}

TEST_CASE("Tokens are created, listed without their secret, and stop working when revoked") {
    Api api;
    const auto created = api.post("/api/v1/tokens", R"({"name":"phone","scope":"control"})", api.token());
    REQUIRE(created.status == 201);
    const auto secret = created.json()["secret"].get<std::string>();
    const auto id = created.json()["id"].get<std::string>();
    const auto list = api.get("/api/v1/tokens", api.token());
    CHECK(list.body.find(secret) == std::string::npos);
    CHECK(list.body.find("hash") == std::string::npos);
    CHECK(list.json()["tokens"].size() == 2);
    CHECK(api.get("/api/v1/devices", secret).status == 200);
    // Tokens survive a restart (they are stored, hashed) ...
    api.hub->restart();
    CHECK(api.get("/api/v1/devices", secret).status == 200);
    // ... and revocation is immediate.
    CHECK(http_request(api.hub->port(), "DELETE", "/api/v1/tokens/" + id, {}, bearer(api.token())).status == 200);
    CHECK(api.get("/api/v1/devices", secret).status == 401);
    CHECK(http_request(api.hub->port(), "DELETE", "/api/v1/tokens/" + id, {}, bearer(api.token())).status == 404);
    CHECK(api.post("/api/v1/tokens", R"({"name":"x","scope":"root"})", api.token()).json()["error"]["field"] == "scope");
    CHECK(api.post("/api/v1/tokens", R"({"scope":"read"})", api.token()).json()["error"]["field"] == "name");
}

TEST_CASE("Repeated bad tokens from one address are refused for a while") {
    Api api([](auto& c) {
        c.limits.bad_tokens_before_slowdown = 2;
        c.limits.bad_tokens_before_lockout = 4;
    });
    for (int i = 0; i < 4; ++i) CHECK(api.get("/api/v1/devices", "hth_wrong").status == 401);
    const auto locked = api.get("/api/v1/devices", api.token());
    CHECK(locked.status == 429);
    CHECK(locked.json()["error"]["code"] == "rate_limited");
    CHECK(locked.headers.count("Retry-After") == 1);
    CHECK(api.get("/api/v1/health", {}).status == 200);
}

TEST_CASE("A client over its request rate gets 429 while the hub keeps serving") {
    Api api([](auto& c) {
        c.limits.requests_per_second = 1;
        c.limits.burst = 5;
    });
    // The bucket starts full, so the burst is served whatever the timing.
    for (int i = 0; i < 5; ++i) CHECK(api.get("/api/v1/areas", api.token()).status == 200);
    // Back to back, requests outrun a refill of one a second long before a hundred of them.
    HttpResult over;
    for (int i = 0; i < 100 && over.status != 429; ++i) {
        over = api.get("/api/v1/areas", api.token());
        REQUIRE((over.status == 200 || over.status == 429));
    }
    REQUIRE(over.status == 429);
    CHECK(over.json()["error"]["code"] == "rate_limited");
    CHECK(over.headers.count("Retry-After") == 1);
    CHECK(eventually([&] { return api.get("/api/v1/areas", api.token()).status == 200; }));
}

TEST_CASE("Oversized bodies, deep JSON and huge headers are refused with specific errors") {
    Api api;
    api.announce();
    const auto big = api.post("/api/v1/devices/kitchen.light/commands", std::string(2 * 1024 * 1024, ' '), api.token());
    CHECK(big.status == 413);
    const auto deep = api.post("/api/v1/devices/kitchen.light/commands", std::string(100, '[') + std::string(100, ']'),
                               api.token());
    CHECK(deep.status == 413);
    CHECK(deep.json()["error"]["code"] == "payload_too_large");
    const auto header = http_request(api.hub->port(), "GET", "/api/v1/devices", {},
                                     {{"Authorization", "Bearer " + api.token()}, {"X-Big", std::string(32 * 1024, 'a')}});
    CHECK(header.status == 431);
    CHECK(api.get("/api/v1/devices?limit=abc", api.token()).json()["error"]["field"] == "limit");
    CHECK(api.get("/api/v1/devices?kind=spaceship", api.token()).json()["error"]["field"] == "kind");
}

TEST_CASE("Device lists are filtered and paginated") {
    Api api;
    api.announce();
    const auto page = api.get("/api/v1/devices?limit=1&offset=1", api.token()).json();
    CHECK(page["total"] == 2);
    REQUIRE(page["devices"].size() == 1);
    CHECK(page["devices"][0]["id"] == "kitchen.light");
    CHECK(api.get("/api/v1/devices?area=kitchen", api.token()).json()["total"] == 1);
    CHECK(api.get("/api/v1/devices?capability=brightness", api.token()).json()["total"] == 1);
}

TEST_CASE("The OpenAPI document lists exactly the routes the hub serves") {
    Api api;
    const auto doc = api.get("/api/v1/openapi.json", api.token()).json();
    REQUIRE(doc["openapi"] == "3.0.3");
    std::set<std::string> documented, served;
    for (const auto& [path, ops] : doc["paths"].items())
        for (const auto& [method, op] : ops.items()) documented.insert(method + " " + path);
    for (const auto& route : routes_of(*api.hub)) {
        std::string method = route.method;
        std::transform(method.begin(), method.end(), method.begin(), ::tolower);
        served.insert(method + " " + route.pattern);
    }
    served.insert("get /api/v1/ws");  // the WebSocket upgrades are served by the HTTP server itself
    served.insert("get /api/websocket");
    for (const auto& s : served) {
        INFO("served but not documented: " << s);
        CHECK(documented.count(s) == 1);
    }
    for (const auto& d : documented) {
        INFO("documented but not served: " << d);
        CHECK(served.count(d) == 1);
    }
    // Public and scoped routes are documented as such.
    for (const auto& route : routes_of(*api.hub)) {
        std::string method = route.method;
        std::transform(method.begin(), method.end(), method.begin(), ::tolower);
        const auto& op = doc["paths"][route.pattern][method];
        INFO(route.pattern);
        if (route.scope) CHECK(op["x-scope"] == std::string(hearth::hub::to_string(*route.scope)));
        else CHECK(op["security"].empty());
    }
}

TEST_CASE("Metrics are served as Prometheus text with counters and histograms") {
    Api api;
    api.announce();
    const auto r = api.get("/metrics", api.token());
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("Content-Type").starts_with("text/plain"));
    for (const auto* name : {"hearth_mqtt_messages_in_total", "hearth_commands_sent_total", "hearth_store_queue_depth",
                             "hearth_store_rows_dropped_total", "hearth_http_request_seconds_bucket",
                             "hearth_command_confirmation_seconds_count", "hearth_websocket_clients"}) {
        INFO(name);
        CHECK(r.body.find(name) != std::string::npos);
    }
}

TEST_CASE("Metrics count HTTP requests by route pattern and status, never by the raw path, and carry the build") {
    Api api;
    api.announce();
    REQUIRE(api.get("/api/v1/devices/bedroom.ceiling_light", api.token()).status == 200);
    REQUIRE(api.get("/api/v1/devices/bedroom.ceiling_light", api.token()).status == 200);
    REQUIRE(api.get("/api/v1/devices/no_such.lamp", api.token()).status == 404);
    REQUIRE(api.get("/api/v1/devices", "hth_wrong").status == 401);
    const auto text = api.get("/metrics", api.token()).body;
    using hearth::testing::metric_value;
    CHECK(metric_value(text, R"(hearth_http_requests_total{method="GET",route="/api/v1/devices/{id}",code="200"})") == 2);
    CHECK(metric_value(text, R"(hearth_http_requests_total{method="GET",route="/api/v1/devices/{id}",code="404"})") == 1);
    CHECK(metric_value(text, R"(hearth_http_requests_total{method="GET",route="/api/v1/devices",code="401"})") == 1);
    CHECK(metric_value(text, R"(hearth_http_request_seconds_count{route="/api/v1/devices/{id}"})") == 3);
    CHECK(metric_value(text, R"(hearth_http_request_seconds_bucket{route="/api/v1/devices/{id}",le="+Inf"})") == 3);
    CHECK(text.find("no_such.lamp") == std::string::npos);
    CHECK(metric_value(text, R"(hearth_build_info{version=")" HEARTH_TEST_VERSION R"("})") == 1);
}

TEST_CASE("Attribute history is recorded and served by time range") {
    Api api;
    api.announce();
    for (int b : {50, 60, 70}) {
        api.device.publish("hearth/device/bedroom.ceiling_light/state", json{{"on", true}, {"brightness", b}}.dump(), true);
    }
    REQUIRE(eventually([&] {
        const auto h = api.get("/api/v1/devices/bedroom.ceiling_light/history?attribute=brightness", api.token()).json();
        return h["points"].size() == 4 && h["points"][3]["value"] == 70;
    }, std::chrono::seconds(30)));
    const auto all = api.get("/api/v1/devices/bedroom.ceiling_light/history", api.token()).json();
    CHECK(all["points"].size() == 6);  // brightness ×4, on ×2
    CHECK(api.get("/api/v1/devices/bedroom.ceiling_light/history?from=2200-01-01T00:00:00Z", api.token())
              .json()["points"]
              .empty());
    CHECK(api.get("/api/v1/devices/bedroom.ceiling_light/history?from=yesterday", api.token()).json()["error"]["field"] ==
          "from");
    // ISO 8601 with an offset; a '+' in a query must be sent as %2B (a bare '+' is a space).
    CHECK(api.get("/api/v1/devices/bedroom.ceiling_light/history?from=2000-01-01T08:00:00%2B08:00", api.token())
              .json()["points"]
              .size() == 6);
    CHECK(api.get("/api/v1/devices/bedroom.ceiling_light/history?to=2000-01-01T03:00:00-05:00", api.token())
              .json()["points"]
              .empty());
    const auto health = api.get("/api/v1/health", api.token()).json();
    CHECK(health["time_zone"].is_string());
    CHECK(health["local_time"].get<std::string>().size() == 25);  // 2026-03-29T03:00:00+02:00
}

TEST_CASE("After a hub restart the registry comes back from SQLite, before any MQTT") {
    Api api;
    api.announce();
    api.device.publish("hearth/device/bedroom.ceiling_light/state", R"({"on":true,"brightness":77})", true);
    REQUIRE(eventually([&] {
        return api.get("/api/v1/devices/bedroom.ceiling_light", api.token()).json()["state"]["brightness"] == 77;
    }));
    api.broker.stop();
    api.hub->restart();
    const auto d = api.get("/api/v1/devices/bedroom.ceiling_light", api.token()).json();
    CHECK(d["state"]["brightness"] == 77);
    CHECK(d["state"]["on"] == true);
    CHECK(d["name"]["zh"] == "卧室灯");
    CHECK(api.get("/api/v1/devices", api.token()).json()["total"] == 2);
    CHECK(api.get("/api/v1/areas", api.token()).json()["areas"].size() == 6);
    CHECK(api.get("/api/v1/health", {}).json()["mqtt"] == "disconnected");
}

TEST_CASE("A WebSocket client authenticates first, subscribes by device and sees state changes") {
    Api api;
    api.announce();
    WsClient ws(api.hub->port());
    ws.send({{"type", "subscribe"}, {"id", 1}});
    const auto refused = ws.receive();
    REQUIRE(refused);
    CHECK((*refused)["type"] == "auth_failed");

    WsClient client(api.hub->port());
    client.send({{"type", "auth"}, {"token", api.token()}});
    CHECK((*client.receive())["type"] == "auth_ok");
    client.send({{"type", "subscribe"}, {"id", 2}, {"events", {"state"}}, {"devices", {"bedroom.ceiling_light"}}});
    const auto ok = client.receive();
    REQUIRE(ok);
    CHECK((*ok)["success"] == true);
    api.device.publish("hearth/device/kitchen.light/state", R"({"on":true})", true);
    api.device.publish("hearth/device/bedroom.ceiling_light/state", R"({"on":false,"brightness":12})", true);
    const auto change = client.receive();
    REQUIRE(change);
    CHECK((*change)["type"] == "state");
    CHECK((*change)["device"] == "bedroom.ceiling_light");
    CHECK((*change)["attribute"] == "brightness");
    CHECK((*change)["value"] == 12);
    CHECK((*change)["old_value"] == 40);

    client.send({{"type", "command"}, {"id", 3}, {"device", "kitchen.light"}, {"set", {{"on", false}}}});
    const auto result = client.receive_until([](json m) { return m["type"] == "result" && m["id"] == 3; });
    REQUIRE(result);
    CHECK((*result)["success"] == true);
    CHECK(api.device.wait_for("hearth/device/kitchen.light/set", "\"on\":false"));
    client.send({{"type", "command"}, {"id", 4}, {"device", "kitchen.light"}, {"set", {{"on", 7}}}});
    const auto bad = client.receive_until([](json m) { return m["type"] == "result" && m["id"] == 4; });
    REQUIRE(bad);
    CHECK((*bad)["error"]["code"] == "wrong_type");
    client.send({{"type", "ping"}, {"id", 5}});
    CHECK((*client.receive_until([](json m) { return m["id"] == 5; }))["type"] == "pong");
}

TEST_CASE("A state change reaches every subscription of every client, each message with its own subscription") {
    Api api;
    api.announce();
    WsClient first(api.hub->port());
    WsClient second(api.hub->port());
    for (auto* client : {&first, &second}) {
        client->send({{"type", "auth"}, {"token", api.token()}});
        REQUIRE(client->receive_until([](json m) { return m["type"] == "auth_ok"; }));
    }
    std::vector<std::int64_t> numbers;
    for (auto* client : {&first, &first, &second}) {
        client->send({{"type", "subscribe"}, {"id", 10 + numbers.size()}, {"devices", {"bedroom.ceiling_light"}}});
        const auto ok = client->receive_until([](json m) { return m["type"] == "result"; });
        REQUIRE(ok);
        REQUIRE((*ok)["success"] == true);
        numbers.push_back((*ok)["subscription"].get<std::int64_t>());
    }
    api.device.publish("hearth/device/bedroom.ceiling_light/state", R"({"on":false,"brightness":13})", true);
    auto is_change = [](json m) { return m["type"] == "state" && m["attribute"] == "brightness"; };
    const auto a = first.receive_until(is_change);
    const auto b = first.receive_until(is_change);
    const auto c = second.receive_until(is_change);
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(c);
    CHECK(std::set<std::int64_t>{(*a)["subscription"], (*b)["subscription"]} == std::set<std::int64_t>{numbers[0], numbers[1]});
    CHECK((*c)["subscription"] == numbers[2]);
    for (const auto* m : {&*a, &*b, &*c}) {
        CHECK((*m)["device"] == "bedroom.ceiling_light");
        CHECK((*m)["value"] == 13);
        auto without = *m;
        without.erase("subscription");
        auto reference = *c;
        reference.erase("subscription");
        CHECK(without == reference);
    }
}

// Each of these once ended hearthd (a type_error escaping the WebSocket handler); `{"type":5}` did so
// before authentication.
const std::vector<std::string> kHostileMessages = {
    R"({"type":5})", R"({"type":null})", R"({"type":[]})", R"({"type":{}})", R"({"type":true})",
    R"({"type":"auth","token":5})", R"({"type":"auth","token":null})", R"({"type":"auth","token":["x"]})",
    R"({"type":"unsubscribe","subscription":"x"})", R"({"type":"unsubscribe","subscription":1.5})",
    R"({"type":"unsubscribe","subscription":18446744073709551615})", R"({"type":"unsubscribe"})",
    R"({"type":"subscribe","events":"state"})", R"({"type":"subscribe","devices":[1,2]})",
    R"({"type":"subscribe","areas":{"a":1}})", R"({"type":"command","set":5,"transition":1})",
    R"({"type":"command","set":"on","device":"kitchen.light"})", R"({"type":"command","device":5,"set":{}})",
    R"({"type":"conversation","text":"开灯","dry_run":"yes"})", R"({"type":"conversation","text":5})",
    R"({"type":"activate","scene":null})", R"({"type":"activate","scene":"x","transition":"slow"})",
    R"([1,2,3])", R"("type")", R"(5)", R"(null)", R"({"type":)", std::string(40, '[') + std::string(40, ']'),
};

TEST_CASE("Wrong-typed WebSocket messages before authentication are refused and the hub keeps running") {
    Api api;
    for (const auto& text : kHostileMessages) {
        INFO(text);
        WsClient ws(api.hub->port());
        ws.send_text(text);
        const auto answer = ws.receive();
        REQUIRE(answer);
        CHECK(((*answer)["type"] == "auth_failed" || (*answer)["success"] == false));
        CHECK(api.get("/api/v1/health", "").status == 200);
    }
    WsClient client(api.hub->port());
    client.send({{"type", "auth"}, {"token", api.token()}});
    CHECK((*client.receive())["type"] == "auth_ok");
}

TEST_CASE("Wrong-typed WebSocket messages after authentication get a specific error on a socket that stays open") {
    Api api;
    api.announce();
    WsClient client(api.hub->port());
    client.send({{"type", "auth"}, {"token", api.token()}});
    REQUIRE((*client.receive())["type"] == "auth_ok");
    const auto before = api.get("/api/v1/devices/kitchen.light", api.token()).json()["state"];
    for (const auto& text : kHostileMessages) {
        INFO(text);
        client.send_text(text);
        const auto answer = client.receive();
        REQUIRE(answer);
        CHECK((*answer)["type"] == "result");
        CHECK((*answer)["success"] == false);
        CHECK((*answer)["error"]["code"] != "internal");
        CHECK((*answer)["error"]["message"].get<std::string>() != "");
    }
    client.send_text(R"({"type":5,"id":9})");
    const auto named = client.receive();
    REQUIRE(named);
    CHECK((*named)["id"] == 9);
    CHECK((*named)["error"]["code"] == "invalid_field");
    CHECK((*named)["error"]["field"] == "type");
    client.send({{"type", "ping"}, {"id", 10}});
    CHECK((*client.receive_until([](json m) { return m["id"] == 10; }))["type"] == "pong");
    CHECK(api.get("/api/v1/devices/kitchen.light", api.token()).json()["state"] == before);
}

TEST_CASE("A WebSocket from a foreign origin is refused") {
    Api api;
    CHECK_THROWS(WsClient(api.hub->port(), "/api/v1/ws", "http://evil.example"));
    CHECK_NOTHROW(WsClient(api.hub->port(), "/api/v1/ws", "http://127.0.0.1:" + std::to_string(api.hub->port())));
}

TEST_CASE("A WebSocket client that stops reading is dropped without slowing the others") {
    Api api([](auto& c) { c.http.websocket_queue_limit = 8; });
    api.announce();
    WsClient slow(api.hub->port(), "/api/v1/ws", {}, 4096);
    WsClient fast(api.hub->port());
    for (auto* c : {&slow, &fast}) {
        c->send({{"type", "auth"}, {"token", api.token()}});
        REQUIRE((*c->receive())["type"] == "auth_ok");
        c->send({{"type", "subscribe"}, {"id", 1}, {"devices", {"bedroom.ceiling_light"}}});
        REQUIRE((*c->receive())["success"] == true);
    }
    const auto clients = [&] { return api.hub->on_hub_thread([](Hub& h) { return h.live().client_count(); }); };
    REQUIRE(clients() == 2);
    // The fast client reads all the time, on its own thread, until it sees the final change.
    const std::string filler(60 * 1024, 'x');
    std::atomic<bool> fast_saw_final{false};
    std::atomic<int> fast_seen{-1};
    std::thread reader([&] {
        fast_saw_final = fast.receive_until(
                                 [&](json m) {
                                     if (m["attribute"] == "media")
                                         fast_seen = std::stoi(m["value"].get<std::string>().substr(filler.size()));
                                     return m["attribute"] == "brightness" && m["value"] == 99;
                                 },
                                 60000)
                             .has_value();
    });
    // Large state messages fill the slow client's socket buffers, then its queue. They are paced by
    // the fast client, so only the slow one can fall behind however busy the machine is.
    for (int sent = 0; clients() == 2 && sent < 400; ++sent) {
        REQUIRE(eventually([&] { return fast_seen >= sent - 4; }, std::chrono::seconds(30)));
        api.device.publish("hearth/device/bedroom.ceiling_light/state",
                           json{{"media", filler + std::to_string(sent)}}.dump(), false);
    }
    CHECK(eventually([&] { return clients() == 1; }));
    api.device.publish("hearth/device/bedroom.ceiling_light/state", R"({"brightness":99})", true);
    reader.join();
    CHECK(fast_saw_final);
    CHECK(clients() == 1);
    CHECK(api.hub->on_hub_thread([](Hub& h) { return h.live().slow_clients_dropped(); }) == 1);
    CHECK(api.get("/metrics", api.token()).body.find("hearth_websocket_slow_clients_dropped_total 1\n") != std::string::npos);
}
