#pragma once
// Utterance text as the recogniser sees it: normalised (NFKC, so full width becomes half width;
// Traditional → Simplified; lower case; punctuation → spaces) and cut into units. A unit is one Han
// character, one Latin word (stemmed: "lights" → "light", apostrophes dropped) or one number or
// symbol ("20.5", "%", "°"). Each Han unit carries its toneless pinyin for the homophone layer.
//
// TextNormalizer owns the ICU transliterators and the per-character Han tables built from them;
// building it takes about half a second, so build it once and share it. Immutable after
// construction: normalize() is const and safe to call from any thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::nlu {

enum class Language { zh, en };
std::string_view to_string(Language l) noexcept;

enum class UnitKind { han, word, number, symbol };

/// The script of Chinese text: hans (Simplified) unless more of its characters are Traditional-only
/// ("開燈") than Simplified-only ("开灯"). Text without such characters counts as hans.
enum class Script { hans, hant };
std::string_view to_string(Script s) noexcept;

struct Unit {
    std::string text;           // UTF-8; a Han character, a stemmed word, a number or a symbol
    UnitKind kind = UnitKind::word;
    std::uint16_t pinyin = 0;   // Han only: index of the toneless syllable (0 = none)
};

struct Text {
    std::vector<Unit> units;
    Language language = Language::en;  // zh as soon as one Han character is present
    bool question_mark = false;        // the text had "?" or "？"
    Script script = Script::hans;      // of the Han characters as written, before conversion
    std::vector<std::size_t> pauses;   // unit indices a comma, semicolon or full stop came before
};

class TextNormalizer {
public:
    /// Builds the ICU transliterators ("Traditional-Simplified", "Han-Latin; Latin-ASCII", "Hans-Hant") and the
    /// per-character tables of the CJK Unified Ideographs block. Throws std::runtime_error when ICU
    /// lacks them (a broken installation, found at startup).
    TextNormalizer();
    ~TextNormalizer();
    TextNormalizer(const TextNormalizer&) = delete;
    TextNormalizer& operator=(const TextNormalizer&) = delete;

    Text normalize(std::string_view utf8) const;

    /// Simplified Chinese text in Traditional characters, through ICU's "Hans-Hant" transliterator.
    /// Unlike normalize(), call it from one thread at a time (the recogniser's: the hub thread); ICU
    /// does not promise that one transliterator serves several threads at once.
    std::string to_traditional(std::string_view utf8) const;

    /// Units joined back: Han characters and symbols without spaces, words with single spaces.
    static std::string join(const std::vector<Unit>& units, std::size_t begin, std::size_t end);

    /// The toneless syllable of a pinyin index ("ting"), empty for 0.
    std::string_view syllable(std::uint16_t pinyin) const noexcept;

    /// How far two syllables sound apart: 0 same, 1 a near homophone (d/t, zh/z, n/l, an/ang, …),
    /// 3 different.
    int sound_distance(std::uint16_t a, std::uint16_t b) const noexcept;

private:
    struct Tables;
    std::unique_ptr<Tables> tables_;
};

/// Shared by every recogniser in the process; built on first use.
const TextNormalizer& shared_normalizer();

/// English stem used for both utterances and lexicon entries ("switches" → "switch").
std::string stem(std::string word);

}  // namespace hearth::nlu
