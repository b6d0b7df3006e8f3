#include "hub/ha/entity_table.hpp"

#include <catch2/catch.hpp>

#include "proto/device.hpp"

using namespace hearth;
using namespace hearth::hub::ha;
using nlohmann::json;

namespace {

const WallTime kStart = WallTime(std::chrono::seconds(1'780'000'000));

devices::Registry home() {
    devices::Registry r;
    auto light = proto::description_from_json({{"id", "bedroom.lamp"}, {"name", "lamp"}, {"area", "bedroom"}, {"kind", "light"},
                                               {"capabilities", {"on", "brightness"}}});
    REQUIRE(light.has_value());
    r.upsert(*light);
    REQUIRE(r.set_availability(proto::DeviceId{"bedroom.lamp"}, devices::Availability::online).has_value());
    REQUIRE(r.apply_state(proto::DeviceId{"bedroom.lamp"}, {{"on", false}, {"brightness", 50.0}}).has_value());
    return r;
}

}  // namespace

TEST_CASE("Times are written as Home Assistant writes them, in UTC with microseconds") {
    CHECK(iso_time(kStart + std::chrono::microseconds(1500)) == "2026-05-28T20:26:40.001500+00:00");
    CHECK(epoch_seconds(kStart + std::chrono::milliseconds(250)) == Approx(1'780'000'000.25));
}

TEST_CASE("A state change moves last_changed, an attribute change only last_updated") {
    auto registry = home();
    EntityTable table(registry);
    const auto built = table.rebuild(kStart, {"ctx0", {}});
    CHECK(built.added == std::vector<std::string>{"light.bedroom_lamp"});

    const auto lamp = proto::DeviceId{"bedroom.lamp"};
    REQUIRE(registry.apply_state(lamp, {{"on", true}}).has_value());
    auto changes = table.refresh(lamp, kStart + std::chrono::seconds(1), {"ctx1", "run1"});
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].before.shown.state == "off");
    CHECK(changes[0].after->shown.state == "on");
    CHECK(changes[0].after->last_changed == kStart + std::chrono::seconds(1));
    CHECK(changes[0].after->context.parent_id == "run1");

    REQUIRE(registry.apply_state(lamp, {{"brightness", 60.0}}).has_value());
    changes = table.refresh(lamp, kStart + std::chrono::seconds(2), {"ctx2", {}});
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].after->last_changed == kStart + std::chrono::seconds(1));
    CHECK(changes[0].after->last_updated == kStart + std::chrono::seconds(2));

    // Nothing Home Assistant shows changed: no change.
    CHECK(table.refresh(lamp, kStart + std::chrono::seconds(3), {"ctx3", {}}).empty());
}

TEST_CASE("subscribe_entities' compressed state and diff carry only what changed") {
    auto registry = home();
    EntityTable table(registry);
    table.rebuild(kStart, {"ctx0", {}});
    const auto* before = table.find("light.bedroom_lamp");
    REQUIRE(before != nullptr);
    const auto compressed = compressed_json(*before);
    CHECK(compressed["s"] == "off");
    CHECK(compressed["c"] == "ctx0");
    CHECK(compressed["lc"] == Approx(1'780'000'000.0));
    CHECK_FALSE(compressed.contains("lu"));

    const auto old = *before;
    const auto lamp = proto::DeviceId{"bedroom.lamp"};
    REQUIRE(registry.apply_state(lamp, {{"on", true}}).has_value());
    const auto changes = table.refresh(lamp, kStart + std::chrono::seconds(5), {"ctx1", {}});
    REQUIRE(changes.size() == 1);
    const auto diff = diff_json(old, *changes[0].after);
    CHECK(diff["+"]["s"] == "on");
    CHECK(diff["+"]["a"]["brightness"] == 128);  // 50 % of 255
    CHECK(diff["+"]["a"]["color_mode"] == "brightness");
    CHECK_FALSE(diff["+"]["a"].contains("friendly_name"));
    CHECK(diff["+"]["c"] == "ctx1");
    CHECK(diff["+"]["lc"] == Approx(1'780'000'005.0));
}

TEST_CASE("A removed device's entities are reported removed on rebuild") {
    auto registry = home();
    EntityTable table(registry);
    table.rebuild(kStart, {"ctx0", {}});
    registry.remove(proto::DeviceId{"bedroom.lamp"});
    const auto rebuilt = table.rebuild(kStart, {"ctx1", {}});
    CHECK(rebuilt.removed == std::vector<std::string>{"light.bedroom_lamp"});
    CHECK(table.all().empty());
}
