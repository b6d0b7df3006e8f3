#pragma once
// Attribute values: null, bool, number or text. Every number is a double; JSON output writes
// whole numbers without a fraction, so brightness 50 stays 50 on the wire.
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <variant>

namespace hearth::proto {

using Value = std::variant<std::monostate, bool, double, std::string>;

/// Attribute name → value, ordered so that JSON output is stable.
using Attributes = std::map<std::string, Value, std::less<>>;

inline bool is_null(const Value& v) noexcept { return std::holds_alternative<std::monostate>(v); }
inline const bool* as_bool(const Value& v) noexcept { return std::get_if<bool>(&v); }
inline const double* as_number(const Value& v) noexcept { return std::get_if<double>(&v); }
inline const std::string* as_text(const Value& v) noexcept { return std::get_if<std::string>(&v); }

/// "bool", "number", "text" or "null", for error messages.
const char* type_name(const Value& v) noexcept;

nlohmann::json to_json(const Value& v);
nlohmann::json to_json(const Attributes& attributes);

/// Scalars only: objects and arrays have no Value.
std::optional<Value> value_from_json(const nlohmann::json& j);

/// Human-readable form for messages and speech ("true", "26", "sleep").
std::string to_display(const Value& v);

}  // namespace hearth::proto
