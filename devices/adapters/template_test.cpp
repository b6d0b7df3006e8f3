#include "devices/adapters/template.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::devices::adapters;

namespace {

std::string render(std::string_view tpl, const nlohmann::json& payload) {
    auto t = Template::compile(tpl);
    REQUIRE(t.has_value());
    const auto text = payload.dump();
    auto r = t->render(value_template_variables(text, &payload));
    REQUIRE(r.has_value());
    return *r;
}

}  // namespace

TEST_CASE("A value template reads a key by attribute or by subscript") {
    const nlohmann::json p = {{"temperature", 21.5}, {"state", "ON"}, {"n", 21}};
    CHECK(render("{{ value_json.temperature }}", p) == "21.5");
    CHECK(render("{{ value_json['state'] }}", p) == "ON");
    CHECK(render("{{ value_json[\"n\"] }}", p) == "21");
}

TEST_CASE("A value template renders JSON null and booleans the way Python does") {
    const nlohmann::json p = {{"battery", nullptr}, {"occupancy", true}};
    CHECK(render("{{ value_json.battery }}", p) == "None");
    CHECK(render("{{ value_json.occupancy }}", p) == "True");
}

TEST_CASE("Filters float, int, round and default convert values") {
    const nlohmann::json p = {{"t", "21.456"}, {"n", 3.7}};
    CHECK(render("{{ value_json.t | float }}", p) == "21.456");
    CHECK(render("{{ value_json.n | int }}", p) == "3");
    CHECK(render("{{ value_json.t | float | round(1) }}", p) == "21.5");
    CHECK(render("{{ value_json.missing | default(7) }}", p) == "7");
    CHECK(render("{{ value_json.t | float(0) * 2 }}", p) == "42.912");
    CHECK(render("{{ value_json.n | is_defined }}", p) == "3.7");
}

TEST_CASE("is_defined fails on a missing key instead of guessing") {
    auto t = Template::compile("{{ value_json.missing | is_defined }}");
    REQUIRE(t.has_value());
    const nlohmann::json p = {{"x", 1}};
    CHECK_FALSE(t->render(value_template_variables("{}", &p)).has_value());
}

TEST_CASE("Conditionals, set statements and dict lookups work as in Zigbee2MQTT's templates") {
    const nlohmann::json p = {{"running_state", "heat"},
                              {"fan_mode", "medium"},
                              {"motor_state", nullptr},
                              {"power_outage_memory", true}};
    CHECK(render("{% set values = "
                 "{None:None,'idle':'idle','heat':'heating','cool':'cooling','fan_only':'fan'} %}"
                 "{{ values[value_json[\"running_state\"]] }}",
                 p) == "heating");
    CHECK(render("{{ {'off':0, 'low':1, 'medium':2, 'high':3, 'on':4}[value_json[\"fan_mode\"]] | "
                 "default('None') }}",
                 p) == "2");
    CHECK(render("{{ value_json[\"fan_mode\"] if value_json[\"fan_mode\"] in ['smart'] else 'None' "
                 "| default('None') }}",
                 p) == "None");
    CHECK(render("{% if \"motor_state\" in value_json and value_json[\"motor_state\"] %} {{ "
                 "value_json[\"motor_state\"] }} {% else %} stopped {% endif %}",
                 p) == "stopped");
    CHECK(render("{% if value_json[\"power_outage_memory\"] %}true{% else %}false{% endif %}", p) ==
          "true");
    CHECK(render("{{ value_json['update'].get('progress', 'null') if value_json.update is defined "
                 "else 'x' }}",
                 p) == "x");
}

TEST_CASE("A command template sees its value and position variables") {
    auto t = Template::compile(
        "{{ {0:'off', 1:'low', 2:'medium', 3:'high', 4:'on'}[value] | default('') }}");
    REQUIRE(t.has_value());
    TemplateVariables vars{{"value", TemplateValue{std::int64_t{3}}}};
    CHECK(t->render(vars).value() == "high");
    auto p = Template::compile("{ \"position\": {{ position }} }");
    REQUIRE(p.has_value());
    CHECK(p->render({{"position", TemplateValue{std::int64_t{30}}}}).value() ==
          "{ \"position\": 30 }");
}

TEST_CASE("Unsupported template constructs are refused at compile time") {
    CHECK_FALSE(Template::compile("{% for x in value_json %}{{ x }}{% endfor %}").has_value());
    CHECK_FALSE(Template::compile("{{ value_json.x | as_timestamp }}").has_value());
    CHECK_FALSE(Template::compile("{{ states('sensor.x') }}").has_value());
    CHECK_FALSE(Template::compile("{{ value_json.x ").has_value());
    CHECK_FALSE(Template::compile("{% if x %}a").has_value());
}

TEST_CASE("Whitespace control trims around tags") {
    const nlohmann::json p = {{"a", 1}};
    CHECK(render("x  {{- value_json.a -}}  y", p) == "x1y");
}

TEST_CASE("Deeply nested templates are refused instead of exhausting the stack") {
    CHECK_FALSE(
        Template::compile("{{ " + std::string(10000, '(') + "1" + std::string(10000, ')') + " }}")
            .has_value());
    CHECK_FALSE(Template::compile("{{ " + std::string(20000, '-') + "1 }}").has_value());
    std::string nested;
    for (int i = 0; i < 1000; ++i) nested += "{% if 1 %}";
    CHECK_FALSE(Template::compile(nested).has_value());
    CHECK(Template::compile("{{ ((((1)))) }}").has_value());
}

TEST_CASE("A number literal too large for its type is refused when the template is compiled") {
    // Found by fuzz_ha_template: std::stoll threw std::out_of_range out of Template::compile.
    const auto fuzzed = Template::compile("{{ (" + std::string(112, '1') + "%((1)))) }}");
    REQUIRE_FALSE(fuzzed.has_value());
    CHECK(fuzzed.error().message.find("out of range") != std::string::npos);
    CHECK_FALSE(Template::compile("{{ " + std::string(400, '9') + ".5 }}").has_value());
    CHECK(render("{{ 9223372036854775807 }}", nlohmann::json::object()) == "9223372036854775807");
    CHECK(render("{{ 1_000 + 0.5 }}", nlohmann::json::object()) == "1000.5");
}
