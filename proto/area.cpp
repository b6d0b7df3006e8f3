#include "proto/area.hpp"

#include <nlohmann/json.hpp>

namespace hearth::proto {

nlohmann::json to_json(const Area& a) { return {{"id", a.id.value}, {"name", to_json(a.name)}}; }

Result<Area> area_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::bad_json, "an area is a JSON object");
    const auto id = j.value("id", nlohmann::json());
    if (!id.is_string() || !is_valid_id(id.get<std::string>())) {
        return make_error(Errc::invalid_field, "id must be 1–64 of a-z 0-9 _ - .", "id");
    }
    Area a{AreaId{id.get<std::string>()}, {}};
    if (j.contains("name")) {
        auto name = name_from_json(j["name"]);
        if (!name) return name.error();
        a.name = std::move(*name);
    }
    return a;
}

}  // namespace hearth::proto
