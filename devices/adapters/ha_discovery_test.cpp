#include "devices/adapters/ha_discovery.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "devices/adapters/ha_config.hpp"
#include "devices/adapters/naming.hpp"
#include "devices/adapters/tasmota.hpp"
#include "devices/adapters/zigbee2mqtt.hpp"

using namespace hearth;
using namespace hearth::devices::adapters;
using proto::Value;

namespace {

/// Feeds messages to an adapter and keeps a registry in step, as the hub does.
struct Hub {
    HaDiscovery adapter;
    devices::Registry registry;
    Effects last;

    explicit Hub(std::string prefix = "homeassistant") : adapter(std::move(prefix)) {}

    Effects& feed(std::string_view topic, std::string_view payload) {
        last = adapter.handle(topic, payload);
        apply(registry, last);
        return last;
    }
    Effects& feed_json(std::string_view topic, const nlohmann::json& payload) {
        return feed(topic, payload.dump());
    }
    const devices::Device* device(const char* id) const {
        return registry.find(proto::DeviceId{id});
    }
    std::vector<Publish> command(const char* id, proto::Attributes set,
                                 std::optional<double> transition = {}) {
        auto out =
            adapter.command(proto::DeviceId{id}, proto::Command{std::move(set), transition, {}});
        REQUIRE(out.has_value());
        return *out;
    }
};

bool contains(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("Discovery topics are recognised with and without a node id") {
    auto t = parse_discovery_topic("homeassistant", "homeassistant/light/kitchen/ceiling/config");
    REQUIRE(t.has_value());
    CHECK(t->component == "light");
    CHECK(t->node_id == "kitchen");
    CHECK(t->object_id == "ceiling");
    CHECK(t->key() == "light/kitchen/ceiling");
    CHECK(parse_discovery_topic("homeassistant", "homeassistant/switch/plug/config")->key() ==
          "switch/plug");
    CHECK_FALSE(
        parse_discovery_topic("homeassistant", "homeassistant/switch/plug/state").has_value());
    CHECK_FALSE(parse_discovery_topic("homeassistant", "other/switch/plug/config").has_value());
    CHECK_FALSE(parse_discovery_topic("homeassistant", "homeassistant/status").has_value());
}

TEST_CASE("Abbreviated keys and the ~ base topic are expanded everywhere") {
    const auto raw = nlohmann::json::parse(R"({
        "~": "tasmota/plug", "stat_t": "~/STATE", "cmd_t": "~/cmnd/POWER", "avty_t": "tele/~",
        "pl_on": "ON", "uniq_id": "abc", "dev": {"ids": ["x1"], "mf": "Acme", "mdl": "P1", "sa": "Kitchen"},
        "avty": [{"t": "~/LWT", "pl_avail": "Online"}]})");
    const auto c = expand_config(raw);
    CHECK(c["state_topic"] == "tasmota/plug/STATE");
    CHECK(c["command_topic"] == "tasmota/plug/cmnd/POWER");
    CHECK(c["availability_topic"] == "tele/tasmota/plug");
    CHECK(c["payload_on"] == "ON");
    CHECK(c["unique_id"] == "abc");
    CHECK(c["device"]["identifiers"][0] == "x1");
    CHECK(c["device"]["manufacturer"] == "Acme");
    CHECK(c["device"]["suggested_area"] == "Kitchen");
    CHECK(c["availability"][0]["topic"] == "tasmota/plug/LWT");
    CHECK(c["availability"][0]["payload_available"] == "Online");
    CHECK(expand_key("bri_scl") == "brightness_scale");
    CHECK(expand_key("set_pos_t") == "set_position_topic");
    CHECK(expand_key("json_attr_t") == "json_attributes_topic");
}

TEST_CASE(
    "A default-schema switch with abbreviated keys registers, reads its state and takes commands") {
    Hub hub;
    auto& fx = hub.feed_json("homeassistant/switch/plug1/config", nlohmann::json::parse(R"({
        "~": "shelly/plug1", "name": null, "stat_t": "~/relay/0", "cmd_t": "~/relay/0/command",
        "pl_on": "on", "pl_off": "off", "uniq_id": "shelly-plug1-relay",
        "dev": {"ids": "shellyplug-A1B2", "name": "Coffee Machine", "mf": "Shelly", "mdl": "Plug S"}})"));
    REQUIRE(fx.upserts.size() == 1);
    CHECK(fx.upserts[0].id.value == "shellyplug-a1b2");
    CHECK(fx.upserts[0].name.en == "Coffee Machine");
    CHECK(fx.upserts[0].kind == proto::DeviceKind::switch_);
    CHECK(contains(fx.subscribe, "shelly/plug1/relay/0"));
    hub.feed("shelly/plug1/relay/0", "on");
    CHECK(hub.device("shellyplug-a1b2")->state.at("on") == Value{true});
    const auto out = hub.command("shellyplug-a1b2", {{"on", false}});
    REQUIRE(out.size() == 1);
    CHECK(out[0] == Publish{"shelly/plug1/relay/0/command", "off", false});
}

TEST_CASE("Entities with the same device identifiers become one Hearth device") {
    Hub hub;
    const auto dev = nlohmann::json::parse(
        R"({"identifiers": ["esp-livingroom"], "name": "Living room sensor"})");
    hub.feed_json("homeassistant/sensor/esp/temp/config", {{"state_topic", "esp/sensor/temp"},
                                                           {"device_class", "temperature"},
                                                           {"unit_of_measurement", "°F"},
                                                           {"device", dev},
                                                           {"unique_id", "esp-t"},
                                                           {"name", "Temperature"}});
    hub.feed_json("homeassistant/sensor/esp/hum/config",
                  {{"state_topic", "esp/sensor/hum"},
                   {"device_class", "humidity"},
                   {"unit_of_measurement", "%"},
                   {"device", dev},
                   {"unique_id", "esp-h"},
                   {"name", "Humidity"},
                   {"value_template", "{{ value | float | round(1) }}"}});
    REQUIRE(hub.registry.size() == 1);
    const auto* d = hub.device("esp-livingroom");
    REQUIRE(d != nullptr);
    CHECK(d->description.kind == proto::DeviceKind::climate_sensor);
    hub.feed("esp/sensor/temp", "68");
    hub.feed("esp/sensor/hum", "41.26");
    CHECK(d->state.at("temperature") == Value{20.0});  // °F → °C
    CHECK(d->state.at("humidity") == Value{41.3});
}

TEST_CASE("An empty config payload removes the entity, and the device with its last entity") {
    Hub hub;
    const auto dev = nlohmann::json::parse(R"({"identifiers": ["d1"], "name": "Door"})");
    hub.feed_json("homeassistant/binary_sensor/d1/contact/config",
                  {{"state_topic", "d1/contact"}, {"device_class", "door"}, {"device", dev}});
    hub.feed_json("homeassistant/sensor/d1/battery/config", {{"state_topic", "d1/battery"},
                                                             {"device_class", "battery"},
                                                             {"unit_of_measurement", "%"},
                                                             {"device", dev}});
    REQUIRE(hub.device("d1") != nullptr);
    CHECK(hub.device("d1")->description.kind == proto::DeviceKind::contact_sensor);
    CHECK(hub.device("d1")->description.device_class == "door");  // the leading entity's class
    hub.feed("d1/contact", "OFF");
    CHECK(hub.device("d1")->state.at("contact") ==
          Value{true});  // HA off = closed = Hearth contact true

    auto& fx = hub.feed("homeassistant/binary_sensor/d1/contact/config", "");
    CHECK(fx.upserts.size() == 1);
    CHECK(contains(fx.unsubscribe, "d1/contact"));
    CHECK(hub.device("d1")->description.find("contact") == nullptr);
    auto& last = hub.feed("homeassistant/sensor/d1/battery/config", "");
    REQUIRE(last.removals.size() == 1);
    CHECK(hub.registry.size() == 0);
    CHECK(hub.adapter.subscriptions().size() == 2);
}

TEST_CASE(
    "The per-device discovery form registers all its components and shares its device and topics") {
    Hub hub;
    auto& fx = hub.feed_json("homeassistant/device/bedside/config", nlohmann::json::parse(R"({
        "dev": {"ids": "bedside-01", "name": "Bedside lamp", "mf": "Acme"},
        "o": {"name": "acme-fw"},
        "stat_t": "bedside/state",
        "cmps": {
          "lamp": {"p": "light", "schema": "json", "cmd_t": "bedside/set", "brightness": true, "bri_scl": 100,
                   "sup_clrm": ["color_temp"], "min_mirs": 153, "max_mirs": 370, "uniq_id": "bedside-lamp"},
          "lux": {"p": "sensor", "dev_cla": "illuminance", "unit_of_meas": "lx", "val_tpl": "{{ value_json.lux }}",
                  "uniq_id": "bedside-lux"}
        }})"));
    REQUIRE(fx.upserts.size() >= 1);
    const auto* d = hub.device("bedside-01");
    REQUIRE(d != nullptr);
    CHECK(d->description.kind == proto::DeviceKind::light);
    CHECK(d->description.find("illuminance") != nullptr);
    const auto* ct = d->description.find("color_temp");
    REQUIRE(ct != nullptr);
    CHECK(*ct->min == 2703);
    CHECK(*ct->max == 6536);
    hub.feed("bedside/state", R"({"state":"ON","brightness":40,"color_temp":250,"lux":12})");
    CHECK(d->state.at("brightness") == Value{40.0});
    CHECK(d->state.at("color_temp") == Value{4000.0});
    CHECK(d->state.at("illuminance") == Value{12.0});

    hub.feed("homeassistant/device/bedside/config", "");
    CHECK(hub.registry.size() == 0);
}

TEST_CASE(
    "A JSON-schema light gets brightness in its own scale, colour temperature in mireds and the "
    "transition") {
    Hub hub;
    hub.feed_json("homeassistant/light/l1/config", {{"schema", "json"},
                                                    {"command_topic", "l1/set"},
                                                    {"state_topic", "l1"},
                                                    {"brightness", true},
                                                    {"brightness_scale", 254},
                                                    {"supported_color_modes", {"color_temp"}},
                                                    {"unique_id", "l1"}});
    const auto out = hub.command(
        "l1", {{"on", true}, {"brightness", Value{50.0}}, {"color_temp", Value{2700.0}}}, 1.5);
    REQUIRE(out.size() == 1);
    CHECK(out[0].topic == "l1/set");
    CHECK(out[0].payload == R"({"state":"ON","brightness":127,"color_temp":370,"transition":1.5})");
}

TEST_CASE(
    "A default-schema light sends brightness and power on their own topics in on_command_type "
    "order") {
    Hub hub;
    hub.feed_json("homeassistant/light/l2/config", {{"command_topic", "l2/power/set"},
                                                    {"state_topic", "l2/power"},
                                                    {"brightness_command_topic", "l2/bri/set"},
                                                    {"brightness_state_topic", "l2/bri"},
                                                    {"brightness_scale", 100},
                                                    {"payload_on", "1"},
                                                    {"payload_off", "0"},
                                                    {"on_command_type", "first"},
                                                    {"unique_id", "l2"}});
    auto out = hub.command("l2", {{"on", true}, {"brightness", Value{30.0}}});
    REQUIRE(out.size() == 2);
    CHECK(out[0] == Publish{"l2/power/set", "1", false});
    CHECK(out[1] == Publish{"l2/bri/set", "30", false});
    hub.feed("l2/bri", "55");
    hub.feed("l2/power", "0");
    CHECK(hub.device("l2")->state.at("brightness") == Value{55.0});
    CHECK(hub.device("l2")->state.at("on") == Value{false});
}

TEST_CASE("A lock maps to locked with its own state and command words") {
    Hub hub;
    hub.feed_json("homeassistant/lock/front/config", {{"command_topic", "front/cmd"},
                                                      {"state_topic", "front/state"},
                                                      {"payload_lock", "L"},
                                                      {"payload_unlock", "U"},
                                                      {"state_locked", "is_locked"},
                                                      {"state_unlocked", "is_unlocked"},
                                                      {"unique_id", "front-door"}});
    const auto* d = hub.device("front-door");
    REQUIRE(d != nullptr);
    CHECK(d->description.kind == proto::DeviceKind::lock);
    hub.feed("front/state", "is_locked");
    CHECK(d->state.at("locked") == Value{true});
    CHECK(hub.command("front-door", {{"locked", false}})[0].payload == "U");
}

TEST_CASE(
    "A Fahrenheit climate device is converted to and from Celsius, and cooling makes it an air "
    "conditioner") {
    Hub hub;
    hub.feed_json("homeassistant/climate/ac/config",
                  {{"mode_command_topic", "ac/mode/set"},
                   {"mode_state_topic", "ac/mode"},
                   {"modes", {"off", "cool", "heat_cool", "fan_only"}},
                   {"temperature_command_topic", "ac/temp/set"},
                   {"temperature_state_topic", "ac/temp"},
                   {"temperature_unit", "F"},
                   {"current_temperature_topic", "ac/current"},
                   {"fan_mode_command_topic", "ac/fan/set"},
                   {"fan_mode_state_topic", "ac/fan"},
                   {"fan_modes", {"auto", "low", "high", "turbo"}},
                   {"min_temp", 60},
                   {"max_temp", 86},
                   {"unique_id", "ac"}});
    const auto* d = hub.device("ac");
    REQUIRE(d != nullptr);
    CHECK(d->description.kind == proto::DeviceKind::air_conditioner);
    CHECK(d->description.find("hvac_mode")->options ==
          std::vector<std::string>{"off", "cool", "auto", "fan_only"});
    CHECK(d->description.find("fan_speed")->options ==
          std::vector<std::string>{"auto", "low", "high"});
    hub.feed("ac/temp", "77");
    hub.feed("ac/current", "68");
    hub.feed("ac/mode", "heat_cool");
    CHECK(d->state.at("target_temperature") == Value{25.0});
    CHECK(d->state.at("temperature") == Value{20.0});
    CHECK(d->state.at("hvac_mode") == Value{std::string("auto")});
    auto out = hub.command(
        "ac", {{"target_temperature", Value{22.0}}, {"hvac_mode", Value{std::string("auto")}}});
    REQUIRE(out.size() == 2);
    CHECK(out[0] == Publish{"ac/mode/set", "heat_cool", false});
    CHECK(out[1] == Publish{"ac/temp/set", "72", false});
}

TEST_CASE(
    "A cover without a set-position topic opens and closes fully through its command payloads") {
    Hub hub;
    hub.feed_json("homeassistant/cover/blind/config", {{"command_topic", "blind/cmd"},
                                                       {"state_topic", "blind/state"},
                                                       {"position_topic", "blind/pos"},
                                                       {"position_open", 255},
                                                       {"position_closed", 0},
                                                       {"unique_id", "blind"}});
    hub.feed("blind/pos", "51");
    CHECK(hub.device("blind")->state.at("position") == Value{20.0});
    CHECK(hub.command("blind", {{"position", Value{100.0}}})[0].payload == "OPEN");
    CHECK(hub.command("blind", {{"cover_command", Value{std::string("stop")}}})[0].payload ==
          "STOP");
    auto half = hub.adapter.command(proto::DeviceId{"blind"},
                                    proto::Command{{{"position", Value{50.0}}}, {}, {}});
    REQUIRE_FALSE(half.has_value());
    CHECK(half.error().code == proto::Errc::out_of_range);
}

TEST_CASE("A fan without named speeds splits its speed range in thirds") {
    Hub hub;
    hub.feed_json("homeassistant/fan/f/config", {{"command_topic", "f/on/set"},
                                                 {"state_topic", "f/on"},
                                                 {"percentage_command_topic", "f/speed/set"},
                                                 {"percentage_state_topic", "f/speed"},
                                                 {"speed_range_min", 1},
                                                 {"speed_range_max", 6},
                                                 {"unique_id", "f"}});
    CHECK(hub.command("f", {{"fan_speed", Value{std::string("low")}}})[0] ==
          Publish{"f/speed/set", "1", false});
    CHECK(hub.command("f", {{"fan_speed", Value{std::string("medium")}}})[0] ==
          Publish{"f/speed/set", "3", false});
    CHECK(hub.command("f", {{"fan_speed", Value{std::string("high")}}})[0] ==
          Publish{"f/speed/set", "6", false});
    hub.feed("f/speed", "5");
    CHECK(hub.device("f")->state.at("fan_speed") == Value{std::string("high")});
    hub.feed("f/speed", "2");
    CHECK(hub.device("f")->state.at("fan_speed") == Value{std::string("medium")});
}

TEST_CASE("Availability follows the single topic form and the all, any and latest list modes") {
    const auto config = [](const char* mode) {
        return nlohmann::json{
            {"state_topic", "s/state"},
            {"device_class", "temperature"},
            {"unique_id", std::string("t-") + mode},
            {"availability_mode", mode},
            {"availability",
             {{{"topic", "a/1"}},
              {{"topic", "a/2"}, {"payload_available", "up"}, {"payload_not_available", "down"}}}}};
    };
    SECTION("all") {
        Hub hub;
        hub.feed_json("homeassistant/sensor/t/config", config("all"));
        hub.feed("a/1", "online");
        CHECK(hub.device("t-all")->availability == devices::Availability::unknown);
        hub.feed("a/2", "up");
        CHECK(hub.device("t-all")->availability == devices::Availability::online);
        hub.feed("a/2", "down");
        CHECK(hub.device("t-all")->availability == devices::Availability::offline);
    }
    SECTION("any") {
        Hub hub;
        hub.feed_json("homeassistant/sensor/t/config", config("any"));
        hub.feed("a/1", "offline");
        CHECK(hub.device("t-any")->availability == devices::Availability::unknown);
        hub.feed("a/2", "up");
        CHECK(hub.device("t-any")->availability == devices::Availability::online);
        hub.feed("a/2", "down");
        CHECK(hub.device("t-any")->availability == devices::Availability::offline);
    }
    SECTION("latest") {
        Hub hub;
        hub.feed_json("homeassistant/sensor/t/config", config("latest"));
        hub.feed("a/1", "offline");
        CHECK(hub.device("t-latest")->availability == devices::Availability::offline);
        hub.feed("a/2", "up");
        CHECK(hub.device("t-latest")->availability == devices::Availability::online);
    }
    SECTION("single topic with a template") {
        Hub hub;
        hub.feed_json("homeassistant/sensor/t/config",
                      {{"state_topic", "s/state"},
                       {"unique_id", "t-one"},
                       {"availability_topic", "bridge/state"},
                       {"availability_template", "{{ value_json.state }}"}});
        hub.feed("bridge/state", R"({"state":"online"})");
        CHECK(hub.device("t-one")->availability == devices::Availability::online);
    }
    SECTION("none configured means available") {
        Hub hub;
        hub.feed_json("homeassistant/sensor/t/config",
                      {{"state_topic", "s/state"}, {"unique_id", "t-none"}});
        CHECK(hub.device("t-none")->availability == devices::Availability::online);
    }
}

TEST_CASE("Applying effects reports each real availability change with the state before and after") {
    Hub hub;
    hub.feed_json("homeassistant/sensor/t/config", {{"state_topic", "s/state"},
                                                    {"device_class", "temperature"},
                                                    {"unique_id", "t-one"},
                                                    {"availability_topic", "a/1"}});
    const proto::DeviceId id{"t-one"};
    auto applied = apply(hub.registry, hub.adapter.handle("a/1", "online"));
    REQUIRE(applied.availability_changed.size() == 1);
    CHECK(applied.availability_changed[0].device == id);
    CHECK(applied.availability_changed[0].before == devices::Availability::unknown);
    CHECK(applied.availability_changed[0].after == devices::Availability::online);

    CHECK(apply(hub.registry, hub.adapter.handle("a/1", "online")).availability_changed.empty());

    applied = apply(hub.registry, hub.adapter.handle("a/1", "offline"));
    REQUIRE(applied.availability_changed.size() == 1);
    CHECK(applied.availability_changed[0].before == devices::Availability::online);
    CHECK(applied.availability_changed[0].after == devices::Availability::offline);
}

TEST_CASE(
    "An unsupported template makes the device unavailable with the reason and lists the entity") {
    Hub hub;
    auto& fx = hub.feed_json("homeassistant/switch/heater/config",
                             {{"command_topic", "heater/set"},
                              {"state_topic", "heater/state"},
                              {"unique_id", "heater"},
                              {"value_template", "{{ value_json.power | as_timestamp }}"}});
    REQUIRE(fx.upserts.size() == 1);
    REQUIRE(fx.problems.size() == 1);
    CHECK(fx.problems[0].problem.find("as_timestamp") != std::string::npos);
    CHECK(fx.unmapped_changed);
    const auto* d = hub.device("heater");
    REQUIRE(d != nullptr);
    CHECK_FALSE(d->problem.empty());
    REQUIRE(hub.adapter.unmapped().size() == 1);
    CHECK(hub.adapter.unmapped()[0].device.value == "heater");
    CHECK(hub.adapter.unmapped_json()[0]["reason"].get<std::string>().find("value_template") !=
          std::string::npos);

    auto& fixed = hub.feed_json("homeassistant/switch/heater/config",
                                {{"command_topic", "heater/set"},
                                 {"state_topic", "heater/state"},
                                 {"unique_id", "heater"},
                                 {"value_template", "{{ value_json.power }}"}});
    REQUIRE(fixed.problems.size() == 1);
    CHECK(fixed.problems[0].problem.empty());
    CHECK(hub.adapter.unmapped().empty());
}

TEST_CASE("A state arriving before a later entity is read again under the new description") {
    Hub hub;
    const auto dev = nlohmann::json::parse(R"({"identifiers": ["multi"]})");
    hub.feed_json("homeassistant/sensor/m/temp/config", {{"state_topic", "m/state"},
                                                         {"device_class", "temperature"},
                                                         {"value_template", "{{ value_json.t }}"},
                                                         {"device", dev}});
    hub.feed("m/state", R"({"t": 20.5, "h": 40})");
    auto& fx = hub.feed_json("homeassistant/sensor/m/hum/config",
                             {{"state_topic", "m/state"},
                              {"device_class", "humidity"},
                              {"value_template", "{{ value_json.h }}"},
                              {"device", dev}});
    CHECK(fx.subscribe.empty());
    CHECK(hub.device("multi")->state.at("humidity") == Value{40.0});
    CHECK(hub.device("multi")->state.at("temperature") == Value{20.5});
}

TEST_CASE("Bad discovery payloads are refused and change nothing") {
    Hub hub;
    CHECK(hub.feed("homeassistant/light/x/config", "{not json").errors.size() == 1);
    CHECK(hub.feed("homeassistant/light/x/config", "[1,2]").errors.size() == 1);
    CHECK(hub.registry.size() == 0);
    hub.feed_json("homeassistant/sensor/s/config",
                  {{"state_topic", "s/v"}, {"unique_id", "s"}, {"unit_of_measurement", "W"}});
    auto& fx = hub.feed("s/v", "not-a-number");
    CHECK(fx.states.empty());
    CHECK(fx.errors.size() == 1);
}

TEST_CASE("Platforms without a Hearth mapping are listed, not guessed") {
    Hub hub;
    auto& fx = hub.feed_json(
        "homeassistant/alarm_control_panel/house/config",
        {{"state_topic", "alarm/state"}, {"command_topic", "alarm/set"}, {"unique_id", "alarm"}});
    CHECK(fx.upserts.empty());
    CHECK(fx.unmapped_changed);
    REQUIRE(hub.adapter.unmapped().size() == 1);
    CHECK(hub.adapter.unmapped()[0].component == "alarm_control_panel");
}

TEST_CASE("Commands for other devices or unknown attributes are errors and publish nothing") {
    Hub hub;
    hub.feed_json("homeassistant/sensor/s/config",
                  {{"state_topic", "s/v"}, {"unique_id", "s"}, {"device_class", "temperature"}});
    auto other =
        hub.adapter.command(proto::DeviceId{"nope"}, proto::Command{{{"on", true}}, {}, {}});
    REQUIRE_FALSE(other.has_value());
    CHECK(other.error().code == proto::Errc::unknown_device);
    auto unknown =
        hub.adapter.command(proto::DeviceId{"s"}, proto::Command{{{"on", true}}, {}, {}});
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().code == proto::Errc::unknown_attribute);
    auto read_only = hub.adapter.command(proto::DeviceId{"s"},
                                         proto::Command{{{"temperature", Value{3.0}}}, {}, {}});
    REQUIRE_FALSE(read_only.has_value());
    CHECK(read_only.error().code == proto::Errc::read_only);
    CHECK(hub.adapter.owns(proto::DeviceId{"s"}));
    CHECK_FALSE(hub.adapter.owns(proto::DeviceId{"nope"}));
}

TEST_CASE("The birth message and the discovery subscriptions follow the configured prefix") {
    HaDiscovery adapter("ha");
    CHECK(adapter.birth() == Publish{"ha/status", "online", false});
    CHECK(adapter.subscriptions() == std::vector<std::string>{"ha/+/+/config", "ha/+/+/+/config"});
    CHECK(adapter.handle("ha/status", "online").empty());
}

TEST_CASE("Device ids are stable, valid and keep long identifiers apart") {
    CHECK(stable_device_id("zigbee2mqtt_0x000b57fffec6a5b2").value ==
          "zigbee2mqtt_0x000b57fffec6a5b2");
    CHECK(stable_device_id("Shelly Plug S (A1:B2)").value == "shelly_plug_s_a1_b2");
    const std::string long_a(80, 'a');
    const auto a = stable_device_id(long_a + "1");
    const auto b = stable_device_id(long_a + "2");
    CHECK(proto::is_valid_id(a.value));
    CHECK(a.value.size() == 64);
    CHECK(a != b);
    CHECK(a == stable_device_id(long_a + "1"));
    CHECK(proto::is_valid_id(stable_device_id("!!!").value));
}

TEST_CASE("Configs resent after the birth message change nothing") {
    Hub hub;
    const auto config = nlohmann::json{{"state_topic", "s/v"},
                                       {"unique_id", "s"},
                                       {"device_class", "temperature"},
                                       {"availability_topic", "s/avail"}};
    hub.feed_json("homeassistant/sensor/s/config", config);
    hub.feed("s/avail", "online");
    hub.feed("s/v", "21");
    REQUIRE(hub.adapter.on_connect() == std::vector<Publish>{hub.adapter.birth()});
    CHECK(hub.feed_json("homeassistant/sensor/s/config", config).empty());
    CHECK(hub.feed("s/avail", "online").empty());
    CHECK(hub.feed("s/v", "21").states.size() ==
          1);  // the registry, not the adapter, decides what changed
}

TEST_CASE("The three adapters share one interface and ignore each other's topics") {
    HaDiscovery ha;
    Zigbee2Mqtt z2m;
    Tasmota tasmota;
    const std::vector<Adapter*> all{&ha, &z2m, &tasmota};
    for (auto* a : all) {
        INFO(a->name());
        CHECK(a->handle("hearth/device/x/state", R"({"on":true})").empty());
        CHECK_FALSE(a->subscriptions().empty());
        CHECK(a->unmapped().empty());
    }
}

TEST_CASE("Rediscovery keeps the area and Chinese name the home gave a device") {
    Hub hub;
    const auto config = nlohmann::json{{"state_topic", "s/v"},
                                       {"unique_id", "s"},
                                       {"device_class", "temperature"},
                                       {"name", "Probe"}};
    hub.feed_json("homeassistant/sensor/s/config", config);
    auto named = hub.device("s")->description;
    named.area = proto::AreaId{"kitchen"};
    named.name.zh = "温度计";
    hub.registry.upsert(named);
    auto changed = config;
    changed["unit_of_measurement"] = "°C";
    changed["device_class"] = "humidity";
    hub.feed_json("homeassistant/sensor/s/config", changed);
    CHECK(hub.device("s")->description.find("humidity") != nullptr);
    CHECK(hub.device("s")->description.area.value == "kitchen");
    CHECK(hub.device("s")->description.name.zh == "温度计");
}

TEST_CASE("Entities without a state topic are optimistic: the hub assumes what it commanded") {
    Hub hub;
    hub.feed_json("homeassistant/switch/o/config",
                  {{"command_topic", "o/set"}, {"unique_id", "o"}});
    hub.feed_json("homeassistant/switch/p/config",
                  {{"command_topic", "p/set"}, {"state_topic", "p/state"}, {"unique_id", "p"}});
    const proto::Command on{{{"on", true}}, {}, {}};
    CHECK(hub.adapter.optimistic_state(proto::DeviceId{"o"}, on) ==
          proto::Attributes{{"on", true}});
    CHECK(hub.adapter.optimistic_state(proto::DeviceId{"p"}, on).empty());
    CHECK(hub.adapter.optimistic_state(proto::DeviceId{"nope"}, on).empty());
    hub.feed_json("homeassistant/switch/q/config", {{"command_topic", "q/set"},
                                                    {"state_topic", "q/state"},
                                                    {"optimistic", true},
                                                    {"unique_id", "q"}});
    CHECK(hub.adapter.optimistic_state(proto::DeviceId{"q"}, on) ==
          proto::Attributes{{"on", true}});
}

TEST_CASE("A device's suggested area becomes the home's area of that id or name") {
    Hub hub;
    hub.registry.upsert_area({proto::AreaId{"study"}, {"书房", "study"}});
    hub.registry.upsert_area({proto::AreaId{"living_room"}, {"客厅", "living room"}});
    const auto sensor = [](const char* id, const char* area) {
        return nlohmann::json{{"state_topic", std::string(id) + "/v"},
                              {"unique_id", id},
                              {"device_class", "temperature"},
                              {"dev", {{"ids", id}, {"sa", area}}}};
    };
    hub.feed_json("homeassistant/sensor/a/config", sensor("a", "study"));
    hub.feed_json("homeassistant/sensor/b/config", sensor("b", "客厅"));
    hub.feed_json("homeassistant/sensor/c/config", sensor("c", "Living Room"));
    hub.feed_json("homeassistant/sensor/d/config", sensor("d", "Garage"));
    REQUIRE(hub.device("a") != nullptr);
    CHECK(hub.device("a")->description.area.value == "study");
    CHECK(hub.device("b")->description.area.value == "living_room");
    CHECK(hub.device("c")->description.area.value == "living_room");
    CHECK(hub.device("d")->description.area.empty());

    // An area the home set stays, whatever the device suggests later.
    auto moved = hub.device("a")->description;
    moved.area = proto::AreaId{"living_room"};
    hub.registry.upsert(moved);
    auto changed = sensor("a", "study");
    changed["name"] = "Probe";
    hub.feed_json("homeassistant/sensor/a/config", changed);
    CHECK(hub.device("a")->description.area.value == "living_room");
}
