#include "proto/command.hpp"

#include <nlohmann/json.hpp>

namespace hearth::proto {

nlohmann::json to_json(const Command& c) {
    auto j = to_json(c.set);
    if (c.transition) j[kTransitionKey] = to_json(Value{*c.transition});
    if (!c.context_id.empty()) j[kContextKey] = c.context_id;
    return j;
}

std::string to_payload(const Command& c) { return to_json(c).dump(); }

Result<Command> command_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::bad_json, "a command is a JSON object of attributes");
    Command c;
    for (const auto& [key, value] : j.items()) {
        if (key == kTransitionKey) {
            if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 3600) {
                return make_error(Errc::invalid_field, "transition is a number of seconds, 0–3600", key);
            }
            c.transition = value.get<double>();
            continue;
        }
        if (key == kContextKey) {
            if (!value.is_string()) return make_error(Errc::invalid_field, "context_id must be text", key);
            c.context_id = value.get<std::string>();
            continue;
        }
        auto v = value_from_json(value);
        if (!v || is_null(*v)) {
            return make_error(Errc::wrong_type, key + " must be a bool, number or text", key);
        }
        c.set.emplace(key, std::move(*v));
    }
    if (c.set.empty()) return make_error(Errc::invalid_field, "a command sets at least one attribute");
    return c;
}

}  // namespace hearth::proto
