#include "nlu/device_traits.hpp"

#include <algorithm>
#include <cmath>

namespace hearth::nlu {

using proto::DeviceKind;

bool has_capability(const devices::Device& d, std::string_view attribute) {
    return d.description.find(attribute) != nullptr;
}

bool writable(const devices::Device& d, std::string_view attribute) {
    const auto* c = d.description.find(attribute);
    return c && proto::has(c->access, proto::Access::write);
}

std::optional<double> number_state(const devices::Device& d, std::string_view attribute) {
    const auto it = d.state.find(attribute);
    if (it == d.state.end()) return std::nullopt;
    if (const auto* v = proto::as_number(it->second)) return *v;
    return std::nullopt;
}

std::optional<bool> bool_state(const devices::Device& d, std::string_view attribute) {
    const auto it = d.state.find(attribute);
    if (it == d.state.end()) return std::nullopt;
    if (const auto* v = proto::as_bool(it->second)) return *v;
    return std::nullopt;
}

double clamp_to(const devices::Device& d, std::string_view attribute, double v) {
    const auto* c = d.description.find(attribute);
    if (!c) return v;
    if (c->step && *c->step > 0) v = std::round(v / *c->step) * *c->step;
    if (c->min) v = std::max(v, *c->min);
    if (c->max) v = std::min(v, *c->max);
    return v;
}

bool is_media(const devices::Device& d) {
    return d.description.kind == DeviceKind::speaker || d.description.kind == DeviceKind::tv;
}
bool is_climate(const devices::Device& d) {
    return d.description.kind == DeviceKind::air_conditioner || d.description.kind == DeviceKind::thermostat ||
           has_capability(d, "target_temperature");
}
bool is_cover(const devices::Device& d) {
    return d.description.kind == DeviceKind::curtain || (writable(d, "position") && !writable(d, "on"));
}

bool want_light(const devices::Device& d) { return d.description.kind == DeviceKind::light; }
bool want_climate(const devices::Device& d) { return is_climate(d); }
bool want_media(const devices::Device& d) { return is_media(d); }
bool want_volume(const devices::Device& d) { return writable(d, "volume"); }
bool want_cover(const devices::Device& d) { return is_cover(d); }
bool want_lock(const devices::Device& d) { return d.description.kind == DeviceKind::lock; }
bool want_vacuum(const devices::Device& d) { return d.description.kind == DeviceKind::vacuum; }
bool want_temperature(const devices::Device& d) {
    return has_capability(d, "temperature") || has_capability(d, "target_temperature");
}
bool want_purifier(const devices::Device& d) { return d.description.kind == DeviceKind::air_purifier; }
bool want_any(const devices::Device&) { return true; }

}  // namespace hearth::nlu
