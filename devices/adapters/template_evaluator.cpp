#include <algorithm>
#include <cmath>

#include "devices/adapters/template_expression.hpp"

namespace hearth::devices::adapters {

using proto::Errc;
using proto::make_error;
using proto::Result;
using TV = TemplateValue;

namespace {

constexpr std::string_view kFilters[] = {"float",  "int",   "round",   "default",   "d",
                                         "string", "lower", "upper",   "trim",      "truncate",
                                         "abs",    "bool",  "replace", "is_defined"};
constexpr std::string_view kTests[] = {"defined", "undefined", "none", "number", "string"};
constexpr std::string_view kMethods[] = {"get", "lower", "upper", "strip"};

}  // namespace

Result<void> check_supported(const Expr& e) {
    const auto known = [&](const auto& list) {
        return std::find(std::begin(list), std::end(list), e.name) != std::end(list);
    };
    if (e.op == Op::filter && !known(kFilters))
        return make_error(Errc::invalid_field, "unsupported template filter '" + e.name + "'");
    if (e.op == Op::test && !known(kTests))
        return make_error(Errc::invalid_field, "unsupported template test '" + e.name + "'");
    if (e.op == Op::call_method && !known(kMethods))
        return make_error(Errc::invalid_field, "unsupported template method '" + e.name + "'");
    for (const auto& a : e.args)
        if (auto r = check_supported(*a); !r) return r;
    return {};
}

using Scope = TemplateVariables;

namespace {

Result<std::vector<TV>> eval_args(const Expr& e, Scope& scope) {
    std::vector<TV> out;
    for (const auto& a : e.args) {
        auto v = evaluate(*a, scope);
        if (!v) return v.error();
        out.push_back(std::move(*v));
    }
    return out;
}

TV lookup(const TV& subject, const TV& key) {
    if (const auto* d = as_dict(subject)) {
        for (const auto& [k, v] : *d)
            if (equal(k, key)) return v;
        return undefined();
    }
    if (const auto* l = as_list(subject); l && std::holds_alternative<std::int64_t>(key.v)) {
        auto i = std::get<std::int64_t>(key.v);
        if (i < 0) i += static_cast<std::int64_t>(l->size());
        if (i >= 0 && i < static_cast<std::int64_t>(l->size()))
            return (*l)[static_cast<std::size_t>(i)];
    }
    return undefined();
}

Result<TV> to_int_value(const TV& v, const TV& fallback) {
    if (std::holds_alternative<std::int64_t>(v.v)) return v;
    if (is_number(v)) return integer(static_cast<std::int64_t>(to_double(v)));
    if (const auto* s = as_string(v))
        if (auto d = parse_number(*s)) return integer(static_cast<std::int64_t>(*d));
    return fallback;
}

Result<TV> to_float_value(const TV& v, const TV& fallback) {
    if (is_number(v)) return real(to_double(v));
    if (const auto* s = as_string(v))
        if (auto d = parse_number(*s)) return real(*d);
    return fallback;
}

Result<TV> apply_filter(const std::string& name, const std::vector<TV>& a) {
    const TV& x = a[0];
    const auto arg = [&](std::size_t i, TV fallback) { return i < a.size() ? a[i] : fallback; };
    if (name == "float") return to_float_value(x, arg(1, real(0.0)));
    if (name == "int") return to_int_value(x, arg(1, integer(0)));
    if (name == "round") {
        const auto digits = static_cast<int>(to_double(arg(1, integer(0))));
        if (!is_number(x))
            return make_error(Errc::invalid_field, "round() needs a number, got " + quoted(x));
        const double scale = std::pow(10.0, digits);
        return real(std::round(to_double(x) * scale) / scale);
    }
    if (name == "default" || name == "d") {
        const bool also_falsy = truthy(arg(2, boolean(false)));
        return (x.is_undefined() || (also_falsy && !truthy(x))) ? arg(1, text("")) : x;
    }
    if (name == "is_defined") {
        if (x.is_undefined())
            return make_error(Errc::invalid_field, "is_defined: the value is undefined");
        return x;
    }
    if (name == "string") return text(to_python_string(x));
    if (name == "bool") return boolean(truthy(x));
    if (name == "abs")
        return is_number(x) ? (std::holds_alternative<std::int64_t>(x.v)
                                   ? integer(std::llabs(std::get<std::int64_t>(x.v)))
                                   : real(std::fabs(to_double(x))))
                            : x;
    auto s = to_python_string(x);
    if (name == "lower")
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "upper")
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (name == "trim") {
        const auto b = s.find_first_not_of(" \t\r\n");
        s = b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
    }
    if (name == "truncate") {
        const auto length = static_cast<std::size_t>(to_double(arg(1, integer(255))));
        const auto end = to_python_string(arg(3, text("...")));
        const auto leeway = static_cast<std::size_t>(to_double(arg(4, integer(5))));
        if (s.size() > length + leeway)
            s = s.substr(0, length - std::min(length, end.size())) + end;
    }
    if (name == "replace") {
        const auto from = to_python_string(arg(1, text("")));
        const auto to = to_python_string(arg(2, text("")));
        if (!from.empty())
            for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
                s.replace(p, from.size(), to);
    }
    return text(std::move(s));
}

Result<TV> apply_method(const std::string& name, const std::vector<TV>& a) {
    if (name == "get") {
        if (a[0].is_undefined())
            return make_error(Errc::invalid_field, "get() called on an undefined value");
        auto v = lookup(a[0], a.size() > 1 ? a[1] : none());
        return v.is_undefined() ? (a.size() > 2 ? a[2] : none()) : v;
    }
    return apply_filter(name == "strip" ? "trim" : name, {a[0]});
}

Result<TV> arithmetic(const std::string& op, const TV& l, const TV& r) {
    if (op == "~") return text(to_python_string(l) + to_python_string(r));
    if (op == "+" && as_string(l) && as_string(r)) return text(*as_string(l) + *as_string(r));
    if (!is_number(l) || !is_number(r))
        return make_error(Errc::invalid_field,
                          "cannot apply '" + op + "' to " + quoted(l) + " and " + quoted(r));
    const bool ints =
        std::holds_alternative<std::int64_t>(l.v) && std::holds_alternative<std::int64_t>(r.v);
    const double a = to_double(l), b = to_double(r);
    if ((op == "/" || op == "//" || op == "%") && b == 0)
        return make_error(Errc::invalid_field, "division by zero in template");
    if (op == "/") return real(a / b);
    if (op == "//")
        return ints ? integer(static_cast<std::int64_t>(std::floor(a / b)))
                    : real(std::floor(a / b));
    if (op == "%")
        return ints ? integer(static_cast<std::int64_t>(a - b * std::floor(a / b)))
                    : real(a - b * std::floor(a / b));
    const double v = op == "+" ? a + b : op == "-" ? a - b : a * b;
    return ints ? integer(static_cast<std::int64_t>(v)) : real(v);
}

Result<TV> compare(const std::string& op, const TV& l, const TV& r) {
    if (op == "==") return boolean(equal(l, r));
    if (op == "!=") return boolean(!equal(l, r));
    if (op == "in") {
        if (const auto* s = as_string(r))
            return boolean(as_string(l) && s->find(*as_string(l)) != std::string::npos);
        if (const auto* list = as_list(r))
            return boolean(
                std::any_of(list->begin(), list->end(), [&](const TV& x) { return equal(x, l); }));
        if (const auto* d = as_dict(r))
            return boolean(std::any_of(d->begin(), d->end(),
                                       [&](const auto& kv) { return equal(kv.key, l); }));
        return make_error(Errc::invalid_field, "'in' needs a text, list or dict, got " + quoted(r));
    }
    if (is_number(l) && is_number(r)) {
        const double a = to_double(l), b = to_double(r);
        return boolean(op == "<" ? a < b : op == ">" ? a > b : op == "<=" ? a <= b : a >= b);
    }
    if (as_string(l) && as_string(r)) {
        const auto c = as_string(l)->compare(*as_string(r));
        return boolean(op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0);
    }
    return make_error(Errc::invalid_field, "cannot compare " + quoted(l) + " and " + quoted(r));
}

}  // namespace

Result<TV> evaluate(const Expr& e, Scope& scope) {
    switch (e.op) {
        case Op::literal:
            return e.value;
        case Op::name: {
            const auto it = scope.find(e.name);
            return it == scope.end() ? undefined() : it->second;
        }
        case Op::attribute:
        case Op::subscript: {
            auto subject = evaluate(*e.args[0], scope);
            if (!subject) return subject;
            if (subject->is_undefined() || subject->is_none())
                return make_error(Errc::invalid_field,
                                  "template looks up a key of an undefined value");
            if (e.op == Op::attribute) return lookup(*subject, text(e.name));
            auto key = evaluate(*e.args[1], scope);
            if (!key) return key;
            return lookup(*subject, *key);
        }
        case Op::call_method: {
            auto args = eval_args(e, scope);
            if (!args) return args.error();
            return apply_method(e.name, *args);
        }
        case Op::list: {
            auto items = eval_args(e, scope);
            if (!items) return items.error();
            return TV{std::make_shared<const TV::List>(std::move(*items))};
        }
        case Op::dict: {
            auto items = eval_args(e, scope);
            if (!items) return items.error();
            TV::Dict d;
            for (std::size_t i = 0; i + 1 < items->size(); i += 2)
                d.push_back({(*items)[i], (*items)[i + 1]});
            return TV{std::make_shared<const TV::Dict>(std::move(d))};
        }
        case Op::filter: {
            auto args = eval_args(e, scope);
            if (!args) return args.error();
            return apply_filter(e.name, *args);
        }
        case Op::test: {
            auto subject = evaluate(*e.args[0], scope);
            if (!subject) return subject;
            bool r = false;
            if (e.name == "defined")
                r = !subject->is_undefined();
            else if (e.name == "undefined")
                r = subject->is_undefined();
            else if (e.name == "none")
                r = subject->is_none();
            else if (e.name == "number")
                r = is_number(*subject) && !std::holds_alternative<bool>(subject->v);
            else if (e.name == "string")
                r = as_string(*subject) != nullptr;
            return boolean(r != e.negated);
        }
        case Op::unary_not: {
            auto v = evaluate(*e.args[0], scope);
            if (!v) return v;
            return boolean(!truthy(*v));
        }
        case Op::negate: {
            auto v = evaluate(*e.args[0], scope);
            if (!v) return v;
            return arithmetic("-", integer(0), *v);
        }
        case Op::and_:
        case Op::or_: {
            auto l = evaluate(*e.args[0], scope);
            if (!l) return l;
            if (truthy(*l) == (e.op == Op::or_)) return l;
            return evaluate(*e.args[1], scope);
        }
        case Op::conditional: {
            auto c = evaluate(*e.args[0], scope);
            if (!c) return c;
            return evaluate(*e.args[truthy(*c) ? 1 : 2], scope);
        }
        case Op::binary: {
            auto l = evaluate(*e.args[0], scope);
            if (!l) return l;
            auto r = evaluate(*e.args[1], scope);
            if (!r) return r;
            static constexpr std::string_view comparisons[] = {"==", "!=", "<", ">",
                                                               "<=", ">=", "in"};
            if (std::find(std::begin(comparisons), std::end(comparisons), e.name) !=
                std::end(comparisons))
                return compare(e.name, *l, *r);
            return arithmetic(e.name, *l, *r);
        }
    }
    return undefined();
}

}  // namespace hearth::devices::adapters
