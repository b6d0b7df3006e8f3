#include "sim/fleet_command_line.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace hearth::sim;

namespace {
hearth::proto::Result<FleetCommandLine> parse(std::vector<std::string_view> args) { return parse_command_line(args); }
}  // namespace

TEST_CASE("The fleet command line reads every option") {
    const auto c = parse({"--home", "demo.yaml", "--host", "10.0.0.2", "--port", "1884", "--prefix", "h2", "--devices",
                          "10000", "--offline-fraction", "0.05", "--seed", "9", "--slice", "2/4", "--speed", "60"});
    REQUIRE(c.has_value());
    CHECK(c->home_file == "demo.yaml");
    CHECK(c->host == "10.0.0.2");
    CHECK(c->port == 1884);
    CHECK(c->prefix == "h2");
    CHECK(c->devices == 10000);
    CHECK(c->offline_fraction == 0.05);
    CHECK(c->seed == 9);
    CHECK(c->slice_index == 2);
    CHECK(c->slice_count == 4);
    CHECK(c->speed == 60);
}

TEST_CASE("The fleet command line has defaults for everything but what to run") {
    const auto c = parse({"--devices", "5"});
    REQUIRE(c.has_value());
    CHECK(c->host == "127.0.0.1");
    CHECK(c->port == 1883);
    CHECK(c->prefix == "hearth");
    CHECK(c->offline_fraction == 0.02);
    CHECK(c->slice_count == 1);
    CHECK(c->speed == 1);
    CHECK_FALSE(parse({}).has_value());
}

TEST_CASE("Bad fleet options are refused with the option named") {
    const auto field = [](std::vector<std::string_view> args) {
        const auto c = parse(args);
        REQUIRE_FALSE(c.has_value());
        return c.error().field;
    };
    CHECK(field({"--devices", "many"}) == "--devices");
    CHECK(field({"--devices", "5", "--port", "70000"}) == "--port");
    CHECK(field({"--devices", "5", "--offline-fraction", "1"}) == "--offline-fraction");
    CHECK(field({"--devices", "5", "--slice", "5/4"}) == "--slice");
    CHECK(field({"--devices", "5", "--slice", "2"}) == "--slice");
    CHECK(field({"--devices", "5", "--speed", "0"}) == "--speed");
    CHECK(field({"--devices", "5", "--prefix", "a/#"}) == "--prefix");
    CHECK(field({"--devices", "5", "--colour"}) == "--colour");
    CHECK(field({"--devices", "5", "--frobnicate", "x"}) == "--frobnicate");
}

TEST_CASE("Slices split the devices into contiguous parts that cover them all") {
    std::size_t next = 0;
    for (std::size_t i = 1; i <= 3; ++i) {
        const auto [first, last] = slice_range(10, i, 3);
        CHECK(first == next);
        next = last;
    }
    CHECK(next == 10);
    CHECK(slice_range(10000, 2, 4) == std::pair<std::size_t, std::size_t>{2500, 5000});
}

TEST_CASE("A slice keeps its own devices and drops follows links that leave it") {
    auto home = hearth::proto::home_from_yaml(R"(
devices:
  - {id: a.ac, kind: air_conditioner, capabilities: [on, temperature]}
  - {id: a.sensor, kind: climate_sensor, capabilities: [temperature], sim: {follows: a.ac, interval: 5}}
  - {id: b.ac, kind: air_conditioner, capabilities: [on, temperature]}
  - {id: b.sensor, kind: climate_sensor, capabilities: [temperature], sim: {follows: b.ac}}
)");
    REQUIRE(home.has_value());
    const auto first = slice_devices(home->devices, 1, 2);
    REQUIRE(first.size() == 2);
    CHECK(first[1].sim["follows"] == "a.ac");
    const auto middle = slice_devices(home->devices, 2, 3);
    REQUIRE(middle.size() == 1);
    CHECK(middle[0].description.id.value == "a.sensor");
    CHECK_FALSE(middle[0].sim.contains("follows"));
    CHECK(middle[0].sim["interval"] == 5);
}

TEST_CASE("The fleet command line takes a credentials file and can list the ids") {
    const auto c = parse({"--devices", "44", "--credentials", "/run/auth/credentials", "--list-ids", "--slice", "2/2"});
    REQUIRE(c.has_value());
    CHECK(c->credentials_file == "/run/auth/credentials");
    CHECK(c->list_ids);
    CHECK(c->slice_index == 2);
    CHECK_FALSE(parse({"--devices", "1"}).value().list_ids);
    CHECK_FALSE(parse({"--devices", "1", "--credentials"}).has_value());
}

TEST_CASE("The fleet command line chooses the presentation style") {
    CHECK(parse({"--devices", "5"})->style == PresentationStyle::native);
    const auto c = parse({"--devices", "5", "--style", "zigbee2mqtt"});
    REQUIRE(c.has_value());
    CHECK(c->style == PresentationStyle::zigbee2mqtt);
    const auto bad = parse({"--devices", "5", "--style", "zwave"});
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().field == "--style");
}

TEST_CASE("The fleet takes the hub's broker URLs, with TLS files and one login for every device") {
    const auto c = parse({"--devices", "1", "--mqtt", "mqtts://fleet:pw@broker.example", "--mqtt-ca", "ca.pem"});
    REQUIRE(c.has_value());
    CHECK(c->broker.tls());
    CHECK(c->broker.port == 8883);
    CHECK(c->broker.username == "fleet");
    CHECK(c->host == "broker.example");
    CHECK(c->port == 8883);
    CHECK(c->mqtt_ca == "ca.pem");
    const auto plain = parse({"--devices", "1", "--host", "10.0.0.2"});
    REQUIRE(plain.has_value());
    CHECK(plain->broker.client_uri() == "tcp://10.0.0.2:1883");
}

TEST_CASE("Conflicting broker options are refused with the option named") {
    const auto refused = [](std::vector<std::string_view> args, std::string_view field) {
        args.insert(args.begin(), {"--devices", "1"});
        const auto c = parse(args);
        REQUIRE_FALSE(c.has_value());
        CHECK(c.error().field == field);
    };
    refused({"--mqtt", "mqtt://a", "--port", "1884"}, "--mqtt");
    refused({"--mqtt", "http://a"}, "--mqtt");
    refused({"--mqtt", "mqtt://a", "--mqtt-ca", "ca.pem"}, "--mqtt");
    refused({"--mqtt", "mqtts://a", "--mqtt-cert", "c.pem"}, "--mqtt-cert");
    refused({"--mqtt", "mqtt://u:p@a", "--credentials", "creds"}, "--credentials");
    refused({"--mqtt-user", "u", "--credentials", "creds"}, "--credentials");
}
