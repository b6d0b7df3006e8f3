#include "rules/engine.hpp"

#include <type_traits>
#include <variant>

#include "rules/engine_internal.hpp"

namespace hearth::rules {

using nlohmann::json;
using proto::Errc;
using proto::make_error;
using internal::indexed;

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

}  // namespace hearth::rules
