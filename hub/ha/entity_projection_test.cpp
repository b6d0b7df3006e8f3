#include "hub/ha/entity_projection.hpp"

#include <catch2/catch.hpp>

#include "proto/device.hpp"

using namespace hearth;
using namespace hearth::hub::ha;
using nlohmann::json;

namespace {

devices::Device device(const json& description, proto::Attributes state = {}) {
    auto d = proto::description_from_json(description);
    REQUIRE(d.has_value());
    devices::Device out;
    out.description = std::move(*d);
    out.state = std::move(state);
    out.availability = devices::Availability::online;
    return out;
}

devices::Device ceiling_light(proto::Attributes state = {{"on", true}, {"brightness", 40.0}, {"color_temp", 4000.0}}) {
    return device({{"id", "bedroom.ceiling_light"}, {"name", {{"zh", "卧室灯"}, {"en", "bedroom light"}}}, {"area", "bedroom"},
                   {"kind", "light"}, {"capabilities", {"on", "brightness", "color_temp", "transition"}}},
                  std::move(state));
}

EntityRef main_entity(const devices::Device& d) { return entities_of(d.description).front(); }

}  // namespace

TEST_CASE("A device id becomes an entity id slug: lower case, other characters one underscore") {
    CHECK(slug("bedroom.ceiling_light") == "bedroom_ceiling_light");
    CHECK(slug("Living Room..TV!") == "living_room_tv");
    CHECK(slug("卧室") == "unnamed");
}

TEST_CASE("A light is one light entity whose brightness is 0-255 and colour temperature in kelvin and mireds") {
    const auto light = ceiling_light();
    const auto entities = entities_of(light.description);
    REQUIRE(entities.size() == 1);
    CHECK(entities[0].entity_id == "light.bedroom_ceiling_light");
    const auto s = state_of(entities[0], light);
    CHECK(s.state == "on");
    CHECK(s.attributes["brightness"] == 102);  // 40 % of 255
    CHECK(s.attributes["color_temp_kelvin"] == 4000);
    CHECK(s.attributes["color_temp"] == 250);
    CHECK(s.attributes["color_mode"] == "color_temp");
    CHECK(s.attributes["supported_color_modes"] == json::array({"color_temp"}));
    CHECK(s.attributes["friendly_name"] == "bedroom light");
    CHECK(s.attributes["supported_features"] == 32);
}

TEST_CASE("A light that is off shows no brightness or colour mode, as Home Assistant's do") {
    const auto light = ceiling_light({{"on", false}, {"brightness", 40.0}});
    const auto s = state_of(main_entity(light), light);
    CHECK(s.state == "off");
    CHECK(s.attributes["brightness"].is_null());
    CHECK(s.attributes["color_mode"].is_null());
}

TEST_CASE("An offline device's entities are unavailable") {
    auto light = ceiling_light();
    light.availability = devices::Availability::offline;
    CHECK(state_of(main_entity(light), light).state == "unavailable");
}

TEST_CASE("light.turn_on takes brightness_pct, brightness 0-255, kelvin, mireds and transition") {
    const auto light = ceiling_light();
    const auto e = main_entity(light);
    auto c = command_for(e, light, "light", "turn_on", {{"brightness_pct", 40}});
    REQUIRE(c.has_value());
    CHECK(c->set == proto::Attributes{{"on", true}, {"brightness", 40.0}});
    c = command_for(e, light, "light", "turn_on", {{"brightness", 255}, {"color_temp_kelvin", 3000}, {"transition", 2}});
    REQUIRE(c.has_value());
    CHECK(c->set == proto::Attributes{{"on", true}, {"brightness", 100.0}, {"color_temp", 3000.0}});
    CHECK(c->transition == 2.0);
    c = command_for(e, light, "light", "turn_on", {{"color_temp", 250}});
    REQUIRE(c.has_value());
    CHECK(c->set.at("color_temp") == proto::Value(4000.0));
    c = command_for(e, light, "light", "turn_on", {{"brightness_step_pct", -50}});
    REQUIRE(c.has_value());
    CHECK(c->set == proto::Attributes{{"on", false}});  // 40 - 50: Home Assistant turns it off at 0
}

TEST_CASE("A service call with an unknown field, a wrong type or a value out of range is refused naming the field") {
    const auto light = ceiling_light();
    const auto e = main_entity(light);
    auto c = command_for(e, light, "light", "turn_on", {{"flash", "long"}});
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().field == "flash");
    c = command_for(e, light, "light", "turn_on", {{"brightness_pct", "high"}});
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().field == "brightness_pct");
    c = command_for(e, light, "light", "turn_on", {{"brightness", 300}});
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().code == proto::Errc::invalid_field);
}

TEST_CASE("A service the entity's domain does not have is not_found") {
    const auto light = ceiling_light();
    const auto c = command_for(main_entity(light), light, "light", "open_cover", json::object());
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().code == proto::Errc::not_found);
    CHECK_FALSE(command_for(main_entity(light), light, "lock", "lock", json::object()).has_value());
}

TEST_CASE("An air conditioner is a climate entity: off or its hvac mode, with target and current temperature") {
    const auto ac = device({{"id", "bedroom.ac"}, {"name", "bedroom AC"}, {"area", "bedroom"}, {"kind", "air_conditioner"},
                            {"capabilities", {"on", "hvac_mode", "target_temperature", "fan_speed", "temperature"}}},
                           {{"on", true}, {"hvac_mode", "cool"}, {"target_temperature", 26.0}, {"temperature", 28.5},
                            {"fan_speed", "low"}});
    const auto e = main_entity(ac);
    CHECK(e.entity_id == "climate.bedroom_ac");
    const auto s = state_of(e, ac);
    CHECK(s.state == "cool");
    CHECK(s.attributes["hvac_modes"] == json::array({"off", "cool", "heat", "auto", "dry", "fan_only"}));
    CHECK(s.attributes["temperature"] == 26);
    CHECK(s.attributes["current_temperature"] == 28.5);
    CHECK(s.attributes["fan_mode"] == "low");
    auto c = command_for(e, ac, "climate", "set_hvac_mode", {{"hvac_mode", "off"}});
    REQUIRE(c.has_value());
    CHECK(c->set == proto::Attributes{{"on", false}});
    c = command_for(e, ac, "climate", "set_temperature", {{"temperature", 24}, {"hvac_mode", "heat"}});
    REQUIRE(c.has_value());
    CHECK(c->set == proto::Attributes{{"on", true}, {"hvac_mode", "heat"}, {"target_temperature", 24.0}});
}

TEST_CASE("A sensor device is one sensor per reading, with unit and device class") {
    const auto sensor = device({{"id", "bedroom.climate_sensor"}, {"name", "bedroom climate sensor"}, {"area", "bedroom"},
                                {"kind", "climate_sensor"}, {"capabilities", {"temperature", "humidity", "battery"}}},
                               {{"temperature", 26.5}, {"humidity", 40.0}});
    const auto entities = entities_of(sensor.description);
    REQUIRE(entities.size() == 3);
    CHECK(entities[0].entity_id == "sensor.bedroom_climate_sensor_temperature");
    const auto s = state_of(entities[0], sensor);
    CHECK(s.state == "26.5");
    CHECK(s.attributes["unit_of_measurement"] == "°C");
    CHECK(s.attributes["device_class"] == "temperature");
    CHECK(s.attributes["state_class"] == "measurement");
    CHECK(state_of(entities[2], sensor).state == "unknown");  // no battery reading yet
}

TEST_CASE("A door contact is a door binary_sensor that is on when the door is open") {
    const auto contact = device({{"id", "entrance.door_contact"}, {"name", "front door"}, {"area", "entrance"},
                                 {"kind", "contact_sensor"}, {"capabilities", {"contact"}}},
                                {{"contact", true}});
    const auto e = entities_of(contact.description).front();
    CHECK(e.entity_id == "binary_sensor.entrance_door_contact_contact");
    const auto s = state_of(e, contact);
    CHECK(s.state == "off");  // contact = closed
    CHECK(s.attributes["device_class"] == "door");
}

TEST_CASE("Speaker, curtain, lock, purifier and vacuum take their domains' services") {
    const auto speaker = device({{"id", "bedroom.speaker"}, {"name", "speaker"}, {"area", "bedroom"}, {"kind", "speaker"},
                                 {"capabilities", {"playback", "volume", "media", "skip"}}},
                                {{"playback", "stopped"}, {"volume", 20.0}});
    CHECK(state_of(main_entity(speaker), speaker).state == "idle");
    CHECK(state_of(main_entity(speaker), speaker).attributes["volume_level"] == 0.2);
    auto c = command_for(main_entity(speaker), speaker, "media_player", "volume_set", {{"volume_level", 0.35}});
    REQUIRE(c.has_value());
    CHECK(c->set == proto::Attributes{{"volume", 35.0}});

    const auto curtain = device({{"id", "bedroom.curtain"}, {"name", "curtain"}, {"area", "bedroom"}, {"kind", "curtain"},
                                 {"capabilities", {"position"}}},
                                {{"position", 0.0}});
    CHECK(state_of(main_entity(curtain), curtain).state == "closed");
    c = command_for(main_entity(curtain), curtain, "cover", "open_cover", json::object());
    REQUIRE(c.has_value());
    CHECK(c->set == proto::Attributes{{"position", 100.0}});

    const auto lock = device({{"id", "entrance.door_lock"}, {"name", "lock"}, {"area", "entrance"}, {"kind", "lock"},
                              {"capabilities", {"locked", "battery"}}},
                             {{"locked", true}});
    CHECK(state_of(main_entity(lock), lock).state == "locked");
    CHECK(entities_of(lock.description).size() == 2);  // and the battery sensor
    c = command_for(main_entity(lock), lock, "lock", "unlock", json::object());
    REQUIRE(c.has_value());
    CHECK(c->set == proto::Attributes{{"locked", false}});

    const auto purifier = device({{"id", "living_room.air_purifier"}, {"name", "purifier"}, {"area", "living_room"},
                                  {"kind", "air_purifier"}, {"capabilities", {"on", "mode", "fan_speed", "pm25"}}},
                                 {{"on", true}, {"fan_speed", "medium"}, {"mode", "auto"}});
    CHECK(state_of(main_entity(purifier), purifier).attributes["percentage"] == 67);
    c = command_for(main_entity(purifier), purifier, "fan", "set_percentage", {{"percentage", 90}});
    REQUIRE(c.has_value());
    CHECK(c->set == proto::Attributes{{"on", true}, {"fan_speed", "high"}});

    const auto vacuum = device({{"id", "living_room.vacuum"}, {"name", "vacuum"}, {"area", "living_room"}, {"kind", "vacuum"},
                                {"capabilities", {"cleaning", "battery"}}},
                               {{"cleaning", false}, {"battery", 80.0}});
    CHECK(state_of(main_entity(vacuum), vacuum).state == "docked");
    CHECK(state_of(main_entity(vacuum), vacuum).attributes["battery_level"] == 80);
    c = command_for(main_entity(vacuum), vacuum, "vacuum", "start", json::object());
    REQUIRE(c.has_value());
    CHECK(c->set == proto::Attributes{{"cleaning", true}});
}

TEST_CASE("homeassistant.turn_off works on any main entity") {
    const auto light = ceiling_light();
    const auto c = command_for(main_entity(light), light, "homeassistant", "turn_off", json::object());
    REQUIRE(c.has_value());
    CHECK(c->set == proto::Attributes{{"on", false}});
}

TEST_CASE("get_services lists every domain's services with their fields") {
    const auto s = services_json();
    CHECK(s["light"]["turn_on"]["fields"].contains("brightness_pct"));
    CHECK(s["climate"].contains("set_hvac_mode"));
    CHECK(s["cover"].contains("set_cover_position"));
}
