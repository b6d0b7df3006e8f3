#pragma once
// Bounded JSON parsing for anything that comes from outside (MQTT payloads, REST bodies).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
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

// Typed reads of one field of a JSON object that came from outside. They never throw: a missing or
// null field is nullopt, a field of another type is an invalid_field error naming the field. A
// non-object `object` reads as having no fields. Use these, never value()/get<>(), on client data.
Result<std::optional<std::string>> optional_string(const nlohmann::json& object, std::string_view field);
/// An integer that fits in 64 bits; 1.5, 1e300 and 2^64 are errors.
Result<std::optional<std::int64_t>> optional_integer(const nlohmann::json& object, std::string_view field);
/// Any finite number.
Result<std::optional<double>> optional_number(const nlohmann::json& object, std::string_view field);
Result<std::optional<bool>> optional_bool(const nlohmann::json& object, std::string_view field);
/// As optional_string, but a missing or null field is an invalid_field error too.
Result<std::string> required_string(const nlohmann::json& object, std::string_view field);

/// The error shape of every API answer: {"code", "message", "field"?}.
nlohmann::json to_json(const Error& error);

}  // namespace hearth::proto
