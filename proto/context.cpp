#include "proto/context.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

namespace hearth::proto {

namespace {

constexpr std::array<std::pair<Cause, std::string_view>, 7> kCauses{{
    {Cause::device, "device"},
    {Cause::app, "app"},
    {Cause::voice, "voice"},
    {Cause::rule, "rule"},
    {Cause::scene, "scene"},
    {Cause::undo, "undo"},
    {Cause::controller, "controller"},
}};

}  // namespace

std::string_view to_string(Cause cause) noexcept {
    for (const auto& [c, name] : kCauses)
        if (c == cause) return name;
    return "device";
}

std::optional<Cause> cause_from(std::string_view text) noexcept {
    for (const auto& [c, name] : kCauses)
        if (name == text) return c;
    return std::nullopt;
}

nlohmann::json to_json(const Context& context) {
    nlohmann::json j{{"cause", to_string(context.cause)}};
    if (!context.id.empty()) j["id"] = context.id;
    if (!context.parent.empty()) j["parent"] = context.parent;
    if (!context.source.empty()) j["source"] = context.source;
    return j;
}

}  // namespace hearth::proto
