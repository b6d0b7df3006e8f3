#include "scenes/expression.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth;
using namespace hearth::scenes;
using proto::Value;

namespace {

devices::Registry home() {
    devices::Registry r;
    r.upsert(proto::description_from_json(nlohmann::json{
                 {"id", "bedroom.ac"}, {"kind", "air_conditioner"},
                 {"capabilities", {"on", "hvac_mode", "target_temperature", "temperature"}}})
                 .value());
    (void)r.apply_state(proto::DeviceId{"bedroom.ac"},
                        {{"on", true}, {"hvac_mode", std::string("cool")}, {"temperature", 29.5}});
    return r;
}

Value eval(std::string_view source, const EvalContext& ctx = {}) {
    auto e = Expression::parse(source);
    INFO(source << (e ? "" : " → " + e.error().message));
    REQUIRE(e.has_value());
    auto v = e->evaluate(ctx);
    INFO(source << (v ? "" : " → " + v.error().message));
    REQUIRE(v.has_value());
    return *v;
}

std::string parse_error(std::string_view source) {
    auto e = Expression::parse(source);
    REQUIRE(e.has_error());
    return e.error().message;
}

TimePoint utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    using namespace std::chrono;
    return sys_days{year{y} / month{m} / day{d}} + hours(h) + minutes(min);
}

}  // namespace

TEST_CASE("Arithmetic follows precedence and parentheses") {
    CHECK(eval("1 + 2 * 3") == Value{7.0});
    CHECK(eval("(1 + 2) * 3") == Value{9.0});
    CHECK(eval("-4 + 10 % 4") == Value{-2.0});
    CHECK(eval("'a' + 'b'") == Value{std::string("ab")});
}

TEST_CASE("Comparisons and logic short-circuit and need bools") {
    CHECK(eval("1 < 2 and 'b' > 'a'") == Value{true});
    CHECK(eval("not (1 == 1) or 2 != 2") == Value{false});
    CHECK(eval("false and state('x', 'y') > 1") == Value{false});
    auto e = Expression::parse("1 and true");
    REQUIRE(e.has_value());
    CHECK(e->evaluate({}).has_error());
}

TEST_CASE("State lookups read the registry and current reads the target's attribute") {
    const auto r = home();
    EvalContext ctx;
    ctx.registry = &r;
    const Value brightness{70.0};
    ctx.current = &brightness;
    CHECK(eval("state('bedroom.ac', 'temperature') > 28", ctx) == Value{true});
    CHECK(eval("state('bedroom.ac', 'target_temperature')", ctx) == Value{});
    CHECK(eval("clamp(current - 30, 1, 100)", ctx) == Value{40.0});
    CHECK(eval("min(current, 50, 60) + max(1, 2)", ctx) == Value{52.0});
    CHECK(eval("if(state('bedroom.ac', 'hvac_mode') == 'cool', 26, 20)", ctx) == Value{26.0});
    auto e = Expression::parse("state('bedroom.tv', 'on')");
    REQUIRE(e.has_value());
    CHECK(e->references().front().device.value == "bedroom.tv");
    CHECK(e->evaluate(ctx).has_error());
}

TEST_CASE("Time of day and season come from the time and place passed in") {
    EvalContext ctx;
    ctx.place = Place{39.9, 116.4, 480};
    ctx.now = utc(2026, 7, 10, 14, 30);  // 22:30 in Beijing, a Friday
    CHECK(eval("time()", ctx) == Value{1350.0});
    CHECK(eval("time() >= at('22:00')", ctx) == Value{true});
    CHECK(eval("time_between('22:00', '06:00')", ctx) == Value{true});
    CHECK(eval("hour()", ctx) == Value{22.0});
    CHECK(eval("weekday()", ctx) == Value{5.0});
    CHECK(eval("season()", ctx) == Value{std::string("summer")});
    CHECK(eval("if(season() == 'summer', 26, 20)", ctx) == Value{26.0});
    ctx.place.latitude = -33.9;
    CHECK(eval("season()", ctx) == Value{std::string("winter")});
}

TEST_CASE("Unsafe or invalid expressions are refused with their column") {
    CHECK(parse_error("system('rm -rf /')").find("at column 1: unknown function 'system'") != std::string::npos);
    CHECK(parse_error("1 +").find("at column 4") != std::string::npos);
    CHECK(parse_error("current = 3").find("at column 9") != std::string::npos);
    CHECK(parse_error("foo + 1").find("unknown name 'foo'") != std::string::npos);
    CHECK(parse_error("state('Bad Id', 'on')").find("at column 7") != std::string::npos);
    CHECK(parse_error("at('25:00')").find("time of day") != std::string::npos);
    CHECK(parse_error("clamp(1, 2)").find("clamp() takes 3") != std::string::npos);
    CHECK(parse_error("'open").find("unterminated") != std::string::npos);
    CHECK(parse_error("1 2").find("at column 3") != std::string::npos);
    CHECK(parse_error(std::string(200, '(') + "1" + std::string(200, ')')).find("too deeply") != std::string::npos);
    CHECK(parse_error(std::string(2000, '1')).find("longer than") != std::string::npos);
    CHECK(parse_error("__import__('os')").find("unknown function") != std::string::npos);
}

TEST_CASE("Evaluation errors name the column of the failing part") {
    auto e = Expression::parse("1 + 10 / (2 - 2)");
    REQUIRE(e.has_value());
    const auto v = e->evaluate({});
    REQUIRE(v.has_error());
    CHECK(v.error().message.find("at column 8: division by zero") != std::string::npos);
    auto t = Expression::parse("1 + 'a'");
    REQUIRE(t.has_value());
    CHECK(t->evaluate({}).error().message.find("at column 5") != std::string::npos);
}

TEST_CASE("An expression is parsed once and evaluated many times") {
    auto e = Expression::parse("current + 1");
    REQUIRE(e.has_value());
    CHECK(e->uses_current());
    for (int i = 0; i < 100; ++i) {
        const Value v{static_cast<double>(i)};
        EvalContext ctx;
        ctx.current = &v;
        CHECK(e->evaluate(ctx).value() == Value{i + 1.0});
    }
}

TEST_CASE("A long chain of additions evaluates each operand once") {
    // Found by fuzz_expression (a timeout): `+` evaluated both operands, then again as numbers, so
    // each addition doubled the work of the chain before it.
    const auto fuzzed = Expression::parse(
        "11 +2-4+ 11 +2-4+ 1*09 /-111 +2-4+ 11 +2-4+ 1*09 /-1 +2-4+ 101.4+2-4+ 11 +2-4+ 109 /-1 +2-4+ 109 /-110 --9 "
        "/-1 +2-4+ 101.4+2-4+ 11 +2-4+ 109 /-1 +2-4+ 109 /-110 --9 /-110 \n\n\n\n\n");
    REQUIRE(fuzzed.has_value());
    CHECK(proto::as_number(fuzzed->evaluate({}).value()) != nullptr);
    CHECK(*proto::as_number(fuzzed->evaluate({}).value()) == Approx(-4.3447174447));

    std::string sixty = "1";
    for (int i = 1; i < 60; ++i) sixty += " + 1";
    const auto chain = Expression::parse(sixty);
    REQUIRE(chain.has_value());
    CHECK(chain->evaluate({}).value() == Value{60.0});
    CHECK(Expression::parse("'a' + 'b' + 'c'")->evaluate({}).value() == Value{std::string("abc")});
}
