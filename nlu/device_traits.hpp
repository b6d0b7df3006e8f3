#pragma once
// What the recogniser asks of one device: its capabilities, its current readings, and which devices an
// intent can mean when the utterance names no device and no kind (the `want_…` predicates). Pure.
#include <optional>
#include <string_view>

#include "devices/registry.hpp"

namespace hearth::nlu {

bool has_capability(const devices::Device& d, std::string_view attribute);
bool writable(const devices::Device& d, std::string_view attribute);
std::optional<double> number_state(const devices::Device& d, std::string_view attribute);
std::optional<bool> bool_state(const devices::Device& d, std::string_view attribute);
/// `v` rounded to the attribute's step and kept within its range.
double clamp_to(const devices::Device& d, std::string_view attribute, double v);

bool is_media(const devices::Device& d);
bool is_climate(const devices::Device& d);
bool is_cover(const devices::Device& d);

using Wanted = bool (*)(const devices::Device&);
bool want_light(const devices::Device& d);
bool want_climate(const devices::Device& d);
bool want_media(const devices::Device& d);
bool want_volume(const devices::Device& d);
bool want_cover(const devices::Device& d);
bool want_lock(const devices::Device& d);
bool want_vacuum(const devices::Device& d);
bool want_temperature(const devices::Device& d);
bool want_purifier(const devices::Device& d);
bool want_any(const devices::Device& d);

}  // namespace hearth::nlu
