#pragma once
// Stable Hearth names for things discovered in other ecosystems, and the unit conversions the
// adapters share.
#include <cmath>
#include <string>
#include <string_view>

#include "proto/ids.hpp"

namespace hearth::devices::adapters {

/// A valid, stable device id (`[a-z0-9_.-]`, 1–64 characters) from an ecosystem's identifier:
/// lowercased, other characters folded to '_', and, when too long, cut with a hash of the whole
/// so that different long identifiers stay different. The same input always gives the same id.
proto::DeviceId stable_device_id(std::string_view identifier);

/// An attribute name (`[a-z0-9_]`) from an ecosystem's property or object name.
std::string attribute_name(std::string_view name);

/// Brightness on a device scale (0–scale) ↔ Hearth percent (0–100, whole).
inline double brightness_to_percent(double raw, double scale) {
    return std::round(raw * 100.0 / scale);
}
inline double percent_to_brightness(double percent, double scale) {
    return std::round(percent * scale / 100.0);
}

/// Colour temperature: mireds ↔ kelvin (whole numbers).
inline double mireds_to_kelvin(double mireds) {
    return mireds > 0 ? std::round(1e6 / mireds) : 0;
}
inline double kelvin_to_mireds(double kelvin) {
    return kelvin > 0 ? std::round(1e6 / kelvin) : 0;
}

inline double fahrenheit_to_celsius(double f) {
    return (f - 32.0) * 5.0 / 9.0;
}
inline double celsius_to_fahrenheit(double c) {
    return c * 9.0 / 5.0 + 32.0;
}

}  // namespace hearth::devices::adapters
