#pragma once
// Generated fleets for load: `--devices N` builds N devices as a row of homes, each with the same
// believable mix as the demo home (lights, ACs with their climate sensors, curtains, speakers,
// presence, a purifier, a vacuum, a lock, a door contact, a button, a plug).
#include <cstddef>
#include <cstdint>

#include "proto/home.hpp"

namespace hearth::sim {

/// Devices in one generated home.
inline constexpr std::size_t kDevicesPerHome = 22;

/// `count` devices over generated areas. Ids look like "h00042.bedroom.ceiling_light", areas like
/// "h00042.bedroom"; room temperatures and schedules vary by home (drawn from `seed`).
proto::HomeDocument synthetic_home(std::size_t count, std::uint64_t seed);

}  // namespace hearth::sim
