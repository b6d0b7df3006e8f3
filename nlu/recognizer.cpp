#include "nlu/recognizer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <set>

#include "nlu/lexicon.hpp"
#include "nlu/speech.hpp"

namespace hearth::nlu {
namespace {

using proto::DeviceKind;

struct CueAt {
    Cue cue;
    int detail;
    std::size_t mention;  // index in the mention list
};

// The mentions of one utterance, sorted by meaning.
struct Frame {
    const Text* text = nullptr;
    std::vector<Mention> mentions;
    std::vector<const Mention*> devices, areas, scenes, kinds, numbers;
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

bool is_word(const Mention& m, std::string_view word) {
    return !m.is_number && m.entries.front()->phrase.size() == 1 && m.entries.front()->phrase.front().text == word;
}

bool is_cue(const Mention& m, Cue cue) {
    return !m.is_number && m.kind == EntryKind::cue && m.entries.front()->cue == cue;
}

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

// A device whose name is also a kind word ("Light" for a light sensor) is meant by that name only
// when it is of that kind; otherwise the word is the kind ("turn off the kitchen lights").
void settle_names(Frame& f, const devices::Registry& r) {
    std::vector<const Mention*> devices;
    for (const auto* m : f.devices) {
        std::vector<DeviceKind> kinds;
        for (const auto* e : m->entries)
            if (e->kind == EntryKind::kind) kinds.insert(kinds.end(), e->kinds.begin(), e->kinds.end());
        bool consistent = kinds.empty();
        for (const auto* e : m->entries)
            if (e->kind == EntryKind::device)
                if (const auto* d = r.find(proto::DeviceId(e->target)))
                    consistent = consistent || std::find(kinds.begin(), kinds.end(), d->description.kind) != kinds.end();
        if (consistent) devices.push_back(m);
        else f.kinds.push_back(m);
    }
    f.devices = std::move(devices);
}

const std::set<Cue> kActionCues = {Cue::on, Cue::off, Cue::lock, Cue::unlock, Cue::set, Cue::up, Cue::down,
                                   Cue::brighter, Cue::dimmer, Cue::warmer, Cue::cooler, Cue::louder,
                                   Cue::quieter, Cue::pause, Cue::unpause, Cue::next, Cue::previous,
                                   Cue::clean, Cue::dock, Cue::mood};

// "别关灯", "我不困", "don't turn off the lights": a negation shortly before an action or a mood.
bool negated(const Frame& f) {
    for (std::size_t i = 0; i < f.cues.size(); ++i) {
        if (f.cues[i].cue != Cue::negation) continue;
        const auto at = f.cues[i].mention;
        for (std::size_t j = i + 1; j < f.cues.size(); ++j) {
            if (f.cues[j].mention > at + 3) break;
            if (kActionCues.contains(f.cues[j].cue)) return true;
        }
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

bool is_question(const Frame& f) {
    if (f.language() == Language::en) return english_question(f);
    // "前門鎖咗？": a question mark and nothing to do.
    const bool nothing_to_do = std::none_of(f.cues.begin(), f.cues.end(), [](const CueAt& c) {
        return kActionCues.contains(c.cue) || c.cue == Cue::nevermind || c.cue == Cue::undo;
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

bool has_capability(const devices::Device& d, std::string_view attribute) {
    return d.description.find(attribute) != nullptr;
}

bool writable(const devices::Device& d, std::string_view attribute) {
    const auto* c = d.description.find(attribute);
    return c && proto::has(c->access, proto::Access::write);
}

std::optional<double> number_state(const devices::Device& d, std::string_view attribute) {
    const auto it = d.state.find(attribute);
    if (it == d.state.end()) return std::nullopt;
    if (const auto* v = proto::as_number(it->second)) return *v;
    return std::nullopt;
}

std::optional<bool> bool_state(const devices::Device& d, std::string_view attribute) {
    const auto it = d.state.find(attribute);
    if (it == d.state.end()) return std::nullopt;
    if (const auto* v = proto::as_bool(it->second)) return *v;
    return std::nullopt;
}

double clamp_to(const devices::Device& d, std::string_view attribute, double v) {
    const auto* c = d.description.find(attribute);
    if (!c) return v;
    if (c->step && *c->step > 0) v = std::round(v / *c->step) * *c->step;
    if (c->min) v = std::max(v, *c->min);
    if (c->max) v = std::min(v, *c->max);
    return v;
}

bool is_media(const devices::Device& d) {
    return d.description.kind == DeviceKind::speaker || d.description.kind == DeviceKind::tv;
}
bool is_climate(const devices::Device& d) {
    return d.description.kind == DeviceKind::air_conditioner || d.description.kind == DeviceKind::thermostat ||
           has_capability(d, "target_temperature");
}
bool is_cover(const devices::Device& d) {
    return d.description.kind == DeviceKind::curtain || (writable(d, "position") && !writable(d, "on"));
}

// Which devices an intent can mean when the utterance names no device and no kind.
using Wanted = bool (*)(const devices::Device&);
bool want_light(const devices::Device& d) { return d.description.kind == DeviceKind::light; }
bool want_climate(const devices::Device& d) { return is_climate(d); }
bool want_media(const devices::Device& d) { return is_media(d); }
bool want_volume(const devices::Device& d) { return writable(d, "volume"); }
bool want_cover(const devices::Device& d) { return is_cover(d); }
bool want_lock(const devices::Device& d) { return d.description.kind == DeviceKind::lock; }
bool want_vacuum(const devices::Device& d) { return d.description.kind == DeviceKind::vacuum; }
bool want_temperature(const devices::Device& d) {
    return has_capability(d, "temperature") || has_capability(d, "target_temperature");
}
bool want_purifier(const devices::Device& d) { return d.description.kind == DeviceKind::air_purifier; }
bool want_any(const devices::Device&) { return true; }

struct Resolution {
    std::vector<const devices::Device*> devices;
    std::optional<proto::AreaId> area;  // the area the request was narrowed to
    bool named = false;                 // a device was named
    bool ambiguous = false;             // several equally good candidates: ask
    std::vector<const devices::Device*> candidates;
    std::vector<DeviceKind> kinds;      // the kinds the utterance named
};

enum class Scope { one_or_area, any_number };

class Resolver {
public:
    Resolver(const Frame& f, const devices::Registry& r, const Request& q) : f_(f), r_(r), q_(q) {}

    // Narrows the home to the devices the utterance is about. `scope` says whether several devices
    // across areas are fine (questions) or call for a question back (actions).
    Resolution resolve(const std::function<bool(const devices::Device&)>& wanted, Scope scope) const {
        Resolution out;
        for (const auto* k : f_.kinds)
            for (const auto* e : k->entries)
                if (e->kind == EntryKind::kind) out.kinds.insert(out.kinds.end(), e->kinds.begin(), e->kinds.end());

        // Named devices first. A name shared by several devices (or a sound-alike of several) is
        // a question, not a guess.
        for (const auto* m : f_.devices) {
            std::vector<const devices::Device*> named;
            for (const auto* e : m->entries)
                if (e->kind == EntryKind::device)
                    if (const auto* d = r_.find(proto::DeviceId(e->target)); d && !contains(named, d)) named.push_back(d);
            if (named.size() > 1 && scope == Scope::any_number) {
                for (const auto* d : named)
                    if (!contains(out.devices, d)) out.devices.push_back(d);
                continue;
            }
            if (named.size() > 1) {
                out.ambiguous = true;
                out.candidates = named;
                return out;
            }
            if (!named.empty() && !contains(out.devices, named.front())) out.devices.push_back(named.front());
        }
        // "把卧室灯打开然后调到五十": a part that names nothing is about what the previous part acted on.
        if (out.devices.empty() && f_.kinds.empty() && f_.areas.empty())
            for (const auto& id : q_.focus)
                if (const auto* d = r_.find(id); d && wanted(*d) && !contains(out.devices, d)) out.devices.push_back(d);
        if (!out.devices.empty()) {
            out.named = true;
            return out;
        }
        out.area = area();
        std::vector<const devices::Device*> pool;
        for (const auto* d : r_.list()) {
            const bool kind_ok = out.kinds.empty()
                                     ? wanted(*d)
                                     : std::find(out.kinds.begin(), out.kinds.end(), d->description.kind) != out.kinds.end();
            if (kind_ok) pool.push_back(d);
        }
        // A kind word may also be a device's own name ("TV"): prefer the kinds, fall back to it.
        if (pool.empty()) {
            for (const auto* m : f_.kinds)
                for (const auto* e : m->entries)
                    if (e->kind == EntryKind::device)
                        if (const auto* d = r_.find(proto::DeviceId(e->target))) pool.push_back(d);
        }
        // "打开卧室和客厅的灯": every named area counts.
        std::vector<proto::AreaId> areas;
        for (const auto* m : f_.areas) areas.emplace_back(m->entries.front()->target);
        if (areas.empty() && out.area) areas.push_back(*out.area);
        std::vector<const devices::Device*> in_area;
        for (const auto* d : pool)
            if (std::find(areas.begin(), areas.end(), d->description.area) != areas.end()) in_area.push_back(d);
        if (!in_area.empty()) {
            out.devices = in_area;
            return out;
        }
        if (out.area && area_named()) return out;  // "厨房的空调" but the kitchen has none
        out.area.reset();
        out.devices = pool;
        // Devices spread over several rooms, and nothing said which room or "all": ask.
        if (scope == Scope::one_or_area && pool.size() > 1 && !f_.has(Cue::all) && !f_.has(Cue::everywhere)) {
            out.ambiguous = true;
            out.candidates = pool;
            out.devices.clear();
        }
        return out;
    }

    std::optional<proto::AreaId> area() const {
        for (const auto* m : f_.areas) return proto::AreaId(m->entries.front()->target);
        if (f_.has(Cue::everywhere)) return std::nullopt;
        return q_.area;
    }
    bool area_named() const { return !f_.areas.empty(); }

private:
    static bool contains(const std::vector<const devices::Device*>& v, const devices::Device* d) {
        return std::find(v.begin(), v.end(), d) != v.end();
    }

    const Frame& f_;
    const devices::Registry& r_;
    const Request& q_;
};

// The attributes one intent sets on one device, or nothing when the device cannot do it.
struct Plan {
    explicit Plan(std::string name) : intent(std::move(name)) {}
    Plan(std::string name, std::string attribute_name, std::optional<double> to, std::optional<double> by)
        : intent(std::move(name)), absolute(to), change(by), attribute(std::move(attribute_name)) {}

    std::string intent;
    proto::Attributes slots;
    std::optional<double> absolute;  // the value for set intents
    std::optional<double> change;    // relative change
    std::string attribute;           // brightness, target_temperature, volume, position
    int color = 0;
    std::string mode;                // hvac_mode to set along, for climate devices
};

std::optional<proto::Attributes> attributes_for(const Plan& p, const devices::Device& d) {
    proto::Attributes set;
    const auto kind = d.description.kind;
    if (p.intent == "HassTurnOn" || p.intent == "HassTurnOff") {
        const bool on = p.intent == "HassTurnOn";
        if (kind == DeviceKind::lock && writable(d, "locked")) set["locked"] = on;
        else if (kind == DeviceKind::vacuum && writable(d, "cleaning")) set["cleaning"] = on;
        else if (writable(d, "on")) set["on"] = on;
        else if (writable(d, "position")) set["position"] = on ? 100.0 : 0.0;
        else if (writable(d, "playback")) set["playback"] = std::string(on ? "playing" : "paused");
        else return std::nullopt;
        if (on && !p.mode.empty() && writable(d, "hvac_mode")) set["hvac_mode"] = p.mode;
        return set;
    }
    if (p.intent == "HassMediaPause" || p.intent == "HassMediaUnpause") {
        if (!writable(d, "playback")) return std::nullopt;
        set["playback"] = std::string(p.intent == "HassMediaPause" ? "paused" : "playing");
        return set;
    }
    if (p.intent == "HassMediaNext" || p.intent == "HassMediaPrevious") {
        if (!writable(d, "skip")) return std::nullopt;
        set["skip"] = std::string(p.intent == "HassMediaNext" ? "next" : "previous");
        return set;
    }
    if (p.intent == "HassVacuumStart" || p.intent == "HassVacuumReturnToBase") {
        if (!writable(d, "cleaning")) return std::nullopt;
        set["cleaning"] = p.intent == "HassVacuumStart";
        return set;
    }
    if (p.intent == "HassLightSet" && p.color) {
        if (!writable(d, "color")) return std::nullopt;
        set["color"] = std::string(color_name(p.color));
        return set;
    }
    if (p.attribute.empty() || !writable(d, p.attribute)) return std::nullopt;
    double value = 0;
    const bool off = bool_state(d, "on") == false;
    if (p.absolute) {
        value = *p.absolute;
    } else if (p.change) {
        auto current = number_state(d, p.attribute);
        if (p.attribute == "brightness" && off) current = 0;
        const auto* c = d.description.find(p.attribute);
        const double fallback = c && c->min && c->max ? (*c->min + *c->max) / 2 : 0;
        value = clamp_to(d, p.attribute, current.value_or(fallback) + *p.change);
    } else {
        return std::nullopt;
    }
    set[p.attribute] = value;
    if (writable(d, "on") && off && (p.attribute != "brightness" || value > 0) && p.attribute != "volume")
        set["on"] = true;
    if (!p.mode.empty() && writable(d, "hvac_mode")) set["hvac_mode"] = p.mode;
    return set;
}

}  // namespace

Recognizer::Recognizer(const devices::Registry& registry, Vocabulary vocabulary, const TextNormalizer& normalizer)
    : vocabulary_(std::move(vocabulary)), normalizer_(&normalizer) {
    rebuild(registry);
}

Recognizer::~Recognizer() = default;
Recognizer::Recognizer(Recognizer&&) noexcept = default;
Recognizer& Recognizer::operator=(Recognizer&&) noexcept = default;

void Recognizer::rebuild(const devices::Registry& registry) {
    lexicon_ = std::make_unique<Lexicon>(registry, vocabulary_, *normalizer_);
}

void Recognizer::set_vocabulary(const devices::Registry& registry, Vocabulary vocabulary) {
    vocabulary_ = std::move(vocabulary);
    rebuild(registry);
}

namespace {

class Run {
public:
    Run(Frame& f, const Request& q, const devices::Registry& r, const Vocabulary& v)
        : f_(f), q_(q), r_(r), v_(v), say_(f.language()) {
        out_.language = f.language();
        out_.context_id = q.context_id;
    }

    Understanding decide();

private:
    Understanding finish(Outcome outcome, std::string speech) {
        out_.outcome = outcome;
        out_.speech = std::move(speech);
        out_.understood = outcome == Outcome::command || outcome == Outcome::scene || outcome == Outcome::answer ||
                          outcome == Outcome::undo || outcome == Outcome::custom;
        return std::move(out_);
    }
    void set_intent(std::string name, proto::Attributes slots, double base) {
        const double confidence = base * f_.score * (0.75 + 0.25 * f_.coverage);
        out_.intent = Intent{std::move(name), std::move(slots), std::round(confidence * 1000) / 1000};
    }
    bool unsure() const { return out_.intent && out_.intent->confidence < v_.confidence_threshold; }

    void add_target_slots(proto::Attributes& slots, const Resolution& res) const {
        if (res.named && res.devices.size() == 1) {
            slots["name"] = say_.name(res.devices.front()->description.name);
            slots["device"] = res.devices.front()->description.id.value;
        }
        if (res.area) slots["area"] = res.area->value;
        else if (!f_.areas.empty()) slots["area"] = f_.areas.front()->entries.front()->target;
        if (!res.kinds.empty()) slots["domain"] = std::string(proto::to_string(res.kinds.front()));
        else if (!res.devices.empty() && (res.named || inferred_kind_))
            slots["domain"] = std::string(proto::to_string(res.devices.front()->description.kind));
    }

    Understanding clarify_which(const Resolution& res) {
        std::vector<std::string> names;
        for (const auto* d : res.candidates) names.push_back(say_.device(*d, r_));
        return finish(Outcome::clarify, say_.which(names));
    }

    std::optional<Understanding> converse();
    std::optional<Understanding> media_or_vacuum();
    std::optional<Understanding> inquire(bool question);
    Understanding control();
    Understanding act(Plan plan, Wanted wanted, double base);
    Understanding answer_temperature(double base);
    Understanding answer_state(double base);
    Understanding answer_reading(std::string_view attribute, double base);
    Understanding mood(Mood m, double base);
    Understanding scene(const Mention& m, double base);

    Frame& f_;
    const Request& q_;
    const devices::Registry& r_;
    const Vocabulary& v_;
    Speech say_;
    Understanding out_;
    bool inferred_kind_ = false;  // the intent itself says which kind of device (lights for brightness)
};

Understanding Run::act(Plan plan, Wanted wanted, double base) {
    inferred_kind_ = wanted != want_any;
    const Resolver resolver(f_, r_, q_);
    auto res = resolver.resolve(wanted, Scope::one_or_area);
    add_target_slots(plan.slots, res);
    if (plan.absolute) plan.slots[plan.attribute.empty() ? "value" : (plan.attribute == "target_temperature" ? "temperature" : plan.attribute)] = *plan.absolute;
    if (plan.change) plan.slots["change"] = *plan.change;
    if (plan.color) plan.slots["color"] = std::string(color_name(plan.color));
    if (!plan.mode.empty()) plan.slots["hvac_mode"] = plan.mode;
    // Locks: "打开门锁" unlocks, which Home Assistant calls turning the lock off.
    const bool lock_target =
        (!res.devices.empty() && std::all_of(res.devices.begin(), res.devices.end(), [](const auto* d) {
            return d->description.kind == DeviceKind::lock;
        })) ||
        (res.devices.empty() && !res.kinds.empty() &&
         std::all_of(res.kinds.begin(), res.kinds.end(), [](DeviceKind k) { return k == DeviceKind::lock; }));
    if (lock_target && (plan.intent == "HassTurnOn" || plan.intent == "HassTurnOff") && !f_.has(Cue::lock) &&
        !f_.has(Cue::unlock))
        plan.intent = plan.intent == "HassTurnOn" ? "HassTurnOff" : "HassTurnOn";
    set_intent(plan.intent, plan.slots, base);
    if (res.ambiguous) return clarify_which(res);
    for (const auto* d : res.devices) out_.targets.push_back(d->description.id);
    if (res.devices.empty()) return finish(Outcome::failed, say_.no_device(res.area ? r_.find_area(*res.area) : nullptr));
    if (unsure()) return finish(Outcome::clarify, say_.confirm(out_.intent->name, res.devices, r_));

    std::string problem;
    for (const auto* d : res.devices) {
        const auto set = attributes_for(plan, *d);
        if (!set) {
            problem = say_.cannot(*d, out_.intent->name);
            continue;
        }
        proto::Command command{*set, std::nullopt, q_.context_id};
        auto valid = r_.validate(d->description.id, command);
        if (!valid) {
            problem = say_.invalid(*d, valid.error());
            continue;
        }
        out_.commands.push_back({d->description.id, std::move(*valid)});
    }
    if (out_.commands.empty()) return finish(Outcome::failed, problem);
    return finish(Outcome::command, say_.done(out_.intent->name, out_.commands, r_));
}

Understanding Run::answer_temperature(double base) {
    const Resolver resolver(f_, r_, q_);
    auto res = resolver.resolve(want_temperature, Scope::any_number);
    proto::Attributes slots;
    add_target_slots(slots, res);
    slots.erase("domain");
    set_intent("HassClimateGetTemperature", slots, base);
    if (res.ambiguous) return clarify_which(res);
    std::vector<std::pair<const devices::Device*, double>> readings;
    for (const auto* d : res.devices) {
        out_.targets.push_back(d->description.id);
        if (const auto t = number_state(*d, "temperature")) readings.emplace_back(d, *t);
    }
    if (readings.empty()) return finish(Outcome::failed, say_.no_reading());
    return finish(Outcome::answer, say_.temperatures(readings, r_));
}

Understanding Run::answer_state(double base) {
    const Resolver resolver(f_, r_, q_);
    auto res = resolver.resolve(want_any, Scope::any_number);
    proto::Attributes slots;
    add_target_slots(slots, res);
    std::string state;
    if (f_.has(Cue::state_unlocked)) state = "unlocked";
    else if (f_.has(Cue::state_locked) || f_.has(Cue::lock)) state = "locked";
    else if (f_.has(Cue::state_closed)) state = "closed";
    else if (f_.has(Cue::state_open)) state = "open";
    else if (f_.has(Cue::state_off) || f_.has(Cue::off)) state = "off";
    else if (f_.has(Cue::state_on) || f_.has(Cue::on)) state = "on";
    const bool covers = !res.devices.empty() && std::all_of(res.devices.begin(), res.devices.end(), [](const auto* d) {
        return is_cover(*d);
    });
    // "is there any motion?": a sensor question without a state asks whether it is triggered.
    const bool binary = !res.devices.empty() && std::all_of(res.devices.begin(), res.devices.end(), [](const auto* d) {
        return d->description.kind == DeviceKind::presence_sensor || d->description.kind == DeviceKind::contact_sensor;
    });
    if (binary && state.empty() && !res.named) state = "on";
    if (covers && state == "on") state = "open";
    if (covers && state == "off") state = "closed";
    if (!state.empty()) slots["state"] = state;
    set_intent("HassGetState", slots, base);
    if (res.ambiguous) return clarify_which(res);
    for (const auto* d : res.devices) out_.targets.push_back(d->description.id);
    if (res.devices.empty()) return finish(Outcome::failed, say_.no_device(nullptr));
    return finish(Outcome::answer, say_.states(res.devices, state, r_));
}

Understanding Run::answer_reading(std::string_view attribute, double base) {
    const Resolver resolver(f_, r_, q_);
    auto res = resolver.resolve([&](const devices::Device& d) { return d.description.find(attribute) != nullptr; },
                                Scope::any_number);
    proto::Attributes slots;
    add_target_slots(slots, res);
    slots.erase("domain");
    slots["attribute"] = std::string(attribute);
    set_intent("HassGetState", slots, base);
    std::vector<std::pair<const devices::Device*, double>> readings;
    for (const auto* d : res.devices) {
        if (!d->description.find(attribute)) continue;
        out_.targets.push_back(d->description.id);
        if (const auto v = number_state(*d, attribute)) readings.emplace_back(d, *v);
    }
    if (readings.empty()) return finish(Outcome::failed, say_.no_reading());
    return finish(Outcome::answer, say_.readings(attribute, readings, r_));
}

Understanding Run::scene(const Mention& m, double base) {
    // Scenes sharing a name ("晚安" in two bedrooms): the one in the named or the speaker's area.
    std::vector<const SceneEntry*> matches;
    for (const auto* e : m.entries)
        for (const auto& s : v_.scenes)
            if (e->kind == EntryKind::scene && s.id.value == e->target &&
                std::find(matches.begin(), matches.end(), &s) == matches.end())
                matches.push_back(&s);
    const std::optional<proto::AreaId> area =
        f_.areas.empty() ? q_.area : std::optional(proto::AreaId(f_.areas.front()->entries.front()->target));
    if (matches.size() > 1 && area) {
        std::vector<const SceneEntry*> here;
        for (const auto* s : matches)
            if (s->area == area) here.push_back(s);
        if (!here.empty()) matches = here;
    }
    if (matches.empty()) return finish(Outcome::not_understood, say_.not_understood());
    const auto& chosen = *matches.front();
    proto::Attributes slots{{"scene", chosen.id.value}, {"domain", std::string("scene")}, {"name", say_.name(chosen.name)}};
    if (!f_.areas.empty()) slots["area"] = f_.areas.front()->entries.front()->target;
    set_intent("HassTurnOn", slots, base);
    if (matches.size() > 1) {
        std::vector<std::string> names;
        for (const auto* s : matches) {
            const auto* a = s->area ? r_.find_area(*s->area) : nullptr;
            names.push_back(a ? say_.name(a->name) + (f_.language() == Language::zh ? "的" : " ") + say_.name(s->name)
                              : say_.name(s->name));
        }
        return finish(Outcome::clarify, say_.which(names));
    }
    if (unsure()) return finish(Outcome::clarify, say_.confirm_scene(say_.name(chosen.name)));
    out_.scene = chosen.id;
    return finish(Outcome::scene, say_.scene(say_.name(chosen.name)));
}

Understanding Run::mood(Mood m, double base) {
    proto::Attributes slots{{"mood", std::string(to_string(m))}};
    if (q_.area) slots["area"] = q_.area->value;
    if (const auto it = v_.mood_scenes.find(m); it != v_.mood_scenes.end()) {
        slots["scene"] = it->second.value;
        set_intent("HearthMood", slots, base);
        const SceneEntry* entry = nullptr;
        for (const auto& s : v_.scenes)
            if (s.id == it->second) entry = &s;
        if (!entry) return finish(Outcome::failed, say_.no_scene(m));
        if (unsure()) return finish(Outcome::clarify, say_.confirm_scene(say_.name(entry->name)));
        out_.scene = it->second;
        return finish(Outcome::scene, say_.mood_scene(m, say_.name(entry->name)));
    }
    set_intent("HearthMood", slots, base);
    if (!q_.area && f_.areas.empty()) return finish(Outcome::clarify, say_.which_room());
    const auto area = f_.areas.empty() ? *q_.area : proto::AreaId(f_.areas.front()->entries.front()->target);
    slots["area"] = area.value;
    out_.intent->slots = slots;
    if (unsure()) return finish(Outcome::clarify, say_.confirm_mood(m));

    std::string problem;
    const auto in_area = [&](Wanted w) {
        std::vector<const devices::Device*> v;
        for (const auto* d : r_.list())
            if (d->description.area == area && w(*d)) v.push_back(d);
        return v;
    };
    const auto emit = [&](const devices::Device& d, proto::Attributes set) {
        auto valid = r_.validate(d.description.id, proto::Command{std::move(set), std::nullopt, q_.context_id});
        if (!valid) {
            problem = say_.invalid(d, valid.error());
            return;
        }
        out_.targets.push_back(d.description.id);
        out_.commands.push_back({d.description.id, std::move(*valid)});
    };
    switch (m) {
        case Mood::too_hot:
        case Mood::too_cold: {
            const bool hot = m == Mood::too_hot;
            for (const auto* d : in_area(want_climate)) {
                proto::Attributes set;
                const bool off = bool_state(*d, "on") == false;
                if (writable(*d, "on") && off) set["on"] = true;
                if (writable(*d, "hvac_mode")) {
                    const auto it = d->state.find("hvac_mode");
                    const auto* mode = it == d->state.end() ? nullptr : proto::as_text(it->second);
                    if (off || !mode || (hot && *mode != "cool" && *mode != "auto") || (!hot && *mode == "off"))
                        set["hvac_mode"] = std::string(hot ? "cool" : "heat");
                }
                if (writable(*d, "target_temperature")) {
                    const double current = number_state(*d, "target_temperature").value_or(hot ? 26 : 22);
                    set["target_temperature"] = clamp_to(*d, "target_temperature", current + (hot ? -2 : 2));
                }
                emit(*d, std::move(set));
            }
            if (hot && out_.commands.empty())
                for (const auto* d : in_area([](const devices::Device& d) { return d.description.kind == DeviceKind::fan; }))
                    emit(*d, {{"on", true}});
            break;
        }
        case Mood::too_dark:
        case Mood::too_bright: {
            const bool dark = m == Mood::too_dark;
            for (const auto* d : in_area(want_light)) {
                const bool off = bool_state(*d, "on") == false;
                if (!dark && off) continue;
                proto::Attributes set;
                if (writable(*d, "brightness")) {
                    const double current = off ? 0 : number_state(*d, "brightness").value_or(50);
                    const double next = clamp_to(*d, "brightness", current + (dark ? 30 : -30));
                    set["brightness"] = std::max(next, 1.0);
                }
                if (dark && writable(*d, "on") && off) set["on"] = true;
                if (!set.empty()) emit(*d, std::move(set));
            }
            break;
        }
        case Mood::stuffy: {
            auto purifiers = in_area(want_purifier);
            if (purifiers.empty())
                for (const auto* d : r_.list())
                    if (want_purifier(*d)) purifiers.push_back(d);
            for (const auto* d : purifiers) emit(*d, {{"on", true}});
            break;
        }
        default: return finish(Outcome::failed, say_.no_scene(m));
    }
    if (out_.commands.empty()) return finish(Outcome::failed, problem.empty() ? say_.nothing_for(m) : problem);
    return finish(Outcome::command, say_.mood_done(m, out_.commands, r_));
}

Understanding Run::decide() {
    if (f_.mentions.empty()) return finish(Outcome::not_understood, say_.not_understood());
    if (auto u = converse()) return std::move(*u);
    const bool question = is_question(f_);
    if (!question)
        if (auto u = media_or_vacuum()) return std::move(*u);
    if (auto u = inquire(question)) return std::move(*u);
    return control();
}

// Negation, undo and "never mind".
std::optional<Understanding> Run::converse() {
    if (negated(f_)) {
        set_intent("HearthNoAction", {}, 0.9);
        return finish(Outcome::declined, say_.declined());
    }
    if (f_.has(Cue::undo) && !is_question(f_)) {
        set_intent("HearthUndo", {}, 0.95);
        return finish(Outcome::undo, say_.undo());
    }
    if (f_.has(Cue::nevermind) && f_.devices.empty() && f_.kinds.empty()) {
        set_intent("HassNevermind", {}, 0.95);
        return finish(Outcome::declined, say_.nevermind());
    }
    return std::nullopt;
}

std::optional<Understanding> Run::media_or_vacuum() {
    static const std::array<std::pair<Cue, const char*>, 4> media = {{{Cue::pause, "HassMediaPause"},
                                                                      {Cue::unpause, "HassMediaUnpause"},
                                                                      {Cue::next, "HassMediaNext"},
                                                                      {Cue::previous, "HassMediaPrevious"}}};
    for (const auto& [cue, name] : media)
        if (f_.has(cue)) return act(Plan(name), want_media, 0.95);
    const bool vacuum_named = std::any_of(f_.devices.begin(), f_.devices.end(), [&](const Mention* m) {
        const auto* d = r_.find(proto::DeviceId(m->entries.front()->target));
        return d && d->description.kind == DeviceKind::vacuum;
    }) || std::any_of(f_.kinds.begin(), f_.kinds.end(), [](const Mention* m) {
        const auto& k = m->entries.front()->kinds;
        return std::find(k.begin(), k.end(), DeviceKind::vacuum) != k.end();
    });
    if (f_.has(Cue::clean) || (vacuum_named && (f_.has(Cue::dock) || f_.has(Cue::on))))
        return act(Plan(f_.has(Cue::dock) ? "HassVacuumReturnToBase" : "HassVacuumStart"), want_vacuum, 0.95);
    return std::nullopt;
}

// Questions, and statements that can only be questions ("现在温度").
std::optional<Understanding> Run::inquire(bool question) {
    if (question && f_.devices.size() > 1) {
        // "what is the amount of gas indicated by monthly gas consumption?": the longest name.
        const auto* keep = *std::max_element(f_.devices.begin(), f_.devices.end(), [](const Mention* a, const Mention* b) {
            return a->end - a->begin < b->end - b->begin;
        });
        f_.devices.assign(1, keep);
    }
    const bool nothing_to_do = std::none_of(f_.cues.begin(), f_.cues.end(), [](const CueAt& c) {
        return kActionCues.contains(c.cue);
    });
    // A named sensor's temperature is its state; a room's or an AC's is a temperature question.
    const bool named_non_climate = std::any_of(f_.devices.begin(), f_.devices.end(), [&](const Mention* m) {
        const auto* d = r_.find(proto::DeviceId(m->entries.front()->target));
        return d && !is_climate(*d);
    });
    // "卧室的湿度是多少": a reading of a room or a device; a named device without that reading is
    // asked about as a whole ("what is the battery level of my phone?").
    if (const auto* reading = f_.first(Cue::reading); reading && nothing_to_do) {
        const auto attribute = reading_attribute(reading->detail);
        const bool named_without = !f_.devices.empty() && std::none_of(f_.devices.begin(), f_.devices.end(), [&](const Mention* m) {
            const auto* d = r_.find(proto::DeviceId(m->entries.front()->target));
            return d && d->description.find(attribute);
        });
        return named_without ? answer_state(0.9) : answer_reading(attribute, 0.9);
    }
    if (question) {
        if (f_.has(Cue::temperature) && !named_non_climate) return answer_temperature(0.9);
        // A question about nothing in the home ("tell me a joke") is chit-chat.
        const bool about_home = !f_.devices.empty() || !f_.kinds.empty() || !f_.areas.empty() ||
                                std::any_of(f_.cues.begin(), f_.cues.end(), [](const CueAt& c) {
                                    return c.cue >= Cue::state_on && c.cue <= Cue::state_unlocked;
                                });
        if (about_home) return answer_state(0.9);
        return finish(Outcome::not_understood, say_.not_understood());
    }
    if (f_.has(Cue::temperature) && nothing_to_do && !pick_number(f_))
        return named_non_climate ? answer_state(0.85) : answer_temperature(0.85);
    return std::nullopt;
}

// Moods, scenes and device control.
Understanding Run::control() {
    auto number = pick_number(f_);
    if (!number && f_.has(Cue::half)) number = NumberMatch{50, 0, 0, NumberUnit::percent};
    const auto* mode_cue = f_.first(Cue::hvac_mode);
    const std::string mode = mode_cue ? std::string(hvac_mode_name(mode_cue->detail)) : std::string();
    if (const auto* m = f_.first(Cue::mood); m && f_.scenes.empty()) return mood(static_cast<Mood>(m->detail), 0.9);

    const Resolver resolver(f_, r_, q_);
    const bool on = f_.has(Cue::on), off = f_.has(Cue::off);
    if (!f_.scenes.empty() && f_.devices.empty() && !number && !off) return scene(*f_.scenes.front(), on || f_.has(Cue::scene_word) ? 0.95 : 0.85);

    // Which attribute the utterance is about.
    std::string attribute;
    Wanted wanted = want_light;
    if (f_.has(Cue::brightness) || f_.has(Cue::brighter) || f_.has(Cue::dimmer)) attribute = "brightness";
    else if (f_.has(Cue::temperature) || f_.has(Cue::warmer) || f_.has(Cue::cooler) ||
             (number && number->unit == NumberUnit::degrees)) attribute = "target_temperature";
    else if (f_.has(Cue::volume) || f_.has(Cue::louder) || f_.has(Cue::quieter)) attribute = "volume";
    else if (f_.has(Cue::position)) attribute = "position";
    const bool relative = f_.has(Cue::up) || f_.has(Cue::down) || f_.has(Cue::brighter) || f_.has(Cue::dimmer) ||
                          f_.has(Cue::warmer) || f_.has(Cue::cooler) || f_.has(Cue::louder) || f_.has(Cue::quieter);
    const bool extreme = f_.has(Cue::max) || f_.has(Cue::min);
    const CueAt* color = nullptr;
    for (const auto& c : f_.cues)
        if (c.cue == Cue::color && c.detail) color = &c;

    // Without an attribute word, the target decides: a light's level is brightness, a curtain's
    // is position, an AC's is its target temperature, a speaker's is volume.
    if (attribute.empty() && (number || relative || extreme || color)) {
        const auto probe = resolver.resolve(want_any, Scope::any_number);
        const auto all = [&](bool (*p)(const devices::Device&)) {
            return !probe.devices.empty() && std::all_of(probe.devices.begin(), probe.devices.end(), [&](const auto* d) { return p(*d); });
        };
        const bool kind_or_name = !f_.kinds.empty() || !f_.devices.empty();
        if (color) attribute = "color";
        else if (kind_or_name && all(want_cover)) attribute = "position";
        else if (kind_or_name && all(want_climate)) attribute = "target_temperature";
        else if (kind_or_name && all(want_media)) attribute = "volume";
        else if (kind_or_name && all([](const devices::Device& d) { return writable(d, "position") && !writable(d, "brightness"); })) attribute = "position";
        else if (number || extreme || relative) attribute = "brightness";
    }
    if (attribute == "position") wanted = want_cover;
    if (attribute == "target_temperature") wanted = want_climate;
    if (attribute == "volume") wanted = want_volume;

    const auto intent_for = [](const std::string& a) -> std::string {
        if (a == "target_temperature") return "HassClimateSetTemperature";
        if (a == "volume") return "HassSetVolume";
        if (a == "position") return "HassSetPosition";
        return "HassLightSet";
    };
    if (color) {
        Plan p("HassLightSet");
        p.color = color->detail;
        return act(std::move(p), want_light, 0.9);
    }
    // "turn up the volume to 90": a target value wins over the direction.
    if (number && (!relative || f_.has(Cue::set)) && (f_.has(Cue::set) || attribute != "" || on || off)) {
        Plan p(intent_for(attribute), attribute, number->value, std::nullopt);
        p.mode = mode;
        return act(p, wanted, 0.95);
    }
    if (extreme && !attribute.empty()) {
        const bool max = f_.has(Cue::max);
        double v = max ? 100 : (attribute == "brightness" ? 1 : 0);
        if (attribute == "target_temperature") v = max ? 30 : 16;
        return act(Plan(intent_for(attribute), attribute, v, std::nullopt), wanted, 0.9);
    }
    if (relative && !attribute.empty()) {
        double step = attribute == "target_temperature" ? 1 : attribute == "volume" ? 10 : 20;
        if (number) step = number->value;
        const bool down = f_.has(Cue::down) || f_.has(Cue::dimmer) || f_.has(Cue::cooler) || f_.has(Cue::quieter);
        return act(Plan(intent_for(attribute), attribute, std::nullopt, down ? -step : step), wanted, 0.9);
    }
    if (on || off || f_.has(Cue::lock) || f_.has(Cue::unlock)) {
        std::string name = (on && !off) || f_.has(Cue::lock) ? "HassTurnOn" : "HassTurnOff";
        if (f_.has(Cue::unlock)) name = "HassTurnOff";
        // "turn X on … off" cannot both hold; the later word wins.
        if (on && off) {
            std::size_t last_on = 0, last_off = 0;
            for (const auto& c : f_.cues) {
                if (c.cue == Cue::on) last_on = c.mention;
                if (c.cue == Cue::off) last_off = c.mention;
            }
            name = last_on > last_off ? "HassTurnOn" : "HassTurnOff";
        }
        if (f_.has(Cue::lock)) name = "HassTurnOn";
        const bool lock_words = f_.has(Cue::lock) || f_.has(Cue::unlock);
        Plan p(name);
        p.mode = mode;
        return act(std::move(p), lock_words ? want_lock : mode.empty() ? want_light : want_climate,
                   0.95);
    }
    if (!mode.empty()) {
        Plan p("HassTurnOn");
        p.mode = mode;
        return act(std::move(p), want_climate, 0.9);
    }
    if (!f_.scenes.empty()) return scene(*f_.scenes.front(), 0.8);
    if (const auto* m = f_.first(Cue::mood)) return mood(static_cast<Mood>(m->detail), 0.85);
    // A bare device name means "turn it on", with less certainty.
    if (!f_.devices.empty() && f_.cues.empty() && !number) return act(Plan("HassTurnOn"), want_light, 0.7);
    return finish(Outcome::not_understood, say_.not_understood());
}

// Several requests in one utterance. A part begins after a connector ("然后", "then") or a pause
// (a comma) when the words before it and the rest both hold a request; "和", "跟", "并", "再" and
// "and" join requests only when a verb follows ("打开客厅和卧室的灯" stays one request).
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
    return kActionCues.contains(cue) || cue == Cue::query || cue == Cue::temperature_query || cue == Cue::undo ||
           cue == Cue::reading || cue == Cue::hvac_mode || cue == Cue::state_on || cue == Cue::state_off ||
           is_word(m, "play");
}

// After another request, "把玄关灯开着" is not a question but "keep it on": a state word without a
// question becomes the action.
void keep_states(std::vector<Mention>& mentions, const Text& part) {
    static const Entry keep_on{{}, EntryKind::cue, {}, {}, Cue::on, 0, std::nullopt};
    static const Entry keep_off{{}, EntryKind::cue, {}, {}, Cue::off, 0, std::nullopt};
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
        return kActionCues.contains(m.entries.front()->cue) || is_word(m, "play");
    }
    return false;
}

// Unit ranges of the requests; one range when the utterance holds one request.
std::vector<std::pair<std::size_t, std::size_t>> clauses(const Text& t, const std::vector<Mention>& mentions) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
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

std::string drop_prefix(std::string s, std::string_view prefix) {
    if (s.starts_with(prefix) && s.size() > prefix.size()) s.erase(0, prefix.size());
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

// One reply for several parts: the parts' speech in order; a part that was unclear says which.
Understanding combine(std::vector<Understanding> parts, const Text& text, const std::string& context_id) {
    Understanding out;
    out.language = text.language;
    out.context_id = context_id;
    const bool zh = text.language == Language::zh;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        auto& p = parts[i];
        if (p.outcome == Outcome::undo || (p.outcome == Outcome::custom && !p.scene)) {
            // Undo and user rules act only as requests of their own: they would act on a home the
            // other parts are still changing.
            p.outcome = Outcome::failed;
            p.speech = zh ? "这一句请单独说，我才会执行。" : "Say that on its own and I will do it.";
        }
        out.understood = out.understood || p.understood;
        if (!out.intent && p.understood && p.intent) {
            out.intent = p.intent;
            out.outcome = p.outcome;
        }
        if (!out.scene && p.scene) out.scene = p.scene;
        if (!out.rule && p.rule) out.rule = p.rule;
        if (p.outcome == Outcome::command) out.commands.insert(out.commands.end(), p.commands.begin(), p.commands.end());
        out.targets.insert(out.targets.end(), p.targets.begin(), p.targets.end());
        std::string said = p.speech;
        if (i > 0) said = drop_prefix(drop_prefix(std::move(said), "好的，"), "OK, ");
        if (p.outcome == Outcome::clarify || p.outcome == Outcome::not_understood || p.outcome == Outcome::failed)
            said = zh ? "关于“" + p.text + "”：" + said : "About \"" + p.text + "\": " + said;
        if (!out.speech.empty() && !zh) out.speech += ' ';
        out.speech += said;
    }
    if (!out.intent) out.outcome = parts.front().outcome;
    out.parts = std::move(parts);
    return out;
}

}  // namespace

Understanding Recognizer::recognize_one(const Text& text, std::vector<Mention> mentions, const Request& request,
                                        const devices::Registry& registry) const {
    if (auto custom = lexicon_->match_sentence(text, vocabulary_)) {
        custom->context_id = request.context_id;
        custom->speech = Speech(text.language).custom();
        return std::move(*custom);
    }
    Frame frame = make_frame(text, std::move(mentions));
    settle_names(frame, registry);
    return Run(frame, request, registry, vocabulary_).decide();
}

Understanding Recognizer::recognize(const Request& request, const devices::Registry& registry) const {
    if (request.text.size() > kMaxUtteranceBytes) {
        Understanding u;
        u.context_id = request.context_id;
        u.speech = Speech(Language::en).too_long();
        return u;
    }
    const Text text = normalizer_->normalize(request.text);
    auto mentions = lexicon_->spot(text);
    const auto ranges = clauses(text, mentions);
    if (ranges.size() < 2 || lexicon_->match_sentence(text, vocabulary_)) {
        auto u = recognize_one(text, std::move(mentions), request, registry);
        u.script = text.script;
        if (text.language == Language::zh && text.script == Script::hant) u.speech = normalizer_->to_traditional(u.speech);
        return u;
    }
    std::vector<Understanding> parts;
    auto area = request.area;
    std::vector<proto::DeviceId> focus;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        const auto [begin, end] = ranges[i];
        Text part;
        part.units.assign(text.units.begin() + static_cast<std::ptrdiff_t>(begin),
                          text.units.begin() + static_cast<std::ptrdiff_t>(end));
        part.language = text.language;
        part.script = text.script;
        part.question_mark = text.question_mark && i + 1 == ranges.size();
        auto spotted = lexicon_->spot(part);
        if (i > 0) keep_states(spotted, part);
        // A part that names no area means the previous part's ("把客厅的灯打开然后调暗").
        for (const auto& m : spotted)
            if (!m.is_number && m.kind == EntryKind::area) {
                area = proto::AreaId(m.entries.front()->target);
                break;
            }
        parts.push_back(recognize_one(part, std::move(spotted), {request.text, area, request.context_id, focus}, registry));
        parts.back().text = TextNormalizer::join(part.units, 0, part.units.size());
        if (parts.back().outcome == Outcome::command && !parts.back().commands.empty()) {
            focus.clear();
            for (const auto& c : parts.back().commands) focus.push_back(c.device);
        }
    }
    auto u = combine(std::move(parts), text, request.context_id);
    u.script = text.script;
    if (text.language == Language::zh && text.script == Script::hant) {
        u.speech = normalizer_->to_traditional(u.speech);
        for (auto& p : u.parts) {
            p.script = Script::hant;
            p.speech = normalizer_->to_traditional(p.speech);
            p.text = normalizer_->to_traditional(p.text);
        }
    }
    return u;
}

}  // namespace hearth::nlu
