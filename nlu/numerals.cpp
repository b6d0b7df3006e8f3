#include "nlu/numerals.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <string>

namespace hearth::nlu {
namespace {

int digit_of(std::string_view han) {
    static const std::array<std::pair<std::string_view, int>, 12> digits = {{
        {"零", 0}, {"〇", 0}, {"一", 1}, {"二", 2}, {"两", 2}, {"三", 3},
        {"四", 4}, {"五", 5}, {"六", 6}, {"七", 7}, {"八", 8}, {"九", 9}}};
    for (const auto& [text, value] : digits)
        if (text == han) return value;
    return -1;
}

// 廿 and 卅 (20, 30) stand for a digit and 十 together ("廿五度" = 25 °C).
int tens_of(std::string_view han) {
    if (han == "廿") return 20;
    if (han == "卅") return 30;
    return 0;
}

int multiplier_of(std::string_view han) {
    if (han == "十") return 10;
    if (han == "百") return 100;
    if (han == "千") return 1000;
    if (han == "万") return 10000;
    return 0;
}

bool is_numeral(const Unit& u) {
    return u.kind == UnitKind::han && (digit_of(u.text) >= 0 || multiplier_of(u.text) > 0 || tens_of(u.text) > 0);
}

// Chinese numeral starting at `at`; returns the value and the end.
std::optional<std::pair<double, std::size_t>> read_chinese(const std::vector<Unit>& units, std::size_t at) {
    double total = 0, section = 0, digit = 0;
    bool any = false, digit_pending = false;
    std::size_t i = at;
    for (; i < units.size() && is_numeral(units[i]); ++i) {
        const auto& t = units[i].text;
        if (const int d = digit_of(t); d >= 0) {
            digit = d;
            digit_pending = true;
        } else if (const int tens = tens_of(t); tens > 0) {
            section += tens;
            digit = 0;
            digit_pending = false;
        } else if (const int m = multiplier_of(t); m == 10000) {
            total = (total + section + digit) * m;
            section = digit = 0;
            digit_pending = false;
        } else {
            section += (digit_pending ? digit : 1) * m;
            digit = 0;
            digit_pending = false;
        }
        any = true;
    }
    if (!any) return std::nullopt;
    double value = total + section + digit;
    // Decimal part: "点" followed by single digits.
    if (i + 1 < units.size() && units[i].text == "点" && digit_of(units[i + 1].text) >= 0) {
        double scale = 0.1;
        ++i;
        for (; i < units.size() && digit_of(units[i].text) >= 0; ++i, scale /= 10)
            value += digit_of(units[i].text) * scale;
    }
    return std::make_pair(value, i);
}

int english_word(std::string_view w) {
    static const std::array<std::string_view, 20> small = {
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
    static const std::array<std::string_view, 8> tens = {"twenty", "thirty", "forty", "fifty",
                                                          "sixty", "seventy", "eighty", "ninety"};
    for (std::size_t i = 0; i < small.size(); ++i)
        if (small[i] == w) return static_cast<int>(i);
    for (std::size_t i = 0; i < tens.size(); ++i)
        if (tens[i] == w) return static_cast<int>(20 + 10 * i);
    return -1;
}

std::optional<std::pair<double, std::size_t>> read_english(const std::vector<Unit>& units, std::size_t at) {
    double value = 0, current = 0;
    bool any = false;
    std::size_t i = at;
    for (; i < units.size() && units[i].kind == UnitKind::word; ++i) {
        const auto& w = units[i].text;
        if (const int n = english_word(w); n >= 0) {
            current += n;
        } else if (w == "hundred" && any) {
            current *= 100;
        } else if (w == "thousand" && any) {
            value += current * 1000;
            current = 0;
        } else {
            break;
        }
        any = true;
    }
    if (!any) return std::nullopt;
    value += current;
    if (i + 2 < units.size() && units[i].text == "and" && units[i + 1].text == "a" && units[i + 2].text == "half")
        return std::make_pair(value + 0.5, i + 3);
    if (i + 1 < units.size() && units[i].text == "point" && english_word(units[i + 1].text) >= 0 &&
        english_word(units[i + 1].text) < 10) {
        double scale = 0.1;
        for (++i; i < units.size(); ++i, scale /= 10) {
            const int d = english_word(units[i].text);
            if (d < 0 || d > 9) break;
            value += d * scale;
        }
    }
    return std::make_pair(value, i);
}

std::optional<double> parse_digits(std::string_view s) {
    double v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

NumberUnit read_unit(const std::vector<Unit>& units, std::size_t& i) {
    if (i >= units.size()) return NumberUnit::none;
    const auto& t = units[i].text;
    if (t == "and" && i + 3 < units.size() && units[i + 1].text == "a" && units[i + 2].text == "half" &&
        units[i + 3].text == "degree") {
        i += 4;
        return NumberUnit::degrees;
    }
    if (t == "%" || t == "percent" || t == "per") {
        if (t == "per" && i + 1 < units.size() && units[i + 1].text == "cent") ++i;
        ++i;
        return NumberUnit::percent;
    }
    if (t == "°" || t == "度" || t == "degree") {
        ++i;
        if (i < units.size() && (units[i].text == "c" || units[i].text == "celsiu")) ++i;
        return NumberUnit::degrees;
    }
    if (t == "摄" && i + 2 < units.size() && units[i + 1].text == "氏" && units[i + 2].text == "度") {
        i += 3;
        return NumberUnit::degrees;
    }
    return NumberUnit::none;
}

// Fractions said as words: "一半" and "半" (50 %), "四分之一" (25 %), "a quarter", "three quarters",
// "half a degree" (0.5 °), "半度" (0.5 °).
std::optional<NumberMatch> read_fraction(const std::vector<Unit>& units, std::size_t at) {
    const auto text = [&](std::size_t k) -> std::string_view { return k < units.size() ? std::string_view(units[k].text) : ""; };
    if (text(at) == "半" && text(at + 1) == "度") return NumberMatch{0.5, at, at + 2, NumberUnit::degrees};
    if (text(at) == "half" && text(at + 1) == "a" && text(at + 2) == "degree")
        return NumberMatch{0.5, at, at + 3, NumberUnit::degrees};
    if (text(at) == "a" && text(at + 1) == "quarter") return NumberMatch{25, at, at + 2, NumberUnit::percent};
    if (text(at) == "quarter") return NumberMatch{25, at, at + 1, NumberUnit::percent};
    if ((text(at) == "three" || text(at) == "3") && text(at + 1) == "quarter")
        return NumberMatch{75, at, at + 2, NumberUnit::percent};
    // N分之M: M/N of the whole.
    if (text(at + 1) == "分" && text(at + 2) == "之" && text(at) != "百") {
        const auto n = read_chinese(units, at);
        const auto m = n && n->second == at + 1 ? read_chinese(units, at + 3) : std::nullopt;
        if (m && n->first > 0) return NumberMatch{std::round(1000 * m->first / n->first) / 10, at, m->second, NumberUnit::percent};
    }
    return std::nullopt;
}

}  // namespace

std::optional<NumberMatch> read_number(const std::vector<Unit>& units, std::size_t at) {
    if (at >= units.size()) return std::nullopt;
    if (auto f = read_fraction(units, at)) return f;
    std::size_t i = at;
    bool percent_prefix = false;
    if (i + 2 < units.size() && units[i].text == "百" && units[i + 1].text == "分" && units[i + 2].text == "之") {
        percent_prefix = true;
        i += 3;
    }
    std::optional<std::pair<double, std::size_t>> read;
    if (i < units.size() && units[i].kind == UnitKind::number) {
        if (const auto v = parse_digits(units[i].text)) read = std::make_pair(*v, i + 1);
    } else if (i < units.size() && units[i].kind == UnitKind::han) {
        read = read_chinese(units, i);
    } else if (i < units.size() && units[i].kind == UnitKind::word) {
        read = read_english(units, i);
    }
    if (!read) return std::nullopt;
    NumberMatch m{read->first, at, read->second, NumberUnit::none};
    // "三成", "七成亮": tenths of the whole.
    if (!percent_prefix && m.end < units.size() && units[m.end].text == "成" && units[at].kind == UnitKind::han &&
        m.value >= 1 && m.value <= 10) {
        m.value *= 10;
        m.unit = NumberUnit::percent;
        ++m.end;
        return m;
    }
    m.unit = read_unit(units, m.end);
    // "二十五度半", "26度半": and a half degree.
    if (m.unit == NumberUnit::degrees && m.end < units.size() && units[m.end].text == "半") {
        m.value += 0.5;
        ++m.end;
    }
    if (percent_prefix) m.unit = NumberUnit::percent;
    return m;
}

std::optional<double> chinese_numeral(std::u32string_view text) {
    std::vector<Unit> units;
    for (const char32_t c : text) {
        Unit u{{}, UnitKind::han, 0};
        if (c < 0x80) {
            u.text += static_cast<char>(c);
        } else {
            u.text += static_cast<char>(0xE0 | (c >> 12));
            u.text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            u.text += static_cast<char>(0x80 | (c & 0x3F));
        }
        units.push_back(std::move(u));
    }
    const auto r = read_chinese(units, 0);
    if (!r || r->second != units.size()) return std::nullopt;
    return r->first;
}

}  // namespace hearth::nlu
