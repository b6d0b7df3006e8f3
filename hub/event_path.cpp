#include "hub/event_path.hpp"

#include "hub/metrics.hpp"
#include "hub/store.hpp"

namespace hearth::hub {

EventPath::EventPath(devices::Registry& registry, Store& store, rules::TraceBook& book, HubStats& stats, Clock now,
                     Reject reject)
    : registry_(registry), store_(store), book_(book), stats_(stats), now_(std::move(now)), reject_(std::move(reject)) {}

void EventPath::add_listener(FactListener& listener) { listeners_.push_back(&listener); }

void EventPath::save_state(const proto::DeviceId& id, std::chrono::system_clock::time_point at) {
    const auto* device = registry_.find(id);
    if (!device) return;
    store_.put_state(id, DeviceState{device->state, device->version, device->availability, at});
}

void EventPath::take(const devices::adapters::Effects& effects) {
    if (effects.empty()) return;
    for (const auto& error : effects.errors) reject_(error);
    const auto applied = devices::adapters::apply(registry_, effects);
    for (const auto& error : applied.rejected) reject_(error);
    const auto at = now_();

    for (const auto& id : applied.upserted) {
        if (const auto* d = registry_.find(id)) store_.put_device(d->description, d->problem);
    }
    for (const auto& problem : effects.problems) {
        if (const auto* d = registry_.find(problem.device)) store_.put_device(d->description, d->problem);
    }
    for (const auto& id : effects.removals) store_.remove_device(id);
    const bool devices_changed = !applied.upserted.empty() || !effects.removals.empty() || !effects.problems.empty();

    // A report that answers a command confirms it, even when it changes nothing.
    std::vector<std::pair<const devices::adapters::StateReport*, std::chrono::nanoseconds>> confirmed;
    for (const auto& report : effects.states) {
        if (report.context_id.empty()) continue;
        if (const auto latency = book_.confirm(report.device, report.context_id, at)) {
            ++stats_.commands_confirmed;
            stats_.command_confirmation.observe(*latency);
            confirmed.emplace_back(&report, std::chrono::duration_cast<std::chrono::nanoseconds>(*latency));
        }
    }
    // Changes come grouped by device, one report after another: save the state once per group (the
    // writer coalesces state per device anyway).
    const proto::DeviceId* saved = nullptr;
    for (const auto& change : applied.changes) {
        if (!saved || *saved != change.device) {
            save_state(change.device, at);
            saved = &change.device;
        }
        const auto cause = book_.cause_of(change.context_id);
        if (store_.append_history(change.device, change.attribute, change.new_value, at, cause) == Admission::dropped) {
            ++stats_.history_dropped;
        }
        if (!change.context_id.empty()) book_.attach(change, at);
        ++stats_.state_changes;
        for (auto* listener : listeners_) listener->state_changed(change, cause, at);
    }
    for (const auto& change : applied.availability_changed) {
        save_state(change.device, at);
        for (auto* listener : listeners_) listener->availability_changed(change);
    }
    for (const auto& event : effects.events) {
        if (!registry_.find(event.device)) continue;
        for (auto* listener : listeners_) listener->device_event(event);
    }
    if (devices_changed) {
        for (auto* listener : listeners_) listener->devices_changed();
    }
    for (const auto& [report, latency] : confirmed) {
        for (auto* listener : listeners_) listener->command_confirmed(report->device, report->context_id, latency);
    }
    if (rerecord_) {
        for (const auto& trace : book_.take_changed()) rerecord_(trace);
    }
}

}  // namespace hearth::hub
