#include "sim/fleet.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth;
using namespace hearth::sim;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const Instant kNoon = Instant(std::chrono::local_days{std::chrono::year{2026} / 6 / 1}) + 12h;

std::vector<proto::HomeDevice> home(const char* yaml) {
    auto h = proto::home_from_yaml(yaml);
    REQUIRE(h.has_value());
    return h->devices;
}

const char* kRoom = R"(
devices:
  - {id: room.light, kind: light, capabilities: [on, brightness, transition]}
  - {id: room.ac, kind: air_conditioner, capabilities: [on, hvac_mode, target_temperature, temperature],
     sim: {room_temperature: 30}}
  - {id: room.sensor, kind: climate_sensor, capabilities: [temperature, humidity], sim: {follows: room.ac, interval: 5}}
)";

}  // namespace

TEST_CASE("A valid command changes state and echoes its context id") {
    auto fleet = Fleet::create(home(kRoom), {}, kNoon);
    REQUIRE(fleet.has_value());
    const auto light = *fleet->index_of(proto::DeviceId("room.light"));
    const auto state = fleet->handle_command(light, R"({"on":true,"brightness":30,"context_id":"ctx-7"})", kNoon);
    REQUIRE(state.has_value());
    CHECK(json::parse(*state) == json{{"on", true}, {"brightness", 30}, {"context_id", "ctx-7"}});
    CHECK(fleet->state_payload(light) == R"({"brightness":30,"on":true})");
}

TEST_CASE("An invalid command is refused with the reason and changes nothing") {
    auto fleet = Fleet::create(home(kRoom), {}, kNoon);
    REQUIRE(fleet.has_value());
    const auto light = *fleet->index_of(proto::DeviceId("room.light"));
    const auto ac = *fleet->index_of(proto::DeviceId("room.ac"));
    const auto before_light = fleet->state_payload(light);
    const auto before_ac = fleet->state_payload(ac);
    const auto code = [&](std::size_t device, const char* payload) {
        const auto r = fleet->handle_command(device, payload, kNoon);
        REQUIRE_FALSE(r.has_value());
        return r.error().code;
    };
    CHECK(code(light, R"({"brightness": 300})") == proto::Errc::out_of_range);
    CHECK(code(light, R"({"volume": 3})") == proto::Errc::unknown_attribute);
    CHECK(code(light, R"({"on": "yes"})") == proto::Errc::wrong_type);
    CHECK(code(ac, R"({"temperature": 20})") == proto::Errc::read_only);
    CHECK(code(ac, R"({"on": true, "hvac_mode": "turbo"})") == proto::Errc::out_of_range);
    CHECK(code(light, "{not json") == proto::Errc::bad_json);
    CHECK(code(light, R"({"context_id": "only"})") == proto::Errc::invalid_field);
    CHECK(fleet->state_payload(light) == before_light);
    CHECK(fleet->state_payload(ac) == before_ac);
}

TEST_CASE("The config payload is the device description") {
    auto fleet = Fleet::create(home(kRoom), {}, kNoon);
    REQUIRE(fleet.has_value());
    const auto config = json::parse(fleet->config_payload(0));
    CHECK(config["id"] == "room.light");
    CHECK(config["kind"] == "light");
    auto back = proto::description_from_json(config);
    REQUIRE(back.has_value());
    CHECK(*back == fleet->device(0).description());
}

TEST_CASE("A climate sensor that follows an AC reports the room the AC cools") {
    auto fleet = Fleet::create(home(kRoom), {}, kNoon);
    REQUIRE(fleet.has_value());
    const auto ac = *fleet->index_of(proto::DeviceId("room.ac"));
    const auto sensor = *fleet->index_of(proto::DeviceId("room.sensor"));
    REQUIRE(fleet->handle_command(ac, R"({"on": true, "target_temperature": 22})", kNoon).has_value());
    std::size_t sensor_reports = 0;
    for (auto t = kNoon; t <= kNoon + 90min; t += 1s) {
        for (const auto& a : fleet->advance(t)) {
            sensor_reports += a.device == sensor && a.kind == FleetAction::Kind::publish_state;
        }
    }
    CHECK(sensor_reports > 1000);
    const auto ac_temperature = *fleet->device(ac).measured_temperature();
    const auto reported = *proto::as_number(fleet->device(sensor).state().at("temperature"));
    CHECK(ac_temperature < 23);
    CHECK(reported == Approx(ac_temperature).margin(0.8));
}

TEST_CASE("A fleet refuses a device that follows no known device, or a bad sim block") {
    auto follows = Fleet::create(home(R"(
devices:
  - {id: a.sensor, kind: climate_sensor, capabilities: [temperature], sim: {follows: a.missing}}
)"),
                                 {}, kNoon);
    REQUIRE_FALSE(follows.has_value());
    CHECK(follows.error().code == proto::Errc::unknown_device);
    auto bad = Fleet::create(home(R"(
devices:
  - {id: a.sensor, kind: climate_sensor, capabilities: [temperature], sim: {interval: 0}}
)"),
                             {}, kNoon);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().field == "sim.interval");
    CHECK(bad.error().message.starts_with("a.sensor: "));
    CHECK_FALSE(Fleet::create({}, {.offline_fraction = 1.0}, kNoon).has_value());
}

TEST_CASE("A fleet keeps roughly the configured share of devices offline, and brings them back") {
    std::vector<proto::HomeDevice> devices;
    for (int i = 0; i < 1000; ++i) {
        auto d = proto::description_from_json(json{{"id", "d" + std::to_string(i)}, {"kind", "switch"}, {"capabilities", {"on"}}});
        REQUIRE(d.has_value());
        devices.push_back({std::move(*d), nullptr});
    }
    auto fleet = Fleet::create(devices, {.offline_fraction = 0.1, .mean_offline = 60s, .seed = 7}, kNoon);
    REQUIRE(fleet.has_value());
    CHECK(fleet->offline_count() > 60);
    CHECK(fleet->offline_count() < 140);
    std::size_t went = 0;
    std::size_t came = 0;
    double offline_sum = 0;
    int samples = 0;
    for (auto t = kNoon; t < kNoon + 2h; t += 5s, ++samples) {
        for (const auto& a : fleet->advance(t)) {
            if (a.kind == FleetAction::Kind::go_offline) {
                ++went;
                CHECK_FALSE(fleet->wants_online(a.device));
            }
            if (a.kind == FleetAction::Kind::come_online) {
                ++came;
                CHECK(fleet->wants_online(a.device));
            }
        }
        offline_sum += static_cast<double>(fleet->offline_count());
    }
    CHECK(offline_sum / samples == Approx(100).margin(30));
    // 2 h with 60 s outages every ~9 min: about 13 outages per device.
    CHECK(went > 8000);
    CHECK(came > 8000);
}

TEST_CASE("No device goes offline when the offline fraction is zero") {
    auto fleet = Fleet::create(home(kRoom), {.offline_fraction = 0}, kNoon);
    REQUIRE(fleet.has_value());
    for (auto t = kNoon; t < kNoon + 24h; t += 1min) {
        for (const auto& a : fleet->advance(t)) CHECK(a.kind != FleetAction::Kind::go_offline);
    }
    CHECK(fleet->offline_count() == 0);
}

TEST_CASE("The same seed gives the same run") {
    const auto trace = [](std::uint64_t seed) {
        auto fleet = Fleet::create(home(kRoom), {.offline_fraction = 0.2, .seed = seed}, kNoon);
        REQUIRE(fleet.has_value());
        std::string out;
        for (auto t = kNoon; t < kNoon + 30min; t += 7s) {
            for (const auto& a : fleet->advance(t)) out += std::to_string(a.device) + a.payload + ";";
        }
        return out;
    };
    CHECK(trace(3) == trace(3));
    CHECK(trace(3) != trace(4));
}

TEST_CASE("next_wake is the earliest thing any device has to do") {
    auto fleet = Fleet::create(home(kRoom), {}, kNoon);
    REQUIRE(fleet.has_value());
    CHECK(fleet->next_wake() > kNoon);
    CHECK(fleet->next_wake() <= kNoon + 10s);
    REQUIRE(fleet->handle_command(0, R"({"on": true, "transition": 1})", kNoon).has_value());
    CHECK(fleet->next_wake() == kNoon + kMotionStep);
}
