#pragma once
// Bounded JSON parsing for anything that comes from outside (MQTT payloads, REST bodies).
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "proto/errc.hpp"

namespace hearth::proto {

struct JsonLimits {
    std::size_t max_bytes = 64 * 1024;
    int max_depth = 16;
};

/// Parses text into JSON, refusing oversized, too deeply nested or malformed input with a
/// specific error (payload_too_large or bad_json with the parser's position).
Result<nlohmann::json> parse_json(std::string_view text, JsonLimits limits = {});

}  // namespace hearth::proto
