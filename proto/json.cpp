#include "proto/json.hpp"

#include <cmath>
#include <limits>

namespace hearth::proto {

Result<nlohmann::json> parse_json(std::string_view text, JsonLimits limits) {
    if (text.size() > limits.max_bytes) {
        return make_error(Errc::payload_too_large,
                          "payload of " + std::to_string(text.size()) + " bytes is over the limit of " +
                              std::to_string(limits.max_bytes));
    }
    bool too_deep = false;
    const nlohmann::json::parser_callback_t guard = [&](int depth, nlohmann::json::parse_event_t,
                                                        nlohmann::json&) {
        if (depth > limits.max_depth) too_deep = true;
        return !too_deep;
    };
    auto j = nlohmann::json::parse(text.begin(), text.end(), guard, /*allow_exceptions=*/false);
    if (too_deep) {
        return make_error(Errc::payload_too_large,
                          "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels");
    }
    if (j.is_discarded()) {
        try {
            [[maybe_unused]] const auto ignored = nlohmann::json::parse(text.begin(), text.end());
        } catch (const nlohmann::json::parse_error& e) {
            return make_error(Errc::bad_json, "malformed JSON at byte " + std::to_string(e.byte));
        } catch (const nlohmann::json::out_of_range&) {
            // A number too large for a double ("1e400") is out_of_range, not a parse_error.
            return make_error(Errc::bad_json, "malformed JSON: a number is out of range");
        }
        return make_error(Errc::bad_json, "malformed JSON");
    }
    return Result<nlohmann::json>(boost::system::in_place_value, std::move(j));
}

namespace {

const nlohmann::json* find_field(const nlohmann::json& object, std::string_view field) {
    if (!object.is_object()) return nullptr;
    const auto it = object.find(field);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
}

Error wrong_type(std::string_view field, std::string_view expected, const nlohmann::json& got) {
    return make_error(Errc::invalid_field,
                      std::string(field) + " must be " + std::string(expected) + ", not " + got.type_name(),
                      std::string(field));
}

}  // namespace

Result<std::optional<std::string>> optional_string(const nlohmann::json& object, std::string_view field) {
    const auto* v = find_field(object, field);
    if (!v) return std::optional<std::string>{};
    if (!v->is_string()) return wrong_type(field, "a string", *v);
    return std::optional<std::string>{v->get_ref<const std::string&>()};
}

Result<std::optional<std::int64_t>> optional_integer(const nlohmann::json& object, std::string_view field) {
    const auto* v = find_field(object, field);
    if (!v) return std::optional<std::int64_t>{};
    if (v->is_number_unsigned()) {
        const auto u = v->get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return make_error(Errc::invalid_field, std::string(field) + " is too large", std::string(field));
        }
        return std::optional<std::int64_t>{static_cast<std::int64_t>(u)};
    }
    if (!v->is_number_integer()) return wrong_type(field, "an integer", *v);
    return std::optional<std::int64_t>{v->get<std::int64_t>()};
}

Result<std::optional<double>> optional_number(const nlohmann::json& object, std::string_view field) {
    const auto* v = find_field(object, field);
    if (!v) return std::optional<double>{};
    if (!v->is_number()) return wrong_type(field, "a number", *v);
    const auto d = v->get<double>();
    if (!std::isfinite(d)) return make_error(Errc::invalid_field, std::string(field) + " is not finite", std::string(field));
    return std::optional<double>{d};
}

Result<std::optional<bool>> optional_bool(const nlohmann::json& object, std::string_view field) {
    const auto* v = find_field(object, field);
    if (!v) return std::optional<bool>{};
    if (!v->is_boolean()) return wrong_type(field, "true or false", *v);
    return std::optional<bool>{v->get<bool>()};
}

Result<std::string> required_string(const nlohmann::json& object, std::string_view field) {
    auto s = optional_string(object, field);
    if (!s) return s.error();
    if (!*s) return make_error(Errc::invalid_field, std::string(field) + " is required", std::string(field));
    return std::move(**s);
}

nlohmann::json to_json(const Error& error) {
    nlohmann::json e{{"code", to_string(error.code)}, {"message", error.message}};
    if (!error.field.empty()) e["field"] = error.field;
    return e;
}

}  // namespace hearth::proto
