#include "devices/registry.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth;
using namespace hearth::devices;
using proto::DeviceId;
using proto::Errc;

namespace {

proto::DeviceDescription light(const std::string& id, const std::string& area = "bedroom") {
    auto d = proto::description_from_json(nlohmann::json{
        {"id", id}, {"area", area}, {"kind", "light"}, {"capabilities", {"on", "brightness", "transition"}}});
    return d.value();
}

proto::DeviceDescription climate_sensor(const std::string& id) {
    return proto::description_from_json(nlohmann::json{{"id", id},
                                                      {"area", "bedroom"},
                                                      {"kind", "climate_sensor"},
                                                      {"capabilities", {"temperature", "humidity"}}})
        .value();
}

proto::Command command(const char* json) { return proto::command_from_json(nlohmann::json::parse(json)).value(); }

}  // namespace

TEST_CASE("Upserting the same description twice reports it unchanged") {
    Registry r;
    CHECK(r.upsert(light("a")) == Upsert::added);
    CHECK(r.upsert(light("a")) == Upsert::unchanged);
    CHECK(r.upsert(light("a", "kitchen")) == Upsert::updated);
    CHECK(r.find(DeviceId{"a"})->description.area.value == "kitchen");
}

TEST_CASE("Devices are listed by area, kind and capability") {
    Registry r;
    r.upsert(light("a"));
    r.upsert(light("b", "kitchen"));
    r.upsert(climate_sensor("c"));
    CHECK(r.list().size() == 3);
    CHECK(r.list({.area = proto::AreaId{"bedroom"}}).size() == 2);
    CHECK(r.list({.kind = proto::DeviceKind::light}).size() == 2);
    CHECK(r.list({.capability = "temperature"}).size() == 1);
    CHECK(r.list({.area = proto::AreaId{"kitchen"}, .kind = proto::DeviceKind::climate_sensor}).empty());
}

TEST_CASE("A state update yields change events only for attributes that really changed") {
    Registry r;
    r.upsert(light("a"));
    const auto first = r.apply_state(DeviceId{"a"}, {{"on", true}, {"brightness", 40.0}}, "ctx-1");
    REQUIRE(first.has_value());
    CHECK(first->changes.size() == 2);
    CHECK(first->changes[0].version == 1);
    const auto same = r.apply_state(DeviceId{"a"}, {{"on", true}, {"brightness", 40.0}});
    REQUIRE(same.has_value());
    CHECK(same->changes.empty());
    CHECK(r.find(DeviceId{"a"})->version == 1);
    const auto dim = r.apply_state(DeviceId{"a"}, {{"on", true}, {"brightness", 10.0}});
    REQUIRE(dim->changes.size() == 1);
    CHECK(dim->changes[0].attribute == "brightness");
    CHECK(dim->changes[0].old_value == proto::Value{40.0});
    CHECK(r.find(DeviceId{"a"})->version == 2);
    CHECK(r.find(DeviceId{"a"})->last_context_id == "ctx-1");
}

TEST_CASE("Reported attributes the device lacks or of the wrong type are refused one by one") {
    Registry r;
    r.upsert(light("a"));
    const auto u = r.apply_state(DeviceId{"a"}, {{"on", std::string("yes")}, {"warp", 9.0}, {"brightness", 5.0}});
    REQUIRE(u.has_value());
    CHECK(u->changes.size() == 1);
    REQUIRE(u->rejected.size() == 2);
    CHECK(r.find(DeviceId{"a"})->state.count("on") == 0);
}

TEST_CASE("A reported value outside the device's own range is refused and the rest of the report applied") {
    Registry r;
    r.upsert(light("a"));
    const auto u = r.apply_state(DeviceId{"a"}, {{"brightness", 100000.0}, {"on", true}});
    REQUIRE(u.has_value());
    REQUIRE(u->rejected.size() == 1);
    CHECK(u->rejected[0].code == Errc::out_of_range);
    CHECK(u->rejected[0].field == "brightness");
    CHECK(r.find(DeviceId{"a"})->state.count("brightness") == 0);
    CHECK(r.find(DeviceId{"a"})->state.at("on") == proto::Value{true});
}

TEST_CASE("A reported null says the attribute is unknown and is taken") {
    Registry r;
    r.upsert(light("a"));
    REQUIRE(r.apply_state(DeviceId{"a"}, {{"brightness", 40.0}}).has_value());
    const auto u = r.apply_state(DeviceId{"a"}, {{"brightness", proto::Value{}}});
    REQUIRE(u.has_value());
    CHECK(u->rejected.empty());
    CHECK(proto::is_null(r.find(DeviceId{"a"})->state.at("brightness")));
}

TEST_CASE("State for an unknown device is an unknown_device error") {
    Registry r;
    CHECK(r.apply_state(DeviceId{"ghost"}, {{"on", true}}).error().code == Errc::unknown_device);
    CHECK(r.set_availability(DeviceId{"ghost"}, Availability::online).error().code == Errc::unknown_device);
}

TEST_CASE("A valid command passes validation unchanged") {
    Registry r;
    r.upsert(light("a"));
    const auto c = r.validate(DeviceId{"a"}, command(R"({"brightness": 30, "transition": 2})"));
    REQUIRE(c.has_value());
    CHECK(c->set.at("brightness") == proto::Value{30.0});
    CHECK(*c->transition == 2);
}

TEST_CASE("A command is refused with the specific reason and the offending attribute") {
    Registry r;
    r.upsert(light("a"));
    r.upsert(climate_sensor("c"));
    SECTION("unknown attribute") {
        const auto e = r.validate(DeviceId{"a"}, command(R"({"volume": 3})")).error();
        CHECK(e.code == Errc::unknown_attribute);
        CHECK(e.field == "volume");
    }
    SECTION("wrong type") {
        CHECK(r.validate(DeviceId{"a"}, command(R"({"on": 1})")).error().code == Errc::wrong_type);
    }
    SECTION("out of range") {
        CHECK(r.validate(DeviceId{"a"}, command(R"({"brightness": 101})")).error().code == Errc::out_of_range);
    }
    SECTION("read-only") {
        CHECK(r.validate(DeviceId{"c"}, command(R"({"temperature": 20})")).error().code == Errc::read_only);
    }
    SECTION("unknown device") {
        CHECK(r.validate(DeviceId{"zz"}, command(R"({"on": true})")).error().code == Errc::unknown_device);
    }
    SECTION("offline device") {
        REQUIRE(r.set_availability(DeviceId{"a"}, Availability::offline).value());
        CHECK(r.validate(DeviceId{"a"}, command(R"({"on": true})")).error().code == Errc::device_unavailable);
    }
    SECTION("device with a problem") {
        r.set_problem(DeviceId{"a"}, "template cannot be handled");
        const auto e = r.validate(DeviceId{"a"}, command(R"({"on": true})")).error();
        CHECK(e.code == Errc::device_unavailable);
        CHECK(e.message.find("template") != std::string::npos);
    }
}

TEST_CASE("A transition is dropped for devices that do not declare it") {
    Registry r;
    r.upsert(climate_sensor("c"));
    auto d = light("plain");
    std::erase_if(d.capabilities, [](const auto& c) { return c.attribute == "transition"; });
    r.upsert(d);
    const auto c = r.validate(DeviceId{"plain"}, command(R"({"on": true, "transition": 3})"));
    REQUIRE(c.has_value());
    CHECK_FALSE(c->transition);
}

TEST_CASE("Replacing a description drops state of capabilities it no longer has") {
    Registry r;
    r.upsert(light("a"));
    REQUIRE(r.apply_state(DeviceId{"a"}, {{"on", true}, {"brightness", 20.0}}).has_value());
    auto d = light("a");
    std::erase_if(d.capabilities, [](const auto& c) { return c.attribute == "brightness"; });
    r.upsert(d);
    CHECK(r.find(DeviceId{"a"})->state.count("brightness") == 0);
    CHECK(r.find(DeviceId{"a"})->state.count("on") == 1);
}

TEST_CASE("An area removed from the registry is no longer found or listed") {
    Registry r;
    proto::Area study;
    study.id = proto::AreaId{"study"};
    study.name.en = "study";
    r.upsert_area(study);
    REQUIRE(r.find_area(study.id) != nullptr);
    CHECK(r.remove_area(study.id));
    CHECK(r.find_area(study.id) == nullptr);
    CHECK(r.areas().empty());
    CHECK_FALSE(r.remove_area(study.id));
}
