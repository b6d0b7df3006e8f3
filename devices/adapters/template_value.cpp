#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "devices/adapters/template_expression.hpp"

namespace hearth::devices::adapters {

using proto::Errc;
using proto::make_error;
using proto::Result;
using TV = TemplateValue;

TV none() {
    return TV{TV::None{}};
}
TV undefined() {
    return TV{TV::Undefined{}};
}
TV boolean(bool b) {
    return TV{b};
}
TV integer(std::int64_t i) {
    return TV{i};
}
TV real(double d) {
    return TV{d};
}
TV text(std::string s) {
    return TV{std::move(s)};
}

const std::string* as_string(const TV& v) {
    return std::get_if<std::string>(&v.v);
}
const TV::Dict* as_dict(const TV& v) {
    const auto* p = std::get_if<std::shared_ptr<const TV::Dict>>(&v.v);
    return p ? p->get() : nullptr;
}
const TV::List* as_list(const TV& v) {
    const auto* p = std::get_if<std::shared_ptr<const TV::List>>(&v.v);
    return p ? p->get() : nullptr;
}
bool is_number(const TV& v) {
    return std::holds_alternative<std::int64_t>(v.v) || std::holds_alternative<double>(v.v) ||
           std::holds_alternative<bool>(v.v);
}
double to_double(const TV& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v.v)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&v.v)) return *d;
    if (const auto* b = std::get_if<bool>(&v.v)) return *b ? 1.0 : 0.0;
    return 0.0;
}

bool truthy(const TV& v) {
    return std::visit(
        [](const auto& x) -> bool {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, TV::Undefined> || std::is_same_v<T, TV::None>)
                return false;
            else if constexpr (std::is_same_v<T, bool>)
                return x;
            else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>)
                return x != 0;
            else if constexpr (std::is_same_v<T, std::string>)
                return !x.empty();
            else
                return x && !x->empty();
        },
        v.v);
}

bool equal(const TV& a, const TV& b) {
    if (is_number(a) && is_number(b)) return to_double(a) == to_double(b);
    if (a.is_none() && b.is_none()) return true;
    if (a.is_undefined() && b.is_undefined()) return true;
    const auto* sa = as_string(a);
    const auto* sb = as_string(b);
    if (sa && sb) return *sa == *sb;
    const auto* la = as_list(a);
    const auto* lb = as_list(b);
    if (la && lb) {
        return la->size() == lb->size() && std::equal(la->begin(), la->end(), lb->begin(), equal);
    }
    return false;
}

std::string format_double(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, r.ptr);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

std::string quoted(const TV& v) {
    if (const auto* s = as_string(v)) return "'" + *s + "'";
    return to_python_string(v);
}

std::optional<double> parse_number(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    if (s.empty()) return std::nullopt;
    if (s.front() == '+') s.remove_prefix(1);
    double d = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
    return d;
}

TV TemplateValue::from_json(const nlohmann::json& j) {
    switch (j.type()) {
        case nlohmann::json::value_t::null:
            return none();
        case nlohmann::json::value_t::boolean:
            return boolean(j.get<bool>());
        case nlohmann::json::value_t::number_integer:
            return integer(j.get<std::int64_t>());
        case nlohmann::json::value_t::number_unsigned:
            return integer(static_cast<std::int64_t>(j.get<std::uint64_t>()));
        case nlohmann::json::value_t::number_float:
            return real(j.get<double>());
        case nlohmann::json::value_t::string:
            return text(j.get<std::string>());
        case nlohmann::json::value_t::array: {
            TV::List l;
            for (const auto& x : j) l.push_back(from_json(x));
            return TV{std::make_shared<const TV::List>(std::move(l))};
        }
        case nlohmann::json::value_t::object: {
            TV::Dict d;
            for (const auto& [k, v] : j.items()) d.push_back({text(k), from_json(v)});
            return TV{std::make_shared<const TV::Dict>(std::move(d))};
        }
        default:
            return undefined();
    }
}

std::string to_python_string(const TV& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, TV::Undefined>)
                return "";
            else if constexpr (std::is_same_v<T, TV::None>)
                return "None";
            else if constexpr (std::is_same_v<T, bool>)
                return x ? "True" : "False";
            else if constexpr (std::is_same_v<T, std::int64_t>)
                return std::to_string(x);
            else if constexpr (std::is_same_v<T, double>)
                return format_double(x);
            else if constexpr (std::is_same_v<T, std::string>)
                return x;
            else if constexpr (std::is_same_v<T, std::shared_ptr<const TV::List>>) {
                std::string s = "[";
                for (std::size_t i = 0; i < x->size(); ++i) s += (i ? ", " : "") + quoted((*x)[i]);
                return s + "]";
            } else {
                std::string s = "{";
                for (std::size_t i = 0; i < x->size(); ++i)
                    s += (i ? ", " : "") + quoted((*x)[i].key) + ": " + quoted((*x)[i].value);
                return s + "}";
            }
        },
        v.v);
}

}  // namespace hearth::devices::adapters
