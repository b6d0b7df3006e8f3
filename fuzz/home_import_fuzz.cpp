// The import document (POST /api/v1/import, the home file): areas, devices, scenes and rules, all
// checked before anything is written. Invariant: an accepted document exported as YAML (as
// GET /api/v1/export writes it) is accepted again with the same content.
#include <nlohmann/json.hpp>

#include "fuzz/support.hpp"
#include "hub/request_bodies.hpp"
#include "proto/yaml.hpp"

namespace {

nlohmann::json exported(const hearth::hub::ImportDocument& document) {
    using namespace hearth;
    auto areas = nlohmann::json::array();
    for (const auto& area : document.home.areas) areas.push_back(proto::to_json(area));
    auto devices = nlohmann::json::array();
    for (const auto& device : document.home.devices) devices.push_back(proto::to_json(device.description));
    auto scene_list = nlohmann::json::array();
    for (const auto& scene : document.scenes) scene_list.push_back(scenes::to_json(scene));
    return {{"areas", areas}, {"devices", devices}, {"scenes", scene_list}, {"rules", document.home.rules}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto document = hub::import_document_from_yaml(fuzz::as_text(data, size));
    if (!document) return 0;
    const auto written = exported(*document);
    const auto again = hub::import_document_from_yaml(proto::json_to_yaml(written));
    fuzz::require(again.has_value(), "an exported home imports again");
    fuzz::require(exported(*again) == written, "an exported home imports with the same content");
    return 0;
}
