#include "scenes/expression.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

namespace hearth::scenes {

using proto::Errc;
using proto::Value;
using Op = Expression::Op;

namespace {

proto::Error error_at(std::uint32_t column, const std::string& message) {
    return proto::make_error(Errc::invalid_field, "at column " + std::to_string(column) + ": " + message);
}

struct Function {
    std::string_view name;
    Op op;
    int min_args;
    int max_args;  // -1 = any
};

constexpr std::array<Function, 14> kFunctions{{
    {"state", Op::state, 2, 2},
    {"min", Op::min, 1, -1},
    {"max", Op::max, 1, -1},
    {"clamp", Op::clamp, 3, 3},
    {"abs", Op::abs, 1, 1},
    {"round", Op::round, 1, 1},
    {"if", Op::if_, 3, 3},
    {"time", Op::time, 0, 0},
    {"at", Op::at, 1, 1},
    {"time_between", Op::time_between, 2, 2},
    {"hour", Op::hour, 0, 0},
    {"weekday", Op::weekday, 0, 0},
    {"month", Op::month, 0, 0},
    {"season", Op::season, 0, 0},
}};

enum class Tok { end, number, text, ident, op, lparen, rparen, comma };

struct Token {
    Tok kind = Tok::end;
    std::string text;
    double number = 0;
    std::uint32_t column = 1;
};

}  // namespace

class Parser {
public:
    explicit Parser(std::string_view src) : src_(src) {}

    proto::Result<Expression> run() {
        if (src_.size() > Expression::kMaxSource) {
            return error_at(1, "expression longer than " + std::to_string(Expression::kMaxSource) + " characters");
        }
        expr_.source_ = std::string(src_);
        if (auto e = next(); !e.empty()) return error_at(tok_.column, e);
        auto root = parse_or(0);
        if (!root) return root.error();
        if (tok_.kind != Tok::end) return error_at(tok_.column, "unexpected '" + tok_.text + "'");
        expr_.root_ = *root;
        return std::move(expr_);
    }

private:
    using Index = proto::Result<std::uint32_t>;

    std::string next() {
        while (pos_ < src_.size() && std::isspace(static_cast<unsigned char>(src_[pos_]))) ++pos_;
        tok_ = Token{};
        tok_.column = static_cast<std::uint32_t>(pos_ + 1);
        if (pos_ >= src_.size()) return {};
        const char c = src_[pos_];
        if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && pos_ + 1 < src_.size() &&
                                                            std::isdigit(static_cast<unsigned char>(src_[pos_ + 1])))) {
            const auto* first = src_.data() + pos_;
            const auto [end, ec] = std::from_chars(first, src_.data() + src_.size(), tok_.number);
            if (ec != std::errc{} || !std::isfinite(tok_.number)) return "bad number";
            tok_.kind = Tok::number;
            tok_.text = std::string(first, end);
            pos_ += static_cast<std::size_t>(end - first);
            return {};
        }
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            const auto start = pos_;
            while (pos_ < src_.size() &&
                   (std::isalnum(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_'))
                ++pos_;
            tok_.kind = Tok::ident;
            tok_.text = std::string(src_.substr(start, pos_ - start));
            return {};
        }
        if (c == '\'' || c == '"') {
            const auto end = src_.find(c, pos_ + 1);
            if (end == std::string_view::npos) return "unterminated text";
            tok_.kind = Tok::text;
            tok_.text = std::string(src_.substr(pos_ + 1, end - pos_ - 1));
            pos_ = end + 1;
            return {};
        }
        if (c == '(' || c == ')' || c == ',') {
            tok_.kind = c == '(' ? Tok::lparen : c == ')' ? Tok::rparen : Tok::comma;
            tok_.text = std::string(1, c);
            ++pos_;
            return {};
        }
        static constexpr std::array<std::string_view, 13> kOps{"==", "!=", "<=", ">=", "<", ">", "+",
                                                              "-",  "*",  "/",  "%",  "!", "="};
        for (const auto op : kOps) {
            if (src_.substr(pos_).starts_with(op)) {
                if (op == "!" || op == "=") return "unexpected '" + std::string(op) + "' (use not, ==)";
                tok_.kind = Tok::op;
                tok_.text = std::string(op);
                pos_ += op.size();
                return {};
            }
        }
        return "unexpected character '" + std::string(1, c) + "'";
    }

    bool consume() {
        failure_ = next();
        return failure_.empty();
    }

    std::uint32_t add(Op op, std::uint32_t column, std::vector<std::uint32_t> args = {}, Value v = {}) {
        if (expr_.nodes_.size() >= 4096) too_large_ = true;
        expr_.nodes_.push_back({op, std::move(v), std::move(args), column});
        return static_cast<std::uint32_t>(expr_.nodes_.size() - 1);
    }

    Index fail() { return error_at(tok_.column, failure_); }

    bool is_word(std::string_view w) const { return tok_.kind == Tok::ident && tok_.text == w; }
    bool is_op(std::string_view o) const { return tok_.kind == Tok::op && tok_.text == o; }

    Index deeper(int depth) {
        if (depth > Expression::kMaxDepth) return error_at(tok_.column, "expression nested too deeply");
        if (too_large_) return error_at(tok_.column, "expression too large");
        return 0u;
    }

    Index parse_or(int depth) {
        if (auto d = deeper(depth); !d) return d;
        auto left = parse_and(depth + 1);
        while (left && is_word("or")) {
            const auto column = tok_.column;
            if (!consume()) return fail();
            auto right = parse_and(depth + 1);
            if (!right) return right;
            left = add(Op::or_, column, {*left, *right});
        }
        return left;
    }

    Index parse_and(int depth) {
        auto left = parse_not(depth + 1);
        while (left && is_word("and")) {
            const auto column = tok_.column;
            if (!consume()) return fail();
            auto right = parse_not(depth + 1);
            if (!right) return right;
            left = add(Op::and_, column, {*left, *right});
        }
        return left;
    }

    Index parse_not(int depth) {
        if (auto d = deeper(depth); !d) return d;
        if (is_word("not")) {
            const auto column = tok_.column;
            if (!consume()) return fail();
            auto operand = parse_not(depth + 1);
            if (!operand) return operand;
            return add(Op::not_, column, {*operand});
        }
        return parse_comparison(depth + 1);
    }

    Index parse_comparison(int depth) {
        auto left = parse_sum(depth + 1);
        if (!left) return left;
        static constexpr std::array<std::pair<std::string_view, Op>, 6> kCmp{
            {{"==", Op::eq}, {"!=", Op::ne}, {"<", Op::lt}, {"<=", Op::le}, {">", Op::gt}, {">=", Op::ge}}};
        for (const auto& [text, op] : kCmp) {
            if (!is_op(text)) continue;
            const auto column = tok_.column;
            if (!consume()) return fail();
            auto right = parse_sum(depth + 1);
            if (!right) return right;
            return add(op, column, {*left, *right});
        }
        return left;
    }

    Index parse_sum(int depth) {
        auto left = parse_product(depth + 1);
        while (left && (is_op("+") || is_op("-"))) {
            const auto op = is_op("+") ? Op::add : Op::sub;
            const auto column = tok_.column;
            if (!consume()) return fail();
            auto right = parse_product(depth + 1);
            if (!right) return right;
            left = add(op, column, {*left, *right});
        }
        return left;
    }

    Index parse_product(int depth) {
        auto left = parse_unary(depth + 1);
        while (left && (is_op("*") || is_op("/") || is_op("%"))) {
            const auto op = is_op("*") ? Op::mul : is_op("/") ? Op::div : Op::mod;
            const auto column = tok_.column;
            if (!consume()) return fail();
            auto right = parse_unary(depth + 1);
            if (!right) return right;
            left = add(op, column, {*left, *right});
        }
        return left;
    }

    Index parse_unary(int depth) {
        if (auto d = deeper(depth); !d) return d;
        if (is_op("-")) {
            const auto column = tok_.column;
            if (!consume()) return fail();
            auto operand = parse_unary(depth + 1);
            if (!operand) return operand;
            return add(Op::neg, column, {*operand});
        }
        return parse_primary(depth + 1);
    }

    Index parse_primary(int depth) {
        const auto column = tok_.column;
        switch (tok_.kind) {
            case Tok::end: return error_at(column, "expression ends too early");
            case Tok::number: {
                const double v = tok_.number;
                if (!consume()) return fail();
                return add(Op::literal, column, {}, Value{v});
            }
            case Tok::text: {
                auto v = tok_.text;
                if (!consume()) return fail();
                return add(Op::literal, column, {}, Value{std::move(v)});
            }
            case Tok::lparen: {
                if (!consume()) return fail();
                auto inner = parse_or(depth + 1);
                if (!inner) return inner;
                if (tok_.kind != Tok::rparen) return error_at(tok_.column, "expected ')'");
                if (!consume()) return fail();
                return inner;
            }
            case Tok::ident: return parse_name(depth);
            default: return error_at(column, "unexpected '" + tok_.text + "'");
        }
    }

    Index parse_name(int depth) {
        const auto column = tok_.column;
        const auto name = tok_.text;
        if (!consume()) return fail();
        if (tok_.kind != Tok::lparen) {
            if (name == "true" || name == "false") return add(Op::literal, column, {}, Value{name == "true"});
            if (name == "null") return add(Op::literal, column, {}, Value{});
            if (name == "current") {
                expr_.uses_current_ = true;
                return add(Op::current, column);
            }
            return error_at(column, "unknown name '" + name + "'");
        }
        const auto fn = std::find_if(kFunctions.begin(), kFunctions.end(),
                                     [&](const Function& f) { return f.name == name; });
        if (fn == kFunctions.end()) return error_at(column, "unknown function '" + name + "'");
        if (!consume()) return fail();
        std::vector<std::uint32_t> args;
        while (tok_.kind != Tok::rparen) {
            if (!args.empty()) {
                if (tok_.kind != Tok::comma) return error_at(tok_.column, "expected ',' or ')'");
                if (!consume()) return fail();
            }
            auto arg = parse_or(depth + 1);
            if (!arg) return arg;
            args.push_back(*arg);
            if (args.size() > 16) return error_at(column, name + "() takes at most 16 arguments");
        }
        if (!consume()) return fail();
        const int n = static_cast<int>(args.size());
        if (n < fn->min_args || (fn->max_args >= 0 && n > fn->max_args)) {
            return error_at(column, name + "() takes " + std::to_string(fn->min_args) +
                                        (fn->max_args == fn->min_args ? "" : " or more") + " argument" +
                                        (fn->min_args == 1 ? "" : "s") + ", got " + std::to_string(n));
        }
        if (auto checked = check_literals(fn->op, args, column); !checked) return checked;
        return add(fn->op, column, std::move(args));
    }

    const Value* literal(std::uint32_t node) const {
        const auto& n = expr_.nodes_[node];
        return n.op == Op::literal ? &n.value : nullptr;
    }

    Index check_literals(Op op, const std::vector<std::uint32_t>& args, std::uint32_t column) {
        if (op == Op::state) {
            const auto* device = literal(args[0]);
            const auto* attribute = literal(args[1]);
            if (device && (!proto::as_text(*device) || !proto::is_valid_id(*proto::as_text(*device)))) {
                return error_at(expr_.nodes_[args[0]].column, "state() needs a device id");
            }
            if (device && attribute && proto::as_text(*attribute)) {
                expr_.references_.push_back({proto::DeviceId{*proto::as_text(*device)}, *proto::as_text(*attribute)});
            }
        }
        if (op == Op::at || op == Op::time_between) {
            for (const auto a : args) {
                const auto* v = literal(a);
                if (v && (!proto::as_text(*v) || !parse_time_of_day(*proto::as_text(*v)))) {
                    return error_at(expr_.nodes_[a].column, "expected a time of day like '22:30'");
                }
            }
        }
        return column;
    }

    std::string_view src_;
    std::size_t pos_ = 0;
    Token tok_;
    std::string failure_;
    bool too_large_ = false;
    Expression expr_;
};

proto::Result<Expression> Expression::parse(std::string_view source) { return Parser(source).run(); }

namespace {

using EvalResult = proto::Result<Value>;

proto::Result<double> number_of(const Value& v, std::uint32_t column, std::string_view what) {
    if (const auto* d = proto::as_number(v)) return *d;
    return error_at(column, std::string(what) + " needs a number, got " + proto::type_name(v));
}

proto::Result<std::chrono::seconds> time_of(const Value& v, std::uint32_t column) {
    const auto* text = proto::as_text(v);
    const auto t = text ? parse_time_of_day(*text) : std::nullopt;
    if (!t) return error_at(column, "expected a time of day like '22:30'");
    return *t;
}

}  // namespace

proto::Result<Value> Expression::evaluate(const EvalContext& context) const {
    if (nodes_.empty()) return error_at(1, "empty expression");
    return eval(root_, context);
}

proto::Result<bool> Expression::test(const EvalContext& context) const {
    auto v = evaluate(context);
    if (!v) return v.error();
    if (const auto* b = proto::as_bool(*v)) return *b;
    return error_at(1, "condition is " + std::string(proto::type_name(*v)) + ", not bool");
}

proto::Result<Value> Expression::eval(std::uint32_t index, const EvalContext& ctx) const {
    const auto& n = nodes_[index];
    const auto arg = [&](std::size_t i) { return eval(n.args[i], ctx); };
    const auto num = [&](std::size_t i) -> proto::Result<double> {
        auto v = arg(i);
        if (!v) return v.error();
        return number_of(*v, nodes_[n.args[i]].column, "this operand");
    };
    const auto local = [&] { return to_local(ctx.now, ctx.place); };
    switch (n.op) {
        case Op::literal: return n.value;
        case Op::current: return ctx.current ? *ctx.current : Value{};
        case Op::neg: {
            auto v = num(0);
            if (!v) return v.error();
            return Value{-*v};
        }
        case Op::not_:
        case Op::and_:
        case Op::or_: {
            auto a = arg(0);
            if (!a) return a;
            const auto* ab = proto::as_bool(*a);
            if (!ab) return error_at(nodes_[n.args[0]].column, "needs a bool, got " + std::string(proto::type_name(*a)));
            if (n.op == Op::not_) return Value{!*ab};
            if (n.op == Op::and_ && !*ab) return Value{false};
            if (n.op == Op::or_ && *ab) return Value{true};
            auto b = arg(1);
            if (!b) return b;
            const auto* bb = proto::as_bool(*b);
            if (!bb) return error_at(nodes_[n.args[1]].column, "needs a bool, got " + std::string(proto::type_name(*b)));
            return Value{*bb};
        }
        case Op::add:
        case Op::sub:
        case Op::mul:
        case Op::div:
        case Op::mod: {
            // Each operand is evaluated once: evaluating them again for the numeric case made a
            // chain of n additions cost 2^n evaluations.
            auto left = arg(0);
            std::optional<proto::Result<Value>> right;
            if (n.op == Op::add) {
                right = arg(1);
                if (!left) return left;
                if (!*right) return *right;
                if (proto::as_text(*left) && proto::as_text(**right)) {
                    return Value{*proto::as_text(*left) + *proto::as_text(**right)};
                }
            }
            if (!left) return left;
            auto a = number_of(*left, nodes_[n.args[0]].column, "this operand");
            if (!a) return a.error();
            if (!right) right = arg(1);
            if (!*right) return *right;
            auto b = number_of(**right, nodes_[n.args[1]].column, "this operand");
            if (!b) return b.error();
            if ((n.op == Op::div || n.op == Op::mod) && *b == 0) return error_at(n.column, "division by zero");
            switch (n.op) {
                case Op::add: return Value{*a + *b};
                case Op::sub: return Value{*a - *b};
                case Op::mul: return Value{*a * *b};
                case Op::div: return Value{*a / *b};
                default: return Value{std::fmod(*a, *b)};
            }
        }
        case Op::eq:
        case Op::ne: {
            auto a = arg(0);
            if (!a) return a;
            auto b = arg(1);
            if (!b) return b;
            return Value{(*a == *b) == (n.op == Op::eq)};
        }
        case Op::lt:
        case Op::le:
        case Op::gt:
        case Op::ge: {
            auto a = arg(0);
            if (!a) return a;
            auto b = arg(1);
            if (!b) return b;
            if (a->index() != b->index() || (!proto::as_number(*a) && !proto::as_text(*a))) {
                return error_at(n.column, std::string("cannot order ") + proto::type_name(*a) + " and " +
                                              proto::type_name(*b));
            }
            const auto order = *a <=> *b;
            switch (n.op) {
                case Op::lt: return Value{order < 0};
                case Op::le: return Value{order <= 0};
                case Op::gt: return Value{order > 0};
                default: return Value{order >= 0};
            }
        }
        case Op::state: {
            auto device = arg(0);
            if (!device) return device;
            auto attribute = arg(1);
            if (!attribute) return attribute;
            const auto* id = proto::as_text(*device);
            const auto* name = proto::as_text(*attribute);
            if (!id || !name) return error_at(n.column, "state() takes a device id and an attribute name");
            if (!ctx.registry) return error_at(n.column, "state() has no device state here");
            const auto* d = ctx.registry->find(proto::DeviceId{*id});
            if (!d) return error_at(n.column, "no device '" + *id + "'");
            const auto it = d->state.find(*name);
            return it == d->state.end() ? Value{} : it->second;
        }
        case Op::min:
        case Op::max: {
            double best = 0;
            for (std::size_t i = 0; i < n.args.size(); ++i) {
                auto v = num(i);
                if (!v) return v.error();
                if (i == 0 || (n.op == Op::min ? *v < best : *v > best)) best = *v;
            }
            return Value{best};
        }
        case Op::clamp: {
            auto x = num(0);
            if (!x) return x.error();
            auto lo = num(1);
            if (!lo) return lo.error();
            auto hi = num(2);
            if (!hi) return hi.error();
            if (*lo > *hi) return error_at(n.column, "clamp() lower bound is above the upper bound");
            return Value{std::clamp(*x, *lo, *hi)};
        }
        case Op::abs:
        case Op::round: {
            auto x = num(0);
            if (!x) return x.error();
            return Value{n.op == Op::abs ? std::fabs(*x) : std::round(*x)};
        }
        case Op::if_: {
            auto c = arg(0);
            if (!c) return c;
            const auto* b = proto::as_bool(*c);
            if (!b) return error_at(nodes_[n.args[0]].column, "if() needs a bool condition");
            return arg(*b ? 1 : 2);
        }
        case Op::time:
            return Value{static_cast<double>(std::chrono::duration_cast<std::chrono::minutes>(local().time_of_day).count())};
        case Op::at: {
            auto v = arg(0);
            if (!v) return v;
            auto t = time_of(*v, nodes_[n.args[0]].column);
            if (!t) return t.error();
            return Value{static_cast<double>(std::chrono::duration_cast<std::chrono::minutes>(*t).count())};
        }
        case Op::time_between: {
            auto from = arg(0);
            if (!from) return from;
            auto to = arg(1);
            if (!to) return to;
            auto f = time_of(*from, nodes_[n.args[0]].column);
            if (!f) return f.error();
            auto t = time_of(*to, nodes_[n.args[1]].column);
            if (!t) return t.error();
            return Value{in_window(local().time_of_day, *f, *t)};
        }
        case Op::hour:
            return Value{static_cast<double>(std::chrono::duration_cast<std::chrono::hours>(local().time_of_day).count())};
        case Op::weekday: return Value{static_cast<double>(iso_weekday(local().weekday))};
        case Op::month: return Value{static_cast<double>(static_cast<unsigned>(local().date.month()))};
        case Op::season: return Value{std::string(to_string(season(ctx.now, ctx.place)))};
    }
    return error_at(n.column, "unknown operation");
}

}  // namespace hearth::scenes
