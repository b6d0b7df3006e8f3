#pragma once
// The capability model: what a device can do, described by data. A capability is one attribute
// with its type, range, step, unit, options and access; commands are validated against it.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/errc.hpp"
#include "proto/value.hpp"

namespace hearth::proto {

enum class ValueType { boolean, number, enumeration, text };

/// Bit flags: read = reported in state, write = accepted in commands, event = sent as events.
enum class Access : unsigned { none = 0, read = 1, write = 2, event = 4 };
constexpr Access operator|(Access a, Access b) {
    return static_cast<Access>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr bool has(Access set, Access flag) {
    return (static_cast<unsigned>(set) & static_cast<unsigned>(flag)) != 0;
}

struct Capability {
    std::string attribute;
    ValueType type = ValueType::number;
    std::optional<double> min;
    std::optional<double> max;
    std::optional<double> step;
    std::string unit;
    std::vector<std::string> options;  // the allowed values of an enumeration
    Access access = Access::read;

    friend bool operator==(const Capability&, const Capability&) = default;
};

/// The standard definition of a canonical attribute ("brightness" → number 0–100 %, rw), or null.
const Capability* canonical_capability(std::string_view attribute) noexcept;

/// Checks one value against a capability: type, range and options. Does not check access.
Result<Value> check_value(const Capability& capability, const Value& value);

std::string_view to_string(ValueType t) noexcept;
nlohmann::json to_json(const Capability& c);

/// Accepts a full object, or just a canonical attribute name as shorthand.
Result<Capability> capability_from_json(const nlohmann::json& j);

}  // namespace hearth::proto
