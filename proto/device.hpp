#pragma once
// What a device is: id, names, area, kind and capabilities. Published retained by the device on
// <prefix>/device/<id>/config and stored by the hub.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/capability.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"

namespace hearth::proto {

enum class DeviceKind {
    light,
    switch_,
    air_conditioner,
    thermostat,
    fan,
    speaker,
    tv,
    curtain,
    climate_sensor,
    presence_sensor,
    contact_sensor,
    lock,
    air_purifier,
    vacuum,
    button,
    sensor,
    other,
};

std::string_view to_string(DeviceKind k) noexcept;
std::optional<DeviceKind> device_kind_from(std::string_view s) noexcept;

/// A name in the home's languages.
struct LocalizedName {
    std::string zh;
    std::string en;
    friend bool operator==(const LocalizedName&, const LocalizedName&) = default;
};

struct DeviceDescription {
    DeviceId id;
    LocalizedName name;
    AreaId area;
    DeviceKind kind = DeviceKind::other;
    /// What sort of that kind it is, in Home Assistant's words: a curtain may be a "window", "door",
    /// "garage_door", "blind", "shade" or "curtain"; a sensor "motion", "occupancy", "opening",
    /// "battery", … Empty when not said (then the kind alone describes it).
    std::string device_class;
    std::vector<Capability> capabilities;
    std::string model;
    std::string manufacturer;

    const Capability* find(std::string_view attribute) const noexcept;
    friend bool operator==(const DeviceDescription&, const DeviceDescription&) = default;
};

nlohmann::json to_json(const LocalizedName& n);
/// Text (taken as the English name) or {"zh": …, "en": …}.
Result<LocalizedName> name_from_json(const nlohmann::json& j);
nlohmann::json to_json(const DeviceDescription& d);
Result<DeviceDescription> description_from_json(const nlohmann::json& j);

}  // namespace hearth::proto
