#pragma once
// YAML ↔ JSON, so home descriptions can be written and exported as YAML and handled as JSON.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "proto/errc.hpp"

namespace hearth::proto {

/// Scalars become bool, number or text by their plain YAML form ("yes" stays text; quoted
/// scalars always stay text).
Result<nlohmann::json> yaml_to_json(std::string_view yaml);
std::string json_to_yaml(const nlohmann::json& j);

/// Where in a text something is: 1-based line and column (the column counts bytes).
struct TextPosition {
    int line = 1;
    int column = 1;
    friend bool operator==(const TextPosition&, const TextPosition&) = default;
};

/// A YAML text read as JSON, remembering where each value came from, so that an error naming a
/// field ("actions[1].set.brightness") can point at its line and column.
struct YamlDocument {
    nlohmann::json value;                           // null when the text is not YAML
    std::optional<Error> error;                     // why the text is not YAML (what yaml_to_json says)
    TextPosition error_position;                    // where the reading stopped
    std::map<std::string, TextPosition> positions;  // field path → its key (in a map) or item (in a list)

    /// The position of `field`, or of its nearest enclosing field that the text has (a missing
    /// field points at the map that lacks it); the start of the document when none.
    TextPosition position_of(std::string_view field) const;
};

/// Reads like yaml_to_json, with positions.
YamlDocument read_yaml_document(std::string_view yaml);

}  // namespace hearth::proto
