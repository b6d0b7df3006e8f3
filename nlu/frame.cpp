#include "nlu/frame.hpp"

#include <algorithm>
#include <set>

namespace hearth::nlu {
namespace {

using proto::DeviceKind;

const std::set<Cue> kActionCues = {Cue::on, Cue::off, Cue::lock, Cue::unlock, Cue::set, Cue::up, Cue::down,
                                   Cue::brighter, Cue::dimmer, Cue::warmer, Cue::cooler, Cue::louder,
                                   Cue::quieter, Cue::pause, Cue::unpause, Cue::next, Cue::previous,
                                   Cue::clean, Cue::dock, Cue::mood, Cue::mute};

// English verbs that are also kind words: "lock front door", "switch off the lights". Only at the
// start of the request, after nothing but filler; then they are recorded as cues, not kinds.
bool leading_verb(Frame& f, std::size_t i) {
    if (f.text->language != Language::en || !f.devices.empty() || !f.areas.empty() || !f.kinds.empty()) return false;
    if (!std::all_of(f.cues.begin(), f.cues.end(), [](const CueAt& c) { return c.cue == Cue::filler; })) return false;
    const auto& m = f.mentions[i];
    if (is_word(m, "lock")) {
        f.cues.push_back({Cue::lock, 0, i});
        return true;
    }
    const bool before_on_off = i + 1 < f.mentions.size() &&
                               (is_cue(f.mentions[i + 1], Cue::on) || is_cue(f.mentions[i + 1], Cue::off));
    if (is_word(m, "switch") && before_on_off) {
        f.cues.push_back({Cue::filler, 0, i});
        return true;
    }
    return false;
}

bool english_question(const Frame& f) {
    if (f.language() != Language::en || f.mentions.empty()) return false;
    // The question word leads ("is the …", "what's …"), possibly after "can you" or "tell me".
    for (const auto& m : f.mentions) {
        if (m.is_number || m.kind != EntryKind::cue) return false;
        const auto cue = m.entries.front()->cue;
        if (cue == Cue::query || cue == Cue::temperature_query) return true;
        if (cue != Cue::filler) return false;
    }
    return false;
}

}  // namespace

bool is_word(const Mention& m, std::string_view word) {
    return !m.is_number && m.entries.front()->phrase.size() == 1 && m.entries.front()->phrase.front().text == word;
}

bool is_cue(const Mention& m, Cue cue) {
    return !m.is_number && m.kind == EntryKind::cue && m.entries.front()->cue == cue;
}

bool is_action_cue(Cue cue) { return kActionCues.contains(cue); }

Frame make_frame(const Text& text, std::vector<Mention> mentions) {
    Frame f;
    f.text = &text;
    f.mentions = std::move(mentions);
    std::size_t covered = 0;
    for (std::size_t i = 0; i < f.mentions.size(); ++i) {
        const auto& m = f.mentions[i];
        covered += m.end - m.begin;
        if (m.is_number) {
            f.numbers.push_back(&m);
            continue;
        }
        f.score = std::min(f.score, m.score);
        switch (m.kind) {
            case EntryKind::device: f.devices.push_back(&m); break;
            case EntryKind::area: f.areas.push_back(&m); break;
            case EntryKind::floor: f.floors.push_back(&m); break;
            case EntryKind::scene: f.scenes.push_back(&m); break;
            case EntryKind::kind:
                if (leading_verb(f, i)) break;
                f.kinds.push_back(&m);
                break;
            case EntryKind::cue:
                if (m.entries.front()->cue == Cue::temperature_query) {
                    f.cues.push_back({Cue::query, 0, i});
                    f.cues.push_back({Cue::temperature, 0, i});
                } else {
                    f.cues.push_back({m.entries.front()->cue, m.entries.front()->detail, i});
                }
                break;
        }
    }
    if (!text.units.empty()) f.coverage = static_cast<double>(covered) / static_cast<double>(text.units.size());
    return f;
}

void settle_names(Frame& f, const devices::Registry& registry) {
    std::vector<const Mention*> devices;
    for (const auto* m : f.devices) {
        std::vector<DeviceKind> kinds;
        for (const auto* e : m->entries)
            if (e->kind == EntryKind::kind) kinds.insert(kinds.end(), e->kinds.begin(), e->kinds.end());
        bool consistent = kinds.empty();
        for (const auto* e : m->entries)
            if (e->kind == EntryKind::device)
                if (const auto* d = registry.find(proto::DeviceId(e->target)))
                    consistent = consistent || std::find(kinds.begin(), kinds.end(), d->description.kind) != kinds.end();
        if (consistent) devices.push_back(m);
        else f.kinds.push_back(m);
    }
    f.devices = std::move(devices);
}

bool negated(const Frame& f) {
    for (std::size_t i = 0; i < f.cues.size(); ++i) {
        if (f.cues[i].cue != Cue::negation) continue;
        const auto at = f.cues[i].mention;
        for (std::size_t j = i + 1; j < f.cues.size(); ++j) {
            if (f.cues[j].mention > at + 3) break;
            if (is_action_cue(f.cues[j].cue)) return true;
        }
    }
    return false;
}

bool is_question(const Frame& f) {
    if (f.language() == Language::en) return english_question(f);
    // "前門鎖咗？": a question mark and nothing to do.
    const bool nothing_to_do = std::none_of(f.cues.begin(), f.cues.end(), [](const CueAt& c) {
        return is_action_cue(c.cue) || c.cue == Cue::nevermind || c.cue == Cue::undo;
    });
    return f.has(Cue::query) || (f.text->question_mark && nothing_to_do) ||
           (!f.cues.empty() && f.cues.back().cue == Cue::negation && f.cues.back().mention + 1 == f.mentions.size() &&
            f.mentions.back().end == f.text->units.size());
}

bool whole_home(const Frame& f) {
    if (f.has(Cue::everywhere)) return true;
    if (f.has(Cue::here)) return false;
    return std::any_of(f.cues.begin(), f.cues.end(), [](const CueAt& c) { return c.cue == Cue::all && c.detail == 1; });
}

int question_form(const Frame& f) {
    int form = 0;
    for (const auto& c : f.cues)
        if (c.cue == Cue::query && c.detail > form) form = c.detail;
    if (form == 0 && f.has(Cue::all)) form = 4;
    return form;
}

std::string unexplained_object(const Frame& f) {
    const auto& units = f.text->units;
    std::vector<bool> explained(units.size(), false);
    for (const auto& m : f.mentions)
        for (std::size_t k = m.begin; k < m.end; ++k) explained[k] = true;
    const auto long_enough = [&](std::size_t begin, std::size_t end) {
        if (end <= begin) return false;
        if (units[begin].kind == UnitKind::han) return end - begin >= 2;
        return std::all_of(units.begin() + static_cast<long>(begin), units.begin() + static_cast<long>(end),
                           [](const Unit& u) { return u.kind == UnitKind::word; });
    };
    if (!f.devices.empty()) return {};
    if (f.kinds.empty()) {
        std::size_t best_begin = 0, best_end = 0;
        for (std::size_t i = 0; i < units.size();) {
            if (explained[i]) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < units.size() && !explained[j] && units[j].kind == units[i].kind) ++j;
            if (j - i > best_end - best_begin) {
                best_begin = i;
                best_end = j;
            }
            i = j;
        }
        return long_enough(best_begin, best_end) ? TextNormalizer::join(units, best_begin, best_end) : std::string();
    }
    // A qualifier that matched nothing: the run just before the first kind word, past a "的".
    const auto& kind = *f.kinds.front();
    std::size_t end = kind.begin;
    // Past fillers in Chinese: "阳台的灯", "露台盞燈" (in English only right before: "garden lights").
    while (end > 0 && explained[end - 1] && units[end - 1].kind == UnitKind::han && std::any_of(f.mentions.begin(), f.mentions.end(), [&](const Mention& m) {
               return m.begin == end - 1 && m.end == end && is_cue(m, Cue::filler);
           }))
        --end;
    if (end == 0 || explained[end - 1]) return {};
    std::size_t begin = end;
    while (begin > 0 && !explained[begin - 1] && units[begin - 1].kind == units[end - 1].kind) --begin;
    if (!long_enough(begin, end)) return {};
    return TextNormalizer::join(units, begin, kind.end);
}

std::optional<NumberMatch> pick_number(const Frame& f) {
    const Mention* best = nullptr;
    for (const auto* m : f.numbers) {
        // A bare "一" is usually "a" ("一个", "一扇"), not a value.
        if (m->number.unit == NumberUnit::none && m->end - m->begin == 1 &&
            f.text->units[m->begin].text == "一")
            continue;
        if (!best || (best->number.unit == NumberUnit::none && m->number.unit != NumberUnit::none)) best = m;
    }
    if (!best) return std::nullopt;
    return best->number;
}

}  // namespace hearth::nlu
