#include "rules/trace_book.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace hearth::rules {

namespace {

/// Writes the settlement into the trace's record of that command; false when it has none.
bool apply(Trace& trace, const proto::DeviceId& device, std::string_view context_id, const Settlement& settlement) {
    bool applied = false;
    for (auto& c : trace.commands) {
        if (c.device != device || c.command.context_id != context_id) continue;
        c.held = settlement.held;
        c.error_code = settlement.error_code;
        c.error = settlement.error;
        applied = true;
    }
    return applied;
}

}  // namespace

TraceBook::TraceBook(TraceBookLimits limits) : limits_(limits) {}

void TraceBook::sent(const proto::DeviceId& device, const proto::Context& context, std::string_view trace,
                     scenes::TimePoint at) {
    auto [it, added] = commands_.try_emplace(context.id);
    if (added) {
        it->second.context = context;
        it->second.trace = std::string(trace);
        command_order_.push_back(context.id);
    }
    it->second.targets.push_back({device, at, false, std::nullopt});
    while (command_order_.size() > limits_.commands) {
        commands_.erase(command_order_.front());
        command_order_.pop_front();
    }
}

const SentCommand* TraceBook::command(std::string_view context_id) const {
    const auto it = commands_.find(std::string(context_id));
    return it == commands_.end() ? nullptr : &it->second;
}

proto::Context TraceBook::cause_of(std::string_view context_id) const {
    if (context_id.empty()) return {};
    if (const auto* c = command(context_id)) return c->context;
    return proto::Context{std::string(context_id), {}, proto::Cause::controller, {}};
}

void TraceBook::keep(Trace trace) {
    if (limits_.traces == 0) return;
    for (const auto& c : trace.commands) {
        const auto sent = commands_.find(c.command.context_id);
        if (sent == commands_.end()) continue;
        for (const auto& target : sent->second.targets) {
            if (target.device == c.device && target.settlement) apply(trace, c.device, c.command.context_id, *target.settlement);
        }
    }
    const auto id = trace.id;
    if (traces_.insert_or_assign(id, std::move(trace)).second) trace_order_.push_back(id);
    while (trace_order_.size() > limits_.traces) {
        traces_.erase(trace_order_.front());
        trace_order_.pop_front();
    }
}

const Trace* TraceBook::find(std::string_view trace_id) const {
    const auto it = traces_.find(std::string(trace_id));
    return it == traces_.end() ? nullptr : &it->second;
}

std::optional<scenes::Clock::duration> TraceBook::confirm(const proto::DeviceId& device, std::string_view context_id,
                                                          scenes::TimePoint now) {
    const auto sent = commands_.find(std::string(context_id));
    if (sent == commands_.end()) return std::nullopt;
    for (auto& target : sent->second.targets) {
        if (target.device != device || target.confirmed) continue;
        target.confirmed = true;
        return now - target.sent_at;
    }
    return std::nullopt;
}

void TraceBook::attach(const devices::StateChange& change, scenes::TimePoint now) {
    const auto sent = commands_.find(change.context_id);
    if (sent == commands_.end()) return;
    const auto trace = traces_.find(sent->second.trace);
    if (trace == traces_.end()) return;
    bool attached = false;
    for (auto& c : trace->second.commands) {
        if (c.device != change.device || c.command.context_id != change.context_id) continue;
        if (!c.confirmed_at) c.confirmed_at = now;
        c.confirmed.insert_or_assign(change.attribute, change.new_value);
        attached = true;
    }
    if (attached) mark_changed(trace->first);
}

void TraceBook::settle(const proto::DeviceId& device, std::string_view context_id, const Settlement& settlement,
                       scenes::TimePoint now) {
    const auto sent = commands_.find(std::string(context_id));
    if (sent == commands_.end()) return;
    for (auto& target : sent->second.targets) {
        if (target.device != device) continue;
        target.settlement = settlement;
        // Confirmation latency counts from when the command really went out.
        if (settlement.error.empty()) target.sent_at = now;
    }
    const auto trace = traces_.find(sent->second.trace);
    if (trace != traces_.end() && apply(trace->second, device, context_id, settlement)) mark_changed(trace->first);
}

void TraceBook::mark_changed(const std::string& trace_id) {
    if (std::find(changed_.begin(), changed_.end(), trace_id) == changed_.end()) changed_.push_back(trace_id);
}

std::vector<Trace> TraceBook::take_changed() {
    std::vector<Trace> out;
    for (const auto& id : std::exchange(changed_, {})) {
        if (const auto* t = find(id)) out.push_back(*t);
    }
    return out;
}

std::vector<proto::DeviceId> devices_of(const Trace& trace) {
    std::vector<proto::DeviceId> out;
    const auto add = [&](std::string_view id) {
        if (id.empty()) return;
        proto::DeviceId d{id};
        if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(std::move(d));
    };
    if (const auto d = trace.trigger.find("device"); d != trace.trigger.end() && d->is_string()) {
        add(d->get_ref<const std::string&>());
    }
    for (const auto& c : trace.commands) add(c.device.value);
    for (const auto& s : trace.steps) {
        if (!s.detail.is_object()) continue;
        const auto devices = s.detail.find("devices");
        if (devices == s.detail.end() || !devices->is_array()) continue;
        for (const auto& d : *devices)
            if (d.is_string()) add(d.get_ref<const std::string&>());
    }
    return out;
}

}  // namespace hearth::rules
