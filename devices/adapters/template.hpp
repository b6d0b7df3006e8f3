#pragma once
// The subset of Jinja that Home Assistant MQTT discovery payloads use in their value and command
// templates: `{{ expr }}` output, `{% if %}/{% elif %}/{% else %}/{% endif %}`, `{% set x = … %}`,
// literals (numbers, strings, None/True/False, lists, dicts), `value_json.x`, `value_json['x']`,
// `.get(k, d)`, comparisons, `in`, `and/or/not`, arithmetic, `a if c else b`, `is defined` tests
// and the filters float, int, round, default (d), string, lower, upper, trim, truncate, abs, bool,
// replace and is_defined. Anything else is refused when the template is compiled, so an entity
// whose template cannot be evaluated is known at discovery time and never guessed at.
//
// Pure and immutable once compiled; a Template may be rendered from any thread.
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "proto/errc.hpp"

namespace hearth::devices::adapters {

struct TemplateDictEntry;

/// A value inside a template, with Python semantics (int and float are distinct, dicts take any
/// scalar key, missing keys are undefined).
struct TemplateValue {
    struct Undefined {};
    struct None {};
    using List = std::vector<TemplateValue>;
    using Dict = std::vector<TemplateDictEntry>;

    std::variant<Undefined, None, bool, std::int64_t, double, std::string,
                 std::shared_ptr<const List>, std::shared_ptr<const Dict>>
        v;

    static TemplateValue from_json(const nlohmann::json& j);
    bool is_undefined() const noexcept { return std::holds_alternative<Undefined>(v); }
    bool is_none() const noexcept { return std::holds_alternative<None>(v); }
};

struct TemplateDictEntry {
    TemplateValue key;
    TemplateValue value;
};

/// Named variables visible to a template (`value`, `value_json`, `position`, …).
using TemplateVariables = std::map<std::string, TemplateValue, std::less<>>;

class Template {
  public:
    /// Compiles a template, or says which construct is not supported.
    static proto::Result<Template> compile(std::string_view text);

    /// Renders with the given variables; the result is stripped of surrounding whitespace, as
    /// Home Assistant does. Fails on a runtime error (an undefined value used as an object,
    /// `is_defined` on an undefined value, a bad conversion).
    proto::Result<std::string> render(const TemplateVariables& variables) const;

    const std::string& text() const noexcept { return text_; }

    struct Node;

  private:
    std::string text_;
    std::shared_ptr<const std::vector<Node>> nodes_;
};

/// The variables of a value template for one received payload: `value` is the payload text and
/// `value_json` its parsed JSON, when it parses.
TemplateVariables value_template_variables(std::string_view payload, const nlohmann::json* parsed);

/// Python's str() of a value: None → "None", True → "True", 21 → "21", 21.5 → "21.5".
std::string to_python_string(const TemplateValue& v);

}  // namespace hearth::devices::adapters
