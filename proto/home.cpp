#include "proto/home.hpp"

#include <set>

#include "proto/yaml.hpp"

namespace hearth::proto {
namespace {

Error at(std::string_view section, std::size_t index, Error e) {
    e.field = std::string(section) + "[" + std::to_string(index) + "]" + (e.field.empty() ? "" : "." + e.field);
    return e;
}

}  // namespace

Result<HomeDocument> home_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::bad_json, "a home document is an object");
    HomeDocument home;
    for (const char* section : {"areas", "devices", "scenes", "rules"}) {
        if (j.contains(section) && !j[section].is_array()) {
            return make_error(Errc::invalid_field, std::string(section) + " must be a list", section);
        }
    }
    const auto areas = j.value("areas", nlohmann::json::array());
    std::set<AreaId> area_ids;
    for (std::size_t i = 0; i < areas.size(); ++i) {
        auto area = area_from_json(areas[i]);
        if (!area) return at("areas", i, area.error());
        if (!area_ids.insert(area->id).second) {
            return at("areas", i, make_error(Errc::conflict, "area " + area->id.value + " appears twice", "id"));
        }
        home.areas.push_back(std::move(*area));
    }
    const auto devices = j.value("devices", nlohmann::json::array());
    std::set<DeviceId> device_ids;
    for (std::size_t i = 0; i < devices.size(); ++i) {
        auto d = description_from_json(devices[i]);
        if (!d) return at("devices", i, d.error());
        if (!d->area.empty() && !area_ids.contains(d->area)) {
            return at("devices", i, make_error(Errc::invalid_field, "unknown area " + d->area.value, "area"));
        }
        if (!device_ids.insert(d->id).second) {
            return at("devices", i, make_error(Errc::conflict, "device " + d->id.value + " appears twice", "id"));
        }
        home.devices.push_back({std::move(*d), devices[i].value("sim", nlohmann::json())});
    }
    home.scenes = j.value("scenes", nlohmann::json::array());
    home.rules = j.value("rules", nlohmann::json::array());
    return home;
}

Result<HomeDocument> home_from_yaml(std::string_view yaml) {
    auto j = yaml_to_json(yaml);
    if (!j) return j.error();
    return home_from_json(*j);
}

}  // namespace hearth::proto
