#include "rules/engine.hpp"

#include <algorithm>
#include <variant>

#include "rules/engine_internal.hpp"

namespace hearth::rules {

using nlohmann::json;
using internal::seconds_text;

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
    CommandRecord record{command.device, command.command, std::nullopt, {}, {}, {}, std::nullopt};
    if (auto sent = effects_.send(command, context); !sent) {
        record.error = sent.error().message;
        record.error_code = std::string(proto::to_string(sent.error().code));
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

}  // namespace hearth::rules
