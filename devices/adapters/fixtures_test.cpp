// Replays every recorded Zigbee2MQTT fixture (discovery configs, state messages, commands)
// through the Home Assistant discovery adapter and a real device registry.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "devices/adapters/fixture_replay.hpp"
#include "devices/adapters/ha_discovery.hpp"
#include "devices/adapters/zigbee2mqtt.hpp"
#include "devices/registry.hpp"

using namespace hearth;
using namespace hearth::devices::adapters;
namespace fs = std::filesystem;

namespace {

const fs::path kZ2m = fs::path(HEARTH_SHARED_DIR) / "testdata" / "mqtt-payloads" / "zigbee2mqtt";

nlohmann::json load(const fs::path& p) {
    std::ifstream in(p);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

bool matches(std::string_view filter, std::string_view topic) {
    while (true) {
        const auto f = filter.substr(0, filter.find('/'));
        const auto t = topic.substr(0, topic.find('/'));
        if (f == "#") return true;
        if (f != "+" && f != t) return false;
        const bool filter_done = f.size() == filter.size();
        const bool topic_done = t.size() == topic.size();
        if (filter_done || topic_done) return filter_done && topic_done;
        filter.remove_prefix(f.size() + 1);
        topic.remove_prefix(t.size() + 1);
    }
}

/// The adapter and a registry behind a minimal broker: retained messages are delivered when a
/// subscription that matches them is added, as Mosquitto does.
struct Replay {
    HaDiscovery adapter;
    devices::Registry registry;
    std::map<std::string, std::string> retained;
    std::set<std::string> filters;
    std::vector<proto::Error> errors;
    std::vector<DeviceEvent> events;
    std::vector<proto::Error> rejected;

    Replay() {
        for (const auto& f : adapter.subscriptions()) filters.insert(f);
    }

    void publish(const Publish& m) {
        if (m.retain) {
            if (m.payload.empty())
                retained.erase(m.topic);
            else
                retained[m.topic] = m.payload;
        }
        if (std::any_of(filters.begin(), filters.end(),
                        [&](const auto& f) { return matches(f, m.topic); }))
            deliver(m);
    }
    void deliver(const Publish& m) {
        auto fx = adapter.handle(m.topic, m.payload);
        errors.insert(errors.end(), fx.errors.begin(), fx.errors.end());
        events.insert(events.end(), fx.events.begin(), fx.events.end());
        auto applied = apply(registry, fx);
        rejected.insert(rejected.end(), applied.rejected.begin(), applied.rejected.end());
        for (const auto& t : fx.unsubscribe) filters.erase(t);
        for (const auto& t : fx.subscribe) {
            filters.insert(t);
            for (const auto& [topic, payload] : retained)
                if (matches(t, topic)) deliver({topic, payload, true});
        }
    }
    void replay(const nlohmann::json& fixture) {
        static const auto online = bridge_state_messages(load(kZ2m / "bridge.json"));
        for (const auto& m : online) publish(m);
        for (const auto& m : replay_messages(fixture)) publish(m);
    }
};

using Attrs = proto::Attributes;
using proto::Value;

Value num(double d) {
    return Value{d};
}
Value text(const char* s) {
    return Value{std::string(s)};
}

/// A Hearth command and the message the device must receive for it.
struct ExpectedCommand {
    Attrs set;
    std::string topic;
    std::string payload;  // compared as JSON when it is a JSON object
};

struct Expectation {
    std::string file;
    std::string id;
    proto::DeviceKind kind;
    std::vector<std::string> capabilities;  // each must be present
    Attrs state;                            // the whole state after the replay
    std::vector<ExpectedCommand> commands;
    std::size_t unmapped = 0;  // entries in the unmapped list
};

const std::vector<Expectation>& expectations() {
    using K = proto::DeviceKind;
    static const std::vector<Expectation> all = {
        {"light_colortemp_ikea_LED1545G12.json",
         "zigbee2mqtt_0x000b57fffec6a5b2",
         K::light,
         {"on", "brightness", "color_temp", "transition", "effect", "power_on_behavior", "identify",
          "linkquality", "color_options"},
         {{"on", false}, {"brightness", num(50)}, {"color_temp", num(3333)}},
         {{{{"on", true}, {"brightness", num(50)}, {"color_temp", num(3333)}},
           "zigbee2mqtt/bulb/set",
           R"({"state":"ON","brightness":127,"color_temp":300})"},
          {{{"on", false}}, "zigbee2mqtt/bulb/set", R"({"state":"OFF"})"},
          {{{"identify", true}}, "zigbee2mqtt/bulb/set/identify", "identify"}},
         2},
        {"light_dimmable_sengled_E11-G13.json",
         "zigbee2mqtt_0x0017880104e45553",
         K::light,
         {"on", "brightness", "transition", "power", "energy"},
         {{"on", true}, {"brightness", num(25)}},
         {{{{"brightness", num(25)}}, "zigbee2mqtt/bulb_enddevice/set", R"({"brightness":64})"}},
         1},
        {"light_color_philips_7146060PH.json",
         "zigbee2mqtt_0x000b57fffec6a5b3",
         K::light,
         {"on", "brightness", "color_temp", "effect_speed", "effect_color"},
         {{"on", true}, {"brightness", num(71)}, {"color_temp", num(4000)}},
         {{{{"color_temp", num(4000)}}, "zigbee2mqtt/bulb_color/set", R"({"color_temp":250})"}},
         3},
        {"thermostat_trv_ecozy_1TST-EU.json",
         "zigbee2mqtt_0x0017880104e45550",
         K::thermostat,
         {"hvac_mode", "target_temperature", "temperature", "hvac_action", "battery",
          "local_temperature_calibration"},
         {{"battery", num(85)},
          {"hvac_action", text("heating")},
          {"hvac_mode", text("off")},
          {"local_temperature", num(19.5)},
          {"local_temperature_calibration", num(0)},
          {"pi_heating_demand", num(16)},
          {"target_temperature", num(22.5)},
          {"temperature", num(19.5)}},
         {{{{"target_temperature", num(22.5)}},
           "zigbee2mqtt/thermostat/set/occupied_heating_setpoint",
           "22.5"},
          {{{"hvac_mode", text("off")}}, "zigbee2mqtt/thermostat/set/system_mode", "off"}},
         0},
        {"thermostat_trv_tuya_TS0601_thermostat.json",
         "zigbee2mqtt_0x0017882104a44559",
         K::thermostat,
         {"hvac_mode", "target_temperature", "temperature", "preset", "child_lock",
          "window_detection", "battery_low", "week"},
         {{"away_mode", false},
          {"battery_low", false},
          {"child_lock", false},
          {"hvac_action", text("heating")},
          {"local_temperature", num(19.8)},
          {"preset", text("schedule")},
          {"sensor_position", num(35)},
          {"target_temperature", num(21.5)},
          {"temperature", num(19.8)}},
         {{{{"target_temperature", num(23)}},
           "zigbee2mqtt/TS0601_thermostat/set/current_heating_setpoint",
           "23"},
          {{{"child_lock", true}}, "zigbee2mqtt/TS0601_thermostat/set/child_lock", "LOCK"},
          {{{"preset", text("eco")}}, "zigbee2mqtt/TS0601_thermostat/set/preset", "eco"}},
         1},
        {"sensor_temp_humidity_aqara_WSDCGQ11LM.json",
         "zigbee2mqtt_0x0017880104e45522",
         K::climate_sensor,
         {"temperature", "humidity", "pressure", "battery", "voltage", "linkquality"},
         {{"humidity", num(55.23)}, {"temperature", num(21.37)}},
         {},
         0},
        {"sensor_occupancy_aqara_RTCGQ11LM.json",
         "zigbee2mqtt_0x0017880104e45523",
         K::presence_sensor,
         {"occupancy", "illuminance", "battery", "device_temperature"},
         {{"illuminance", num(215)}, {"occupancy", false}},
         {},
         0},
        {"sensor_mmwave_presence_aqara_FP1E.json",
         "zigbee2mqtt_0x54ef4410009ab001",
         K::presence_sensor,
         {"occupancy", "movement", "target_distance", "detection_range", "motion_sensitivity",
          "spatial_learning", "ai_sensitivity_adaptive"},
         {{"movement", text("no_movement")}, {"occupancy", false}, {"target_distance", num(1.85)}},
         {{{{"motion_sensitivity", text("high")}},
           "zigbee2mqtt/presence_sensor_fp1e/set/motion_sensitivity",
           "high"},
          {{{"detection_range", num(4.2)}},
           "zigbee2mqtt/presence_sensor_fp1e/set/detection_range",
           "4.2"},
          {{{"spatial_learning", true}},
           "zigbee2mqtt/presence_sensor_fp1e/set/spatial_learning",
           "Start Learning"},
          {{{"ai_sensitivity_adaptive", true}},
           "zigbee2mqtt/presence_sensor_fp1e/set/ai_sensitivity_adaptive",
           "ON"}},
         1},
        {"plug_xiaomi_ZNCZ02LM.json",
         "zigbee2mqtt_0x0017880104e45524",
         K::switch_,
         {"on", "power", "energy", "power_outage_memory"},
         {{"on", false}, {"power", num(57.3)}, {"power_outage_memory", false}},
         {{{{"on", false}}, "zigbee2mqtt/power_plug/set", "OFF"},
          {{{"power_outage_memory", true}},
           "zigbee2mqtt/power_plug/set/power_outage_memory",
           "true"}},
         1},
        {"cover_curtain_aqara_ZNCLDJ11LM.json",
         "zigbee2mqtt_0x0017880104e45547",
         K::curtain,
         {"position", "cover_state", "cover_command", "running", "motor_state"},
         {{"cover_state", text("stopped")}, {"position", num(0)}},
         {{{{"position", num(30)}}, "zigbee2mqtt/curtain/set", R"({"position":30})"},
          {{{"cover_command", text("close")}}, "zigbee2mqtt/curtain/set", "CLOSE"}},
         1},
        {"fan_hamptonbay_99432.json",
         "zigbee2mqtt_0x0017880104e45548",
         K::fan,
         {"on", "fan_speed", "light_on", "light_brightness", "transition", "effect",
          "power_on_behavior"},
         {{"fan_speed", text("high")}, {"on", true}},
         {{{{"fan_speed", text("high")}}, "zigbee2mqtt/fan/set/fan_mode", "high"},
          {{{"fan_speed", text("low")}}, "zigbee2mqtt/fan/set/fan_mode", "low"},
          {{{"fan_speed", text("auto")}}, "zigbee2mqtt/fan/set/fan_mode", "smart"},
          {{{"on", false}}, "zigbee2mqtt/fan/set/fan_state", "OFF"},
          {{{"light_on", true}, {"light_brightness", num(100)}},
           "zigbee2mqtt/fan/set",
           R"({"state":"ON","brightness":254})"}},
         1},
        {"button_aqara_WXKG11LM.json",
         "zigbee2mqtt_0x0017880104e45520",
         K::button,
         {"action", "battery", "voltage", "device_temperature"},
         {},
         {},
         0},
    };
    return all;
}

bool same_payload(const std::string& actual, const std::string& expected) {
    const auto a = nlohmann::json::parse(actual, nullptr, false);
    const auto e = nlohmann::json::parse(expected, nullptr, false);
    if (e.is_object()) return a == e;
    return actual == expected;
}

/// Same keys and value types: what "the same JSON shape" as a recorded command means.
bool same_shape(const std::string& actual, const std::string& recorded) {
    const auto a = nlohmann::json::parse(actual, nullptr, false);
    const auto r = nlohmann::json::parse(recorded, nullptr, false);
    if (!r.is_object()) return true;
    if (!a.is_object() || a.size() != r.size()) return false;
    for (const auto& [k, v] : r.items())
        if (!a.contains(k) || a[k].type_name() != std::string(v.type_name())) return false;
    return true;
}

}  // namespace

TEST_CASE(
    "Every recorded Zigbee2MQTT device registers with the right kind, capabilities and final "
    "state") {
    for (const auto& x : expectations()) {
        INFO(x.file);
        Replay r;
        r.replay(load(kZ2m / x.file));
        CHECK(r.errors.empty());
        for (const auto& e : r.errors) UNSCOPED_INFO(e);
        CHECK(r.rejected.empty());
        for (const auto& e : r.rejected) UNSCOPED_INFO(e);
        REQUIRE(r.registry.size() == 1);
        const auto* d = r.registry.find(proto::DeviceId{x.id});
        REQUIRE(d != nullptr);
        CHECK(d->description.kind == x.kind);
        CHECK(d->problem.empty());
        CHECK(d->availability == devices::Availability::online);
        for (const auto& c : x.capabilities) {
            INFO(c);
            CHECK(d->description.find(c) != nullptr);
        }
        CHECK(proto::to_json(d->state) == proto::to_json(x.state));
        CHECK(r.adapter.unmapped().size() == x.unmapped);
    }
}

TEST_CASE("Hearth commands become the payloads the recorded devices expect") {
    for (const auto& x : expectations()) {
        INFO(x.file);
        Replay r;
        r.replay(load(kZ2m / x.file));
        for (const auto& c : x.commands) {
            proto::Command command{c.set, std::nullopt, {}};
            INFO(proto::to_payload(command));
            auto valid = r.registry.validate(proto::DeviceId{x.id}, command);
            REQUIRE(valid.has_value());
            auto out = r.adapter.command(proto::DeviceId{x.id}, *valid);
            REQUIRE(out.has_value());
            REQUIRE(out->size() == 1);
            CHECK((*out)[0].topic == c.topic);
            CHECK(same_payload((*out)[0].payload, c.payload));
            INFO((*out)[0].payload);
        }
    }
}

TEST_CASE(
    "Every recorded Zigbee2MQTT command has a Hearth command of the same shape, colour aside") {
    // The Hue Go's xy colour command has no Hearth equivalent (colour is listed as unmapped).
    for (const auto& x : expectations()) {
        Replay r;
        const auto fixture = load(kZ2m / x.file);
        r.replay(fixture);
        for (const auto& recorded : recorded_commands(fixture)) {
            if (recorded.payload.find("\"color\"") != std::string::npos) continue;
            INFO(x.file << ": " << recorded.topic << " " << recorded.payload);
            const auto match =
                std::find_if(x.commands.begin(), x.commands.end(), [&](const ExpectedCommand& c) {
                    return c.topic == recorded.topic && same_shape(c.payload, recorded.payload) &&
                           (nlohmann::json::parse(recorded.payload, nullptr, false).is_object() ||
                            c.payload == recorded.payload);
                });
            CHECK(match != x.commands.end());
        }
    }
}

TEST_CASE("The result does not depend on the order discovery configs arrive in") {
    for (const auto& x : expectations()) {
        INFO(x.file);
        auto fixture = load(kZ2m / x.file);
        Replay forward;
        forward.replay(fixture);
        auto& configs = fixture["ha_discovery"];
        std::reverse(configs.begin(), configs.end());
        Replay backward;
        backward.replay(fixture);
        const proto::DeviceId id{x.id};
        REQUIRE(backward.registry.find(id) != nullptr);
        CHECK(proto::to_json(backward.registry.find(id)->description) ==
              proto::to_json(forward.registry.find(id)->description));
        CHECK(proto::to_json(backward.registry.find(id)->state) ==
              proto::to_json(forward.registry.find(id)->state));
    }
}

TEST_CASE("A button press on the action topic becomes one Hearth action event") {
    Replay r;
    r.replay(load(kZ2m / "button_aqara_WXKG11LM.json"));
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].device.value == "zigbee2mqtt_0x0017880104e45520");
    CHECK(r.events[0].name == "action");
    CHECK(r.events[0].attributes.at("action") == text("single"));
}

TEST_CASE("All twelve devices replayed together stay twelve separate devices") {
    Replay r;
    std::size_t configs = 0;
    for (const auto& x : expectations()) {
        const auto fixture = load(kZ2m / x.file);
        configs += fixture["ha_discovery"].size();
        r.replay(fixture);
    }
    CHECK(configs == 98);
    CHECK(r.registry.size() == 12);
    CHECK(r.errors.empty());
    CHECK(r.rejected.empty());
}

TEST_CASE("The bridge going offline makes every Zigbee2MQTT device offline") {
    Replay r;
    r.replay(load(kZ2m / "light_colortemp_ikea_LED1545G12.json"));
    const proto::DeviceId id{"zigbee2mqtt_0x000b57fffec6a5b2"};
    REQUIRE(r.registry.find(id)->availability == devices::Availability::online);
    for (const auto& m : bridge_state_messages(load(kZ2m / "bridge.json"), "shutdown"))
        r.publish(m);
    CHECK(r.registry.find(id)->availability == devices::Availability::offline);
}

TEST_CASE("The Zigbee2MQTT bridge's own discovery entities map or are listed") {
    Replay r;
    const auto bridge = load(kZ2m / "bridge.json");
    for (const auto& m : bridge["bridge_ha_discovery"])
        r.publish({m["topic"].get<std::string>(), m["payload"].dump(), true});
    CHECK(r.errors.empty());
    CHECK(r.registry.size() == 1);
}

// ---- the same devices through Zigbee2MQTT's own topics (no HA discovery) -------------------

namespace {

/// `zigbee2mqtt/bridge/devices` as Zigbee2MQTT would publish it for all twelve recorded devices.
std::string bridge_devices() {
    auto list = nlohmann::json::array();
    list.push_back({{"friendly_name", "Coordinator"},
                    {"ieee_address", "0x00124b00120144ae"},
                    {"type", "Coordinator"}});
    for (const auto& x : expectations())
        list.push_back(load(kZ2m / x.file)["z2m_bridge_devices_entry"]);
    return list.dump();
}

struct NativeReplay {
    Zigbee2Mqtt adapter;
    devices::Registry registry;
    std::vector<proto::Error> errors;
    std::vector<proto::Error> rejected;
    std::vector<DeviceEvent> events;

    void feed(const std::string& topic, const std::string& payload) {
        auto fx = adapter.handle(topic, payload);
        errors.insert(errors.end(), fx.errors.begin(), fx.errors.end());
        events.insert(events.end(), fx.events.begin(), fx.events.end());
        auto applied = apply(registry, fx);
        rejected.insert(rejected.end(), applied.rejected.begin(), applied.rejected.end());
    }
    void replay_all() {
        feed("zigbee2mqtt/bridge/state", R"({"state":"online"})");
        feed("zigbee2mqtt/bridge/devices", bridge_devices());
        for (const auto& x : expectations())
            for (const auto& m : replay_messages(load(kZ2m / x.file)))
                if (!m.topic.starts_with("homeassistant/")) feed(m.topic, m.payload);
    }
};

struct NativeExpectation {
    std::string id;
    proto::DeviceKind kind;
    Attrs state;  // attributes that must have these values
    Attrs command;
    std::string payload;  // the JSON on <base>/<friendly_name>/set
};

}  // namespace

TEST_CASE(
    "Zigbee2MQTT's device list alone registers all twelve devices with their capabilities and "
    "states") {
    using K = proto::DeviceKind;
    const std::vector<NativeExpectation> expected = {
        {"zigbee2mqtt_0x000b57fffec6a5b2",
         K::light,
         {{"on", false}, {"brightness", num(50)}, {"color_temp", num(3333)}},
         {{"on", true}, {"brightness", num(50)}, {"color_temp", num(3333)}},
         R"({"state":"ON","brightness":127,"color_temp":300})"},
        {"zigbee2mqtt_0x0017880104e45553",
         K::light,
         {{"on", true}, {"brightness", num(25)}},
         {{"brightness", num(25)}},
         R"({"brightness":64})"},
        {"zigbee2mqtt_0x000b57fffec6a5b3",
         K::light,
         {{"on", true}, {"brightness", num(71)}, {"color_temp", num(4000)}},
         {{"color_temp", num(4000)}},
         R"({"color_temp":250})"},
        {"zigbee2mqtt_0x0017880104e45550",
         K::thermostat,
         {{"hvac_mode", text("off")},
          {"target_temperature", num(22.5)},
          {"temperature", num(19.5)},
          {"battery", num(85)}},
         {{"target_temperature", num(22.5)}},
         R"({"occupied_heating_setpoint":22.5})"},
        {"zigbee2mqtt_0x0017882104a44559",
         K::thermostat,
         {{"target_temperature", num(21.5)},
          {"temperature", num(19.8)},
          {"preset", text("schedule")},
          {"child_lock", false}},
         {{"target_temperature", num(23)}},
         R"({"current_heating_setpoint":23})"},
        {"zigbee2mqtt_0x0017880104e45522",
         K::climate_sensor,
         {{"temperature", num(21.37)}, {"humidity", num(55.23)}},
         {},
         {}},
        {"zigbee2mqtt_0x0017880104e45523",
         K::presence_sensor,
         {{"occupancy", false}, {"illuminance", num(215)}},
         {},
         {}},
        {"zigbee2mqtt_0x54ef4410009ab001",
         K::presence_sensor,
         {{"occupancy", false}, {"target_distance", num(1.85)}},
         {{"motion_sensitivity", text("high")}},
         R"({"motion_sensitivity":"high"})"},
        {"zigbee2mqtt_0x0017880104e45524",
         K::switch_,
         {{"on", false}, {"power", num(57.3)}},
         {{"on", false}},
         R"({"state":"OFF"})"},
        {"zigbee2mqtt_0x0017880104e45547",
         K::curtain,
         {{"position", num(0)}},
         {{"position", num(30)}},
         R"({"position":30})"},
        {"zigbee2mqtt_0x0017880104e45548",
         K::fan,
         {{"on", true}, {"fan_speed", text("high")}},
         {{"fan_speed", text("high")}},
         R"({"fan_mode":"high"})"},
        {"zigbee2mqtt_0x0017880104e45520", K::button, {}, {}, {}},
    };
    NativeReplay r;
    r.replay_all();
    CHECK(r.errors.empty());
    for (const auto& e : r.errors) UNSCOPED_INFO(e);
    CHECK(r.rejected.empty());
    for (const auto& e : r.rejected) UNSCOPED_INFO(e);
    CHECK(r.registry.size() == 12);
    for (const auto& x : expected) {
        INFO(x.id);
        const auto* d = r.registry.find(proto::DeviceId{x.id});
        REQUIRE(d != nullptr);
        CHECK(d->description.kind == x.kind);
        CHECK(d->availability == devices::Availability::online);
        for (const auto& [attribute, value] : x.state) {
            INFO(attribute);
            REQUIRE(d->state.count(attribute));
            CHECK(d->state.at(attribute) == value);
        }
        if (x.command.empty()) continue;
        auto valid =
            r.registry.validate(proto::DeviceId{x.id}, proto::Command{x.command, std::nullopt, {}});
        REQUIRE(valid.has_value());
        auto out = r.adapter.command(proto::DeviceId{x.id}, *valid);
        REQUIRE(out.has_value());
        REQUIRE(out->size() == 1);
        CHECK((*out)[0].topic ==
              "zigbee2mqtt/" + r.adapter.find(proto::DeviceId{x.id})->name.en + "/set");
        CHECK(same_payload((*out)[0].payload, x.payload));
    }
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].attributes.at("action") == text("single"));
}

TEST_CASE("Zigbee2MQTT colour and composite exposes are listed as unmapped with a reason") {
    NativeReplay r;
    r.replay_all();
    const auto list = r.adapter.unmapped_json();
    REQUIRE(list.is_array());
    CHECK_FALSE(list.empty());
    bool colour = false;
    for (const auto& u : list) {
        CHECK_FALSE(u["reason"].get<std::string>().empty());
        colour = colour || u["source"].get<std::string>().ends_with("bulb_color.color");
    }
    CHECK(colour);
}

TEST_CASE("A device's own availability topic and the bridge state both drive availability") {
    NativeReplay r;
    r.replay_all();
    const proto::DeviceId bulb{"zigbee2mqtt_0x000b57fffec6a5b2"};
    r.feed("zigbee2mqtt/bulb/availability", R"({"state":"offline"})");
    CHECK(r.registry.find(bulb)->availability == devices::Availability::offline);
    r.feed("zigbee2mqtt/bulb/availability", "online");
    CHECK(r.registry.find(bulb)->availability == devices::Availability::online);
    r.feed("zigbee2mqtt/bridge/state", R"({"state":"offline"})");
    CHECK(r.registry.find(bulb)->availability == devices::Availability::offline);
}

TEST_CASE("A transition reaches a Zigbee2MQTT light, and /get asks for what can be read") {
    NativeReplay r;
    r.replay_all();
    const proto::DeviceId bulb{"zigbee2mqtt_0x000b57fffec6a5b2"};
    auto out = r.adapter.command(bulb, proto::Command{{{"brightness", num(100)}}, 2.5, {}});
    REQUIRE(out.has_value());
    CHECK(same_payload((*out)[0].payload, R"({"brightness":254,"transition":2.5})"));
    auto get = r.adapter.refresh(bulb);
    REQUIRE(get.has_value());
    REQUIRE(get->size() == 1);
    CHECK((*get)[0].topic == "zigbee2mqtt/bulb/get");
    CHECK(nlohmann::json::parse((*get)[0].payload).contains("state"));
}

TEST_CASE(
    "A device that leaves Zigbee2MQTT's list is removed, and unknown devices get no commands") {
    NativeReplay r;
    r.replay_all();
    r.feed("zigbee2mqtt/bridge/devices", "[]");
    CHECK(r.registry.size() == 0);
    auto out = r.adapter.command(proto::DeviceId{"zigbee2mqtt_0x000b57fffec6a5b2"},
                                 proto::Command{{{"on", true}}, std::nullopt, {}});
    REQUIRE_FALSE(out.has_value());
    CHECK(out.error().code == proto::Errc::unknown_device);
}

TEST_CASE("Replay throughput (prints figures)", "[.bench]") {
    const auto fixture = load(kZ2m / "thermostat_trv_tuya_TS0601_thermostat.json");
    std::vector<nlohmann::json> fixtures;
    for (const auto& x : expectations()) fixtures.push_back(load(kZ2m / x.file));

    const auto t0 = std::chrono::steady_clock::now();
    constexpr int kRounds = 20;
    std::size_t messages = 0;
    for (int i = 0; i < kRounds; ++i) {
        Replay r;
        for (const auto& f : fixtures) {
            r.replay(f);
            messages += replay_messages(f).size();
        }
    }
    const auto t1 = std::chrono::steady_clock::now();

    Replay r;
    r.replay(fixture);
    const auto state = fixture["final_state"].dump();
    constexpr int kStates = 5000;
    const auto t2 = std::chrono::steady_clock::now();
    std::size_t reports = 0;
    for (int i = 0; i < kStates; ++i)
        reports += r.adapter.handle("zigbee2mqtt/TS0601_thermostat", state).states.size();
    const auto t3 = std::chrono::steady_clock::now();
    const auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
    std::cout << "full replay of 12 devices (discovery + states, registry included): "
              << messages / kRounds << " messages in " << secs(t0, t1) / kRounds * 1000 << " ms\n"
              << "state message of a 24-entity device (Tuya TRV): " << kStates / secs(t2, t3)
              << " messages/s\n";
    CHECK(reports == static_cast<std::size_t>(kStates));
}

TEST_CASE("A two-gang Zigbee2MQTT switch keeps both channels, the second under its endpoint") {
    Zigbee2Mqtt z2m;
    const auto devices =
        R"([{"friendly_name": "hall/switch", "ieee_address": "0xabc", "definition": {
        "model": "2G", "vendor": "Acme", "exposes": [
          {"type": "switch", "endpoint": "l1", "features": [{"name": "state", "property": "state_l1", "type": "binary",
            "access": 7, "value_on": "ON", "value_off": "OFF"}]},
          {"type": "switch", "endpoint": "l2", "features": [{"name": "state", "property": "state_l2", "type": "binary",
            "access": 7, "value_on": "ON", "value_off": "OFF"}]}]}}])";
    auto fx = z2m.handle("zigbee2mqtt/bridge/devices", devices);
    REQUIRE(fx.upserts.size() == 1);
    const auto& d = fx.upserts[0];
    CHECK(d.id.value == "zigbee2mqtt_0xabc");
    CHECK(d.kind == proto::DeviceKind::switch_);
    CHECK(d.find("switch_l1_on") != nullptr);
    CHECK(d.find("switch_l2_on") != nullptr);
    auto state = z2m.handle("zigbee2mqtt/hall/switch", R"({"state_l1":"ON","state_l2":"OFF"})");
    REQUIRE(state.states.size() == 1);
    CHECK(state.states[0].attributes.at("switch_l1_on") == Value{true});
    CHECK(state.states[0].attributes.at("switch_l2_on") == Value{false});
    auto out = z2m.command(d.id, proto::Command{{{"switch_l2_on", true}}, std::nullopt, {}});
    REQUIRE(out.has_value());
    CHECK((*out)[0] == Publish{"zigbee2mqtt/hall/switch/set", R"({"state_l2":"ON"})", false});
}

TEST_CASE("Adopted Zigbee2MQTT devices carry the device class that speech about classes needs") {
    const std::vector<std::pair<std::string, std::string>> by_discovery = {
        {"sensor_occupancy_aqara_RTCGQ11LM.json", "occupancy"},
        {"sensor_mmwave_presence_aqara_FP1E.json", "occupancy"},
        {"thermostat_trv_tuya_TS0601_thermostat.json", ""},  // its window and battery entities do not lead
        {"light_colortemp_ikea_LED1545G12.json", ""},
    };
    for (const auto& [file, device_class] : by_discovery) {
        INFO(file);
        Replay r;
        r.replay(load(kZ2m / file));
        REQUIRE(r.registry.size() == 1);
        CHECK(r.registry.list().front()->description.device_class == device_class);
    }

    NativeReplay native;
    native.replay_all();
    const std::vector<std::pair<std::string, std::string>> by_exposes = {
        {"zigbee2mqtt_0x0017880104e45523", "occupancy"},  // Aqara motion sensor: occupancy
        {"zigbee2mqtt_0x54ef4410009ab001", "occupancy"},  // FP1E: presence, as Zigbee2MQTT classes it
        {"zigbee2mqtt_0x0017880104e45547", "curtain"},    // "Curtain controller"
        {"zigbee2mqtt_0x0017880104e45550", ""},           // a thermostat has none
    };
    for (const auto& [id, device_class] : by_exposes) {
        INFO(id);
        const auto* d = native.registry.find(proto::DeviceId{id});
        REQUIRE(d != nullptr);
        CHECK(d->description.device_class == device_class);
    }
}
