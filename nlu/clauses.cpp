#include "nlu/clauses.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "nlu/frame.hpp"

namespace hearth::nlu {
namespace {

// A connector that needs a verb after it joins requests only then: "打开客厅和卧室的灯" stays one.
struct Connector {
    std::vector<std::string_view> words;
    bool needs_verb;
};

const std::array<Connector, 17> kConnectors = {{
    {{"并", "且"}, false}, {{"然", "后"}, false}, {{"接", "着"}, false}, {{"同", "时"}, false},
    {{"但", "是"}, false}, {{"可", "是"}, false}, {{"而", "且"}, false}, {{"之", "后"}, false},
    {{"再"}, true}, {{"和"}, true}, {{"跟"}, true}, {{"并"}, true}, {{"还", "有"}, true},
    {{"and", "then"}, false}, {{"then"}, false}, {{"but"}, false}, {{"and"}, true},
}};

std::size_t connector_at(const Text& t, std::size_t i, bool* needs_verb = nullptr) {
    for (const auto& c : kConnectors) {
        if (i + c.words.size() > t.units.size()) continue;
        bool match = true;
        for (std::size_t k = 0; k < c.words.size() && match; ++k) match = t.units[i + k].text == c.words[k];
        if (!match) continue;
        if (needs_verb) *needs_verb = c.needs_verb;
        return c.words.size();
    }
    return 0;
}

bool is_request(const Mention& m) {
    if (m.is_number) return false;
    if (m.kind == EntryKind::scene) return true;
    if (m.kind != EntryKind::cue) return is_word(m, "lock") || is_word(m, "play");
    const auto cue = m.entries.front()->cue;
    return is_action_cue(cue) || cue == Cue::query || cue == Cue::temperature_query || cue == Cue::undo ||
           cue == Cue::reading || cue == Cue::hvac_mode || cue == Cue::state_on || cue == Cue::state_off || cue == Cue::sensor_state ||
           is_word(m, "play");
}

bool holds_request(const std::vector<Mention>& mentions, std::size_t begin, std::size_t end) {
    return std::any_of(mentions.begin(), mentions.end(),
                       [&](const Mention& m) { return m.begin >= begin && m.end <= end && is_request(m); });
}

// The first mention from `at` on, past filler and negation, is an action ("和关掉空调", "and turn off").
bool verb_follows(const std::vector<Mention>& mentions, std::size_t at) {
    for (const auto& m : mentions) {
        if (m.begin < at) continue;
        if (is_cue(m, Cue::filler) && !is_word(m, "play")) continue;
        if (is_cue(m, Cue::negation)) continue;
        if (m.is_number || (m.kind != EntryKind::cue && !is_word(m, "lock") && !is_word(m, "play"))) return false;
        return is_action_cue(m.entries.front()->cue) || is_word(m, "play");
    }
    return false;
}

}  // namespace

void keep_states(std::vector<Mention>& mentions, const Text& part) {
    static const Entry keep_on{{}, EntryKind::cue, {}, {}, {}, Cue::on, 0, std::nullopt};
    static const Entry keep_off{{}, EntryKind::cue, {}, {}, {}, Cue::off, 0, std::nullopt};
    if (part.question_mark) return;
    const bool asks = std::any_of(mentions.begin(), mentions.end(), [](const Mention& m) {
        return is_cue(m, Cue::query) || is_cue(m, Cue::temperature_query);
    });
    if (asks) return;
    for (auto& m : mentions) {
        if (is_cue(m, Cue::state_on)) m.entries.assign(1, &keep_on);
        else if (is_cue(m, Cue::state_off)) m.entries.assign(1, &keep_off);
    }
}

std::vector<ClauseRange> split_clauses(const Text& t, const std::vector<Mention>& mentions) {
    std::vector<ClauseRange> out;
    const std::size_t n = t.units.size();
    std::size_t start = 0;
    const auto cut = [&](std::size_t begin, std::size_t end, bool needs_verb) {
        if (!holds_request(mentions, start, begin) || !holds_request(mentions, end, n)) return;
        if (needs_verb && !verb_follows(mentions, end)) return;
        out.emplace_back(start, begin);
        start = end;
    };
    std::size_t pause = 0;
    for (std::size_t i = 0; i < n;) {
        for (; pause < t.pauses.size() && t.pauses[pause] <= i; ++pause)
            if (t.pauses[pause] == i && i > start) cut(i, i, false);
        bool needs_verb = false;
        const auto length = i > start ? connector_at(t, i, &needs_verb) : 0;
        if (length == 0) {
            ++i;
            continue;
        }
        cut(i, i + length, needs_verb);
        i += length;
    }
    out.emplace_back(start, n);
    // A part that starts with connectors ("然后再关掉") starts after them.
    for (auto& [begin, end] : out)
        while (begin < end)
            if (const auto length = connector_at(t, begin); length > 0 && begin + length <= end) begin += length;
            else break;
    return out;
}

}  // namespace hearth::nlu
