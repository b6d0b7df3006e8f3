#pragma once
// A home description document (YAML or JSON): areas, devices, and the sections other modules
// own (scenes, rules, simulator settings), kept as JSON for them to read.
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "proto/area.hpp"
#include "proto/device.hpp"
#include "proto/errc.hpp"

namespace hearth::proto {

struct HomeDevice {
    DeviceDescription description;
    nlohmann::json sim;  // simulator settings; null when absent
};

struct HomeDocument {
    std::vector<Area> areas;
    std::vector<HomeDevice> devices;
    nlohmann::json scenes = nlohmann::json::array();
    nlohmann::json rules = nlohmann::json::array();
};

/// Errors name the failing entry, e.g. field "devices[3].kind".
Result<HomeDocument> home_from_json(const nlohmann::json& j);
Result<HomeDocument> home_from_yaml(std::string_view yaml);

}  // namespace hearth::proto
