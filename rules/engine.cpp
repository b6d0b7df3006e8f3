#include "rules/engine.hpp"

#include <stdexcept>

#include <algorithm>
#include <sstream>
#include <type_traits>
#include <variant>

#include "rules/sun.hpp"

namespace hearth::rules {

using nlohmann::json;
using proto::Errc;
using proto::make_error;

struct Engine::Slot {
    Rule rule;
    std::string problem;
    std::string disabled_reason;
    bool enabled = true;
    bool removed = false;
    std::size_t active = 0;
    std::deque<TimePoint> recent_starts;
    struct Queued {
        Trace trace;
        bool intent = false;
    };
    std::deque<Queued> queue;
};

struct Engine::Hold {
    TimePoint deadline;
    json info;
    std::string parent;
};

struct Engine::Run {
    enum class State { running, delaying, waiting };
    std::uint64_t id = 0;
    std::size_t rule = 0;
    Trace trace;
    std::vector<Frame> stack;
    State state = State::running;
    std::optional<TimePoint> wake;
    bool intent = false;
    bool undo_taken = false;
    std::size_t command_count = 0;
};

struct Engine::Signal {
    enum class Kind { state, event, availability, intent, webhook };
    Kind kind = Kind::state;
    const devices::StateChange* change = nullptr;
    proto::DeviceId device;
    std::string_view name;
    const proto::Attributes* data = nullptr;
    std::string_view parent;  // the cause of an intent (the utterance's context)
    devices::Availability before = devices::Availability::unknown;
    devices::Availability after = devices::Availability::unknown;
};

namespace {

std::string seconds_text(std::chrono::seconds s) { return std::to_string(s.count()) + " s"; }

std::string indexed(const std::string& name, std::size_t i) { return name + "[" + std::to_string(i) + "]"; }

json value_json(const proto::Value& v) { return proto::to_json(v); }

/// The first report of an attribute (old value null) is not a change for an instant trigger — it
/// is what every device publishes when the hub (re)starts — unless the trigger says `from: null`;
/// it does open a `for` window (`first_report_counts`).
bool first_report_blocks(const devices::StateChange& change, const std::optional<proto::Value>& from,
                         bool first_report_counts) {
    return proto::is_null(change.old_value) && !first_report_counts && !(from && proto::is_null(*from));
}

}  // namespace

json to_json(const Notification& n) {
    return {{"message", n.message}, {"title", n.title}, {"rule", n.rule.value}, {"context_id", n.context_id},
            {"at", to_millis(n.at)}};
}

json to_json(const RuleStatus& s) {
    return {{"id", s.id.value},
            {"enabled", s.enabled},
            {"available", s.problem.empty()},
            {"problem", s.problem},
            {"disabled_reason", s.disabled_reason},
            {"active_runs", s.active_runs},
            {"queued_runs", s.queued_runs}};
}

/// Marks the engine busy for one input: an effect that calls back into the engine while it is
/// deciding is a broken contract (effects are queued), and fails loudly instead of corrupting a run.
class Engine::Busy {
public:
    explicit Busy(Engine& engine) : engine_(engine) {
        if (engine_.busy_) throw std::logic_error("rules::Engine re-entered from one of its own effects");
        engine_.busy_ = true;
    }
    ~Busy() { engine_.busy_ = false; }
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;

private:
    Engine& engine_;
};

Engine::Engine(const devices::Registry& registry, const scenes::SceneBook& scenes, Effects& effects, TraceBook& book,
               EngineConfig config)
    : registry_(registry), scenes_(scenes), effects_(effects), book_(book), config_(std::move(config)) {}

Engine::~Engine() = default;

// ---------------------------------------------------------------------------------------------
// definitions

bool Engine::live(const Slot& slot) const {
    return !slot.removed && slot.enabled && slot.problem.empty() && slot.disabled_reason.empty();
}

RuleStatus Engine::status_of(const Slot& slot) const {
    return {slot.rule.id, slot.enabled, slot.problem, slot.disabled_reason, slot.active, slot.queue.size()};
}

LoadReport Engine::load(const json& list, TimePoint now) {
    slots_.clear();
    queued_ = 0;
    by_id_.clear();
    holds_.clear();
    runs_.clear();
    waiting_.clear();
    timers_.clear();
    LoadReport report;
    if (!list.is_array()) {
        report.errors.push_back(make_error(Errc::invalid_field, "rules must be a list", "rules"));
        rebuild_index();
        return report;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto rule = rule_from_json(list[i]);
        if (!rule) {
            auto e = rule.error();
            e.field = indexed("rules", i) + (e.field.empty() ? "" : "." + e.field);
            report.errors.push_back(std::move(e));
            continue;
        }
        if (by_id_.contains(rule->id)) {
            report.errors.push_back(
                make_error(Errc::conflict, "rule " + rule->id.value + " appears twice", indexed("rules", i) + ".id"));
            continue;
        }
        auto slot = std::make_unique<Slot>();
        slot->enabled = rule->enabled;
        slot->problem = rule_problem(*rule, registry_, scenes_);
        slot->rule = std::move(*rule);
        if (!slot->problem.empty()) ++report.unavailable;
        by_id_.emplace(slot->rule.id, slots_.size());
        slots_.push_back(std::move(slot));
        install(slots_.size() - 1, now);
        ++report.loaded;
    }
    rebuild_index();
    return report;
}

proto::Result<std::size_t> Engine::put(const json& definition, TimePoint now) {
    auto rule = rule_from_json(definition);
    if (!rule) return rule.error();
    auto slot = std::make_unique<Slot>();
    slot->enabled = rule->enabled;
    slot->problem = rule_problem(*rule, registry_, scenes_);
    slot->rule = std::move(*rule);
    std::size_t index = slots_.size();
    if (const auto it = by_id_.find(slot->rule.id); it != by_id_.end()) {
        index = it->second;
        uninstall(index, Outcome::cancelled, "the rule was changed", now);
        slots_[index] = std::move(slot);
    } else {
        by_id_.emplace(slot->rule.id, index);
        slots_.push_back(std::move(slot));
    }
    install(index, now);
    return index;
}

proto::Result<RuleStatus> Engine::upsert(const json& definition, TimePoint now) {
    const auto index = put(definition, now);
    if (!index) return index.error();
    rebuild_index();
    return status_of(*slots_[*index]);
}

std::vector<proto::Result<RuleStatus>> Engine::upsert_all(const json& definitions, TimePoint now) {
    std::vector<proto::Result<std::size_t>> indices;
    indices.reserve(definitions.size());
    for (const auto& definition : definitions) indices.push_back(put(definition, now));
    rebuild_index();
    std::vector<proto::Result<RuleStatus>> out;
    out.reserve(definitions.size());
    for (const auto& index : indices) {
        if (index) out.emplace_back(status_of(*slots_[*index]));
        else out.emplace_back(index.error());
    }
    return out;
}

bool Engine::remove(const proto::RuleId& id, TimePoint now) {
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) return false;
    uninstall(it->second, Outcome::cancelled, "the rule was removed", now);
    slots_[it->second]->removed = true;
    by_id_.erase(it);
    rebuild_index();
    return true;
}

proto::Result<RuleStatus> Engine::set_enabled(const proto::RuleId& id, bool enabled, TimePoint now) {
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) return make_error(Errc::not_found, "no rule " + id.value, "id");
    auto& slot = *slots_[it->second];
    const bool was_live = live(slot);
    slot.enabled = enabled;
    if (enabled) {
        slot.disabled_reason.clear();
        slot.recent_starts.clear();
    }
    if (was_live && !live(slot)) uninstall(it->second, Outcome::cancelled, "the rule was disabled", now);
    if (!was_live && live(slot)) install(it->second, now);
    rebuild_index();
    return status_of(slot);
}

void Engine::resolve(TimePoint now) {
    bool changed = false;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        auto& slot = *slots_[i];
        if (slot.removed) continue;
        auto problem = rule_problem(slot.rule, registry_, scenes_);
        if (problem == slot.problem) continue;
        const bool was_live = live(slot);
        if (was_live) uninstall(i, Outcome::cancelled, "the rule became unavailable: " + problem, now);
        slot.problem = std::move(problem);
        if (!was_live && live(slot)) install(i, now);
        changed = true;
        effects_.status_changed(status_of(slot));
    }
    if (changed) rebuild_index();
}

std::optional<RuleStatus> Engine::status(const proto::RuleId& id) const {
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) return std::nullopt;
    return status_of(*slots_[it->second]);
}

std::vector<RuleStatus> Engine::statuses() const {
    std::vector<RuleStatus> out;
    for (const auto& slot : slots_)
        if (!slot->removed) out.push_back(status_of(*slot));
    return out;
}

const Rule* Engine::find(const proto::RuleId& id) const {
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &slots_[it->second]->rule;
}

std::size_t Engine::listeners(const proto::DeviceId& device, std::string_view attribute) const {
    const auto d = state_index_.find(device);
    if (d == state_index_.end()) return 0;
    const auto a = d->second.find(std::string(attribute));
    return a == d->second.end() ? 0 : a->second.size();
}

void Engine::install(std::size_t index, TimePoint now) {
    const auto& slot = *slots_[index];
    if (!live(slot)) return;
    for (std::size_t t = 0; t < slot.rule.triggers.size(); ++t) arm_time_trigger(index, t, now);
}

void Engine::uninstall(std::size_t index, Outcome outcome, const std::string& reason, TimePoint now) {
    auto& slot = *slots_[index];
    queued_ -= slot.queue.size();
    slot.queue.clear();
    cancel_runs(index, outcome, reason, now);
    holds_.erase(holds_.lower_bound(TriggerRef{static_cast<std::uint32_t>(index), 0}),
                 holds_.lower_bound(TriggerRef{static_cast<std::uint32_t>(index + 1), 0}));
    std::erase_if(timers_, [&](const Timer& t) {
        return (t.kind == TimerKind::trigger || t.kind == TimerKind::hold) && t.a == index;
    });
}

void Engine::rebuild_index() {
    state_index_.clear();
    event_index_.clear();
    availability_index_.clear();
    intent_index_.clear();
    webhook_index_.clear();
    start_triggers_.clear();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        const auto& slot = *slots_[i];
        if (!live(slot)) continue;
        for (std::size_t t = 0; t < slot.rule.triggers.size(); ++t) {
            const TriggerRef ref{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(t)};
            std::visit(
                [&](const auto& w) {
                    using T = std::decay_t<decltype(w)>;
                    if constexpr (std::is_same_v<T, StateTrigger> || std::is_same_v<T, NumericTrigger>) {
                        state_index_[w.device][w.attribute].push_back(ref);
                    } else if constexpr (std::is_same_v<T, EventTrigger>) {
                        event_index_[w.device].push_back(ref);
                    } else if constexpr (std::is_same_v<T, AvailabilityTrigger>) {
                        availability_index_[w.device].push_back(ref);
                    } else if constexpr (std::is_same_v<T, IntentTrigger>) {
                        intent_index_[w.intent].push_back(ref);
                    } else if constexpr (std::is_same_v<T, WebhookTrigger>) {
                        webhook_index_[w.webhook].push_back(ref);
                    } else if constexpr (std::is_same_v<T, StartTrigger>) {
                        start_triggers_.push_back(ref);
                    }
                },
                slot.rule.triggers[t].what);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// time

std::optional<TimePoint> Engine::next_time(const Trigger& trigger, TimePoint after) const {
    return std::visit(
        [&](const auto& w) -> std::optional<TimePoint> {
            using T = std::decay_t<decltype(w)>;
            if constexpr (std::is_same_v<T, TimeTrigger>) {
                auto t = scenes::next_local(after, w.at, config_.place);
                for (int i = 0; i < 8 && !w.weekdays.empty(); ++i) {
                    const auto day = scenes::iso_weekday(scenes::to_local(t, config_.place).weekday);
                    if (std::find(w.weekdays.begin(), w.weekdays.end(), day) != w.weekdays.end()) break;
                    t = scenes::next_local(t, w.at, config_.place);
                }
                return t;
            } else if constexpr (std::is_same_v<T, ScheduleTrigger>) {
                return w.schedule.next_after(after, config_.place);
            } else if constexpr (std::is_same_v<T, SunTrigger>) {
                const auto e = next_sun_event(w.event, after - w.offset, config_.place);
                if (!e) return std::nullopt;
                return *e + w.offset;
            } else {
                return std::nullopt;
            }
        },
        trigger.what);
}

void Engine::arm_time_trigger(std::size_t rule, std::size_t trigger, TimePoint after) {
    const auto at = next_time(slots_[rule]->rule.triggers[trigger], after);
    if (at) timers_.insert({*at, TimerKind::trigger, rule, trigger});
}

std::optional<TimePoint> Engine::next_wake() const {
    if (timers_.empty()) return std::nullopt;
    return timers_.begin()->at;
}

std::optional<TimePoint> Engine::advance(TimePoint now) {
    const Busy busy(*this);
    while (!timers_.empty() && timers_.begin()->at <= now) {
        const auto timer = *timers_.begin();
        timers_.erase(timers_.begin());
        switch (timer.kind) {
            case TimerKind::hold: {
                const TriggerRef ref{static_cast<std::uint32_t>(timer.a), static_cast<std::uint32_t>(timer.b)};
                const auto it = holds_.find(ref);
                if (it == holds_.end() || it->second->deadline != timer.at) break;
                auto hold = std::move(it->second);
                holds_.erase(it);
                if (!live(*slots_[timer.a])) break;
                hold->info["late_s"] = std::chrono::duration_cast<std::chrono::seconds>(now - timer.at).count();
                fire(timer.a, timer.b, std::move(hold->info), hold->parent, now);
                break;
            }
            case TimerKind::run: {
                const auto it = runs_.find(timer.a);
                if (it == runs_.end() || it->second->wake != timer.at) break;
                auto& run = *it->second;
                run.wake.reset();
                if (run.state == Run::State::waiting) {
                    waiting_.erase(run.id);
                    const auto* list = list_at(run, run.stack.size() - 1);
                    const auto& wait = std::get<WaitAction>((*list)[run.stack.back().pc - 1].what);
                    run.trace.steps.push_back({now, path_of(run), "wait", json{{"timed_out", true}}, ""});
                    if (!wait.continue_on_timeout) {
                        finish(run.id, Outcome::cancelled, "the wait timed out after " + seconds_text(wait.timeout), now);
                        break;
                    }
                }
                run.state = Run::State::running;
                execute(run, now);
                break;
            }
            case TimerKind::trigger: {
                if (!live(*slots_[timer.a])) break;
                const auto& trigger = slots_[timer.a]->rule.triggers[timer.b];
                arm_time_trigger(timer.a, timer.b, std::max(timer.at, now));
                json info{{"kind", kind_name(trigger)},
                          {"scheduled", to_millis(timer.at)},
                          {"late_s", std::chrono::duration_cast<std::chrono::seconds>(now - timer.at).count()}};
                if (!trigger.id.empty()) info["id"] = trigger.id;
                fire(timer.a, timer.b, std::move(info), {}, now);
                break;
            }
        }
    }
    return next_wake();
}

// ---------------------------------------------------------------------------------------------
// inputs

void Engine::start(TimePoint now) {
    const Busy busy(*this);
    const auto refs = start_triggers_;
    for (const auto& ref : refs) {
        json info{{"kind", "start"}};
        const auto& t = slots_[ref.rule]->rule.triggers[ref.trigger];
        if (!t.id.empty()) info["id"] = t.id;
        fire(ref.rule, ref.trigger, std::move(info), {}, now);
    }
}

void Engine::handle(const devices::StateChange& change, TimePoint now) {
    const Busy busy(*this);
    if (!change.context_id.empty()) attach_confirmation(change, now);
    const std::vector<TriggerRef>* refs = nullptr;
    if (const auto d = state_index_.find(change.device); d != state_index_.end()) {
        if (const auto a = d->second.find(change.attribute); a != d->second.end()) refs = &a->second;
    }
    if (!refs && waiting_.empty()) return;
    Signal s;
    s.kind = Signal::Kind::state;
    s.change = &change;
    s.device = change.device;
    on_signal(s, refs, now);
}

void Engine::handle_availability(const proto::DeviceId& device, devices::Availability before,
                                 devices::Availability after, TimePoint now) {
    const Busy busy(*this);
    if (before == after) return;
    const auto it = availability_index_.find(device);
    if (it == availability_index_.end() && waiting_.empty()) return;
    Signal s;
    s.kind = Signal::Kind::availability;
    s.device = device;
    s.before = before;
    s.after = after;
    on_signal(s, it == availability_index_.end() ? nullptr : &it->second, now);
}

void Engine::handle_event(const proto::DeviceId& device, std::string_view event, const proto::Attributes& data,
                          TimePoint now) {
    const Busy busy(*this);
    const auto it = event_index_.find(device);
    if (it == event_index_.end() && waiting_.empty()) return;
    Signal s;
    s.kind = Signal::Kind::event;
    s.device = device;
    s.name = event;
    s.data = &data;
    on_signal(s, it == event_index_.end() ? nullptr : &it->second, now);
}

std::size_t Engine::fire_intent(std::string_view intent, const proto::Attributes& slots, TimePoint now,
                                std::string_view parent_context) {
    const Busy busy(*this);
    const auto it = intent_index_.find(std::string(intent));
    const std::size_t count = it == intent_index_.end() ? 0 : it->second.size();
    Signal s;
    s.kind = Signal::Kind::intent;
    s.name = intent;
    s.data = &slots;
    s.parent = parent_context;
    on_signal(s, it == intent_index_.end() ? nullptr : &it->second, now);
    return count;
}

std::size_t Engine::fire_webhook(std::string_view id, TimePoint now) {
    const Busy busy(*this);
    const auto it = webhook_index_.find(std::string(id));
    const std::size_t count = it == webhook_index_.end() ? 0 : it->second.size();
    Signal s;
    s.kind = Signal::Kind::webhook;
    s.name = id;
    on_signal(s, it == webhook_index_.end() ? nullptr : &it->second, now);
    return count;
}

proto::Result<RuleStatus> Engine::run_now(const proto::RuleId& id, TimePoint now) {
    const Busy busy(*this);
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) return make_error(Errc::not_found, "no rule " + id.value, "id");
    const auto& slot = *slots_[it->second];
    if (!slot.problem.empty()) return make_error(Errc::device_unavailable, "rule " + id.value + " is unavailable: " + slot.problem);
    if (!live(slot)) {
        return make_error(Errc::conflict,
                          "rule " + id.value + " is disabled" + (slot.disabled_reason.empty() ? "" : ": " + slot.disabled_reason));
    }
    Trace trace;
    trace.id = new_context();
    trace.rule = slot.rule.id;
    trace.started = now;
    trace.trigger = json{{"kind", "manual"}, {"id", "run"}};
    begin(it->second, std::move(trace), false, now);
    return status_of(*slots_[it->second]);
}

bool Engine::matches(const Trigger& t, const Signal& s, bool first_report_counts) {
    using Kind = Signal::Kind;
    return std::visit(
        [&](const auto& w) -> bool {
            using T = std::decay_t<decltype(w)>;
            if constexpr (std::is_same_v<T, StateTrigger> || std::is_same_v<T, NumericTrigger>) {
                const auto* c = s.change;
                if (s.kind != Kind::state || !c || c->device != w.device || c->attribute != w.attribute) return false;
                if constexpr (std::is_same_v<T, StateTrigger>) {
                    if (first_report_blocks(*c, w.from, first_report_counts)) return false;
                    return (!w.from || c->old_value == *w.from) && (!w.to || c->new_value == *w.to);
                } else {
                    if (first_report_blocks(*c, std::nullopt, first_report_counts)) return false;
                    return !w.in_range(c->old_value) && w.in_range(c->new_value);
                }
            } else if constexpr (std::is_same_v<T, EventTrigger>) {
                if (s.kind != Kind::event || s.device != w.device || s.name != w.event) return false;
                for (const auto& [key, value] : w.data) {
                    if (!s.data) return false;
                    const auto it = s.data->find(key);
                    if (it == s.data->end() || it->second != value) return false;
                }
                return true;
            } else if constexpr (std::is_same_v<T, AvailabilityTrigger>) {
                return s.kind == Kind::availability && s.device == w.device && (!w.to || s.after == *w.to);
            } else if constexpr (std::is_same_v<T, IntentTrigger>) {
                return s.kind == Kind::intent && s.name == w.intent;
            } else if constexpr (std::is_same_v<T, WebhookTrigger>) {
                return s.kind == Kind::webhook && s.name == w.webhook;
            } else {
                return false;
            }
        },
        t.what);
}

/// Whether a pending `for` window still holds after this signal.
bool Engine::still_holds(const Trigger& t, const Signal& s) {
    return std::visit(
        [&](const auto& w) -> bool {
            using T = std::decay_t<decltype(w)>;
            if constexpr (std::is_same_v<T, StateTrigger>) {
                return s.change && w.to && s.change->new_value == *w.to;
            } else if constexpr (std::is_same_v<T, NumericTrigger>) {
                return s.change && w.in_range(s.change->new_value);
            } else if constexpr (std::is_same_v<T, AvailabilityTrigger>) {
                return w.to && s.after == *w.to;
            } else {
                return true;
            }
        },
        t.what);
}

void Engine::on_signal(const Signal& s, const std::vector<TriggerRef>* refs_in, TimePoint now) {
    const std::vector<std::uint64_t> waiting(waiting_.begin(), waiting_.end());
    for (const auto id : waiting) {
        const auto it = runs_.find(id);
        if (it == runs_.end() || it->second->state != Run::State::waiting) continue;
        auto& run = *it->second;
        const auto* list = list_at(run, run.stack.size() - 1);
        const auto& wait = std::get<WaitAction>((*list)[run.stack.back().pc - 1].what);
        if (!matches(wait.trigger, s)) continue;
        waiting_.erase(id);
        if (run.wake) timers_.erase({*run.wake, TimerKind::run, run.id, 0});
        run.wake.reset();
        run.state = Run::State::running;
        run.trace.steps.push_back({now, path_of(run), "wait", json{{"matched", kind_name(wait.trigger)}}, ""});
        execute(run, now);
    }
    if (!refs_in) return;
    const auto refs = *refs_in;  // firing may disable a rule and rebuild the index
    for (const auto& ref : refs) {
        if (ref.rule >= slots_.size() || !live(*slots_[ref.rule])) continue;
        const auto& trigger = slots_[ref.rule]->rule.triggers[ref.trigger];
        json info{{"kind", kind_name(trigger)}};
        if (!trigger.id.empty()) info["id"] = trigger.id;
        std::string parent;
        if (s.change) {
            info["device"] = s.change->device.value;
            info["attribute"] = s.change->attribute;
            info["from"] = value_json(s.change->old_value);
            info["to"] = value_json(s.change->new_value);
            parent = s.change->context_id;
        } else if (s.kind == Signal::Kind::availability) {
            info["device"] = s.device.value;
            info["from"] = devices::to_string(s.before);
            info["to"] = devices::to_string(s.after);
        } else if (s.kind == Signal::Kind::event) {
            info["device"] = s.device.value;
            info["event"] = std::string(s.name);
            info["data"] = proto::to_json(*s.data);
        } else if (s.kind == Signal::Kind::intent) {
            info["intent"] = std::string(s.name);
            info["slots"] = proto::to_json(*s.data);
            parent = std::string(s.parent);
        } else {
            info["webhook"] = std::string(s.name);
        }
        if (trigger.hold) {
            const auto held = holds_.find(ref);
            if (held != holds_.end() && !still_holds(trigger, s)) {
                Trace t;
                t.id = new_context();
                t.rule = slots_[ref.rule]->rule.id;
                t.parent_context = parent;
                t.started = now;
                t.finished = now;
                t.trigger = held->second->info;
                t.outcome = Outcome::hold_reset;
                t.reason = "changed to " + info.value("to", json()).dump() + " before " + seconds_text(*trigger.hold) +
                           " had passed";
                timers_.erase({held->second->deadline, TimerKind::hold, ref.rule, ref.trigger});
                holds_.erase(held);
                effects_.record(t);
                remember(std::move(t));
            }
            if (!holds_.contains(ref) && matches(trigger, s, true)) {
                info["for_s"] = trigger.hold->count();
                auto hold = std::make_unique<Hold>(Hold{now + *trigger.hold, std::move(info), parent});
                timers_.insert({hold->deadline, TimerKind::hold, ref.rule, ref.trigger});
                holds_.emplace(ref, std::move(hold));
            }
            continue;
        }
        if (!matches(trigger, s)) continue;
        fire(ref.rule, ref.trigger, std::move(info), std::move(parent), now);
    }
}

// ---------------------------------------------------------------------------------------------
// runs

std::string Engine::new_context() { return config_.context_prefix + "-" + std::to_string(++context_counter_); }

void Engine::remember(Trace trace) { book_.keep(std::move(trace)); }

void Engine::fire(std::size_t rule, std::size_t trigger, json info, std::string parent, TimePoint now) {
    auto& slot = *slots_[rule];
    Trace trace;
    trace.id = new_context();
    trace.rule = slot.rule.id;
    trace.parent_context = std::move(parent);
    trace.started = now;
    trace.trigger = std::move(info);
    if (!trace.parent_context.empty()) {
        const auto* sent = book_.command(trace.parent_context);
        const std::string cause = sent ? sent->trace : std::string();
        const Trace* origin = cause.empty() ? nullptr : book_.find(cause);
        for (const auto& [id, run] : runs_)
            if (!origin && !cause.empty() && run->trace.id == cause) origin = &run->trace;
        if (origin) {
            trace.chain = origin->chain;
            trace.chain.push_back(origin->rule.value);
        }
    }
    const auto trigger_id = slot.rule.triggers[trigger].id;
    if (!check_all(slot.rule.conditions, "conditions", trace, trigger_id, now)) {
        trace.outcome = Outcome::condition_false;
        const auto failed = std::find_if(trace.conditions.rbegin(), trace.conditions.rend(),
                                         [](const ConditionRecord& c) { return !c.passed; });
        trace.reason = failed == trace.conditions.rend() ? "a condition is false" : failed->path + " is false";
        trace.finished = now;
        effects_.record(trace);
        remember(std::move(trace));
        return;
    }
    begin(rule, std::move(trace), std::holds_alternative<IntentTrigger>(slot.rule.triggers[trigger].what), now);
}

bool Engine::loop_guard(std::size_t rule, const Trace& trace, TimePoint now) {
    auto& slot = *slots_[rule];
    slot.recent_starts.push_back(now);
    while (!slot.recent_starts.empty() && slot.recent_starts.front() <= now - config_.loop_window) {
        slot.recent_starts.pop_front();
    }
    if (slot.recent_starts.size() <= config_.loop_max_runs) return false;
    std::string reason = "triggered " + std::to_string(slot.recent_starts.size()) + " times within " +
                         seconds_text(config_.loop_window);
    if (!trace.chain.empty()) {
        reason += " (chain:";
        for (const auto& r : trace.chain) reason += " " + r + " →";
        reason += " " + slot.rule.id.value + ")";
    }
    slot.disabled_reason = reason;
    auto stopped = trace;
    stopped.outcome = Outcome::loop_stopped;
    stopped.reason = "loop guard: " + reason;
    stopped.finished = now;
    effects_.record(stopped);
    remember(std::move(stopped));
    uninstall(rule, Outcome::cancelled, "stopped by the loop guard", now);
    rebuild_index();
    effects_.status_changed(status_of(slot));
    return true;
}

void Engine::begin(std::size_t rule, Trace trace, bool intent, TimePoint now) {
    if (loop_guard(rule, trace, now)) return;
    auto& slot = *slots_[rule];
    const auto drop = [&](std::string reason) {
        trace.outcome = Outcome::dropped;
        trace.reason = std::move(reason);
        trace.finished = now;
        effects_.record(trace);
        remember(std::move(trace));
    };
    const auto mode = std::string(to_string(slot.rule.mode));
    switch (slot.rule.mode) {
        case RunMode::single:
            if (slot.active > 0) return drop("already running (mode single)");
            break;
        case RunMode::restart:
            if (slot.active > 0) cancel_runs(rule, Outcome::cancelled, "restarted by a new trigger (mode restart)", now);
            break;
        case RunMode::queued:
            if (slot.active + slot.queue.size() >= slot.rule.max) {
                return drop("the queue is full (mode queued, max " + std::to_string(slot.rule.max) + ")");
            }
            if (slot.active > 0) {
                slot.queue.push_back({std::move(trace), intent});
                ++queued_;
                return;
            }
            break;
        case RunMode::parallel:
            if (slot.active >= slot.rule.max) {
                return drop("at the limit of parallel runs (max " + std::to_string(slot.rule.max) + ")");
            }
            break;
    }
    auto run = std::make_unique<Run>();
    run->id = next_run_id_++;
    run->rule = rule;
    run->trace = std::move(trace);
    run->stack.push_back({0, -1});
    run->intent = intent;
    ++slot.active;
    if (intent) {
        auto touched = touched_devices(slot.rule.actions);
        effects_.push_undo(scenes::take_snapshot(registry_, touched, now,
                                                 "intent " + run->trace.trigger.value("intent", std::string()),
                                                 run->trace.id));
        run->undo_taken = true;
    }
    auto& ref = *run;
    runs_.emplace(run->id, std::move(run));
    execute(ref, now);
}

void Engine::start_queued(std::size_t rule, TimePoint now) {
    auto& slot = *slots_[rule];
    if (slot.active > 0 || slot.queue.empty() || !live(slot)) return;
    auto next = std::move(slot.queue.front());
    slot.queue.pop_front();
    --queued_;
    auto run = std::make_unique<Run>();
    run->id = next_run_id_++;
    run->rule = rule;
    run->trace = std::move(next.trace);
    run->stack.push_back({0, -1});
    run->intent = next.intent;
    ++slot.active;
    auto& ref = *run;
    runs_.emplace(run->id, std::move(run));
    execute(ref, now);
}

void Engine::cancel_runs(std::size_t rule, Outcome outcome, const std::string& reason, TimePoint now) {
    std::vector<std::uint64_t> ids;
    for (const auto& [id, run] : runs_)
        if (run->rule == rule) ids.push_back(id);
    for (const auto id : ids) {
        auto it = runs_.find(id);
        auto run = std::move(it->second);
        runs_.erase(it);
        waiting_.erase(id);
        if (run->wake) timers_.erase({*run->wake, TimerKind::run, run->id, 0});
        --slots_[rule]->active;
        run->trace.outcome = outcome;
        run->trace.reason = reason;
        run->trace.finished = now;
        effects_.record(run->trace);
        remember(std::move(run->trace));
    }
}

void Engine::finish(std::uint64_t run_id, Outcome outcome, std::string reason, TimePoint now) {
    const auto it = runs_.find(run_id);
    if (it == runs_.end()) return;
    auto run = std::move(it->second);
    runs_.erase(it);
    waiting_.erase(run_id);
    if (run->wake) timers_.erase({*run->wake, TimerKind::run, run->id, 0});
    auto& slot = *slots_[run->rule];
    --slot.active;
    run->trace.outcome = outcome;
    run->trace.reason = std::move(reason);
    run->trace.finished = now;
    effects_.record(run->trace);
    const auto rule = run->rule;
    remember(std::move(run->trace));
    if (slot.rule.mode == RunMode::queued) start_queued(rule, now);
}

const std::vector<Action>* Engine::list_at(const Run& run, std::size_t level) const {
    const auto* list = &slots_[run.rule]->rule.actions;
    for (std::size_t i = 1; i <= level; ++i) {
        const auto& parent = run.stack[i - 1];
        if (parent.pc >= list->size()) return nullptr;
        const auto* choose = std::get_if<ChooseAction>(&(*list)[parent.pc].what);
        const auto branch = run.stack[i].branch;
        if (!choose) return nullptr;
        if (branch < 0) {
            list = &choose->otherwise;
        } else {
            if (static_cast<std::size_t>(branch) >= choose->branches.size()) return nullptr;
            list = &choose->branches[static_cast<std::size_t>(branch)].actions;
        }
    }
    return list;
}

std::string Engine::path_of(const Run& run) const {
    std::string path = "actions";
    for (std::size_t i = 0; i < run.stack.size(); ++i) {
        const auto& f = run.stack[i];
        if (i > 0) path += f.branch < 0 ? ".else" : ".choose[" + std::to_string(f.branch) + "].then";
        path += "[" + std::to_string(f.pc) + "]";
    }
    return path;
}

scenes::EvalContext Engine::eval_context(TimePoint now) const {
    scenes::EvalContext ctx;
    ctx.registry = &registry_;
    ctx.now = now;
    ctx.place = config_.place;
    return ctx;
}

void Engine::execute(Run& run, TimePoint now) {
    while (!run.stack.empty()) {
        const auto* list = list_at(run, run.stack.size() - 1);
        auto& frame = run.stack.back();
        if (!list || frame.pc >= list->size()) {
            run.stack.pop_back();
            if (!run.stack.empty()) ++run.stack.back().pc;
            continue;
        }
        const auto& action = (*list)[frame.pc];
        const auto path = path_of(run);
        if (const auto* c = std::get_if<CommandAction>(&action.what)) {
            run_command(run, *c, path, now);
            ++frame.pc;
        } else if (const auto* s = std::get_if<SceneAction>(&action.what)) {
            run_scene(run, *s, path, now);
            ++frame.pc;
        } else if (const auto* d = std::get_if<DelayAction>(&action.what)) {
            run.trace.steps.push_back({now, path, "delay", json{{"seconds", d->duration.count()}}, ""});
            ++frame.pc;
            if (d->duration.count() == 0) continue;
            run.state = Run::State::delaying;
            run.wake = now + d->duration;
            timers_.insert({*run.wake, TimerKind::run, run.id, 0});
            return;
        } else if (const auto* w = std::get_if<WaitAction>(&action.what)) {
            run.trace.steps.push_back(
                {now, path, "wait", json{{"for", kind_name(w->trigger)}, {"timeout_s", w->timeout.count()}}, ""});
            ++frame.pc;
            run.state = Run::State::waiting;
            run.wake = now + w->timeout;
            timers_.insert({*run.wake, TimerKind::run, run.id, 0});
            waiting_.insert(run.id);
            return;
        } else if (const auto* choose = std::get_if<ChooseAction>(&action.what)) {
            const auto trigger_id = run.trace.trigger.value("id", std::string());
            int chosen = -2;
            for (std::size_t b = 0; b < choose->branches.size() && chosen == -2; ++b) {
                if (check_all(choose->branches[b].conditions, path + ".choose[" + std::to_string(b) + "].if", run.trace,
                              trigger_id, now)) {
                    chosen = static_cast<int>(b);
                }
            }
            if (chosen == -2 && !choose->otherwise.empty()) chosen = -1;
            run.trace.steps.push_back({now, path, "choose",
                                       json{{"branch", chosen == -2 ? json(nullptr)
                                                        : chosen == -1 ? json("else")
                                                                       : json(chosen)}},
                                       ""});
            if (chosen == -2) {
                ++frame.pc;
            } else {
                run.stack.push_back({0, chosen});
            }
        } else if (const auto* n = std::get_if<NotifyAction>(&action.what)) {
            run.trace.steps.push_back({now, path, "notify", json{{"message", n->message}, {"title", n->title}}, ""});
            effects_.notify({n->message, n->title, slots_[run.rule]->rule.id, run.trace.id, now});
            ++frame.pc;
        } else if (const auto* stop = std::get_if<StopAction>(&action.what)) {
            run.trace.steps.push_back({now, path, "stop", json{{"reason", stop->reason}}, ""});
            finish(run.id, Outcome::stopped, stop->reason, now);
            return;
        }
    }
    finish(run.id, Outcome::ran, {}, now);
}

void Engine::run_command(Run& run, const CommandAction& action, const std::string& path, TimePoint now) {
    std::vector<proto::DeviceId> targets;
    if (action.target.device) {
        targets.push_back(*action.target.device);
    } else {
        for (const auto* d : registry_.list({action.target.area, action.target.kind, {}})) targets.push_back(d->description.id);
    }
    StepRecord step{now, path, "command", json{{"devices", json::array()}}, ""};
    if (targets.empty()) step.error = "no device matches the target";
    for (const auto& id : targets) {
        const auto* device = registry_.find(id);
        if (!device) {
            step.error += (step.error.empty() ? "" : "; ") + ("no device " + id.value);
            continue;
        }
        proto::Command command;
        command.transition = action.transition;
        std::string failure;
        for (const auto& [attribute, value] : action.set) {
            if (const auto* e = std::get_if<scenes::Expression>(&value)) {
                auto ctx = eval_context(now);
                const auto current = device->state.find(attribute);
                ctx.current = current == device->state.end() ? nullptr : &current->second;
                auto v = e->evaluate(ctx);
                if (!v) {
                    failure = attribute + ": " + v.error().message;
                    break;
                }
                const auto* c = device->description.find(attribute);
                if (c && proto::as_number(*v)) *v = scenes::fit_to(*c, *proto::as_number(*v));
                command.set.emplace(attribute, std::move(*v));
            } else {
                command.set.emplace(attribute, std::get<proto::Value>(value));
            }
        }
        if (failure.empty()) {
            command.context_id = run.trace.id + "." + std::to_string(++run.command_count);
            auto valid = registry_.validate(id, command);
            if (valid) {
                send_for(run, {id, std::move(*valid)}, step, now);
                continue;
            }
            failure = valid.error().message;
        }
        step.error += (step.error.empty() ? "" : "; ") + id.value + ": " + failure;
    }
    run.trace.steps.push_back(std::move(step));
}

void Engine::send_for(Run& run, const scenes::DeviceCommand& command, StepRecord& step, TimePoint now) {
    const proto::Context context{command.command.context_id, run.trace.id, proto::Cause::rule,
                                 slots_[run.rule]->rule.id.value};
    CommandRecord record{command.device, command.command, std::nullopt, {}, {}};
    if (auto sent = effects_.send(command, context); !sent) {
        record.error = sent.error().message;
        step.error += (step.error.empty() ? "" : "; ") + command.device.value + ": " + sent.error().message;
    } else {
        book_.sent(command.device, context, run.trace.id, now);
        if (step.kind == "command") step.detail["devices"].push_back(command.device.value);
    }
    run.trace.commands.push_back(std::move(record));
}

void Engine::run_scene(Run& run, const SceneAction& action, const std::string& path, TimePoint now) {
    StepRecord step{now, path, "scene", json{{"scene", action.scene.value}}, ""};
    const auto it = scenes_.find(action.scene);
    if (it == scenes_.end()) {
        step.error = "no scene " + action.scene.value;
    } else if (!it->second.problem.empty()) {
        step.error = "scene " + action.scene.value + " is unavailable: " + it->second.problem;
    }
    if (!step.error.empty()) {
        run.trace.steps.push_back(std::move(step));
        return;
    }
    auto activation = scenes::plan_activation(it->second.scene, registry_, eval_context(now), run.trace.id);
    if (!run.undo_taken) effects_.push_undo(std::move(activation.snapshot));
    auto& plan = activation.plan;
    for (auto& c : plan.commands) {
        c.command.context_id = run.trace.id + "." + std::to_string(++run.command_count);
        send_for(run, c, step, now);
    }
    step.detail["commands"] = plan.commands.size();
    if (!plan.skipped.empty()) {
        auto skipped = json::array();
        for (const auto& e : plan.skipped) skipped.push_back(e.message);
        step.detail["skipped"] = std::move(skipped);
    }
    run.trace.steps.push_back(std::move(step));
}

std::vector<proto::DeviceId> Engine::touched_devices(const std::vector<Action>& actions) const {
    std::vector<proto::DeviceId> out;
    for (const auto& a : actions) {
        if (const auto* c = std::get_if<CommandAction>(&a.what)) {
            if (c->target.device) {
                out.push_back(*c->target.device);
            } else {
                for (const auto* d : registry_.list({c->target.area, c->target.kind, {}})) out.push_back(d->description.id);
            }
        } else if (const auto* s = std::get_if<SceneAction>(&a.what)) {
            if (const auto it = scenes_.find(s->scene); it != scenes_.end()) {
                for (const auto& t : it->second.scene.targets) out.push_back(t.device);
            }
        } else if (const auto* choose = std::get_if<ChooseAction>(&a.what)) {
            for (const auto& b : choose->branches) {
                auto more = touched_devices(b.actions);
                out.insert(out.end(), more.begin(), more.end());
            }
            auto more = touched_devices(choose->otherwise);
            out.insert(out.end(), more.begin(), more.end());
        }
    }
    return out;
}

void Engine::attach_confirmation(const devices::StateChange& change, TimePoint now) {
    const auto* sent = book_.command(change.context_id);
    if (!sent) return;
    for (auto& [id, run] : runs_) {
        if (run->trace.id != sent->trace) continue;
        for (auto& c : run->trace.commands) {
            if (c.device != change.device || c.command.context_id != change.context_id) continue;
            if (!c.confirmed_at) c.confirmed_at = now;
            c.confirmed.insert_or_assign(change.attribute, change.new_value);
        }
        return;
    }
}

// ---------------------------------------------------------------------------------------------
// conditions

bool Engine::check_all(const std::vector<Condition>& cs, const std::string& path, Trace& trace,
                       const std::string& trigger_id, TimePoint now) const {
    for (std::size_t i = 0; i < cs.size(); ++i) {
        if (!check(cs[i], indexed(path, i), trace, trigger_id, now)) return false;
    }
    return true;
}

bool Engine::check(const Condition& c, const std::string& path, Trace& trace, const std::string& trigger_id,
                   TimePoint now) const {
    std::string detail;
    const bool passed = std::visit(
        [&](const auto& w) -> bool {
            using T = std::decay_t<decltype(w)>;
            if constexpr (std::is_same_v<T, StateCondition>) {
                const auto* d = registry_.find(w.device);
                proto::Value v;
                if (d) {
                    if (const auto it = d->state.find(w.attribute); it != d->state.end()) v = it->second;
                }
                detail = w.device.value + "." + w.attribute + " is " + proto::to_display(v);
                const bool in = w.in.empty() || std::find(w.in.begin(), w.in.end(), v) != w.in.end();
                const auto* n = proto::as_number(v);
                const bool above = !w.above || (n && *n > *w.above);
                const bool below = !w.below || (n && *n < *w.below);
                return in && above && below;
            } else if constexpr (std::is_same_v<T, TimeCondition>) {
                const auto local = scenes::to_local(now, config_.place);
                const auto t = local.time_of_day;
                bool ok = true;
                if (w.after && w.before) ok = scenes::in_window(t, *w.after, *w.before);
                else if (w.after) ok = t >= *w.after;
                else if (w.before) ok = t < *w.before;
                const auto day = scenes::iso_weekday(local.weekday);
                if (!w.weekdays.empty()) ok = ok && std::find(w.weekdays.begin(), w.weekdays.end(), day) != w.weekdays.end();
                const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(t).count();
                std::ostringstream text;
                text << "local time " << minutes / 60 << ":" << (minutes % 60 < 10 ? "0" : "") << minutes % 60
                     << ", weekday " << day;
                detail = text.str();
                return ok;
            } else if constexpr (std::is_same_v<T, SunCondition>) {
                // -0.833°: the sun's upper limb on the horizon with refraction, as sunrise and sunset use.
                const double elevation = sun_elevation(now, config_.place);
                detail = "sun elevation " + std::to_string(elevation);
                return (elevation > -0.833) == w.above_horizon;
            } else if constexpr (std::is_same_v<T, SomeoneHomeCondition>) {
                std::vector<const devices::Device*> sensors;
                if (w.sensors.empty()) {
                    sensors = registry_.list({std::nullopt, std::nullopt, "occupancy"});
                } else {
                    for (const auto& id : w.sensors)
                        if (const auto* d = registry_.find(id)) sensors.push_back(d);
                }
                std::string occupied;
                for (const auto* d : sensors) {
                    const auto it = d->state.find("occupancy");
                    if (it != d->state.end() && it->second == proto::Value{true}) occupied = d->description.id.value;
                }
                detail = occupied.empty() ? "no presence sensor reports occupancy" : occupied + " reports occupancy";
                return !occupied.empty() == w.expected;
            } else if constexpr (std::is_same_v<T, AndCondition>) {
                return check_all(w.all, path + ".and", trace, trigger_id, now);
            } else if constexpr (std::is_same_v<T, OrCondition>) {
                for (std::size_t i = 0; i < w.any.size(); ++i) {
                    if (check(w.any[i], indexed(path + ".or", i), trace, trigger_id, now)) return true;
                }
                return false;
            } else if constexpr (std::is_same_v<T, NotCondition>) {
                for (std::size_t i = 0; i < w.none.size(); ++i) {
                    if (check(w.none[i], indexed(path + ".not", i), trace, trigger_id, now)) return false;
                }
                return true;
            } else if constexpr (std::is_same_v<T, ExpressionCondition>) {
                const auto r = w.expression.test(eval_context(now));
                detail = r ? w.expression.source() : w.expression.source() + ": " + r.error().message;
                return r && *r;
            } else {
                detail = "trigger " + (trigger_id.empty() ? std::string("(no id)") : trigger_id);
                return trigger_id == w.id;
            }
        },
        c.what);
    trace.conditions.push_back({path, passed, std::move(detail)});
    return passed;
}

// ---------------------------------------------------------------------------------------------
// persistence

json Engine::export_pending() const {
    auto holds = json::array();
    for (const auto& [ref, hold] : holds_) {
        holds.push_back({{"rule", slots_[ref.rule]->rule.id.value},
                         {"trigger", ref.trigger},
                         {"deadline", to_millis(hold->deadline)},
                         {"info", hold->info},
                         {"parent", hold->parent}});
    }
    auto runs = json::array();
    for (const auto& [id, run] : runs_) {
        auto stack = json::array();
        for (const auto& f : run->stack) stack.push_back({f.pc, f.branch});
        json r{{"rule", slots_[run->rule]->rule.id.value},
               {"state", run->state == Run::State::waiting ? "waiting" : "delaying"},
               {"stack", std::move(stack)},
               {"intent", run->intent},
               {"undo_taken", run->undo_taken},
               {"commands", run->command_count},
               {"trace", to_json(run->trace)}};
        if (run->wake) r["wake"] = to_millis(*run->wake);
        runs.push_back(std::move(r));
    }
    auto queued = json::array();
    // Saving follows every engine event: walk the rules only when some run is queued.
    for (std::size_t i = 0; queued_ > 0 && i < slots_.size(); ++i) {
        const auto& slot = slots_[i];
        if (slot->removed) continue;
        for (const auto& q : slot->queue) {
            queued.push_back({{"rule", slot->rule.id.value}, {"intent", q.intent}, {"trace", to_json(q.trace)}});
        }
    }
    auto triggers = json::array();
    for (const auto& t : timers_) {
        if (t.kind != TimerKind::trigger) continue;
        triggers.push_back({{"rule", slots_[t.a]->rule.id.value}, {"trigger", t.b}, {"next", to_millis(t.at)}});
    }
    return {{"version", 1}, {"holds", std::move(holds)}, {"runs", std::move(runs)}, {"queued", std::move(queued)},
            {"triggers", std::move(triggers)}};
}

std::vector<proto::Error> Engine::resume(const json& pending, TimePoint now) {
    std::vector<proto::Error> errors;
    if (!pending.is_object() || pending.value("version", 0) != 1) {
        errors.push_back(make_error(Errc::invalid_field, "pending state is an object with version 1", "version"));
        return errors;
    }
    const auto slot_of = [&](const json& entry, const std::string& field) -> std::optional<std::size_t> {
        const auto id = entry.is_object() && entry.contains("rule") && entry["rule"].is_string()
                            ? entry["rule"].get<std::string>()
                            : std::string();
        const auto it = by_id_.find(proto::RuleId{id});
        if (it == by_id_.end() || !live(*slots_[it->second])) {
            errors.push_back(make_error(Errc::not_found, "rule '" + id + "' is gone or not active; dropped", field));
            return std::nullopt;
        }
        return it->second;
    };
    const auto overdue = [&](TimePoint deadline) { return deadline + config_.missed_grace < now; };
    const auto missed = [&](std::size_t rule, json trigger, TimePoint deadline, const std::string& what) {
        Trace t;
        t.id = new_context();
        t.rule = slots_[rule]->rule.id;
        t.started = now;
        t.finished = now;
        t.trigger = std::move(trigger);
        t.outcome = Outcome::missed;
        t.reason = what + " was due at " + std::to_string(to_millis(deadline)) +
                   " ms while the hub was down (missed: skip)";
        effects_.record(t);
        remember(std::move(t));
    };
    const auto list = [&](const char* key) { return pending.contains(key) && pending[key].is_array() ? pending[key] : json::array(); };

    const auto holds = list("holds");
    for (std::size_t i = 0; i < holds.size(); ++i) {
        const auto field = indexed("holds", i);
        const auto rule = slot_of(holds[i], field);
        if (!rule) continue;
        const auto& h = holds[i];
        const auto trigger = h.value("trigger", std::size_t{0});
        const auto& triggers = slots_[*rule]->rule.triggers;
        if (trigger >= triggers.size() || !triggers[trigger].hold || !h.contains("deadline") || !h["deadline"].is_number_integer()) {
            errors.push_back(make_error(Errc::conflict, "the rule's triggers changed; dropped", field));
            continue;
        }
        const auto deadline = from_millis(h["deadline"].get<std::int64_t>());
        const auto info = h.value("info", json::object());
        if (overdue(deadline) && slots_[*rule]->rule.missed == Missed::skip) {
            missed(*rule, info, deadline, "the end of a for window");
            continue;
        }
        const TriggerRef ref{static_cast<std::uint32_t>(*rule), static_cast<std::uint32_t>(trigger)};
        if (const auto old = holds_.find(ref); old != holds_.end()) {
            timers_.erase({old->second->deadline, TimerKind::hold, ref.rule, ref.trigger});
        }
        holds_[ref] = std::make_unique<Hold>(Hold{deadline, info, h.value("parent", "")});
        timers_.insert({deadline, TimerKind::hold, ref.rule, ref.trigger});
    }

    const auto runs = list("runs");
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto field = indexed("runs", i);
        const auto rule = slot_of(runs[i], field);
        if (!rule) continue;
        const auto& r = runs[i];
        auto trace = trace_from_json(r.value("trace", json()));
        const auto state = r.value("state", "");
        if (!trace || (state != "delaying" && state != "waiting") || !r.contains("wake") || !r["wake"].is_number_integer() ||
            !r.contains("stack") || !r["stack"].is_array() || r["stack"].empty()) {
            errors.push_back(make_error(Errc::invalid_field, "a run needs a trace, a state, a wake time and a stack", field));
            continue;
        }
        auto run = std::make_unique<Run>();
        run->id = next_run_id_++;
        run->rule = *rule;
        run->trace = std::move(*trace);
        run->state = state == "waiting" ? Run::State::waiting : Run::State::delaying;
        run->intent = r.value("intent", false);
        run->undo_taken = r.value("undo_taken", false);
        run->command_count = r.value("commands", std::size_t{0});
        for (const auto& f : r["stack"]) {
            if (!f.is_array() || f.size() != 2 || !f[0].is_number_unsigned() || !f[1].is_number_integer()) break;
            run->stack.push_back({f[0].get<std::size_t>(), f[1].get<int>()});
        }
        bool valid = run->stack.size() == r["stack"].size();
        for (std::size_t level = 0; valid && level < run->stack.size(); ++level) {
            const auto* actions = list_at(*run, level);
            valid = actions && run->stack[level].pc <= actions->size() && (level + 1 == run->stack.size() || run->stack[level].pc < actions->size());
        }
        if (valid) {
            const auto* actions = list_at(*run, run->stack.size() - 1);
            const auto pc = run->stack.back().pc;
            valid = pc > 0 && (run->state == Run::State::waiting ? std::holds_alternative<WaitAction>((*actions)[pc - 1].what)
                                                                 : std::holds_alternative<DelayAction>((*actions)[pc - 1].what));
        }
        if (!valid) {
            errors.push_back(make_error(Errc::conflict, "the rule's actions changed; the run was dropped", field));
            continue;
        }
        const auto wake = from_millis(r["wake"].get<std::int64_t>());
        if (overdue(wake) && slots_[*rule]->rule.missed == Missed::skip) {
            run->trace.outcome = Outcome::missed;
            run->trace.reason = std::string(run->state == Run::State::waiting ? "a wait" : "a delay") + " ended at " +
                                std::to_string(to_millis(wake)) + " ms while the hub was down (missed: skip)";
            run->trace.finished = now;
            effects_.record(run->trace);
            remember(std::move(run->trace));
            continue;
        }
        run->wake = wake;
        timers_.insert({wake, TimerKind::run, run->id, 0});
        if (run->state == Run::State::waiting) waiting_.insert(run->id);
        for (const auto& c : run->trace.commands) {
            if (!c.error.empty()) continue;
            book_.sent(c.device, {c.command.context_id, run->trace.id, proto::Cause::rule, run->trace.rule.value},
                       run->trace.id, run->trace.started);
        }
        ++slots_[*rule]->active;
        runs_.emplace(run->id, std::move(run));
    }

    const auto queued = list("queued");
    for (std::size_t i = 0; i < queued.size(); ++i) {
        const auto field = indexed("queued", i);
        const auto rule = slot_of(queued[i], field);
        if (!rule) continue;
        auto trace = trace_from_json(queued[i].value("trace", json()));
        if (!trace) {
            errors.push_back(make_error(Errc::invalid_field, "a queued run needs its trace", field));
            continue;
        }
        slots_[*rule]->queue.push_back({std::move(*trace), queued[i].value("intent", false)});
        ++queued_;
    }

    const auto triggers = list("triggers");
    for (std::size_t i = 0; i < triggers.size(); ++i) {
        const auto field = indexed("triggers", i);
        const auto rule = slot_of(triggers[i], field);
        if (!rule) continue;
        const auto& t = triggers[i];
        const auto index = t.value("trigger", std::size_t{0});
        if (index >= slots_[*rule]->rule.triggers.size() || !t.contains("next") || !t["next"].is_number_integer()) {
            errors.push_back(make_error(Errc::conflict, "the rule's triggers changed; dropped", field));
            continue;
        }
        const auto next = from_millis(t["next"].get<std::int64_t>());
        if (next > now) continue;  // load() armed it from now already
        const auto& trigger = slots_[*rule]->rule.triggers[index];
        json info{{"kind", kind_name(trigger)}, {"scheduled", to_millis(next)}};
        if (overdue(next) && slots_[*rule]->rule.missed == Missed::skip) {
            missed(*rule, std::move(info), next, "a " + std::string(kind_name(trigger)) + " trigger");
            continue;
        }
        timers_.insert({next, TimerKind::trigger, *rule, index});
    }

    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (!slots_[i]->removed && slots_[i]->active == 0 && !slots_[i]->queue.empty()) start_queued(i, now);
    }
    return errors;
}

}  // namespace hearth::rules
