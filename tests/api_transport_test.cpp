// The API's transport settings end to end, against a real broker and hub: HTTPS and WSS with a
// certificate made at test time, what a plain client or a bad key gets, CORS origins, the request
// rate limit, and slow WebSocket clients dropped in the middle of a fan-out.
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "tests/support/broker.hpp"
#include "tests/support/certificate.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mqtt_client.hpp"
#include "tests/support/running_hub.hpp"
#include "tests/support/ws_client.hpp"

using namespace hearth::testing;
using hearth::hub::Hub;
using nlohmann::json;

namespace {

const char* kLightConfig =
    R"({"id":"bedroom.ceiling_light","area":"bedroom","kind":"light",)"
    R"("capabilities":["on","brightness",{"attribute":"media","type":"text","access":["read"]}]})";

struct TransportHub {
    Broker broker;
    std::filesystem::path data = make_temp_dir("hearth-api-transport");
    std::filesystem::path certs = make_temp_dir("hearth-api-certs");
    Certificate certificate = make_self_signed_certificate(certs);
    Transport tls{certificate.cert.string()};
    std::unique_ptr<RunningHub> hub;
    MqttClient device{broker.url(), "api-transport-device"};

    explicit TransportHub(const std::function<void(hearth::hub::HubConfig&)>& configure = {}) {
        hub = std::make_unique<RunningHub>(broker, data);
        if (configure) {
            configure(hub->config());
            hub->restart();
        }
    }
    ~TransportHub() {
        hub.reset();
        std::filesystem::remove_all(data);
        std::filesystem::remove_all(certs);
    }
    void use_tls(hearth::hub::HubConfig& c) const {
        c.http.tls_cert_file = certificate.cert;
        c.http.tls_key_file = certificate.key;
    }
    int port() const { return hub->port(); }
    std::string token() const { return hub->token(); }
    void announce(const Transport& transport) {
        device.publish("hearth/device/bedroom.ceiling_light/config", kLightConfig, true);
        device.publish("hearth/device/bedroom.ceiling_light/state", R"({"on":false,"brightness":40})", true);
        device.publish("hearth/device/bedroom.ceiling_light/availability", "online", true);
        REQUIRE(eventually([&] { return http_get(port(), "/api/v1/devices", token(), transport).json()["total"] == 1; }));
    }
    std::size_t live_clients() {
        return hub->on_hub_thread([](Hub& h) { return h.live().client_count(); });
    }
};

WsClient authenticated(TransportHub& api, const Transport& transport, int receive_buffer = 0) {
    WsClient ws(api.port(), "/api/v1/ws", {}, receive_buffer, transport);
    ws.send({{"type", "auth"}, {"token", api.token()}});
    const auto ok = ws.receive();
    REQUIRE(ok);
    REQUIRE((*ok)["type"] == "auth_ok");
    return ws;
}

}  // namespace

TEST_CASE("Over HTTPS a request with the token is answered and one without is refused") {
    TransportHub api;
    api.use_tls(api.hub->config());
    api.hub->restart();
    api.announce(api.tls);

    const auto device = http_get(api.port(), "/api/v1/devices/bedroom.ceiling_light", api.token(), api.tls);
    CHECK(device.status == 200);
    CHECK(device.json()["id"] == "bedroom.ceiling_light");
    const auto anonymous = http_get(api.port(), "/api/v1/devices", {}, api.tls);
    CHECK(anonymous.status == 401);
    CHECK(anonymous.json()["error"]["code"] == "unauthorized");
    CHECK(http_get(api.port(), "/api/v1/health", {}, api.tls).status == 200);
}

TEST_CASE("A WSS client authenticates, subscribes and receives a state change") {
    TransportHub api;
    api.use_tls(api.hub->config());
    api.hub->restart();
    api.announce(api.tls);

    auto ws = authenticated(api, api.tls);
    ws.send({{"type", "subscribe"}, {"id", 1}, {"events", {"state"}}, {"devices", {"bedroom.ceiling_light"}}});
    const auto subscribed = ws.receive();
    REQUIRE(subscribed);
    CHECK((*subscribed)["success"] == true);
    api.device.publish("hearth/device/bedroom.ceiling_light/state", R"({"on":false,"brightness":77})", true);
    const auto change = ws.receive_until([](const json& m) { return m.value("type", "") == "state"; });
    REQUIRE(change);
    CHECK((*change)["attribute"] == "brightness");
    CHECK((*change)["value"] == 77);
    CHECK((*change)["old_value"] == 40);
}

TEST_CASE("Plain HTTP to the TLS port gets a 400 naming https, an untrusting client fails its handshake") {
    TransportHub api;
    api.use_tls(api.hub->config());
    api.hub->restart();

    const auto plain = http_get(api.port(), "/api/v1/health");
    CHECK(plain.status == 400);
    CHECK(plain.json()["error"]["message"].get<std::string>().find("https://") != std::string::npos);
    CHECK_THROWS(WsClient(api.port()));

    // A certificate the client does not trust: the handshake fails, no request is answered.
    const auto other_dir = make_temp_dir("hearth-api-other-cert");
    const auto other = make_self_signed_certificate(other_dir);
    CHECK_THROWS(http_get(api.port(), "/api/v1/health", {}, Transport{other.cert.string()}));
    std::filesystem::remove_all(other_dir);

    CHECK(http_get(api.port(), "/api/v1/health", {}, api.tls).status == 200);
}

TEST_CASE("The hub refuses to start with a missing, garbage or mismatched TLS key") {
    TransportHub api;
    auto& config = api.hub->config();
    api.use_tls(config);

    config.http.tls_key_file = api.certs / "absent.pem";
    REQUIRE_THROWS_WITH(api.hub->restart(), Catch::Contains("absent.pem"));

    const auto garbage = api.certs / "garbage.pem";
    std::ofstream(garbage) << "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";
    config.http.tls_key_file = garbage;
    REQUIRE_THROWS_WITH(api.hub->restart(), Catch::Contains("cannot load the TLS private key"));

    const auto other_dir = make_temp_dir("hearth-api-other-key");
    config.http.tls_key_file = make_self_signed_certificate(other_dir).key;
    REQUIRE_THROWS_WITH(api.hub->restart(), Catch::Contains("mismatch"));
    std::filesystem::remove_all(other_dir);

    config.http.tls_key_file.clear();
    REQUIRE_THROWS_WITH(api.hub->restart(), Catch::Contains("both a certificate"));

    api.use_tls(config);
    api.hub->restart();
    CHECK(http_get(api.port(), "/api/v1/health", {}, api.tls).status == 200);
}

TEST_CASE("A CORS preflight from an allowed origin is allowed and one from another origin is not") {
    TransportHub api([](auto& c) { c.http.cors_origins = {"https://app.example", "http://localhost:3000"}; });
    const std::map<std::string, std::string> preflight = {{"Access-Control-Request-Method", "GET"},
                                                          {"Access-Control-Request-Headers", "authorization"}};

    auto allowed_headers = preflight;
    allowed_headers["Origin"] = "https://app.example";
    auto allowed = http_request(api.port(), "OPTIONS", "/api/v1/devices", {}, allowed_headers);
    CHECK(allowed.status == 204);
    CHECK(allowed.headers["Access-Control-Allow-Origin"] == "https://app.example");
    CHECK(allowed.headers["Access-Control-Allow-Headers"].find("Authorization") != std::string::npos);

    auto other_headers = preflight;
    other_headers["Origin"] = "https://evil.example";
    auto other = http_request(api.port(), "OPTIONS", "/api/v1/devices", {}, other_headers);
    CHECK(other.headers.count("Access-Control-Allow-Origin") == 0);
    CHECK(other.headers.count("Access-Control-Allow-Methods") == 0);

    auto get_headers = bearer(api.token());
    get_headers["Origin"] = "http://localhost:3000";
    auto get = http_request(api.port(), "GET", "/api/v1/devices", {}, get_headers);
    CHECK(get.status == 200);
    CHECK(get.headers["Access-Control-Allow-Origin"] == "http://localhost:3000");
}

TEST_CASE("With a low rate limit a burst gets 429 in the standard error shape") {
    // As `--rate-limit 5` sets it: 5 requests per second, bursts up to 10.
    TransportHub api([](auto& c) {
        c.limits.requests_per_second = 5;
        c.limits.burst = 10;
    });
    int ok = 0;
    std::optional<HttpResult> refused;
    for (int i = 0; i < 30; ++i) {
        auto r = http_get(api.port(), "/api/v1/areas", api.token());
        if (r.status == 200) ++ok;
        if (r.status == 429 && !refused) refused = r;
    }
    CHECK(ok >= 10);
    CHECK(ok < 30);
    REQUIRE(refused);
    const auto error = refused->json()["error"];
    CHECK(error["code"] == "rate_limited");
    CHECK(error["message"].is_string());
    CHECK(refused->headers["Retry-After"] == "1");
}

TEST_CASE("Slow WebSocket clients dropped in the middle of a fan-out leave the others served") {
    // Several slow clients with several subscriptions each: each drop happens inside the loop that
    // sends one state change to every subscription.
    TransportHub api([](auto& c) { c.http.websocket_queue_limit = 4; });
    api.announce({});
    std::vector<std::unique_ptr<WsClient>> slow;
    for (int i = 0; i < 6; ++i) {
        slow.push_back(std::make_unique<WsClient>(authenticated(api, {}, 4096)));
        for (int n = 1; n <= 3; ++n) {
            slow.back()->send({{"type", "subscribe"}, {"id", n}});
            REQUIRE((*slow.back()->receive())["success"] == true);
        }
    }
    auto fast = authenticated(api, {});
    fast.send({{"type", "subscribe"}, {"id", 1}, {"devices", {"bedroom.ceiling_light"}}});
    REQUIRE((*fast.receive())["success"] == true);
    REQUIRE(api.live_clients() == 7);

    const std::string filler(60 * 1024, 'x');
    std::atomic<bool> fast_saw_final{false};
    std::atomic<int> fast_seen{-1};
    std::thread reader([&] {
        fast_saw_final = fast.receive_until(
                                 [&](const json& m) {
                                     if (m.value("attribute", "") == "media")
                                         fast_seen = std::stoi(m["value"].get<std::string>().substr(filler.size()));
                                     return m.value("attribute", "") == "brightness" && m.value("value", 0) == 99;
                                 },
                                 60000)
                             .has_value();
    });
    // Paced by the fast client, so only the slow ones fall behind however busy the machine is.
    for (int sent = 0; api.live_clients() > 1 && sent < 400; ++sent) {
        REQUIRE(eventually([&] { return fast_seen >= sent - 2; }, std::chrono::seconds(30)));
        api.device.publish("hearth/device/bedroom.ceiling_light/state",
                           json{{"media", filler + std::to_string(sent)}}.dump(), false);
    }
    CHECK(eventually([&] { return api.live_clients() == 1; }, std::chrono::seconds(30)));
    api.device.publish("hearth/device/bedroom.ceiling_light/state", R"({"brightness":99})", true);
    reader.join();
    CHECK(fast_saw_final);
    CHECK(http_get(api.port(), "/api/v1/health").status == 200);
}
