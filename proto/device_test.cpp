#include "proto/device.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::proto;

TEST_CASE("A device description survives a round trip through JSON") {
    const auto j = nlohmann::json::parse(R"({
        "id": "bedroom.ceiling_light", "name": {"zh": "卧室灯", "en": "bedroom light"},
        "area": "bedroom", "kind": "light", "capabilities": ["on", "brightness", "color_temp"]})");
    const auto d = description_from_json(j);
    REQUIRE(d.has_value());
    CHECK(d->id.value == "bedroom.ceiling_light");
    CHECK(d->name.zh == "卧室灯");
    CHECK(d->kind == DeviceKind::light);
    REQUIRE(d->find("brightness"));
    const auto again = description_from_json(to_json(*d));
    REQUIRE(again.has_value());
    CHECK(*again == *d);
}

TEST_CASE("A device class survives a round trip and is left out when not said") {
    const auto d = description_from_json(nlohmann::json{{"id", "lr.window"}, {"kind", "curtain"}, {"device_class", "window"}});
    REQUIRE(d.has_value());
    CHECK(d->device_class == "window");
    CHECK(to_json(*d)["device_class"] == "window");
    CHECK(description_from_json(to_json(*d))->device_class == "window");
    const auto plain = description_from_json(nlohmann::json{{"id", "lr.curtain"}, {"kind", "curtain"}});
    REQUIRE(plain.has_value());
    CHECK_FALSE(to_json(*plain).contains("device_class"));
}

TEST_CASE("A device class that is not text is refused naming the field") {
    const auto d = description_from_json(nlohmann::json{{"id", "x"}, {"device_class", 3}});
    REQUIRE(d.has_error());
    CHECK(d.error().field == "device_class");
}

TEST_CASE("A description with an invalid id is refused naming the id field") {
    const auto d = description_from_json(nlohmann::json{{"id", "Bad Id/#"}});
    REQUIRE(d.has_error());
    CHECK(d.error().field == "id");
}

TEST_CASE("A description with an unknown kind is refused naming the kind field") {
    const auto d = description_from_json(nlohmann::json{{"id", "x"}, {"kind", "spaceship"}});
    REQUIRE(d.has_error());
    CHECK(d.error().field == "kind");
}

TEST_CASE("A description listing a capability twice is refused") {
    const auto d = description_from_json(nlohmann::json{{"id", "x"}, {"capabilities", {"on", "on"}}});
    REQUIRE(d.has_error());
    CHECK(d.error().code == Errc::invalid_field);
}

TEST_CASE("Every device kind has a name that reads back as the same kind") {
    for (int k = 0; k <= static_cast<int>(DeviceKind::other); ++k) {
        const auto kind = static_cast<DeviceKind>(k);
        CHECK(device_kind_from(to_string(kind)) == kind);
    }
}
