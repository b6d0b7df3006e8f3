#include "rules/engine.hpp"

#include <variant>

#include "rules/engine_internal.hpp"

namespace hearth::rules {

using nlohmann::json;
using proto::Errc;
using proto::make_error;
using internal::indexed;

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
