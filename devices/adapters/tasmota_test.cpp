// Replays the Tasmota native-discovery fixtures (testdata/mqtt-payloads/tasmota).
#include "devices/adapters/tasmota.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "devices/adapters/ha_discovery.hpp"
#include "devices/adapters/zigbee2mqtt.hpp"
#include "devices/registry.hpp"

using namespace hearth;
using namespace hearth::devices::adapters;
using proto::Value;

namespace {

const nlohmann::json& samples() {
    static const nlohmann::json j = [] {
        std::ifstream in(std::filesystem::path(HEARTH_SHARED_DIR) / "testdata" / "mqtt-payloads" /
                         "tasmota" / "tasmota_samples.json");
        REQUIRE(in.good());
        return nlohmann::json::parse(in);
    }();
    return j;
}

std::string text_of(const nlohmann::json& p) {
    return p.is_string() ? p.get<std::string>() : p.dump();
}

const nlohmann::json& discovery(std::string_view name_starts) {
    for (const auto& d : samples()["discovery"])
        if (d["name"].get<std::string>().starts_with(name_starts)) return d;
    FAIL("no discovery sample " << name_starts);
    return samples();
}

/// The recorded hub → device command whose note or payload contains `needle`.
Publish recorded(std::string_view needle) {
    for (const auto& m : samples()["messages"])
        if (m["dir"] == "hub->device" && (text_of(m["payload"]).find(needle) != std::string::npos ||
                                          m.value("note", "").find(needle) != std::string::npos))
            return {m["topic"].get<std::string>(), text_of(m["payload"]), false};
    FAIL("no recorded command " << needle);
    return {};
}

struct Hub {
    Tasmota adapter;
    devices::Registry registry;
    std::vector<proto::Error> rejected;

    Effects feed(std::string_view topic, std::string_view payload) {
        auto fx = adapter.handle(topic, payload);
        auto applied = apply(registry, fx);
        rejected.insert(rejected.end(), applied.rejected.begin(), applied.rejected.end());
        return fx;
    }
    void feed(const nlohmann::json& sample) {
        feed(sample["topic"].get<std::string>(), text_of(sample["payload"]));
    }
    /// Every recorded device → hub message, in order.
    void replay_messages() {
        for (const auto& m : samples()["messages"])
            if (m["dir"] == "device->hub")
                feed(m["topic"].get<std::string>(), text_of(m["payload"]));
    }
    const devices::Device* device() const {
        return registry.find(proto::DeviceId{"tasmota_00000049a3bc"});
    }
    std::vector<Publish> command(proto::Attributes set, std::optional<double> transition = {}) {
        auto valid = registry.validate(proto::DeviceId{"tasmota_00000049a3bc"},
                                       proto::Command{std::move(set), transition, {}});
        REQUIRE(valid.has_value());
        auto out = adapter.command(proto::DeviceId{"tasmota_00000049a3bc"}, *valid);
        REQUIRE(out.has_value());
        return *out;
    }
};

}  // namespace

TEST_CASE(
    "A Tasmota relay registers as a switch, follows POWER and LWT, and takes POWER1 commands") {
    Hub hub;
    auto fx =
        hub.feed("tasmota/discovery/00000049A3BC/config", text_of(discovery("relay")["payload"]));
    REQUIRE(fx.upserts.size() == 1);
    const auto* d = hub.device();
    REQUIRE(d != nullptr);
    CHECK(d->description.kind == proto::DeviceKind::switch_);
    CHECK(d->description.name.en == "Tasmota");
    CHECK(d->description.model == "Sonoff Basic");
    hub.replay_messages();
    CHECK(hub.rejected.empty());
    CHECK(d->availability == devices::Availability::online);
    CHECK(d->state.at("on") == Value{true});  // the last STATE carries POWER ON
    CHECK(hub.command({{"on", true}})[0] == recorded("ON"));
    CHECK(hub.command({{"on", false}})[0] == recorded("OFF"));
    hub.feed("tasmota_49A3BC/tele/LWT", "Offline");
    CHECK(d->availability == devices::Availability::offline);
}

TEST_CASE(
    "A Tasmota colour-temperature light maps Dimmer and CT and builds the recorded Backlog "
    "commands") {
    Hub hub;
    hub.feed("tasmota/discovery/00000049A3BC/config",
             text_of(discovery("2-channel CT light")["payload"]));
    const auto* d = hub.device();
    REQUIRE(d != nullptr);
    CHECK(d->description.kind == proto::DeviceKind::light);
    CHECK(d->description.find("brightness") != nullptr);
    CHECK(d->description.find("color_temp") != nullptr);
    CHECK(d->description.find("transition") != nullptr);
    hub.feed("tasmota_49A3BC/tele/STATE", R"({"POWER": "ON", "Dimmer": 50})");
    CHECK(d->state.at("brightness") == Value{50.0});
    hub.feed("tasmota_49A3BC/tele/STATE", R"({"POWER": "ON", "CT": 300})");
    CHECK(d->state.at("color_temp") == Value{3333.0});
    CHECK(hub.command({{"on", true}, {"color_temp", Value{5000.0}}})[0] == recorded("CT 200"));
    CHECK(hub.command({{"on", true}, {"brightness", Value{50.0}}}, 4.0)[0] ==
          recorded("Speed2 16"));
    CHECK(hub.command({{"on", false}})[0] ==
          Publish{"tasmota_49A3BC/cmnd/Backlog", "NoDelay;Power1 OFF", false});
}

TEST_CASE(
    "Tasmota sensor readings map to canonical or own attributes, and lists of readings are "
    "listed") {
    Hub hub;
    hub.feed("tasmota/discovery/00000049A3BC/config", text_of(discovery("relay")["payload"]));
    hub.feed("tasmota/discovery/00000049A3BC/sensors", text_of(discovery("DS18B20")["payload"]));
    const auto* d = hub.device();
    REQUIRE(d->description.find("temperature") != nullptr);
    hub.feed("tasmota_49A3BC/tele/SENSOR",
             R"({"DS18B20": {"Id": "01191ED79190", "Temperature": 12.3}})");
    CHECK(d->state.at("temperature") == Value{12.3});
    hub.feed("tasmota_49A3BC/stat/STATUS10",
             R"({"StatusSNS": {"DS18B20": {"Id": "meep", "Temperature": 23.4}}})");
    CHECK(d->state.at("temperature") == Value{23.4});
    auto poll = hub.adapter.refresh(proto::DeviceId{"tasmota_00000049a3bc"});
    REQUIRE(poll.has_value());
    CHECK((*poll)[0] == recorded("poll sensors"));

    hub.feed("tasmota/discovery/00000049A3BC/sensors", text_of(discovery("energy")["payload"]));
    CHECK(d->description.find("power") != nullptr);
    CHECK(d->description.find("energy_total") != nullptr);
    CHECK(d->description.find("energy_voltage") != nullptr);
    hub.feed("tasmota_49A3BC/tele/SENSOR",
             R"({"ENERGY": {"Total": 1.2, "TotalStartTime": "2018-11-23T15:33:47"}})");
    CHECK(d->state.at("energy_total") == Value{1.2});
    const auto unmapped = hub.adapter.unmapped();
    CHECK(std::any_of(unmapped.begin(), unmapped.end(), [](const UnmappedEntity& u) {
        return u.source.ends_with("ENERGY.TotalTariff");
    }));
    CHECK(hub.rejected.empty());
}

TEST_CASE("A Tasmota device of readings alone is of its temperature class; a relay has none") {
    Hub hub;
    hub.feed("tasmota/discovery/00000049A3BC/config", text_of(discovery("relay")["payload"]));
    hub.feed("tasmota/discovery/00000049A3BC/sensors", text_of(discovery("DS18B20")["payload"]));
    REQUIRE(hub.device() != nullptr);
    CHECK(hub.device()->description.kind == proto::DeviceKind::switch_);
    CHECK(hub.device()->description.device_class.empty());

    auto config = discovery("relay")["payload"];
    config["rl"] = nlohmann::json::array({0, 0, 0, 0, 0, 0, 0, 0});  // the same board without relays
    hub.feed("tasmota/discovery/00000049A3BC/config", config.dump());
    REQUIRE(hub.device() != nullptr);
    CHECK(hub.device()->description.kind == proto::DeviceKind::climate_sensor);
    CHECK(hub.device()->description.device_class == "temperature");
}

TEST_CASE("An empty Tasmota config removes the device") {
    Hub hub;
    hub.feed("tasmota/discovery/00000049A3BC/config", text_of(discovery("relay")["payload"]));
    REQUIRE(hub.registry.size() == 1);
    auto fx = hub.feed("tasmota/discovery/00000049A3BC/config", "");
    CHECK(fx.removals.size() == 1);
    CHECK(hub.registry.size() == 0);
    CHECK_FALSE(hub.adapter
                    .command(proto::DeviceId{"tasmota_00000049a3bc"},
                             proto::Command{{{"on", true}}, {}, {}})
                    .has_value());
}

TEST_CASE("Adapters refuse payloads of the right syntax but the wrong types, and change nothing") {
    const std::vector<std::pair<std::string, std::string>> hostile = {
        {"tasmota/discovery/AA/config", R"({"t": 5, "tp": ["cmnd","stat","tele"], "rl": [1]})"},
        {"tasmota/discovery/AA/config", R"({"t": "x", "tp": [1, 2, 3], "rl": [1]})"},
        {"tasmota/discovery/AA/config",
         R"({"t": "x", "tp": ["cmnd","stat","tele"], "rl": "1", "fn": 3, "dn": []})"},
        {"tasmota/discovery/AA/sensors", R"({"sn": {"TempUnit": 7, "X": {"Temperature": 1}}})"},
        {"zigbee2mqtt/bridge/devices", R"([{"friendly_name": 1, "ieee_address": "0x1"}])"},
        {"zigbee2mqtt/bridge/devices",
         R"([{"friendly_name": "a", "ieee_address": "0x1", "definition": {"exposes": [{"type": "light", "features": [{"name": "state", "type": "binary", "access": "x"}]}]}}])"},
        {"zigbee2mqtt/bridge/devices",
         R"([{"friendly_name": "a", "ieee_address": "0x1", "definition": {"exposes": [{"type": "climate", "features": [{"name": "x_setpoint", "type": "numeric", "access": 7, "value_min": "low"}]}]}}])"},
        {"homeassistant/light/x/config",
         R"({"schema": 3, "command_topic": ["a"], "brightness_scale": "big"})"},
        {"homeassistant/sensor/x/config",
         R"({"state_topic": {"a": 1}, "device": {"identifiers": [[1]]}, "availability": [1, {"topic": 2}]})"},
        {"homeassistant/device/x/config", R"({"cmps": {"a": {"p": 7}, "b": [1]}})"},
    };
    HaDiscovery ha;
    Zigbee2Mqtt z2m;
    Tasmota tasmota;
    for (const auto& [topic, payload] : hostile) {
        INFO(topic << " " << payload);
        for (Adapter* a : std::vector<Adapter*>{&ha, &z2m, &tasmota}) {
            Effects fx;
            CHECK_NOTHROW(fx = a->handle(topic, payload));
            CHECK(fx.upserts.size() <= 1);
        }
    }
    CHECK_FALSE(tasmota.owns(proto::DeviceId{"tasmota_aa"}));
}
