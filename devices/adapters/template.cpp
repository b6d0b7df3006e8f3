#include "devices/adapters/template.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace hearth::devices::adapters {

using proto::Errc;
using proto::make_error;
using proto::Result;
using TV = TemplateValue;

namespace {

// ---- values ---------------------------------------------------------------------------------

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

// ---- expressions ----------------------------------------------------------------------------

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

enum class Op {
    literal,
    name,
    attribute,
    subscript,
    call_method,
    list,
    dict,
    filter,
    test,
    unary_not,
    negate,
    binary,
    and_,
    or_,
    conditional
};

struct Expr {
    Op op = Op::literal;
    TV value;                   // literal
    std::string name;           // name, attribute, method, filter, test, binary operator
    std::vector<ExprPtr> args;  // operands; for filter/test/method: args[0] is the subject
    bool negated = false;       // `is not`, `not in`
};

struct Token {
    enum Kind { end, name, number, string, op } kind = end;
    std::string text;
    TV value;
};

class Lexer {
  public:
    explicit Lexer(std::string_view s) : s_(s) {}

    Result<std::vector<Token>> run() {
        std::vector<Token> out;
        while (true) {
            skip_space();
            if (pos_ >= s_.size()) break;
            const char c = s_[pos_];
            if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
                const auto start = pos_;
                while (pos_ < s_.size() &&
                       (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
                    ++pos_;
                out.push_back({Token::name, std::string(s_.substr(start, pos_ - start)), {}});
            } else if (std::isdigit(static_cast<unsigned char>(c))) {
                out.push_back(number());
            } else if (c == '\'' || c == '"') {
                auto t = string_literal(c);
                if (!t) return t.error();
                out.push_back(std::move(*t));
            } else {
                static constexpr std::string_view two[] = {"==", "!=", "<=", ">=", "//"};
                const auto rest = s_.substr(pos_);
                const auto it = std::find_if(std::begin(two), std::end(two),
                                             [&](auto t) { return rest.starts_with(t); });
                if (it != std::end(two)) {
                    out.push_back({Token::op, std::string(*it), {}});
                    pos_ += 2;
                } else if (std::string_view("()[]{}.,:|+-*/%<>=~").find(c) !=
                           std::string_view::npos) {
                    out.push_back({Token::op, std::string(1, c), {}});
                    ++pos_;
                } else {
                    return make_error(Errc::invalid_field, "unexpected character '" +
                                                               std::string(1, c) + "' in template");
                }
            }
        }
        out.push_back({Token::end, {}, {}});
        return out;
    }

  private:
    void skip_space() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    Token number() {
        const auto start = pos_;
        bool is_float = false;
        while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) ||
                                    s_[pos_] == '.' || s_[pos_] == '_')) {
            if (s_[pos_] == '.') {
                if (pos_ + 1 >= s_.size() ||
                    !std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])))
                    break;
                is_float = true;
            }
            ++pos_;
        }
        std::string digits;
        for (char ch : s_.substr(start, pos_ - start))
            if (ch != '_') digits += ch;
        if (is_float) return {Token::number, digits, real(std::stod(digits))};
        return {Token::number, digits, integer(std::stoll(digits))};
    }
    Result<Token> string_literal(char quote) {
        ++pos_;
        std::string out;
        while (pos_ < s_.size() && s_[pos_] != quote) {
            if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
                const char e = s_[++pos_];
                out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
            } else {
                out += s_[pos_];
            }
            ++pos_;
        }
        if (pos_ >= s_.size())
            return make_error(Errc::invalid_field, "unterminated string in template");
        ++pos_;
        return Token{Token::string, out, text(out)};
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

class Parser {
  public:
    explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

    Result<ExprPtr> whole_expression() {
        auto e = expression();
        if (!e) return e;
        if (peek().kind != Token::end) return unexpected();
        return e;
    }

    /// `name = expr` of a set statement.
    Result<std::pair<std::string, ExprPtr>> assignment() {
        if (peek().kind != Token::name) return unexpected();
        auto name = next().text;
        if (!accept_op("=")) return unexpected();
        auto e = whole_expression();
        if (!e) return e.error();
        return std::pair{std::move(name), std::move(*e)};
    }

  private:
    const Token& peek(std::size_t ahead = 0) const {
        return t_[std::min(i_ + ahead, t_.size() - 1)];
    }
    const Token& next() { return t_[std::min(i_++, t_.size() - 1)]; }
    bool is_op(std::string_view op, std::size_t ahead = 0) const {
        return peek(ahead).kind == Token::op && peek(ahead).text == op;
    }
    bool is_name(std::string_view n, std::size_t ahead = 0) const {
        return peek(ahead).kind == Token::name && peek(ahead).text == n;
    }
    bool accept_op(std::string_view op) {
        if (!is_op(op)) return false;
        ++i_;
        return true;
    }
    bool accept_name(std::string_view n) {
        if (!is_name(n)) return false;
        ++i_;
        return true;
    }
    proto::Error unexpected() const {
        const auto& t = peek();
        return make_error(Errc::invalid_field,
                          t.kind == Token::end
                              ? "unexpected end of template expression"
                              : "unsupported template syntax near '" + t.text + "'");
    }
    static ExprPtr make(Op op, std::string name, std::vector<ExprPtr> args, TV value = {}) {
        auto e = std::make_shared<Expr>();
        e->op = op;
        e->name = std::move(name);
        e->args = std::move(args);
        e->value = std::move(value);
        return e;
    }

    /// Counts recursion so that hostile input cannot exhaust the stack.
    struct Nesting {
        explicit Nesting(int& d) : depth(++d) {}
        ~Nesting() { --depth; }
        bool too_deep() const { return depth > kMaxNesting; }
        int& depth;
    };
    static proto::Error too_deep() {
        return make_error(Errc::payload_too_large, "template expression is nested too deeply");
    }

    Result<ExprPtr> expression() {
        const Nesting nesting(depth_);
        if (nesting.too_deep()) return too_deep();
        auto e = or_expr();
        if (!e) return e;
        if (!accept_name("if")) return e;
        auto cond = or_expr();
        if (!cond) return cond;
        ExprPtr otherwise = make(Op::literal, {}, {}, undefined());
        if (accept_name("else")) {
            auto o = expression();
            if (!o) return o;
            otherwise = *o;
        }
        return make(Op::conditional, {}, {*cond, *e, otherwise});
    }
    Result<ExprPtr> or_expr() {
        auto e = and_expr();
        while (e && accept_name("or")) {
            auto r = and_expr();
            if (!r) return r;
            e = make(Op::or_, {}, {*e, *r});
        }
        return e;
    }
    Result<ExprPtr> and_expr() {
        auto e = not_expr();
        while (e && accept_name("and")) {
            auto r = not_expr();
            if (!r) return r;
            e = make(Op::and_, {}, {*e, *r});
        }
        return e;
    }
    Result<ExprPtr> not_expr() {
        const Nesting nesting(depth_);
        if (nesting.too_deep()) return too_deep();
        if (accept_name("not")) {
            auto e = not_expr();
            if (!e) return e;
            return make(Op::unary_not, {}, {*e});
        }
        return comparison();
    }
    Result<ExprPtr> comparison() {
        auto e = additive();
        while (e) {
            static constexpr std::string_view ops[] = {"==", "!=", "<", ">", "<=", ">="};
            const auto it =
                std::find_if(std::begin(ops), std::end(ops), [&](auto o) { return is_op(o); });
            if (it != std::end(ops)) {
                ++i_;
                auto r = additive();
                if (!r) return r;
                e = make(Op::binary, std::string(*it), {*e, *r});
            } else if (is_name("in") || (is_name("not") && is_name("in", 1))) {
                const bool negated = accept_name("not");
                accept_name("in");
                auto r = additive();
                if (!r) return r;
                auto in = make(Op::binary, "in", {*e, *r});
                e = negated ? make(Op::unary_not, {}, {in}) : in;
            } else if (accept_name("is")) {
                const bool negated = accept_name("not");
                if (peek().kind != Token::name) return unexpected();
                auto test = make(Op::test, next().text, {*e});
                std::const_pointer_cast<Expr>(test)->negated = negated;
                e = test;
            } else {
                break;
            }
        }
        return e;
    }
    Result<ExprPtr> additive() {
        auto e = multiplicative();
        while (e && (is_op("+") || is_op("-") || is_op("~"))) {
            auto op = next().text;
            auto r = multiplicative();
            if (!r) return r;
            e = make(Op::binary, op, {*e, *r});
        }
        return e;
    }
    Result<ExprPtr> multiplicative() {
        auto e = unary();
        while (e && (is_op("*") || is_op("/") || is_op("//") || is_op("%"))) {
            auto op = next().text;
            auto r = unary();
            if (!r) return r;
            e = make(Op::binary, op, {*e, *r});
        }
        return e;
    }
    Result<ExprPtr> unary() {
        const Nesting nesting(depth_);
        if (nesting.too_deep()) return too_deep();
        if (accept_op("-")) {
            auto e = unary();
            if (!e) return e;
            return make(Op::negate, {}, {*e});
        }
        return filtered();
    }
    Result<ExprPtr> filtered() {
        auto e = postfix();
        while (e && accept_op("|")) {
            if (peek().kind != Token::name) return unexpected();
            auto name = next().text;
            std::vector<ExprPtr> args{*e};
            if (accept_op("(")) {
                auto more = arguments(")");
                if (!more) return more.error();
                args.insert(args.end(), more->begin(), more->end());
            }
            e = make(Op::filter, std::move(name), std::move(args));
        }
        return e;
    }
    Result<ExprPtr> postfix() {
        auto e = primary();
        while (e) {
            if (accept_op(".")) {
                if (peek().kind != Token::name) return unexpected();
                auto name = next().text;
                if (accept_op("(")) {
                    auto args = arguments(")");
                    if (!args) return args.error();
                    args->insert(args->begin(), *e);
                    e = make(Op::call_method, std::move(name), std::move(*args));
                } else {
                    e = make(Op::attribute, std::move(name), {*e});
                }
            } else if (accept_op("[")) {
                auto index = expression();
                if (!index) return index;
                if (!accept_op("]")) return unexpected();
                e = make(Op::subscript, {}, {*e, *index});
            } else {
                break;
            }
        }
        return e;
    }
    Result<std::vector<ExprPtr>> arguments(std::string_view close) {
        std::vector<ExprPtr> args;
        if (accept_op(close)) return args;
        while (true) {
            if (peek().kind == Token::name && is_op("=", 1))
                i_ += 2;  // keyword arguments are taken by position
            auto a = expression();
            if (!a) return a.error();
            args.push_back(*a);
            if (accept_op(close)) return args;
            if (!accept_op(",")) return unexpected();
        }
    }
    Result<ExprPtr> primary() {
        const auto& t = peek();
        if (t.kind == Token::number || t.kind == Token::string) {
            ++i_;
            return make(Op::literal, {}, {}, t.value);
        }
        if (t.kind == Token::name) {
            ++i_;
            if (t.text == "None" || t.text == "none") return make(Op::literal, {}, {}, none());
            if (t.text == "True" || t.text == "true")
                return make(Op::literal, {}, {}, boolean(true));
            if (t.text == "False" || t.text == "false")
                return make(Op::literal, {}, {}, boolean(false));
            return make(Op::name, t.text, {});
        }
        if (accept_op("(")) {
            auto e = expression();
            if (!e) return e;
            if (!accept_op(")")) return unexpected();
            return e;
        }
        if (accept_op("[")) {
            auto items = arguments("]");
            if (!items) return items.error();
            return make(Op::list, {}, std::move(*items));
        }
        if (accept_op("{")) {
            std::vector<ExprPtr> items;
            if (accept_op("}")) return make(Op::dict, {}, {});
            while (true) {
                auto k = expression();
                if (!k) return k;
                if (!accept_op(":")) return unexpected();
                auto v = expression();
                if (!v) return v;
                items.push_back(*k);
                items.push_back(*v);
                if (accept_op("}")) return make(Op::dict, {}, std::move(items));
                if (!accept_op(",")) return unexpected();
            }
        }
        return unexpected();
    }

    static constexpr int kMaxNesting = 64;
    std::vector<Token> t_;
    std::size_t i_ = 0;
    int depth_ = 0;
};

Result<ExprPtr> parse_expression(std::string_view s) {
    auto tokens = Lexer(s).run();
    if (!tokens) return tokens.error();
    return Parser(std::move(*tokens)).whole_expression();
}

// ---- evaluation -----------------------------------------------------------------------------

constexpr std::string_view kFilters[] = {"float",  "int",   "round",   "default",   "d",
                                         "string", "lower", "upper",   "trim",      "truncate",
                                         "abs",    "bool",  "replace", "is_defined"};
constexpr std::string_view kTests[] = {"defined", "undefined", "none", "number", "string"};
constexpr std::string_view kMethods[] = {"get", "lower", "upper", "strip"};

/// Refuses unsupported filters, tests and methods at compile time rather than at first use.
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

Result<TV> eval(const Expr& e, Scope& scope);

Result<std::vector<TV>> eval_args(const Expr& e, Scope& scope) {
    std::vector<TV> out;
    for (const auto& a : e.args) {
        auto v = eval(*a, scope);
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

Result<TV> eval(const Expr& e, Scope& scope) {
    switch (e.op) {
        case Op::literal:
            return e.value;
        case Op::name: {
            const auto it = scope.find(e.name);
            return it == scope.end() ? undefined() : it->second;
        }
        case Op::attribute:
        case Op::subscript: {
            auto subject = eval(*e.args[0], scope);
            if (!subject) return subject;
            if (subject->is_undefined() || subject->is_none())
                return make_error(Errc::invalid_field,
                                  "template looks up a key of an undefined value");
            if (e.op == Op::attribute) return lookup(*subject, text(e.name));
            auto key = eval(*e.args[1], scope);
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
            auto subject = eval(*e.args[0], scope);
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
            auto v = eval(*e.args[0], scope);
            if (!v) return v;
            return boolean(!truthy(*v));
        }
        case Op::negate: {
            auto v = eval(*e.args[0], scope);
            if (!v) return v;
            return arithmetic("-", integer(0), *v);
        }
        case Op::and_:
        case Op::or_: {
            auto l = eval(*e.args[0], scope);
            if (!l) return l;
            if (truthy(*l) == (e.op == Op::or_)) return l;
            return eval(*e.args[1], scope);
        }
        case Op::conditional: {
            auto c = eval(*e.args[0], scope);
            if (!c) return c;
            return eval(*e.args[truthy(*c) ? 1 : 2], scope);
        }
        case Op::binary: {
            auto l = eval(*e.args[0], scope);
            if (!l) return l;
            auto r = eval(*e.args[1], scope);
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

}  // namespace

// ---- statements -----------------------------------------------------------------------------

struct Template::Node {
    enum Kind { text, output, branch, set } kind = text;
    std::string literal;                                      // text; name for set
    ExprPtr expr;                                             // output, set
    std::vector<std::pair<ExprPtr, std::vector<Node>>> arms;  // branch: condition → body
    std::vector<Node> otherwise;                              // branch: else body
};

namespace {

using Node = Template::Node;

struct Tag {
    enum Kind { text, output, statement } kind = text;
    std::string body;
};

Result<std::vector<Tag>> split_tags(std::string_view s) {
    std::vector<Tag> tags;
    bool strip_next = false;
    std::size_t pos = 0;
    while (pos < s.size()) {
        const auto open = s.find('{', pos);
        const bool is_tag = open != std::string_view::npos && open + 1 < s.size() &&
                            (s[open + 1] == '{' || s[open + 1] == '%' || s[open + 1] == '#');
        if (open == std::string_view::npos || !is_tag) {
            const auto end = open == std::string_view::npos ? s.size() : open + 1;
            std::string chunk(s.substr(pos, end - pos));
            if (strip_next)
                chunk.erase(0, std::min(chunk.size(), chunk.find_first_not_of(" \t\r\n")));
            strip_next = false;
            if (!tags.empty() && tags.back().kind == Tag::text)
                tags.back().body += chunk;
            else
                tags.push_back({Tag::text, chunk});
            pos = end;
            continue;
        }
        if (open > pos) {
            std::string chunk(s.substr(pos, open - pos));
            if (strip_next)
                chunk.erase(0, std::min(chunk.size(), chunk.find_first_not_of(" \t\r\n")));
            if (!tags.empty() && tags.back().kind == Tag::text)
                tags.back().body += chunk;
            else
                tags.push_back({Tag::text, chunk});
        }
        const char kind = s[open + 1];
        const std::string_view close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
        const auto end = s.find(close, open + 2);
        if (end == std::string_view::npos)
            return make_error(Errc::invalid_field, "unterminated template tag");
        auto body = s.substr(open + 2, end - open - 2);
        if (body.starts_with('-')) {
            body.remove_prefix(1);
            if (!tags.empty() && tags.back().kind == Tag::text) {
                auto& t = tags.back().body;
                t.erase(t.find_last_not_of(" \t\r\n") + 1);
            }
        }
        strip_next = body.ends_with('-');
        if (strip_next) body.remove_suffix(1);
        if (kind != '#')
            tags.push_back({kind == '{' ? Tag::output : Tag::statement, std::string(body)});
        pos = end + 2;
    }
    return tags;
}

std::pair<std::string, std::string> keyword(const std::string& statement) {
    const auto b = statement.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = statement.find_first_of(" \t\r\n", b);
    return {statement.substr(b, e == std::string::npos ? std::string::npos : e - b),
            e == std::string::npos ? std::string{} : statement.substr(e)};
}

class BlockParser {
  public:
    explicit BlockParser(std::vector<Tag> tags) : tags_(std::move(tags)) {}

    /// Parses nodes until one of the closing keywords; returns the keyword met (empty at the end).
    Result<std::string> block(std::vector<Node>& out,
                              std::initializer_list<std::string_view> closers, std::string* rest) {
        while (i_ < tags_.size()) {
            const auto& tag = tags_[i_++];
            if (tag.kind == Tag::text) {
                out.push_back(Node{Node::text, tag.body, nullptr, {}, {}});
                continue;
            }
            if (tag.kind == Tag::output) {
                auto e = parse_expression(tag.body);
                if (!e) return e.error();
                if (auto ok = check_supported(**e); !ok) return ok.error();
                out.push_back(Node{Node::output, {}, *e, {}, {}});
                continue;
            }
            auto [word, args] = keyword(tag.body);
            if (std::find(closers.begin(), closers.end(), word) != closers.end()) {
                if (rest) *rest = args;
                return word;
            }
            if (word == "set") {
                auto tokens = Lexer(args).run();
                if (!tokens) return tokens.error();
                auto a = Parser(std::move(*tokens)).assignment();
                if (!a) return a.error();
                if (auto ok = check_supported(*a->second); !ok) return ok.error();
                out.push_back(Node{Node::set, a->first, a->second, {}, {}});
            } else if (word == "if") {
                auto node = branch(args);
                if (!node) return node.error();
                out.push_back(std::move(*node));
            } else {
                return make_error(Errc::invalid_field,
                                  "unsupported template statement '" + word + "'");
            }
        }
        if (closers.size() != 0)
            return make_error(Errc::invalid_field, "template block is not closed");
        return std::string{};
    }

  private:
    Result<Node> branch(std::string condition) {
        if (++depth_ > kMaxBlocks)
            return make_error(Errc::payload_too_large, "template blocks are nested too deeply");
        auto node = branch_body(std::move(condition));
        --depth_;
        return node;
    }
    Result<Node> branch_body(std::string condition) {
        Node node{Node::branch, {}, nullptr, {}, {}};
        while (true) {
            auto c = parse_expression(condition);
            if (!c) return c.error();
            if (auto ok = check_supported(**c); !ok) return ok.error();
            std::vector<Node> body;
            std::string rest;
            auto closer = block(body, {"elif", "else", "endif"}, &rest);
            if (!closer) return closer.error();
            node.arms.emplace_back(*c, std::move(body));
            if (*closer == "endif") return node;
            if (*closer == "else") {
                auto end = block(node.otherwise, {"endif"}, nullptr);
                if (!end) return end.error();
                return node;
            }
            condition = rest;
        }
    }

    static constexpr int kMaxBlocks = 32;
    std::vector<Tag> tags_;
    std::size_t i_ = 0;
    int depth_ = 0;
};

Result<void> run(const std::vector<Node>& nodes, Scope& scope, std::string& out) {
    for (const auto& n : nodes) {
        switch (n.kind) {
            case Node::text:
                out += n.literal;
                break;
            case Node::output: {
                auto v = eval(*n.expr, scope);
                if (!v) return v.error();
                if (!v->is_undefined()) out += to_python_string(*v);
                break;
            }
            case Node::set: {
                auto v = eval(*n.expr, scope);
                if (!v) return v.error();
                scope.insert_or_assign(n.literal, std::move(*v));
                break;
            }
            case Node::branch: {
                const std::vector<Node>* body = &n.otherwise;
                for (const auto& [cond, arm] : n.arms) {
                    auto c = eval(*cond, scope);
                    if (!c) return c.error();
                    if (truthy(*c)) {
                        body = &arm;
                        break;
                    }
                }
                if (auto r = run(*body, scope, out); !r) return r;
                break;
            }
        }
    }
    return {};
}

}  // namespace

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

Result<Template> Template::compile(std::string_view source) {
    auto tags = split_tags(source);
    if (!tags) return tags.error();
    auto nodes = std::make_shared<std::vector<Node>>();
    BlockParser parser(std::move(*tags));
    auto end = parser.block(*nodes, {}, nullptr);
    if (!end) return end.error();
    if (!end->empty())
        return make_error(Errc::invalid_field, "unexpected '" + *end + "' in template");
    Template t;
    t.text_ = std::string(source);
    t.nodes_ = std::move(nodes);
    return t;
}

Result<std::string> Template::render(const TemplateVariables& variables) const {
    Scope scope = variables;
    std::string out;
    if (auto r = run(*nodes_, scope, out); !r) return r.error();
    const auto b = out.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return std::string{};
    return out.substr(b, out.find_last_not_of(" \t\r\n") - b + 1);
}

TemplateVariables value_template_variables(std::string_view payload, const nlohmann::json* parsed) {
    TemplateVariables vars;
    vars.emplace("value", text(std::string(payload)));
    if (parsed) vars.emplace("value_json", TV::from_json(*parsed));
    return vars;
}

}  // namespace hearth::devices::adapters
