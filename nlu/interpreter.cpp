#include "nlu/interpreter.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace hearth::nlu {

using proto::DeviceKind;

Understanding Interpreter::finish(Outcome outcome, std::string speech) {
    result_.outcome = outcome;
    result_.speech = std::move(speech);
    result_.understood = outcome == Outcome::command || outcome == Outcome::scene || outcome == Outcome::answer ||
                         outcome == Outcome::undo || outcome == Outcome::custom;
    return std::move(result_);
}

void Interpreter::set_intent(std::string name, proto::Attributes slots, double base) {
    const double confidence = base * frame_.score * (0.75 + 0.25 * frame_.coverage);
    result_.intent = Intent{std::move(name), std::move(slots), std::round(confidence * 1000) / 1000};
}

void Interpreter::add_target_slots(proto::Attributes& slots, const Resolution& res) const {
    if (res.named && res.devices.size() == 1) {
        slots["name"] = speech_.name(res.devices.front()->description.name);
        slots["device"] = res.devices.front()->description.id.value;
    }
    if (res.floor) slots["floor"] = *res.floor;
    if (res.area) slots["area"] = res.area->value;
    else if (!frame_.areas.empty()) slots["area"] = frame_.areas.front()->entries.front()->target;
    if (!res.kinds.empty()) slots["domain"] = std::string(proto::to_string(res.kinds.front()));
    else if (!res.devices.empty() && (res.named || inferred_kind_))
        slots["domain"] = std::string(proto::to_string(res.devices.front()->description.kind));
}

Understanding Interpreter::clarify_which(const Resolution& res) {
    std::vector<std::string> names;
    for (const auto* d : res.candidates) names.push_back(speech_.device(*d, registry_));
    return finish(Outcome::clarify, speech_.which(names));
}

Understanding Interpreter::act(ActionPlan plan, Wanted wanted, double base) {
    inferred_kind_ = wanted != want_any;
    const Resolver resolver(frame_, registry_, request_);
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
    if (lock_target && (plan.intent == "HassTurnOn" || plan.intent == "HassTurnOff") && !frame_.has(Cue::lock) &&
        !frame_.has(Cue::unlock))
        plan.intent = plan.intent == "HassTurnOn" ? "HassTurnOff" : "HassTurnOn";
    set_intent(plan.intent, plan.slots, base);
    // A device word that matches nothing in the home is said to be missing, never guessed.
    if (!res.named && request_.focus.empty())
        if (const auto word = unexplained_object(frame_); !word.empty())
            return finish(Outcome::failed, speech_.missing(word, res.area && frame_.areas.empty() ? nullptr : area_of(res)));
    if (res.ambiguous) return clarify_which(res);
    // "閂咗客廳盞燈": 盞 counts one lamp; with several in the room, ask which.
    const bool one_lamp = std::any_of(frame_.mentions.begin(), frame_.mentions.end(), [&](const Mention& m) {
        return !m.is_number && m.end - m.begin == 1 && frame_.text->units[m.begin].text == "盏";
    });
    if (one_lamp && !res.named && res.devices.size() > 1 && !frame_.has(Cue::all) && !whole_home(frame_)) {
        res.ambiguous = true;
        res.candidates = res.devices;
        return clarify_which(res);
    }
    for (const auto* d : res.devices) result_.targets.push_back(d->description.id);
    if (res.devices.empty() && !res.missing.empty()) return finish(Outcome::failed, speech_.missing(res.missing, area_of(res)));
    if (res.devices.empty()) return finish(Outcome::failed, speech_.no_device(area_of(res)));
    if (unsure()) return finish(Outcome::clarify, speech_.confirm(result_.intent->name, res.devices, registry_));
    // "调暗一点", "a bit brighter": a step changes the lights that are on, when some are.
    if (plan.change && plan.attribute == "brightness" && !res.named) {
        std::vector<const devices::Device*> lit;
        for (const auto* d : res.devices)
            if (bool_state(*d, "on") != false) lit.push_back(d);
        if (!lit.empty() && lit.size() < res.devices.size()) {
            res.devices = lit;
            result_.targets.clear();
            for (const auto* d : res.devices) result_.targets.push_back(d->description.id);
        }
    }

    std::string problem;
    for (const auto* d : res.devices) {
        const auto set = attributes_for(plan, *d);
        if (!set) {
            problem = speech_.cannot(*d, result_.intent->name);
            continue;
        }
        proto::Command command{*set, std::nullopt, request_.context_id};
        auto valid = registry_.validate(d->description.id, command);
        if (!valid) {
            problem = speech_.invalid(*d, valid.error());
            continue;
        }
        result_.commands.push_back({d->description.id, std::move(*valid)});
    }
    if (result_.commands.empty()) return finish(Outcome::failed, problem);
    return finish(Outcome::command, speech_.done(result_.intent->name, result_.commands, registry_));
}

const proto::Area* Interpreter::area_of(const Resolution& res) const {
    return res.area ? registry_.find_area(*res.area) : nullptr;
}

Understanding Interpreter::answer_temperature(double base) {
    const Resolver resolver(frame_, registry_, request_);
    auto res = resolver.resolve(want_temperature, Scope::any_number);
    proto::Attributes slots;
    add_target_slots(slots, res);
    slots.erase("domain");
    set_intent("HassClimateGetTemperature", slots, base);
    if (res.ambiguous) return clarify_which(res);
    std::vector<std::pair<const devices::Device*, double>> readings;
    for (const auto* d : res.devices) {
        result_.targets.push_back(d->description.id);
        if (const auto t = number_state(*d, "temperature")) readings.emplace_back(d, *t);
    }
    if (readings.empty()) return finish(Outcome::failed, speech_.no_reading());
    return finish(Outcome::answer, speech_.temperatures(readings, registry_));
}

Understanding Interpreter::answer_state(double base) {
    std::string state;
    if (frame_.has(Cue::state_unlocked)) state = "unlocked";
    else if (frame_.has(Cue::state_locked) || frame_.has(Cue::lock)) state = "locked";
    else if (frame_.has(Cue::state_closed)) state = "closed";
    else if (frame_.has(Cue::state_open)) state = "open";
    else if (frame_.has(Cue::state_off) || frame_.has(Cue::off)) state = "off";
    else if (frame_.has(Cue::state_on) || frame_.has(Cue::on)) state = "on";
    // "is the pet door open?": the verb asks whether it is open, not whether any of its sensors is on.
    if (const auto* on = frame_.first(Cue::on); on && state == "on" && !frame_.has(Cue::state_on)) {
        const auto& phrase = frame_.mentions[on->mention].entries.front()->phrase;
        const auto word = TextNormalizer::join(phrase, 0, phrase.size());
        if (word == "open" || word == "打开") state = "open";
    }
    // A state word of binary sensors ("wet", "charging", "safe", "locked") picks the sensors of
    // its classes among the named ones ("Phone" names several) or in the home, and says which
    // of on and off is asked about.
    static const SensorState kLockedSensor{{"lock"}, false}, kUnlockedSensor{{"lock"}, true},
        kOpenSensor{{"door", "window", "opening", "garage_door"}, true},
        kClosedSensor{{"door", "window", "opening", "garage_door"}, false};
    const auto* said = frame_.first(Cue::sensor_state);
    const SensorState* sensor = said                 ? sensor_state(said->detail)
                                : state == "locked"   ? &kLockedSensor
                                : state == "unlocked" ? &kUnlockedSensor
                                : state == "open"     ? &kOpenSensor
                                : state == "closed"   ? &kClosedSensor
                                                      : nullptr;
    const auto of_sensor_class = [&](const devices::Device& d) {
        return has_binary_state(d) && (sensor->classes.empty() || std::any_of(sensor->classes.begin(), sensor->classes.end(),
                                                                              [&](std::string_view c) { return is_of_class(d, c); }));
    };
    const Resolver resolver(frame_, registry_, request_);
    auto res = said ? resolver.resolve(of_sensor_class, Scope::any_number) : resolver.resolve(want_any, Scope::any_number);
    if (sensor) {
        std::vector<const devices::Device*> chosen;
        for (const auto* d : res.devices)
            if (of_sensor_class(*d)) chosen.push_back(d);
        if (!chosen.empty() && (said || std::any_of(chosen.begin(), chosen.end(), [](const auto* d) {
                                    return !d->description.find("locked");  // a lock is asked as a lock
                                }))) {
            res.devices = chosen;
            state = sensor->on ? "on" : "off";
        } else if (said && !res.devices.empty()) {
            state = sensor->on ? "on" : "off";
        }
    }
    // "are any carbon monoxide sensors on?": a yes-or-no question is about the devices that
    // can say yes or no, not about readings that share the class.
    if (!state.empty() && std::any_of(res.devices.begin(), res.devices.end(), [](const auto* d) { return has_binary_state(*d) || d->description.find("on") || d->description.find("position"); })) {
        std::erase_if(res.devices, [](const auto* d) {
            return !has_binary_state(*d) && !d->description.find("on") && !d->description.find("position");
        });
    }
    proto::Attributes slots;
    add_target_slots(slots, res);
    const bool covers = !res.devices.empty() && std::all_of(res.devices.begin(), res.devices.end(), [](const auto* d) {
        return is_cover(*d);
    });
    // "is there any motion?": a sensor question without a state asks whether it is triggered.
    const bool binary = !res.devices.empty() && std::all_of(res.devices.begin(), res.devices.end(), [](const auto* d) {
        return d->description.kind == DeviceKind::presence_sensor || d->description.kind == DeviceKind::contact_sensor ||
               (has_binary_state(*d) && !d->description.find("locked"));
    });
    if (binary && state.empty() && (!res.named || question_form(frame_) != 0)) state = "on";
    // "is there any leak?": a leak sensor and a moisture reading share the class; the yes-or-no
    // question is about the sensor.
    if (!binary && state.empty() && question_form(frame_) != 0 &&
        std::any_of(res.devices.begin(), res.devices.end(), [](const auto* d) { return has_binary_state(*d) && !d->description.find("locked"); })) {
        std::erase_if(res.devices, [](const auto* d) { return !has_binary_state(*d) || d->description.find("locked"); });
        state = "on";
    }
    if (covers && state == "on") state = "open";
    if (covers && state == "off") state = "closed";
    if (!state.empty()) slots["state"] = state;
    set_intent("HassGetState", slots, base);
    if (res.ambiguous) return clarify_which(res);
    for (const auto* d : res.devices) result_.targets.push_back(d->description.id);
    if (res.devices.empty() && !res.missing.empty()) return finish(Outcome::failed, speech_.missing(res.missing, area_of(res)));
    if (res.devices.empty()) return finish(Outcome::failed, speech_.no_device(nullptr));
    static constexpr std::array<Speech::Asked, 5> forms = {Speech::Asked::any, Speech::Asked::any, Speech::Asked::count,
                                                           Speech::Asked::which, Speech::Asked::all};
    const auto form = question_form(frame_);
    const auto asked = form == 0 ? Speech::Asked::state : forms[static_cast<std::size_t>(form)];
    return finish(Outcome::answer, speech_.states(res.devices, state, registry_, asked));
}

Understanding Interpreter::answer_reading(std::string_view attribute, double base) {
    const Resolver resolver(frame_, registry_, request_);
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
        result_.targets.push_back(d->description.id);
        if (const auto v = number_state(*d, attribute)) readings.emplace_back(d, *v);
    }
    if (readings.empty()) return finish(Outcome::failed, speech_.no_reading());
    return finish(Outcome::answer, speech_.readings(attribute, readings, registry_));
}

Understanding Interpreter::scene(const Mention& m, double base) {
    // Scenes sharing a name ("晚安" in two bedrooms): the one in the named or the speaker's area.
    std::vector<const SceneEntry*> matches;
    for (const auto* e : m.entries)
        for (const auto& s : vocabulary_.scenes)
            if (e->kind == EntryKind::scene && s.id.value == e->target &&
                std::find(matches.begin(), matches.end(), &s) == matches.end())
                matches.push_back(&s);
    const std::optional<proto::AreaId> area =
        frame_.areas.empty() ? request_.area : std::optional(proto::AreaId(frame_.areas.front()->entries.front()->target));
    if (matches.size() > 1 && area) {
        std::vector<const SceneEntry*> here;
        for (const auto* s : matches)
            if (s->area == area) here.push_back(s);
        if (!here.empty()) matches = here;
    }
    if (matches.empty()) return finish(Outcome::not_understood, speech_.not_understood());
    const auto& chosen = *matches.front();
    proto::Attributes slots{{"scene", chosen.id.value}, {"domain", std::string("scene")}, {"name", speech_.name(chosen.name)}};
    if (!frame_.areas.empty()) slots["area"] = frame_.areas.front()->entries.front()->target;
    set_intent("HassTurnOn", slots, base);
    if (matches.size() > 1) {
        std::vector<std::string> names;
        for (const auto* s : matches) {
            const auto* a = s->area ? registry_.find_area(*s->area) : nullptr;
            names.push_back(a ? speech_.name(a->name) + (frame_.language() == Language::zh ? "的" : " ") + speech_.name(s->name)
                              : speech_.name(s->name));
        }
        return finish(Outcome::clarify, speech_.which(names));
    }
    if (unsure()) return finish(Outcome::clarify, speech_.confirm_scene(speech_.name(chosen.name)));
    result_.scene = chosen.id;
    return finish(Outcome::scene, speech_.scene(speech_.name(chosen.name)));
}

Understanding Interpreter::mood(Mood m, double base) {
    proto::Attributes slots{{"mood", std::string(to_string(m))}};
    if (request_.area) slots["area"] = request_.area->value;
    if (const auto it = vocabulary_.mood_scenes.find(m); it != vocabulary_.mood_scenes.end()) {
        slots["scene"] = it->second.value;
        set_intent("HearthMood", slots, base);
        const SceneEntry* entry = nullptr;
        for (const auto& s : vocabulary_.scenes)
            if (s.id == it->second) entry = &s;
        if (!entry) return finish(Outcome::failed, speech_.no_scene(m));
        if (unsure()) return finish(Outcome::clarify, speech_.confirm_scene(speech_.name(entry->name)));
        result_.scene = it->second;
        return finish(Outcome::scene, speech_.mood_scene(m, speech_.name(entry->name)));
    }
    set_intent("HearthMood", slots, base);
    if (!request_.area && frame_.areas.empty()) return finish(Outcome::clarify, speech_.which_room());
    const auto area = frame_.areas.empty() ? *request_.area : proto::AreaId(frame_.areas.front()->entries.front()->target);
    slots["area"] = area.value;
    result_.intent->slots = slots;
    if (unsure()) return finish(Outcome::clarify, speech_.confirm_mood(m));

    std::string problem;
    const auto in_area = [&](Wanted w) {
        std::vector<const devices::Device*> v;
        for (const auto* d : registry_.list())
            if (d->description.area == area && w(*d)) v.push_back(d);
        return v;
    };
    const auto emit = [&](const devices::Device& d, proto::Attributes set) {
        auto valid = registry_.validate(d.description.id, proto::Command{std::move(set), std::nullopt, request_.context_id});
        if (!valid) {
            problem = speech_.invalid(d, valid.error());
            return;
        }
        result_.targets.push_back(d.description.id);
        result_.commands.push_back({d.description.id, std::move(*valid)});
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
            if (hot && result_.commands.empty())
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
                for (const auto* d : registry_.list())
                    if (want_purifier(*d)) purifiers.push_back(d);
            for (const auto* d : purifiers) emit(*d, {{"on", true}});
            break;
        }
        default: return finish(Outcome::failed, speech_.no_scene(m));
    }
    if (result_.commands.empty()) return finish(Outcome::failed, problem.empty() ? speech_.nothing_for(m) : problem);
    return finish(Outcome::command, speech_.mood_done(m, result_.commands, registry_));
}

Understanding Interpreter::interpret() {
    if (frame_.mentions.empty()) return finish(Outcome::not_understood, speech_.not_understood());
    if (auto u = converse()) return std::move(*u);
    const bool question = is_question(frame_);
    if (!question)
        if (auto u = media_or_vacuum()) return std::move(*u);
    if (auto u = inquire(question)) return std::move(*u);
    return control();
}

// Negation, undo and "never mind".
std::optional<Understanding> Interpreter::converse() {
    if (negated(frame_)) {
        set_intent("HearthNoAction", {}, 0.9);
        return finish(Outcome::declined, speech_.declined());
    }
    if (frame_.has(Cue::undo) && !is_question(frame_)) {
        set_intent("HearthUndo", {}, 0.95);
        return finish(Outcome::undo, speech_.undo());
    }
    if (frame_.has(Cue::nevermind) && frame_.devices.empty() && frame_.kinds.empty()) {
        set_intent("HassNevermind", {}, 0.95);
        return finish(Outcome::declined, speech_.nevermind());
    }
    return std::nullopt;
}

std::optional<Understanding> Interpreter::media_or_vacuum() {
    static const std::array<std::pair<Cue, const char*>, 4> media = {{{Cue::pause, "HassMediaPause"},
                                                                      {Cue::unpause, "HassMediaUnpause"},
                                                                      {Cue::next, "HassMediaNext"},
                                                                      {Cue::previous, "HassMediaPrevious"}}};
    for (const auto& [cue, name] : media)
        if (frame_.has(cue)) return act(ActionPlan(name), want_media, 0.95);
    const bool vacuum_named = std::any_of(frame_.devices.begin(), frame_.devices.end(), [&](const Mention* m) {
        const auto* d = registry_.find(proto::DeviceId(m->entries.front()->target));
        return d && d->description.kind == DeviceKind::vacuum;
    }) || std::any_of(frame_.kinds.begin(), frame_.kinds.end(), [](const Mention* m) {
        const auto& k = m->entries.front()->kinds;
        return std::find(k.begin(), k.end(), DeviceKind::vacuum) != k.end();
    });
    if (frame_.has(Cue::clean) || (vacuum_named && (frame_.has(Cue::dock) || frame_.has(Cue::on))))
        return act(ActionPlan(frame_.has(Cue::dock) ? "HassVacuumReturnToBase" : "HassVacuumStart"), want_vacuum, 0.95);
    return std::nullopt;
}

// Questions, and statements that can only be questions ("现在温度").
std::optional<Understanding> Interpreter::inquire(bool question) {
    if (question && frame_.devices.size() > 1) {
        // "what is the amount of gas indicated by monthly gas consumption?": the longest name.
        const auto* keep = *std::max_element(frame_.devices.begin(), frame_.devices.end(), [](const Mention* a, const Mention* b) {
            return a->end - a->begin < b->end - b->begin;
        });
        frame_.devices.assign(1, keep);
    }
    const bool nothing_to_do = std::none_of(frame_.cues.begin(), frame_.cues.end(), [](const CueAt& c) {
        return is_action_cue(c.cue);
    });
    // A named sensor's temperature is its state; a room's or an AC's is a temperature question.
    const bool named_non_climate = std::any_of(frame_.devices.begin(), frame_.devices.end(), [&](const Mention* m) {
        const auto* d = registry_.find(proto::DeviceId(m->entries.front()->target));
        return d && !is_climate(*d);
    });
    if (question && frame_.has(Cue::sensor_state)) return answer_state(0.9);
    // "卧室的湿度是多少": a reading of a room or a device; a named device without that reading is
    // asked about as a whole ("what is the battery level of my phone?").
    if (const auto* reading = frame_.first(Cue::reading); reading && nothing_to_do) {
        const auto attribute = reading_attribute(reading->detail);
        const bool named_without = !frame_.devices.empty() && std::none_of(frame_.devices.begin(), frame_.devices.end(), [&](const Mention* m) {
            const auto* d = registry_.find(proto::DeviceId(m->entries.front()->target));
            return d && d->description.find(attribute);
        });
        return named_without ? answer_state(0.9) : answer_reading(attribute, 0.9);
    }
    if (question) {
        if (frame_.has(Cue::temperature) && !named_non_climate) return answer_temperature(0.9);
        // A question about nothing in the home ("tell me a joke") is chit-chat.
        const bool about_home = !frame_.devices.empty() || !frame_.kinds.empty() || !frame_.areas.empty() ||
                                std::any_of(frame_.cues.begin(), frame_.cues.end(), [](const CueAt& c) {
                                    return (c.cue >= Cue::state_on && c.cue <= Cue::state_unlocked) || c.cue == Cue::sensor_state;
                                });
        if (about_home) return answer_state(0.9);
        return finish(Outcome::not_understood, speech_.not_understood());
    }
    if (frame_.has(Cue::temperature) && nothing_to_do && !pick_number(frame_))
        return named_non_climate ? answer_state(0.85) : answer_temperature(0.85);
    return std::nullopt;
}

// "to", "到", "调到": a word that makes the number a target, unlike "make" or "调" alone.
bool Interpreter::target_word(const Frame& f) {
    return std::any_of(f.cues.begin(), f.cues.end(), [&](const CueAt& c) {
        if (c.cue != Cue::set) return false;
        const auto& phrase = f.mentions[c.mention].entries.front()->phrase;
        const auto text = TextNormalizer::join(phrase, 0, phrase.size());
        return text != "make" && text != "adjust" && text != "change" && text != "调" && text != "调节" && text != "调整";
    });
}

// Moods, scenes and device control.
Understanding Interpreter::control() {
    auto number = pick_number(frame_);
    if (!number && frame_.has(Cue::half)) number = NumberMatch{50, 0, 0, NumberUnit::percent};
    const auto* mode_cue = frame_.first(Cue::hvac_mode);
    const std::string mode = mode_cue ? std::string(hvac_mode_name(mode_cue->detail)) : std::string();
    if (const auto* m = frame_.first(Cue::mood); m && frame_.scenes.empty()) return mood(static_cast<Mood>(m->detail), 0.9);

    const Resolver resolver(frame_, registry_, request_);
    // Cantonese "開咗廚房盞燈佢": a state word with a closing 佢 is an order.
    const bool order = frame_.language() == Language::zh && !frame_.text->units.empty() &&
                       frame_.text->units.back().text == "佢";
    // "turn the bedroom ac of": a closing "of" after "turn" is "off" misspelt.
    const bool trailing_of = frame_.language() == Language::en && frame_.text->units.size() > 2 &&
                             frame_.text->units.front().text == "turn" && frame_.text->units.back().text == "of";
    const bool on = frame_.has(Cue::on) || (order && frame_.has(Cue::state_on)),
               off = frame_.has(Cue::off) || (order && frame_.has(Cue::state_off)) || trailing_of;
    if (!frame_.scenes.empty() && frame_.devices.empty() && !number && !off) return scene(*frame_.scenes.front(), on || frame_.has(Cue::scene_word) ? 0.95 : 0.85);

    // Which attribute the utterance is about.
    std::string attribute;
    Wanted wanted = want_light;
    if (frame_.has(Cue::brightness) || frame_.has(Cue::brighter) || frame_.has(Cue::dimmer)) attribute = "brightness";
    else if (frame_.has(Cue::temperature) || frame_.has(Cue::warmer) || frame_.has(Cue::cooler) ||
             (number && number->unit == NumberUnit::degrees)) attribute = "target_temperature";
    else if (frame_.has(Cue::volume) || frame_.has(Cue::louder) || frame_.has(Cue::quieter)) attribute = "volume";
    else if (frame_.has(Cue::position)) attribute = "position";
    const bool relative = frame_.has(Cue::up) || frame_.has(Cue::down) || frame_.has(Cue::brighter) || frame_.has(Cue::dimmer) ||
                          frame_.has(Cue::warmer) || frame_.has(Cue::cooler) || frame_.has(Cue::louder) || frame_.has(Cue::quieter);
    const bool extreme = frame_.has(Cue::max) || frame_.has(Cue::min);
    const CueAt* color = nullptr;
    for (const auto& c : frame_.cues)
        if (c.cue == Cue::color && c.detail) color = &c;

    const bool attribute_said = !attribute.empty();
    // Without an attribute word, the target decides: a light's level is brightness, a curtain's
    // is position, an AC's is its target temperature, a speaker's is volume.
    if (attribute.empty() && (number || relative || extreme || color)) {
        const auto probe = resolver.resolve(want_any, Scope::any_number);
        const auto all = [&](bool (*p)(const devices::Device&)) {
            return !probe.devices.empty() && std::all_of(probe.devices.begin(), probe.devices.end(), [&](const auto* d) { return p(*d); });
        };
        const bool kind_or_name = !frame_.kinds.empty() || !frame_.devices.empty();
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
        ActionPlan p("HassLightSet");
        p.color = color->detail;
        return act(std::move(p), want_light, 0.9);
    }
    if (frame_.has(Cue::mute)) return act(ActionPlan("HassSetVolume", "volume", 0.0, std::nullopt), want_volume, 0.9);
    // Nothing named to act on ("打开", "turn it on", "调到五十"): ask rather than pick the lights.
    const bool nothing_named = frame_.devices.empty() && frame_.kinds.empty() && frame_.areas.empty() && frame_.floors.empty() &&
                               request_.focus.empty() && frame_.scenes.empty() && mode.empty();
    const bool light_word = std::any_of(frame_.cues.begin(), frame_.cues.end(), [](const CueAt& c) { return c.cue == Cue::on && c.detail == 1; });
    if (nothing_named && !light_word && unexplained_object(frame_).empty() && !frame_.has(Cue::floor) &&
        ((!attribute_said && (number || relative || extreme)) || ((on || off) && !frame_.has(Cue::lock) && !frame_.has(Cue::unlock)))) {
        const std::string name = !attribute_said && (number || relative || extreme) ? "HassLightSet" : (on ? "HassTurnOn" : "HassTurnOff");
        set_intent(name, {}, 0.5);
        return finish(Outcome::clarify, speech_.what(name));
    }
    // "turn up the volume to 90": a target value wins over the direction; "make it two degrees
    // cooler" is a step.
    if (number && (!relative || target_word(frame_)) && (frame_.has(Cue::set) || attribute != "" || on || off)) {
        ActionPlan p(intent_for(attribute), attribute, number->value, std::nullopt);
        p.mode = mode;
        return act(p, wanted, 0.95);
    }
    if (extreme && !attribute.empty()) {
        const bool max = frame_.has(Cue::max);
        double v = max ? 100 : (attribute == "brightness" ? 1 : 0);
        if (attribute == "target_temperature") v = max ? 30 : 16;
        return act(ActionPlan(intent_for(attribute), attribute, v, std::nullopt), wanted, 0.9);
    }
    if (relative && !attribute.empty()) {
        double step = attribute == "target_temperature" ? 1 : attribute == "volume" ? 10 : 20;
        if (number) step = number->value;
        const bool down = frame_.has(Cue::down) || frame_.has(Cue::dimmer) || frame_.has(Cue::cooler) || frame_.has(Cue::quieter);
        return act(ActionPlan(intent_for(attribute), attribute, std::nullopt, down ? -step : step), wanted, 0.9);
    }
    if (on || off || frame_.has(Cue::lock) || frame_.has(Cue::unlock)) {
        std::string name = (on && !off) || frame_.has(Cue::lock) ? "HassTurnOn" : "HassTurnOff";
        if (frame_.has(Cue::unlock)) name = "HassTurnOff";
        // "turn X on … off" cannot both hold; the later word wins.
        if (on && off) {
            std::size_t last_on = 0, last_off = 0;
            for (const auto& c : frame_.cues) {
                // "deactivate all lights on the first floor": that "on" says where, not what.
                const auto next = c.mention + (c.mention + 1 < frame_.mentions.size() && is_cue(frame_.mentions[c.mention + 1], Cue::filler) ? 2 : 1);
                const bool where = next < frame_.mentions.size() &&
                                   (frame_.mentions[next].kind == EntryKind::area || frame_.mentions[next].kind == EntryKind::floor);
                if (c.cue == Cue::on && !where) last_on = c.mention;
                if (c.cue == Cue::off) last_off = c.mention;
            }
            name = last_on > last_off ? "HassTurnOn" : "HassTurnOff";
        }
        if (frame_.has(Cue::lock)) name = "HassTurnOn";
        const bool lock_words = frame_.has(Cue::lock) || frame_.has(Cue::unlock);
        ActionPlan p(name);
        p.mode = mode;
        return act(std::move(p), lock_words ? want_lock : mode.empty() ? want_light : want_climate,
                   0.95);
    }
    if (!mode.empty()) {
        ActionPlan p("HassTurnOn");
        p.mode = mode;
        return act(std::move(p), want_climate, 0.9);
    }
    if (!frame_.scenes.empty()) return scene(*frame_.scenes.front(), 0.8);
    if (const auto* m = frame_.first(Cue::mood)) return mood(static_cast<Mood>(m->detail), 0.85);
    // A bare device name means "turn it on", with less certainty.
    if (!frame_.devices.empty() && frame_.cues.empty() && !number) return act(ActionPlan("HassTurnOn"), want_light, 0.7);
    return finish(Outcome::not_understood, speech_.not_understood());
}

}  // namespace hearth::nlu
