#include "nlu/frame.hpp"

#include <algorithm>
#include <set>

namespace hearth::nlu {
namespace {

using proto::DeviceKind;

const std::set<Cue> kActionCues = {Cue::on, Cue::off, Cue::lock, Cue::unlock, Cue::set, Cue::up, Cue::down,
                                   Cue::brighter, Cue::dimmer, Cue::warmer, Cue::cooler, Cue::louder,
                                   Cue::quieter, Cue::pause, Cue::unpause, Cue::next, Cue::previous,
                                   Cue::clean, Cue::dock, Cue::mood};

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
