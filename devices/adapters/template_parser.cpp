#include <algorithm>
#include <charconv>

#include "devices/adapters/template_expression.hpp"

namespace hearth::devices::adapters {

using proto::Errc;
using proto::make_error;
using proto::Result;
using TV = TemplateValue;

namespace {

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
                auto t = number();
                if (!t) return t.error();
                out.push_back(std::move(*t));
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
    Result<Token> number() {
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
        // from_chars, not stod/stoll: those throw on a number out of range.
        const auto* const end = digits.data() + digits.size();
        if (is_float) {
            double d = 0;
            if (std::from_chars(digits.data(), end, d).ec == std::errc()) return Token{Token::number, digits, real(d)};
        } else {
            std::int64_t i = 0;
            if (std::from_chars(digits.data(), end, i).ec == std::errc()) return Token{Token::number, digits, integer(i)};
        }
        return make_error(Errc::invalid_field, "number " + digits.substr(0, 40) + " is out of range in template");
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

}  // namespace

Result<ExprPtr> parse_expression(std::string_view s) {
    auto tokens = Lexer(s).run();
    if (!tokens) return tokens.error();
    return Parser(std::move(*tokens)).whole_expression();
}

Result<std::pair<std::string, ExprPtr>> parse_assignment(std::string_view s) {
    auto tokens = Lexer(s).run();
    if (!tokens) return tokens.error();
    return Parser(std::move(*tokens)).assignment();
}

}  // namespace hearth::devices::adapters
