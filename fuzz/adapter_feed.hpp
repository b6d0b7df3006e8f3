#pragma once
// Drives an adapter the way the hub does: every message through handle(), the effects applied to a
// registry, and a command for every writable attribute of every device it described, so the
// command encoders (templates included) see what the fuzzer made of the discovery.
#include <string_view>

#include "devices/adapters/adapter.hpp"
#include "devices/registry.hpp"

namespace hearth::fuzz {

void feed(devices::adapters::Adapter& adapter, devices::Registry& registry, std::string_view input);

}  // namespace hearth::fuzz
