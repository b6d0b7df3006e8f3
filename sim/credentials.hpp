#pragma once
// Per-device MQTT passwords for a broker with authentication: each simulated device logs in with
// username = its device id and its own password. The text is the plain `id:password` file that
// scripts/broker-auth writes (one device a line; blank lines and `#` comments are skipped) — the
// same lines `mosquitto_passwd -U` turns into the broker's hashed password file.
#include <string>
#include <string_view>
#include <unordered_map>

#include "proto/errc.hpp"

namespace hearth::sim {

/// Device id → password.
using Credentials = std::unordered_map<std::string, std::string>;

/// Parses `id:password` lines. A line without `:`, with an invalid device id, with an empty password
/// or naming a device twice is an error that gives its line number.
proto::Result<Credentials> parse_credentials(std::string_view text);

}  // namespace hearth::sim
