#include "nlu/text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <array>
#include <stdexcept>
#include <unordered_map>

namespace hearth::nlu {
namespace {

constexpr char32_t kHanFirst = 0x4E00;
constexpr char32_t kHanLast = 0x9FFF;

bool is_han(char32_t c) { return c >= kHanFirst && c <= kHanLast; }

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

std::unique_ptr<icu::Transliterator> make_transliterator(const char* id) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(
        icu::Transliterator::createInstance(icu::UnicodeString::fromUTF8(id), UTRANS_FORWARD, status));
    if (U_FAILURE(status) || !t) throw std::runtime_error(std::string("ICU transliterator missing: ") + id);
    return t;
}

// Syllables that people (and speech recognisers) confuse: retroflex vs dental initials, n/l,
// aspirated vs plain stops, front vs back nasal finals.
std::string fuzzy_key(std::string s) {
    static const std::array<std::pair<std::string_view, std::string_view>, 6> initials = {{
        {"zh", "z"}, {"ch", "c"}, {"sh", "s"}, {"t", "d"}, {"p", "b"}, {"k", "g"}}};
    for (const auto& [from, to] : initials) {
        if (s.starts_with(from)) {
            s = std::string(to) + s.substr(from.size());
            break;
        }
    }
    if (s.starts_with("n")) s[0] = 'l';
    if (s.starts_with("f")) s[0] = 'h';
    if (s.ends_with("ng") && s.size() > 2) s.pop_back();
    return s;
}

}  // namespace

struct TextNormalizer::Tables {
    std::vector<char32_t> simplified;       // indexed by c - kHanFirst
    std::vector<std::uint16_t> pinyin;      // indexed by c - kHanFirst
    std::vector<std::string> syllables;     // index 0 is the empty syllable
    std::vector<std::uint16_t> fuzzy;       // fuzzy class of each syllable
    std::vector<bool> simplified_only;      // a Simplified form that differs from its Traditional one
    const icu::Normalizer2* nfkc = nullptr;
    std::unique_ptr<icu::Transliterator> to_traditional;
};

TextNormalizer::TextNormalizer() : tables_(std::make_unique<Tables>()) {
    UErrorCode status = U_ZERO_ERROR;
    tables_->nfkc = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU NFKC normalizer missing");
    const auto to_simplified = make_transliterator("Traditional-Simplified");
    const auto to_pinyin = make_transliterator("Han-Latin; Latin-ASCII");
    tables_->to_traditional = make_transliterator("Hans-Hant");

    const std::size_t count = kHanLast - kHanFirst + 1;
    tables_->simplified.resize(count);
    tables_->pinyin.assign(count, 0);
    tables_->syllables.emplace_back();
    tables_->fuzzy.push_back(0);

    // Transliterating the block in chunks (each character followed by a space) is far cheaper than
    // one call per character, and than one call for the whole block, which shifts the rest of the
    // string on every replacement.
    icu::UnicodeString simple, latin;
    constexpr char32_t kChunk = 256;
    for (char32_t first = kHanFirst; first <= kHanLast; first += kChunk) {
        icu::UnicodeString chunk;
        for (char32_t c = first; c < first + kChunk && c <= kHanLast; ++c) {
            chunk.append(static_cast<UChar32>(c));
            chunk.append(static_cast<UChar>(' '));
        }
        icu::UnicodeString s = chunk;
        to_simplified->transliterate(s);
        simple.append(s);
        to_pinyin->transliterate(chunk);
        latin.append(chunk);
    }
    std::string simple_utf8, latin_utf8;
    simple.toUTF8String(simple_utf8);
    latin.toUTF8String(latin_utf8);

    // Simplified: split on the spaces; a character whose conversion is not exactly one Han
    // character keeps itself.
    {
        icu::UnicodeString s = icu::UnicodeString::fromUTF8(simple_utf8);
        std::size_t index = 0;
        std::vector<char32_t> current;
        for (int32_t i = 0; i < s.length() && index < count;) {
            const UChar32 c = s.char32At(i);
            i += U16_LENGTH(c);
            if (c == ' ') {
                tables_->simplified[index] =
                    current.size() == 1 ? current[0] : static_cast<char32_t>(kHanFirst + index);
                ++index;
                current.clear();
            } else {
                current.push_back(static_cast<char32_t>(c));
            }
        }
        for (; index < count; ++index) tables_->simplified[index] = static_cast<char32_t>(kHanFirst + index);
    }
    // The targets of the Traditional → Simplified table are the Simplified-only forms.
    tables_->simplified_only.assign(count, false);
    for (std::size_t i = 0; i < count; ++i) {
        const char32_t s = tables_->simplified[i];
        if (s != kHanFirst + i && is_han(s)) tables_->simplified_only[s - kHanFirst] = true;
    }

    std::unordered_map<std::string, std::uint16_t> syllable_index;
    std::unordered_map<std::string, std::uint16_t> fuzzy_index;
    std::size_t index = 0;
    std::string current;
    for (const char ch : latin_utf8) {
        if (ch != ' ') {
            current += ch;
            continue;
        }
        if (index >= count) break;
        bool plain = !current.empty();
        for (const char x : current) plain = plain && x >= 'a' && x <= 'z';
        if (plain) {
            auto [it, added] = syllable_index.try_emplace(current, static_cast<std::uint16_t>(tables_->syllables.size()));
            if (added) {
                tables_->syllables.push_back(current);
                const auto key = fuzzy_key(current);
                auto [fit, fadded] = fuzzy_index.try_emplace(key, static_cast<std::uint16_t>(fuzzy_index.size() + 1));
                tables_->fuzzy.push_back(fit->second);
            }
            tables_->pinyin[index] = it->second;
        }
        ++index;
        current.clear();
    }
}

TextNormalizer::~TextNormalizer() = default;

std::string_view TextNormalizer::syllable(std::uint16_t pinyin) const noexcept {
    return pinyin < tables_->syllables.size() ? std::string_view(tables_->syllables[pinyin]) : std::string_view{};
}

int TextNormalizer::sound_distance(std::uint16_t a, std::uint16_t b) const noexcept {
    if (a == 0 || b == 0) return 3;
    if (a == b) return 0;
    return tables_->fuzzy[a] == tables_->fuzzy[b] ? 1 : 3;
}

std::string stem(std::string word) {
    if (word.size() > 4 && (word.ends_with("ches") || word.ends_with("shes") || word.ends_with("xes"))) {
        word.resize(word.size() - 2);
    } else if (word.size() > 3 && word.back() == 's' && !word.ends_with("ss") && !word.ends_with("us") &&
               !word.ends_with("is")) {
        word.pop_back();
    }
    return word;
}

Text TextNormalizer::normalize(std::string_view utf8) const {
    Text out;
    UErrorCode status = U_ZERO_ERROR;
    const icu::UnicodeString source =
        icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    const icu::UnicodeString text = tables_->nfkc->normalize(source, status);
    if (U_FAILURE(status)) return out;

    std::size_t traditional = 0, simplified = 0;
    std::string run;  // the current word or number, lower case
    const auto flush = [&] {
        if (run.empty()) return;
        std::size_t digits = 0;
        while (digits < run.size() && ((run[digits] >= '0' && run[digits] <= '9') ||
                                       (run[digits] == '.' && digits > 0 && digits + 1 < run.size() &&
                                        run[digits + 1] >= '0' && run[digits + 1] <= '9')))
            ++digits;
        if (digits > 0) {
            out.units.push_back({run.substr(0, digits), UnitKind::number, 0});
            run.erase(0, digits);
        }
        if (!run.empty()) out.units.push_back({stem(run), UnitKind::word, 0});
        run.clear();
    };

    const int32_t length = text.length();
    for (int32_t i = 0; i < length;) {
        UChar32 c = text.char32At(i);
        i += U16_LENGTH(c);
        if (is_han(static_cast<char32_t>(c))) {
            flush();
            const std::size_t k = static_cast<std::size_t>(c) - kHanFirst;
            if (tables_->simplified[k] != static_cast<char32_t>(c)) ++traditional;
            else if (tables_->simplified_only[k]) ++simplified;
            Unit unit{{}, UnitKind::han, tables_->pinyin[k]};
            append_utf8(unit.text, tables_->simplified[k]);
            out.units.push_back(std::move(unit));
            out.language = Language::zh;
            continue;
        }
        if (c == '\'' || c == 0x2019) continue;  // "don't" → "dont", "what's" → "whats"
        if (c == '.' && !run.empty() && run.back() >= '0' && run.back() <= '9' && i < length &&
            u_isdigit(text.char32At(i))) {
            run += '.';
            continue;
        }
        if (u_isalnum(c)) {
            append_utf8(run, static_cast<char32_t>(u_tolower(c)));
            continue;
        }
        flush();
        if (c == '?') out.question_mark = true;
        const bool pause = c == ',' || c == ';' || c == 0x3001 || c == 0x3002 || c == '.' || c == '!';
        if (pause && !out.units.empty() && (out.pauses.empty() || out.pauses.back() != out.units.size()))
            out.pauses.push_back(out.units.size());
        if (c == '%' || c == 0xB0) {
            std::string symbol;
            append_utf8(symbol, static_cast<char32_t>(c));
            out.units.push_back({std::move(symbol), UnitKind::symbol, 0});
        }
    }
    flush();
    if (traditional > simplified) out.script = Script::hant;
    return out;
}

std::string TextNormalizer::to_traditional(std::string_view utf8) const {
    icu::UnicodeString s = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    tables_->to_traditional->transliterate(s);
    std::string out;
    s.toUTF8String(out);
    return out;
}

std::string TextNormalizer::join(const std::vector<Unit>& units, std::size_t begin, std::size_t end) {
    std::string out;
    for (std::size_t i = begin; i < end && i < units.size(); ++i) {
        const bool spaced = units[i].kind == UnitKind::word || units[i].kind == UnitKind::number;
        const bool previous_spaced =
            i > begin && (units[i - 1].kind == UnitKind::word || units[i - 1].kind == UnitKind::number);
        if (spaced && previous_spaced) out += ' ';
        out += units[i].text;
    }
    return out;
}

std::string_view to_string(Language l) noexcept { return l == Language::zh ? "zh" : "en"; }

std::string_view to_string(Script s) noexcept { return s == Script::hant ? "hant" : "hans"; }

const TextNormalizer& shared_normalizer() {
    static const TextNormalizer normalizer;
    return normalizer;
}

}  // namespace hearth::nlu
