#include "devices/adapters/native.hpp"

#include <catch2/catch.hpp>

using namespace hearth;
using namespace hearth::devices;
using namespace hearth::devices::adapters;

namespace {

const char* kLamp = R"({"id":"hall.lamp","area":"hall","kind":"light","capabilities":["on","brightness"]})";

struct NativeHome {
    Registry registry;
    Native native{"hearth", registry};

    Effects take(std::string_view topic, std::string_view payload) {
        auto fx = native.handle(topic, payload);
        apply(registry, fx);
        return fx;
    }
};

}  // namespace

TEST_CASE("A native description, state with its context, availability and event become effects") {
    NativeHome h;
    auto fx = h.take("hearth/device/hall.lamp/config", kLamp);
    REQUIRE(fx.upserts.size() == 1);
    CHECK(h.native.owns(proto::DeviceId{"hall.lamp"}));
    fx = h.take("hearth/device/hall.lamp/state", R"({"on":true,"brightness":40,"context_id":"r-1.1"})");
    REQUIRE(fx.states.size() == 1);
    CHECK(fx.states[0].context_id == "r-1.1");
    CHECK(fx.states[0].attributes.size() == 2);
    fx = h.take("hearth/device/hall.lamp/availability", "online");
    REQUIRE(fx.availability.size() == 1);
    CHECK(fx.availability[0].availability == Availability::online);
    fx = h.take("hearth/device/hall.lamp/event", R"({"event":"pressed","count":2,"nested":{"x":1}})");
    REQUIRE(fx.events.size() == 1);
    CHECK(fx.events[0].name == "pressed");
    CHECK(fx.events[0].attributes.size() == 1);
}

TEST_CASE("State and availability that come before the description are delivered with it") {
    NativeHome h;
    CHECK(h.take("hearth/device/hall.lamp/state", R"({"on":true})").empty());
    CHECK(h.take("hearth/device/hall.lamp/availability", "online").empty());
    const auto fx = h.take("hearth/device/hall.lamp/config", kLamp);
    CHECK(fx.upserts.size() == 1);
    CHECK(fx.states.size() == 1);
    CHECK(fx.availability.size() == 1);
    CHECK(h.registry.find(proto::DeviceId{"hall.lamp"})->availability == Availability::online);
}

TEST_CASE("Bad native payloads are refused with a reason and change nothing") {
    NativeHome h;
    h.take("hearth/device/hall.lamp/config", kLamp);
    for (const auto& [topic, payload] : std::vector<std::pair<std::string, std::string>>{
             {"hearth/device/hall.lamp/state", "[1]"},
             {"hearth/device/hall.lamp/state", R"({"on":{"deep":true}})"},
             {"hearth/device/hall.lamp/state", "{"},
             {"hearth/device/hall.lamp/availability", "maybe"},
             {"hearth/device/hall.lamp/event", R"({"event":5})"},
             {"hearth/device/ghost/event", R"({"event":"x"})"},
             {"hearth/device/hall.lamp/config", R"({"id":"other.lamp","kind":"light","capabilities":["on"]})"},
         }) {
        INFO(topic << " " << payload);
        const auto fx = h.take(topic, payload);
        CHECK(fx.errors.size() == 1);
        CHECK(fx.states.empty());
        CHECK(fx.upserts.empty());
    }
    CHECK(h.registry.find(proto::DeviceId{"hall.lamp"})->state.empty());
}

TEST_CASE("An empty description removes the device, and other topics are not the native adapter's") {
    NativeHome h;
    h.take("hearth/device/hall.lamp/config", kLamp);
    const auto fx = h.take("hearth/device/hall.lamp/config", "");
    REQUIRE(fx.removals.size() == 1);
    CHECK_FALSE(h.registry.find(proto::DeviceId{"hall.lamp"}));
    CHECK_FALSE(h.native.follows("zigbee2mqtt/bridge/devices"));
    CHECK(h.native.follows("hearth/device/x/state"));
    CHECK(h.native.handle("zigbee2mqtt/bridge/devices", "[]").empty());
}

TEST_CASE("A native command goes to the device's set topic with its context id") {
    NativeHome h;
    proto::Command c;
    c.set.emplace("on", proto::Value{true});
    c.context_id = "app-1";
    const auto out = h.native.command(proto::DeviceId{"hall.lamp"}, c);
    REQUIRE(out.has_value());
    REQUIRE(out->size() == 1);
    CHECK((*out)[0].topic == "hearth/device/hall.lamp/set");
    CHECK((*out)[0].payload.find("app-1") != std::string::npos);
}
