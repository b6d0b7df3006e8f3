#include "devices/adapters/template.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "devices/adapters/template_expression.hpp"

namespace hearth::devices::adapters {

using proto::Errc;
using proto::make_error;
using proto::Result;
using TV = TemplateValue;

using Scope = TemplateVariables;

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
                auto a = parse_assignment(args);
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
                auto v = evaluate(*n.expr, scope);
                if (!v) return v.error();
                if (!v->is_undefined()) out += to_python_string(*v);
                break;
            }
            case Node::set: {
                auto v = evaluate(*n.expr, scope);
                if (!v) return v.error();
                scope.insert_or_assign(n.literal, std::move(*v));
                break;
            }
            case Node::branch: {
                const std::vector<Node>* body = &n.otherwise;
                for (const auto& [cond, arm] : n.arms) {
                    auto c = evaluate(*cond, scope);
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
