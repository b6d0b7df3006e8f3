#pragma once
// YAML ↔ JSON, so home descriptions can be written and exported as YAML and handled as JSON.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "proto/errc.hpp"

namespace hearth::proto {

/// Scalars become bool, number or text by their plain YAML form ("yes" stays text; quoted
/// scalars always stay text).
Result<nlohmann::json> yaml_to_json(std::string_view yaml);
std::string json_to_yaml(const nlohmann::json& j);

}  // namespace hearth::proto
