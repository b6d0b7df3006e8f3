#include "sim/zigbee2mqtt_style.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "devices/adapters/ha_discovery.hpp"
#include "proto/command.hpp"

using namespace hearth;
using namespace hearth::sim;
using nlohmann::json;

namespace {

proto::DeviceDescription describe(json j) {
    auto d = proto::description_from_json(j);
    REQUIRE(d.has_value());
    return std::move(*d);
}

proto::DeviceDescription reading_lamp() {
    return describe(json{{"id", "study.reading_lamp"},
                         {"name", {{"zh", "阅读灯"}, {"en", "reading lamp"}}},
                         {"area", "study"},
                         {"kind", "light"},
                         {"capabilities", {"on", "brightness", "color_temp", "transition"}}});
}

json config_on(const std::vector<StyledMessage>& messages, const std::string& topic) {
    for (const auto& m : messages)
        if (m.topic == topic) return json::parse(m.payload);
    FAIL("no discovery config on " << topic);
    return {};
}

json command(const Zigbee2MqttStyle& style, std::string_view payload,
             const proto::Attributes& state = {}) {
    auto r = style.command_payload(payload, state);
    REQUIRE(r.has_value());
    return json::parse(*r);
}

}  // namespace

TEST_CASE("A device's Zigbee2MQTT name and IEEE address follow from its id, stably") {
    const Zigbee2MqttStyle style(reading_lamp());
    CHECK(style.friendly_name() == "study_reading_lamp");
    CHECK(style.ieee_address() == ieee_address_for(proto::DeviceId{"study.reading_lamp"}));
    CHECK(style.ieee_address().size() == 18);
    CHECK(style.ieee_address().starts_with("0x"));
    CHECK(ieee_address_for(proto::DeviceId{"a.b"}) != ieee_address_for(proto::DeviceId{"a.c"}));
    CHECK(style.state_topic() == "zigbee2mqtt/study_reading_lamp");
    CHECK(style.set_topic() == "zigbee2mqtt/study_reading_lamp/set");
    CHECK(style.availability_topic() == "zigbee2mqtt/study_reading_lamp/availability");
}

TEST_CASE("A light is announced as a JSON-schema light with Zigbee2MQTT's shape") {
    const Zigbee2MqttStyle style(reading_lamp());
    const auto ieee = style.ieee_address();
    const auto messages = style.discovery();
    REQUIRE(messages.size() == 1);
    const auto c = config_on(messages, "homeassistant/light/" + ieee + "/light/config");
    CHECK(c["schema"] == "json");
    CHECK(c["brightness"] == true);
    CHECK(c["brightness_scale"] == 254);
    CHECK(c["min_mireds"] == 154);
    CHECK(c["max_mireds"] == 500);
    CHECK(c["supported_color_modes"] == json::array({"color_temp"}));
    CHECK(c["state_topic"] == "zigbee2mqtt/study_reading_lamp");
    CHECK(c["command_topic"] == "zigbee2mqtt/study_reading_lamp/set");
    CHECK(c["unique_id"] == ieee + "_light_zigbee2mqtt");
    CHECK(c["availability"][0]["topic"] == "zigbee2mqtt/study_reading_lamp/availability");
    CHECK(c["availability"][0]["value_template"] == "{{ value_json.state }}");
    CHECK(c["device"]["identifiers"] == json::array({"zigbee2mqtt_" + ieee}));
    CHECK(c["device"]["name"] == "reading lamp");
    CHECK(c["device"]["suggested_area"] == "study");
    CHECK(c["device"].contains("manufacturer"));
    CHECK(c["device"].contains("model"));
}

TEST_CASE("Plugs, sensors, covers and locks get one discovery config per capability") {
    const Zigbee2MqttStyle plug(describe(json{{"id", "kitchen.plug"},
                                              {"area", "kitchen"},
                                              {"kind", "switch"},
                                              {"capabilities", {"on", "power"}}}));
    const auto p = plug.discovery();
    REQUIRE(p.size() == 2);
    const auto sw = config_on(p, "homeassistant/switch/" + plug.ieee_address() + "/switch/config");
    CHECK(sw["payload_on"] == "ON");
    CHECK(sw["payload_off"] == "OFF");
    CHECK(sw["value_template"] == "{{ value_json[\"state\"] }}");
    const auto power =
        config_on(p, "homeassistant/sensor/" + plug.ieee_address() + "/power/config");
    CHECK(power["unit_of_measurement"] == "W");
    CHECK(power["device_class"] == "power");

    const Zigbee2MqttStyle presence(describe(json{{"id", "bathroom.presence"},
                                                  {"kind", "presence_sensor"},
                                                  {"capabilities", {"occupancy", "illuminance"}}}));
    const auto occupancy =
        config_on(presence.discovery(),
                  "homeassistant/binary_sensor/" + presence.ieee_address() + "/occupancy/config");
    CHECK(occupancy["payload_on"] == true);
    CHECK(occupancy["payload_off"] == false);
    CHECK(occupancy["value_template"] == "{{ value_json[\"occupancy\"] }}");

    const Zigbee2MqttStyle curtain(describe(
        json{{"id", "bedroom.curtain"}, {"kind", "curtain"}, {"capabilities", {"position"}}}));
    const auto cover = config_on(curtain.discovery(),
                                 "homeassistant/cover/" + curtain.ieee_address() + "/cover/config");
    CHECK(cover["position_topic"] == "zigbee2mqtt/bedroom_curtain");
    CHECK(cover["set_position_topic"] == "zigbee2mqtt/bedroom_curtain/set");

    const Zigbee2MqttStyle lock(describe(json{
        {"id", "entrance.door_lock"}, {"kind", "lock"}, {"capabilities", {"locked", "battery"}}}));
    CHECK(lock.discovery().size() == 2);
    CHECK(command(lock, "UNLOCK") == json{{"locked", false}});
}

TEST_CASE("Kinds Zigbee2MQTT does not carry stay native") {
    CHECK(Zigbee2MqttStyle::can_present(reading_lamp()));
    for (const char* kind : {"air_conditioner", "speaker", "tv", "vacuum", "air_purifier"}) {
        CAPTURE(kind);
        CHECK_FALSE(Zigbee2MqttStyle::can_present(
            describe(json{{"id", "x.y"}, {"kind", kind}, {"capabilities", {"on"}}})));
    }
}

TEST_CASE("The Zigbee2MQTT state carries ON/OFF, brightness 0–254 and mireds") {
    const Zigbee2MqttStyle style(reading_lamp());
    const auto j = json::parse(
        style.state_payload({{"on", true}, {"brightness", 50.0}, {"color_temp", 4000.0}}));
    CHECK(j["state"] == "ON");
    CHECK(j["brightness"] == 127);
    CHECK(j["color_temp"] == 250);
    CHECK(j["color_mode"] == "color_temp");
    CHECK(json::parse(style.state_payload({{"on", false}, {"brightness", 100.0}}))["brightness"] ==
          254);

    const Zigbee2MqttStyle door(describe(json{{"id", "entrance.door_contact"},
                                              {"kind", "contact_sensor"},
                                              {"capabilities", {"contact"}}}));
    CHECK(json::parse(door.state_payload({{"contact", false}})) == json{{"contact", false}});
}

TEST_CASE("A Zigbee2MQTT set payload becomes a Hearth command") {
    const Zigbee2MqttStyle style(reading_lamp());
    CHECK(command(style, R"({"state":"ON","brightness":127})") ==
          json{{"on", true}, {"brightness", 50.0}});
    CHECK(command(style, R"({"color_temp":250,"transition":2})") ==
          json{{"color_temp", 4000.0}, {"transition", 2}});
    CHECK(command(style, "OFF") == json{{"on", false}});
    CHECK(command(style, R"({"state":"TOGGLE"})", {{"on", true}}) == json{{"on", false}});

    const Zigbee2MqttStyle curtain(describe(
        json{{"id", "bedroom.curtain"}, {"kind", "curtain"}, {"capabilities", {"position"}}}));
    CHECK(command(curtain, R"({ "position": 30 })") == json{{"position", 30}});
    CHECK(command(curtain, "CLOSE") == json{{"position", 0.0}});
}

TEST_CASE("A set payload the device cannot take is refused with the field named") {
    const Zigbee2MqttStyle style(reading_lamp());
    auto r = style.command_payload(R"({"volume":3})", {});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == proto::Errc::unknown_attribute);
    CHECK(r.error().field == "volume");
    r = style.command_payload(R"({"state":"LOCK"})", {});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "state");
    r = style.command_payload(R"([1,2])", {});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == proto::Errc::bad_json);
}

TEST_CASE("The hub's discovery adapter reads the presentation back as the same device") {
    const Zigbee2MqttStyle style(reading_lamp());
    devices::adapters::HaDiscovery ha;
    for (const auto& m : style.discovery()) (void)ha.handle(m.topic, m.payload);
    (void)ha.handle(style.availability_topic(), Zigbee2MqttStyle::online_payload());
    const auto fx = ha.handle(
        style.state_topic(),
        style.state_payload({{"on", true}, {"brightness", 50.0}, {"color_temp", 4000.0}}));

    const proto::DeviceId id{"zigbee2mqtt_" + style.ieee_address()};
    const auto* d = ha.find(id);
    REQUIRE(d != nullptr);
    CHECK(d->kind == proto::DeviceKind::light);
    CHECK(d->name.en == "reading lamp");
    REQUIRE(fx.states.size() == 1);
    CHECK(fx.states[0].attributes.at("on") == proto::Value(true));
    CHECK(std::abs(*proto::as_number(fx.states[0].attributes.at("brightness")) - 50) <= 1);

    // A Hearth command through the adapter, then back through the style, is the same command.
    auto hearth =
        proto::command_from_json(json{{"on", true}, {"brightness", 30}, {"color_temp", 3000}});
    REQUIRE(hearth.has_value());
    auto out = ha.command(id, *hearth);
    REQUIRE(out.has_value());
    REQUIRE(out->size() == 1);
    CHECK((*out)[0].topic == style.set_topic());
    const auto back = command(style, (*out)[0].payload);
    CHECK(back["on"] == true);
    CHECK(back["brightness"] == 30.0);
    CHECK(std::abs(back["color_temp"].get<double>() - 3000) <= 10);
}
