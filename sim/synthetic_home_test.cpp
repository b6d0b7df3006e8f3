#include "sim/synthetic_home.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/fleet.hpp"

using namespace hearth;
using namespace hearth::sim;

namespace {
const Instant kNoon = Instant(std::chrono::local_days{std::chrono::year{2026} / 6 / 1}) + std::chrono::hours(12);
}

TEST_CASE("A synthetic fleet has the requested number of unique devices over generated areas") {
    const auto doc = synthetic_home(1000, 1);
    REQUIRE(doc.devices.size() == 1000);
    std::set<std::string> ids;
    std::set<std::string> areas;
    std::map<proto::DeviceKind, int> kinds;
    for (const auto& a : doc.areas) areas.insert(a.id.value);
    for (const auto& d : doc.devices) {
        CHECK(proto::is_valid_id(d.description.id.value));
        ids.insert(d.description.id.value);
        CHECK(areas.contains(d.description.area.value));
        ++kinds[d.description.kind];
    }
    CHECK(ids.size() == 1000);
    CHECK(areas.size() >= 1000 / kDevicesPerHome * 5);
    CHECK(kinds[proto::DeviceKind::light] > 250);
    CHECK(kinds[proto::DeviceKind::air_conditioner] > 80);
    CHECK(kinds[proto::DeviceKind::presence_sensor] > 120);
    CHECK(kinds.size() >= 12);
    CHECK(doc.devices[0].description.id.value == "h00001.bedroom.ceiling_light");
}

TEST_CASE("A synthetic fleet builds a model for every device") {
    const auto doc = synthetic_home(500, 9);
    auto fleet = Fleet::create(doc.devices, {}, kNoon);
    REQUIRE(fleet.has_value());
    CHECK(fleet->size() == 500);
}

TEST_CASE("The demo home loads and every device builds a model") {
    std::ifstream in(std::string(HEARTH_SOURCE_DIR) + "/sim/homes/demo.yaml");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    auto home = proto::home_from_yaml(text.str());
    REQUIRE(home.has_value());
    CHECK(home->devices.size() == 24);
    auto fleet = Fleet::create(home->devices, {.offline_fraction = 0.02}, kNoon);
    REQUIRE(fleet.has_value());
    CHECK(fleet->size() == 24);
}
