#include "proto/area.hpp"

#include <nlohmann/json.hpp>

namespace hearth::proto {

nlohmann::json to_json(const Area& a) {
    nlohmann::json j{{"id", a.id.value}, {"name", to_json(a.name)}};
    if (a.floor) {
        j["floor"] = {{"id", a.floor->id}, {"name", to_json(a.floor->name)}};
        if (a.floor->level) j["floor"]["level"] = *a.floor->level;
    }
    return j;
}

namespace {

Result<Floor> floor_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::invalid_field, "floor is {\"id\", \"name\", \"level\"}", "floor");
    const auto id = j.value("id", nlohmann::json());
    if (!id.is_string() || !is_valid_id(id.get<std::string>()))
        return make_error(Errc::invalid_field, "floor id must be 1–64 of a-z 0-9 _ - .", "floor");
    Floor f{id.get<std::string>(), {}, std::nullopt};
    if (j.contains("name")) {
        auto name = name_from_json(j["name"]);
        if (!name) return make_error(Errc::invalid_field, "floor name is text or {\"zh\": …, \"en\": …}", "floor");
        f.name = std::move(*name);
    }
    if (j.contains("level")) {
        if (!j["level"].is_number_integer()) return make_error(Errc::invalid_field, "floor level is a whole number", "floor");
        f.level = j["level"].get<int>();
    }
    return f;
}

}  // namespace

Result<Area> area_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::bad_json, "an area is a JSON object");
    const auto id = j.value("id", nlohmann::json());
    if (!id.is_string() || !is_valid_id(id.get<std::string>())) {
        return make_error(Errc::invalid_field, "id must be 1–64 of a-z 0-9 _ - .", "id");
    }
    Area a{AreaId{id.get<std::string>()}, {}, std::nullopt};
    if (j.contains("name")) {
        auto name = name_from_json(j["name"]);
        if (!name) return name.error();
        a.name = std::move(*name);
    }
    if (j.contains("floor") && !j["floor"].is_null()) {
        auto floor = floor_from_json(j["floor"]);
        if (!floor) return floor.error();
        a.floor = std::move(*floor);
    }
    return a;
}

}  // namespace hearth::proto
