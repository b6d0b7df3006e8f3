#pragma once
// One utterance's mentions sorted by meaning (devices, areas, scenes, kinds, numbers, cues), and what
// the recogniser asks of them: is the request negated, is it a question, which number does it give.
// Internal to the recogniser; pure.
#include <optional>
#include <string_view>
#include <vector>

#include "devices/registry.hpp"
#include "nlu/lexicon.hpp"

namespace hearth::nlu {

struct CueAt {
    Cue cue;
    int detail;
    std::size_t mention;  // index in the mention list
};

// The mentions of one utterance, sorted by meaning.
struct Frame {
    const Text* text = nullptr;
    std::vector<Mention> mentions;
    std::vector<const Mention*> devices, areas, floors, scenes, kinds, numbers;
    std::vector<CueAt> cues;
    double score = 1.0;     // the weakest name match
    double coverage = 1.0;  // share of units the lexicon explained

    bool has(Cue c) const {
        return std::any_of(cues.begin(), cues.end(), [&](const CueAt& x) { return x.cue == c; });
    }
    const CueAt* first(Cue c) const {
        for (const auto& x : cues)
            if (x.cue == c) return &x;
        return nullptr;
    }
    Language language() const { return text->language; }
};

/// The mention is the single word `word` ("lock", "play").
bool is_word(const Mention& m, std::string_view word);
bool is_cue(const Mention& m, Cue cue);
/// A cue that asks for a change (on, off, brighter, a mood, …) rather than a question or filler.
bool is_action_cue(Cue cue);

/// Sorts the mentions; the frame's pointers refer to its own copy of them.
Frame make_frame(const Text& text, std::vector<Mention> mentions);
/// A device whose name is also a kind word ("Light" for a light sensor) is meant by that name only
/// when it is of that kind; otherwise the word counts as the kind ("turn off the kitchen lights").
void settle_names(Frame& frame, const devices::Registry& registry);
/// "别关灯", "我不困", "don't turn off the lights": a negation shortly before an action or a mood.
bool negated(const Frame& frame);
bool is_question(const Frame& frame);
/// "全屋", "everywhere", or an "all" word ("所有的灯", "every light") without "here": the whole home
/// unless a room is named.
bool whole_home(const Frame& frame);
/// How a question is asked: 1 whether any, 2 how many, 3 which (Cue::query's detail), 4 whether all.
int question_form(const Frame& frame);
/// The words of the utterance that the lexicon did not explain and that stand where a device would:
/// with no device or kind named, the longest unexplained run ("把加湿器打开" → 加湿器, "turn on the
/// kettle" → kettle); or the unexplained words just before a kind word ("阳台的灯", "garden lights").
/// Chinese needs two characters or more. Empty when there are none.
std::string unexplained_object(const Frame& frame);
/// The number the request gives, preferring one with a unit; a bare "一" ("a") is no value.
std::optional<NumberMatch> pick_number(const Frame& frame);

}  // namespace hearth::nlu
