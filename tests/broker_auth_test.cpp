// The hub and the simulated fleet against a broker whose accounts and ACL scripts/broker-auth
// generated from the demo home: the hub logs in with its own account, every device as itself.
// Then over TLS (a throwaway CA made with openssl, a password file made with mosquitto_passwd):
// credentials from the URL, a client certificate, and clear errors for a wrong password or CA.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/credentials.hpp"
#include "sim/mqtt_fleet.hpp"
#include "proto/home.hpp"
#include "proto/broker_url.hpp"
#include "tests/support/broker.hpp"
#include "tests/support/certificate.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/running_hub.hpp"

using namespace hearth;
using namespace hearth::sim;
using namespace hearth::testing;
using namespace std::chrono_literals;

namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The demo home's devices, with broker accounts generated for them in a temp dir.
struct GeneratedAccounts {
    std::filesystem::path dir = make_temp_dir("hearth-broker-auth");
    std::vector<proto::HomeDevice> devices;
    Credentials credentials;
    std::string hub_password;

    GeneratedAccounts() {
        auto home = proto::home_from_yaml(read_file(HEARTH_SOURCE_DIR "/sim/homes/demo.yaml"));
        if (!home) throw std::runtime_error(home.error().message);
        devices = std::move(home->devices);
        std::ofstream ids(dir / "ids");
        for (const auto& d : devices) ids << d.description.id.value << "\n";
        ids.close();
        const auto command = std::string(HEARTH_SOURCE_DIR "/scripts/broker-auth --out '") + dir.string() +
                             "' --ids '" + (dir / "ids").string() + "' > /dev/null";
        if (std::system(command.c_str()) != 0) throw std::runtime_error("scripts/broker-auth failed");
        auto parsed = parse_credentials(read_file(dir / "credentials"));
        if (!parsed) throw std::runtime_error(parsed.error().message);
        credentials = std::move(*parsed);
        std::istringstream(read_file(dir / "hub.password")) >> hub_password;
    }
    ~GeneratedAccounts() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    BrokerAuth auth() const { return {dir / "passwd", dir / "acl"}; }
};

std::size_t online_devices(const RunningHub& hub) {
    const auto body = http_get(hub.port(), "/api/v1/devices?limit=1000", hub.token()).json();
    if (!body.is_object() || !body.contains("devices")) return 0;
    std::size_t online = 0;
    for (const auto& d : body["devices"]) online += d.value("online", false) ? 1 : 0;
    return online;
}

}  // namespace

TEST_CASE("The hub logs in with its own account and sees and commands every device, each logged in as itself") {
    const GeneratedAccounts accounts;
    REQUIRE(accounts.credentials.size() == accounts.devices.size());
    Broker broker(accounts.auth());
    const auto data = make_temp_dir("hearth-auth-hub");
    RunningHub hub(broker, data);
    hub.stop();
    hub.config().mqtt_username = "hearthd";
    hub.config().mqtt_password = accounts.hub_password;
    hub.start();

    const auto clock = make_simulated_clock(1.0);
    auto fleet = Fleet::create(accounts.devices, {.offline_fraction = 0}, clock());
    REQUIRE(fleet.has_value());
    TransportOptions options{.port = broker.port()};
    options.credentials = accounts.credentials;
    MqttFleet transport(*fleet, options, clock);
    const auto pumping = [&](auto done) {
        return eventually([&] {
            transport.poll(5ms);
            return done();
        }, 30s);
    };

    REQUIRE(pumping([&] { return transport.counters().connected == accounts.devices.size(); }));
    // Devices presented Zigbee2MQTT-style publish outside the native topics their ACL allows, so only
    // the native ones register.
    const auto native = static_cast<std::size_t>(std::count_if(
        accounts.devices.begin(), accounts.devices.end(),
        [](const auto& d) { return !d.sim.is_object() || d.sim.value("style", "native") == "native"; }));
    REQUIRE(pumping([&] { return online_devices(hub) == native; }));

    const auto sent = http_post(hub.port(), "/api/v1/devices/bedroom.ceiling_light/commands",
                                R"({"on": true, "brightness": 30})", hub.token());
    REQUIRE(sent.status / 100 == 2);
    CHECK(pumping([&] {
        const auto device = http_get(hub.port(), "/api/v1/devices/bedroom.ceiling_light", hub.token()).json();
        return device.is_object() && device["state"].value("on", false) && device["state"].value("brightness", 0) == 30;
    }));
    transport.shutdown(2s);
    hub.stop();
    std::filesystem::remove_all(data);
}

TEST_CASE("A device with a wrong password or without an account is refused; the others connect") {
    const GeneratedAccounts accounts;
    Broker broker(accounts.auth());
    auto devices = accounts.devices;
    auto stranger = devices.front();
    stranger.description.id = proto::DeviceId{"stranger.lamp"};
    devices.push_back(stranger);
    auto credentials = accounts.credentials;
    credentials["bedroom.ac"] = "not-its-password";
    credentials["stranger.lamp"] = "anything";

    const auto clock = make_simulated_clock(1.0);
    auto fleet = Fleet::create(devices, {.offline_fraction = 0}, clock());
    REQUIRE(fleet.has_value());
    TransportOptions options{.port = broker.port()};
    options.credentials = credentials;
    std::vector<std::string> log;
    MqttFleet transport(*fleet, options, clock, [&](std::string_view line) { log.emplace_back(line); });
    const auto refused = [&](const std::string& id) {
        for (const auto& line : log) {
            if (line.starts_with(id + ": broker refused the connection")) return true;
        }
        return false;
    };
    REQUIRE(eventually([&] {
        transport.poll(5ms);
        return transport.counters().connected == devices.size() - 2 && refused("bedroom.ac") && refused("stranger.lamp");
    }, 30s));
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const auto& id = devices[i].description.id.value;
        INFO(id);
        CHECK(transport.connected(i) == (id != "bedroom.ac" && id != "stranger.lamp"));
    }
    transport.shutdown(2s);
}

TEST_CASE("A fleet given credentials refuses to start a device that has none") {
    const GeneratedAccounts accounts;
    auto credentials = accounts.credentials;
    credentials.erase("bedroom.speaker");
    const auto clock = make_simulated_clock(1.0);
    auto fleet = Fleet::create(accounts.devices, {.offline_fraction = 0}, clock());
    REQUIRE(fleet.has_value());
    TransportOptions options;
    options.credentials = credentials;
    CHECK_THROWS_WITH(MqttFleet(*fleet, options, clock), Catch::Contains("no password for bedroom.speaker"));
}

namespace {

/// A broker with a TLS listener (a throwaway CA signs its certificate and the clients'), a password
/// file made with mosquitto_passwd -b, and two accounts: the hub and the fleet.
struct TlsBrokerSetup {
    std::filesystem::path dir = make_temp_dir("hearth-broker-tls");
    CertificateAuthority authority = make_certificate_authority(dir, "home");
    Certificate server = issue_certificate(authority, dir, "broker");
    Certificate client = issue_certificate(authority, dir, "client");
    CertificateAuthority stranger = make_certificate_authority(dir, "stranger");
    std::filesystem::path passwd = dir / "passwd";

    TlsBrokerSetup() {
        const auto add = [&](const std::string& user, const std::string& password, bool create) {
            const auto command = "mosquitto_passwd " + std::string(create ? "-c " : "") + "-b '" + passwd.string() + "' " +
                                 user + " " + password + " > /dev/null";
            if (std::system(command.c_str()) != 0) throw std::runtime_error("mosquitto_passwd failed");
        };
        add("hearthd", "hub-secret", true);
        add("fleet", "fleet-secret", false);
    }
    ~TlsBrokerSetup() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    BrokerTlsListener listener(bool require_client_certificate) const {
        return {authority.ca.cert, server.cert, server.key, require_client_certificate};
    }
};

nlohmann::json broker_health(const RunningHub& hub) {
    const auto health = http_get(hub.port(), "/api/v1/health").json();
    return health.is_object() && health.contains("broker") ? health["broker"] : nlohmann::json::object();
}

std::vector<proto::HomeDevice> demo_devices(std::initializer_list<std::string_view> ids) {
    auto home = proto::home_from_yaml(read_file(HEARTH_SOURCE_DIR "/sim/homes/demo.yaml"));
    if (!home) throw std::runtime_error(home.error().message);
    std::vector<proto::HomeDevice> out;
    for (auto& d : home->devices) {
        if (std::find(ids.begin(), ids.end(), d.description.id.value) != ids.end()) out.push_back(std::move(d));
    }
    return out;
}

}  // namespace

TEST_CASE("Over TLS with a password and a client certificate, hub and fleet log in with the URL's credentials") {
    const TlsBrokerSetup setup;
    const BrokerAuth auth{setup.passwd, {}};
    Broker broker(&auth, setup.listener(true));
    const auto data = make_temp_dir("hearth-tls-hub");
    auto hub_url = broker.url();
    hub_url.insert(hub_url.find("://") + 3, "hearthd:hub-secret@");
    RunningHub hub(broker, data);  // connects without credentials first: refused, then restarted with them
    hub.stop();
    hub.config().mqtt_url = hub_url;
    hub.config().mqtt_tls = {setup.authority.ca.cert.string(), setup.client.cert.string(), setup.client.key.string()};
    hub.start();
    REQUIRE(eventually([&] { return broker_health(hub).value("state", "") == "synced"; }, 20s));

    const auto devices = demo_devices({"bedroom.ceiling_light", "bedroom.ac"});
    REQUIRE(devices.size() == 2);
    const auto clock = make_simulated_clock(1.0);
    auto fleet = Fleet::create(devices, {.offline_fraction = 0}, clock());
    REQUIRE(fleet.has_value());
    const auto fleet_url = proto::parse_broker_url(broker.url());
    REQUIRE(fleet_url.has_value());
    TransportOptions options{.host = fleet_url->host, .port = fleet_url->port};
    options.tls = true;
    options.username = "fleet";
    options.password = "fleet-secret";
    options.ca_file = setup.authority.ca.cert.string();
    options.cert_file = setup.client.cert.string();
    options.key_file = setup.client.key.string();
    MqttFleet transport(*fleet, options, clock);
    const auto pumping = [&](auto done) {
        return eventually([&] {
            transport.poll(5ms);
            return done();
        }, 30s);
    };
    REQUIRE(pumping([&] { return transport.counters().connected == devices.size(); }));
    REQUIRE(pumping([&] { return online_devices(hub) == devices.size(); }));
    const auto sent = http_post(hub.port(), "/api/v1/devices/bedroom.ceiling_light/commands", R"({"on": true})", hub.token());
    REQUIRE(sent.status / 100 == 2);
    CHECK(pumping([&] {
        const auto device = http_get(hub.port(), "/api/v1/devices/bedroom.ceiling_light", hub.token()).json();
        return device.is_object() && device["state"].value("on", false);
    }));
    transport.shutdown(2s);
    hub.stop();
    std::filesystem::remove_all(data);
}

TEST_CASE("A wrong broker password or an untrusted broker certificate is a clear error for hub and fleet") {
    const TlsBrokerSetup setup;
    const BrokerAuth auth{setup.passwd, {}};
    Broker broker(&auth, setup.listener(false));
    const auto data = make_temp_dir("hearth-tls-refused");
    RunningHub hub(broker, data);

    SECTION("a wrong password") {
        hub.stop();
        hub.config().mqtt_username = "hearthd";
        hub.config().mqtt_password = "not-the-password";
        hub.config().mqtt_tls.ca_file = setup.authority.ca.cert.string();
        hub.start();
        REQUIRE(eventually([&] { return broker_health(hub).value("error", "").find("refused the login") != std::string::npos; }, 20s));
        const auto health = broker_health(hub);
        CHECK(health["state"] == "unreachable");
        CHECK(health["error"].get<std::string>().find("not-the-password") == std::string::npos);

        const auto devices = demo_devices({"bedroom.ac"});
        const auto clock = make_simulated_clock(1.0);
        auto fleet = Fleet::create(devices, {.offline_fraction = 0}, clock());
        REQUIRE(fleet.has_value());
        TransportOptions options{.host = "localhost", .port = broker.port()};
        options.tls = true;
        options.username = "fleet";
        options.password = "wrong";
        options.ca_file = setup.authority.ca.cert.string();
        std::vector<std::string> log;
        MqttFleet transport(*fleet, options, clock, [&](std::string_view line) { log.emplace_back(line); });
        CHECK(eventually([&] {
            transport.poll(5ms);
            return std::any_of(log.begin(), log.end(), [](const std::string& line) {
                return line.starts_with("bedroom.ac: broker refused the connection");
            });
        }, 20s));
        CHECK(transport.counters().connected == 0);
    }
    SECTION("a CA that did not sign the broker's certificate") {
        hub.stop();
        hub.config().mqtt_username = "hearthd";
        hub.config().mqtt_password = "hub-secret";
        hub.config().mqtt_tls.ca_file = setup.stranger.ca.cert.string();
        hub.start();
        REQUIRE(eventually([&] { return broker_health(hub).value("error", "").find("TLS") != std::string::npos; }, 20s));
        INFO(broker_health(hub).dump());
        CHECK(broker_health(hub)["state"] == "unreachable");

        const auto devices = demo_devices({"bedroom.ac"});
        const auto clock = make_simulated_clock(1.0);
        auto fleet = Fleet::create(devices, {.offline_fraction = 0}, clock());
        REQUIRE(fleet.has_value());
        TransportOptions options{.host = "localhost", .port = broker.port()};
        options.tls = true;
        options.username = "fleet";
        options.password = "fleet-secret";
        options.ca_file = setup.stranger.ca.cert.string();
        std::vector<std::string> log;
        MqttFleet transport(*fleet, options, clock, [&](std::string_view line) { log.emplace_back(line); });
        CHECK(eventually([&] {
            transport.poll(5ms);
            return transport.counters().tls_failures > 0;
        }, 20s));
        CHECK(transport.counters().connected == 0);
        CHECK(std::any_of(log.begin(), log.end(), [](const std::string& line) { return line.find("TLS handshake") != std::string::npos; }));
    }
    hub.stop();
    std::filesystem::remove_all(data);
}
