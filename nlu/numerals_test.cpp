#include "nlu/numerals.hpp"

#include <catch2/catch.hpp>

using namespace hearth::nlu;

namespace {
std::optional<NumberMatch> first_number(std::string_view text) {
    const auto t = shared_normalizer().normalize(text);
    for (std::size_t i = 0; i < t.units.size(); ++i)
        if (auto n = read_number(t.units, i)) return n;
    return std::nullopt;
}
}  // namespace

TEST_CASE("Chinese numerals are read with their decimals") {
    CHECK(chinese_numeral(U"二十五点五") == Approx(25.5));
    CHECK(chinese_numeral(U"十") == Approx(10));
    CHECK(chinese_numeral(U"十八") == Approx(18));
    CHECK(chinese_numeral(U"一百") == Approx(100));
    CHECK(chinese_numeral(U"两") == Approx(2));
    CHECK(chinese_numeral(U"三千零五") == Approx(3005));
    CHECK_FALSE(chinese_numeral(U"客厅").has_value());
}

TEST_CASE("A number carries the unit that follows it") {
    auto n = first_number("调到二十五点五度");
    REQUIRE(n.has_value());
    CHECK(n->value == Approx(25.5));
    CHECK(n->unit == NumberUnit::degrees);

    n = first_number("调高两度");
    REQUIRE(n.has_value());
    CHECK(n->value == Approx(2));
    CHECK(n->unit == NumberUnit::degrees);

    n = first_number("set it to 26 °C");
    REQUIRE(n.has_value());
    CHECK(n->value == Approx(26));
    CHECK(n->unit == NumberUnit::degrees);
}

TEST_CASE("Percentages are read in both languages") {
    auto n = first_number("百分之五十");
    REQUIRE(n.has_value());
    CHECK(n->value == Approx(50));
    CHECK(n->unit == NumberUnit::percent);

    n = first_number("百分之50");
    REQUIRE(n.has_value());
    CHECK(n->value == Approx(50));

    n = first_number("５０％");
    REQUIRE(n.has_value());
    CHECK(n->value == Approx(50));
    CHECK(n->unit == NumberUnit::percent);

    n = first_number("one hundred percent");
    REQUIRE(n.has_value());
    CHECK(n->value == Approx(100));
    CHECK(n->unit == NumberUnit::percent);
}

TEST_CASE("English number words with a decimal point") {
    const auto n = first_number("twenty point five degrees");
    REQUIRE(n.has_value());
    CHECK(n->value == Approx(20.5));
    CHECK(n->unit == NumberUnit::degrees);
    CHECK(first_number("twenty five")->value == Approx(25));
}
