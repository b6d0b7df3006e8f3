// The hub and the simulated fleet against a broker whose accounts and ACL scripts/broker-auth
// generated from the demo home: the hub logs in with its own account, every device as itself.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/credentials.hpp"
#include "sim/mqtt_fleet.hpp"
#include "proto/home.hpp"
#include "tests/support/broker.hpp"
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
