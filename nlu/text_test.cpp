#include "nlu/text.hpp"

#include <catch2/catch.hpp>

using namespace hearth::nlu;

namespace {
std::string joined(const Text& t) { return TextNormalizer::join(t.units, 0, t.units.size()); }
}  // namespace

TEST_CASE("Traditional characters are read as Simplified") {
    const auto t = shared_normalizer().normalize("把臥室的燈打開");
    CHECK(t.language == Language::zh);
    CHECK(joined(t) == "把卧室的灯打开");
}

TEST_CASE("Full-width letters, digits and punctuation become half width") {
    const auto t = shared_normalizer().normalize("ＴＶ音量５０％！");
    CHECK(joined(t) == "tv音量50%");
    REQUIRE(t.units.size() == 5);
    CHECK(t.units[0].kind == UnitKind::word);
    CHECK(t.units[3].kind == UnitKind::number);
    CHECK(t.units[4].kind == UnitKind::symbol);
}

TEST_CASE("Spaces between Chinese characters do not matter") {
    CHECK(joined(shared_normalizer().normalize("暫停 我 個 計時器")) == joined(shared_normalizer().normalize("暂停我个计时器")));
}

TEST_CASE("English words are lower-cased, stemmed and lose their apostrophes") {
    const auto t = shared_normalizer().normalize("Don't turn off the Kitchen Lights, I'm tired.");
    CHECK(t.language == Language::en);
    CHECK(joined(t) == "dont turn off the kitchen light im tired");
}

TEST_CASE("Decimal numbers stay whole and units split off") {
    const auto t = shared_normalizer().normalize("set temperature to 20.5° and 50%");
    CHECK(joined(t) == "set temperature to 20.5°and 50%");
    CHECK(t.units[3].text == "20.5");
    CHECK(t.units[4].text == "°");
}

TEST_CASE("Every Han character carries its toneless pinyin") {
    const auto& n = shared_normalizer();
    const auto t = n.normalize("客厅可厅");
    REQUIRE(t.units.size() == 4);
    CHECK(n.syllable(t.units[0].pinyin) == "ke");
    CHECK(n.syllable(t.units[1].pinyin) == "ting");
    CHECK(t.units[0].pinyin == t.units[2].pinyin);
    CHECK(n.sound_distance(t.units[1].pinyin, t.units[3].pinyin) == 0);
}

TEST_CASE("Near homophones are close, different syllables are far") {
    const auto& n = shared_normalizer();
    const auto t = n.normalize("调掉灯开");
    CHECK(n.sound_distance(t.units[0].pinyin, t.units[1].pinyin) <= 1);
    CHECK(n.sound_distance(t.units[2].pinyin, t.units[3].pinyin) == 3);
}

TEST_CASE("The script of Chinese text is told by the characters that differ") {
    const auto& n = shared_normalizer();
    CHECK(n.normalize("打開客廳的燈").script == Script::hant);
    CHECK(n.normalize("打开客厅的灯").script == Script::hans);
    CHECK(n.normalize("我困了").script == Script::hans);
    CHECK(n.to_traditional("已打开客厅灯。") == "已打開客廳燈。");
}

TEST_CASE("Commas and full stops are remembered as pauses between units") {
    const auto t = shared_normalizer().normalize("开灯，关空调. ok");
    CHECK(t.pauses == std::vector<std::size_t>{2, 5});
}
