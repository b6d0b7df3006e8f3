#include "proto/device.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <utility>

namespace hearth::proto {
namespace {

constexpr std::array<std::pair<DeviceKind, std::string_view>, 17> kKindNames{{
    {DeviceKind::light, "light"},
    {DeviceKind::switch_, "switch"},
    {DeviceKind::air_conditioner, "air_conditioner"},
    {DeviceKind::thermostat, "thermostat"},
    {DeviceKind::fan, "fan"},
    {DeviceKind::speaker, "speaker"},
    {DeviceKind::tv, "tv"},
    {DeviceKind::curtain, "curtain"},
    {DeviceKind::climate_sensor, "climate_sensor"},
    {DeviceKind::presence_sensor, "presence_sensor"},
    {DeviceKind::contact_sensor, "contact_sensor"},
    {DeviceKind::lock, "lock"},
    {DeviceKind::air_purifier, "air_purifier"},
    {DeviceKind::vacuum, "vacuum"},
    {DeviceKind::button, "button"},
    {DeviceKind::sensor, "sensor"},
    {DeviceKind::other, "other"},
}};

}  // namespace

std::string_view to_string(DeviceKind k) noexcept {
    for (const auto& [kind, name] : kKindNames)
        if (kind == k) return name;
    return "other";
}

std::optional<DeviceKind> device_kind_from(std::string_view s) noexcept {
    for (const auto& [kind, name] : kKindNames)
        if (name == s) return kind;
    return std::nullopt;
}

const Capability* DeviceDescription::find(std::string_view attribute) const noexcept {
    const auto it = std::find_if(capabilities.begin(), capabilities.end(),
                                 [&](const Capability& c) { return c.attribute == attribute; });
    return it == capabilities.end() ? nullptr : &*it;
}

nlohmann::json to_json(const LocalizedName& n) { return {{"zh", n.zh}, {"en", n.en}}; }

Result<LocalizedName> name_from_json(const nlohmann::json& n) {
    if (n.is_string()) return LocalizedName{{}, n.get<std::string>()};
    const auto text_or_absent = [&](const char* key) { return !n.contains(key) || n[key].is_string(); };
    if (!n.is_object() || !text_or_absent("zh") || !text_or_absent("en")) {
        return make_error(Errc::invalid_field, "name is text or {\"zh\": …, \"en\": …}", "name");
    }
    return LocalizedName{n.value("zh", ""), n.value("en", "")};
}

nlohmann::json to_json(const DeviceDescription& d) {
    auto caps = nlohmann::json::array();
    for (const auto& c : d.capabilities) caps.push_back(to_json(c));
    nlohmann::json j{{"id", d.id.value},          {"name", to_json(d.name)},
                     {"area", d.area.value},      {"kind", to_string(d.kind)},
                     {"capabilities", caps}};
    if (!d.device_class.empty()) j["device_class"] = d.device_class;
    if (!d.model.empty()) j["model"] = d.model;
    if (!d.manufacturer.empty()) j["manufacturer"] = d.manufacturer;
    return j;
}

Result<DeviceDescription> description_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::bad_json, "a device description is a JSON object");
    DeviceDescription d;
    const auto text = [&](const char* key) -> std::optional<std::string> {
        if (!j.contains(key)) return std::string{};
        if (!j[key].is_string()) return std::nullopt;
        return j[key].get<std::string>();
    };
    const auto id = text("id");
    if (!id || !is_valid_id(*id)) {
        return make_error(Errc::invalid_field, "id must be 1–64 of a-z 0-9 _ - .", "id");
    }
    d.id = DeviceId{*id};
    const auto area = text("area");
    if (!area || (!area->empty() && !is_valid_id(*area))) {
        return make_error(Errc::invalid_field, "area must be an area id", "area");
    }
    d.area = AreaId{*area};
    if (j.contains("name")) {
        auto name = name_from_json(j["name"]);
        if (!name) return name.error();
        d.name = std::move(*name);
    }
    const auto kind = text("kind");
    const auto parsed_kind = kind ? device_kind_from(kind->empty() ? "other" : *kind) : std::nullopt;
    if (!parsed_kind) return make_error(Errc::invalid_field, "unknown device kind", "kind");
    d.kind = *parsed_kind;
    const auto model = text("model");
    const auto manufacturer = text("manufacturer");
    if (!model) return make_error(Errc::invalid_field, "model must be text", "model");
    if (!manufacturer) return make_error(Errc::invalid_field, "manufacturer must be text", "manufacturer");
    d.model = *model;
    d.manufacturer = *manufacturer;
    const auto device_class = text("device_class");
    if (!device_class || device_class->size() > 64)
        return make_error(Errc::invalid_field, "device_class must be text of at most 64 characters", "device_class");
    d.device_class = *device_class;
    if (j.contains("capabilities")) {
        if (!j["capabilities"].is_array()) {
            return make_error(Errc::invalid_field, "capabilities is a list", "capabilities");
        }
        for (const auto& cj : j["capabilities"]) {
            auto c = capability_from_json(cj);
            if (!c) return c.error();
            if (d.find(c->attribute)) {
                return make_error(Errc::invalid_field, "capability " + c->attribute + " appears twice", "capabilities");
            }
            d.capabilities.push_back(std::move(*c));
        }
    }
    return d;
}

}  // namespace hearth::proto
