#include "proto/topics.hpp"

#include <catch2/catch.hpp>

using namespace hearth::proto;

TEST_CASE("Device topics are built under the prefix and parse back") {
    const Topics topics("home");
    const DeviceId id{"bedroom.ac"};
    CHECK(topics.device(id, DeviceTopic::set) == "home/device/bedroom.ac/set");
    const auto parsed = topics.parse("home/device/bedroom.ac/availability");
    REQUIRE(parsed.has_value());
    CHECK(parsed->device == id);
    CHECK(parsed->kind == DeviceTopic::availability);
    CHECK(topics.all(DeviceTopic::state) == "home/device/+/state");
    CHECK(topics.hub_status() == "home/hub/status");
}

TEST_CASE("Topics outside the scheme do not parse") {
    const Topics topics;
    CHECK_FALSE(topics.parse("other/device/x/state"));
    CHECK_FALSE(topics.parse("hearth/device/x/unknown"));
    CHECK_FALSE(topics.parse("hearth/device/Bad Id/state"));
    CHECK_FALSE(topics.parse("hearth/device/x"));
    CHECK_FALSE(topics.parse("hearthx/device/x/state"));
}
