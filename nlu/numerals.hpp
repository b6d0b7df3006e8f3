#pragma once
// Numbers in utterances: Arabic digits ("25.5"), Chinese numerals ("二十五点五", "两", "一百"),
// "百分之五十", English number words ("twenty point five", "one hundred"), with the unit that
// follows ("度", "°", "%", "percent", "degrees").
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "nlu/text.hpp"

namespace hearth::nlu {

enum class NumberUnit { none, percent, degrees };

struct NumberMatch {
    double value = 0;
    std::size_t begin = 0;  // first unit
    std::size_t end = 0;    // one past the last unit, unit word included
    NumberUnit unit = NumberUnit::none;
};

/// Reads a number that starts exactly at units[at], or nothing.
std::optional<NumberMatch> read_number(const std::vector<Unit>& units, std::size_t at);

/// Value of a run of Chinese numeral characters ("二十五点五" → 25.5), or nothing when the text is
/// not entirely a numeral.
std::optional<double> chinese_numeral(std::u32string_view text);

}  // namespace hearth::nlu
