#pragma once
// The expression half of template.hpp's Jinja subset: values with Python semantics, the expression
// tree, parsing it (template_parser.cpp), refusing unsupported filters, tests and methods, and
// evaluating it (template_evaluator.cpp). Internal to the template engine; pure.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/adapters/template.hpp"

namespace hearth::devices::adapters {

// ---- values (template_value.cpp) ----

TemplateValue none();
TemplateValue undefined();
TemplateValue boolean(bool b);
TemplateValue integer(std::int64_t i);
TemplateValue real(double d);
TemplateValue text(std::string s);
const std::string* as_string(const TemplateValue& v);
const TemplateValue::Dict* as_dict(const TemplateValue& v);
const TemplateValue::List* as_list(const TemplateValue& v);
bool is_number(const TemplateValue& v);
double to_double(const TemplateValue& v);
/// Python's truth: empty strings, lists and dicts, zero, None and undefined are false.
bool truthy(const TemplateValue& v);
/// Python's == for numbers (1 == 1.0), None, undefined, strings and lists (element by element);
/// anything else is unequal.
bool equal(const TemplateValue& a, const TemplateValue& b);
/// Python's str() of a float: 21.0 → "21.0", nan, inf.
std::string format_double(double d);
/// Strings in single quotes, everything else as to_python_string(), for error messages.
std::string quoted(const TemplateValue& v);
/// The number a string holds (surrounding spaces and a leading + allowed); nullopt otherwise.
std::optional<double> parse_number(std::string_view s);

// ---- expressions ----

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
    TemplateValue value;                   // literal
    std::string name;           // name, attribute, method, filter, test, binary operator
    std::vector<ExprPtr> args;  // operands; for filter/test/method: args[0] is the subject
    bool negated = false;       // `is not`, `not in`
};

/// Parses one expression (the inside of `{{ }}`, an `if` condition); nesting is bounded.
proto::Result<ExprPtr> parse_expression(std::string_view s);
/// Tokens of a `{% set name = expr %}` statement: the name and the expression.
proto::Result<std::pair<std::string, ExprPtr>> parse_assignment(std::string_view s);

/// Refuses unsupported filters, tests and methods at compile time rather than at first use.
proto::Result<void> check_supported(const Expr& e);
/// The expression's value; `scope` holds the variables, and `set` statements add to it.
proto::Result<TemplateValue> evaluate(const Expr& e, TemplateVariables& scope);

}  // namespace hearth::devices::adapters
