#include "proto/home.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace hearth::proto;

namespace {
std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

TEST_CASE("The demo home loads with its six areas and 24 devices") {
    const auto home = home_from_yaml(read_file(HEARTH_SOURCE_DIR "/sim/homes/demo.yaml"));
    REQUIRE(home.has_value());
    CHECK(home->areas.size() == 6);
    CHECK(home->devices.size() == 24);
    const auto& speaker = home->devices[3].description;
    CHECK(speaker.id.value == "bedroom.speaker");
    REQUIRE(speaker.find("media"));
    CHECK(speaker.find("media")->options.front() == "sleep_music");
}

TEST_CASE("A device in an unknown area is refused naming the entry") {
    const auto home = home_from_yaml("areas: [{id: a}]\ndevices:\n  - {id: x, area: b}\n");
    REQUIRE(home.has_error());
    CHECK(home.error().field == "devices[0].area");
}

TEST_CASE("A device listed twice is refused") {
    const auto home = home_from_yaml("devices:\n  - {id: x}\n  - {id: x}\n");
    REQUIRE(home.has_error());
    CHECK(home.error().code == Errc::conflict);
}

TEST_CASE("An area's floor is read from the home with its name and level") {
    const auto home = home_from_yaml(
        "areas:\n"
        "  - {id: kitchen, name: {zh: 厨房, en: kitchen}, floor: {id: ground, name: {zh: 一楼, en: ground floor}, level: 1}}\n"
        "  - {id: study}\n");
    REQUIRE(home.has_value());
    REQUIRE(home->areas[0].floor.has_value());
    CHECK(home->areas[0].floor->id == "ground");
    CHECK(home->areas[0].floor->name.en == "ground floor");
    CHECK(home->areas[0].floor->level == 1);
    CHECK_FALSE(home->areas[1].floor.has_value());
    CHECK(area_from_json(to_json(home->areas[0])).value() == home->areas[0]);
}

TEST_CASE("A floor without a valid id is refused naming the floor field") {
    const auto home = home_from_yaml("areas:\n  - {id: kitchen, floor: {name: ground floor}}\n");
    REQUIRE(home.has_error());
    CHECK(home.error().field == "areas[0].floor");
}
