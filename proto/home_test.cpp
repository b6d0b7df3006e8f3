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
