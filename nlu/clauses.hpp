#pragma once
// Several requests in one utterance ("开灯然后拉上窗帘", "turn on the light and turn off the fan"):
// where they begin and end. Pure.
#include <cstddef>
#include <utility>
#include <vector>

#include "nlu/lexicon.hpp"

namespace hearth::nlu {

/// Units [first, second) of one request.
using ClauseRange = std::pair<std::size_t, std::size_t>;

/// The unit ranges of the requests; one range when the utterance holds one request. A part begins
/// after a connector ("然后", "then") or a pause (a comma) when the words before it and the rest both
/// hold a request; "和", "跟", "并", "再" and "and" join requests only when a verb follows.
std::vector<ClauseRange> split_clauses(const Text& text, const std::vector<Mention>& mentions);

/// After another request, "把玄关灯开着" is not a question but "keep it on": a state word without a
/// question becomes the action.
void keep_states(std::vector<Mention>& mentions, const Text& part);

}  // namespace hearth::nlu
