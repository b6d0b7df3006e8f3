#include "rules/engine.hpp"

#include <stdexcept>

#include <algorithm>
#include <type_traits>
#include <variant>

#include "rules/engine_internal.hpp"
#include "rules/sun.hpp"

namespace hearth::rules {

using nlohmann::json;
using proto::Errc;
using proto::make_error;
using internal::seconds_text;

namespace {

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

}  // namespace hearth::rules
