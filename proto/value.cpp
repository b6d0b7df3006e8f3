#include "proto/value.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

namespace hearth::proto {

const char* type_name(const Value& v) noexcept {
    switch (v.index()) {
        case 1: return "bool";
        case 2: return "number";
        case 3: return "text";
        default: return "null";
    }
}

nlohmann::json to_json(const Value& v) {
    if (const auto* b = as_bool(v)) return *b;
    if (const auto* d = as_number(v)) {
        double whole = 0;
        if (std::modf(*d, &whole) == 0.0 && std::fabs(*d) < 9.0e15) return static_cast<int64_t>(whole);
        return *d;
    }
    if (const auto* s = as_text(v)) return *s;
    return nullptr;
}

nlohmann::json to_json(const Attributes& attributes) {
    auto j = nlohmann::json::object();
    for (const auto& [name, value] : attributes) j[name] = to_json(value);
    return j;
}

std::optional<Value> value_from_json(const nlohmann::json& j) {
    if (j.is_null()) return Value{};
    if (j.is_boolean()) return Value{j.get<bool>()};
    if (j.is_number()) {
        const double d = j.get<double>();
        if (!std::isfinite(d)) return std::nullopt;
        return Value{d};
    }
    if (j.is_string()) return Value{j.get<std::string>()};
    return std::nullopt;
}

std::string to_display(const Value& v) {
    if (const auto* s = as_text(v)) return *s;
    if (is_null(v)) return "null";
    return to_json(v).dump();
}

}  // namespace hearth::proto
