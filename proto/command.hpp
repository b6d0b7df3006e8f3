#pragma once
// A command: a request to change attributes. On the wire it is the JSON object published on
// <prefix>/device/<id>/set: {"<attribute>": value, …, "transition": s, "context_id": "…"}.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "proto/errc.hpp"
#include "proto/value.hpp"

namespace hearth::proto {

struct Command {
    Attributes set;
    std::optional<double> transition;  // seconds, when the device supports it
    std::string context_id;            // why this command exists; echoed back in state

    friend bool operator==(const Command&, const Command&) = default;
};

inline constexpr std::string_view kTransitionKey = "transition";
inline constexpr std::string_view kContextKey = "context_id";

nlohmann::json to_json(const Command& c);
std::string to_payload(const Command& c);

/// Shape only: scalars, a sane transition, at least one attribute. Capabilities are checked
/// by the device registry.
Result<Command> command_from_json(const nlohmann::json& j);

}  // namespace hearth::proto
