#pragma once
// The rule engine at work in the hub. Owns the rules::Engine, drives it with one steady timer on
// the hub's clock, hands it the device facts, saves its pending timers, and is its rules::Effects:
// commands go out through the hub's transmitter, traces and notifications to the store and the
// live feed, undo snapshots to the undo history. Traces the hub makes on its own account (a scene,
// an undo, a voice request) are recorded here and kept in the trace book, where confirmations find
// them.
//
// Hub thread only. The io_context, registry, store, live feed and undo history outlive it.
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "devices/registry.hpp"
#include "hub/clock.hpp"
#include "hub/live_feed.hpp"
#include "hub/metrics.hpp"
#include "hub/store.hpp"
#include "hub/undo_history.hpp"
#include "proto/command.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"
#include "proto/context.hpp"
#include "rules/engine.hpp"
#include "rules/trace_book.hpp"
#include "scenes/calendar.hpp"
#include "scenes/scene.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::hub {

/// Validates a command against the device, sends it and notes it in the trace book with its cause
/// and the trace it belongs to; returns exactly what was sent (Hub::send_command).
using SendCommand = std::function<proto::Result<proto::Command>(const proto::DeviceId&, proto::Command,
                                                                 const proto::Context& cause, std::string_view trace)>;
/// Sends a command validated already (Hub::transmit).
using Transmit = std::function<proto::Result<void>(const proto::DeviceId&, const proto::Command&)>;
/// What the hub sent, per device, with the context ids it was sent with.
using Sent = std::vector<std::pair<proto::DeviceId, proto::Command>>;

/// The trace of something the hub did at once on its own account (a scene, an undo, a voice
/// request): what was sent; the caller adds the steps that say why.
rules::Trace immediate_trace(const std::string& context_id, const std::string& rule, nlohmann::json trigger,
                             const Sent& sent, scenes::TimePoint t);

class RuleHost final : public rules::Effects {
public:
    RuleHost(boost::asio::io_context& io, const devices::Registry& registry, Store& store, LiveFeed& live,
             UndoHistory& undo, rules::TraceBook& traces, const Clock& clock, Transmit transmit);
    ~RuleHost() override;
    RuleHost(const RuleHost&) = delete;
    RuleHost& operator=(const RuleHost&) = delete;

    /// Makes the engine over `scenes`, which outlives it. Before anything else but stop().
    void create_engine(const scenes::SceneBook& scenes, const scenes::Place& place);
    /// Takes the timers and runs a previous run of the hub left pending (once the rules are
    /// installed); they are resumed by start().
    void resume(const std::vector<Document>& documents);
    /// Resumes the pending work (per rule `missed` policy), fires `start` triggers and arms the
    /// timer; inputs are ignored until then. The hub calls it once the broker is connected, so work
    /// that came due while the hub was down can reach its devices.
    void start();
    bool started() const noexcept { return started_; }
    /// Saves the pending work and stops the timer.
    void stop();

    /// The hub's clock: the time every input to the engine carries.
    scenes::TimePoint now() const;
    rules::Engine& engine() noexcept { return *engine_; }
    const rules::Engine& engine() const noexcept { return *engine_; }
    /// Call after anything that may have changed the engine's timers or pending work: re-arms the
    /// timer and saves the pending work at the end of this event-loop turn.
    void after_engine();

    // ---- device facts ----
    void state_changed(const devices::StateChange& change);
    void availability_changed(const proto::DeviceId& device, devices::Availability before, devices::Availability after);
    void device_event(const proto::DeviceId& device, std::string_view event, const proto::Attributes& data);
    proto::Result<nlohmann::json> fire_webhook(const std::string& id);

    // ---- traces ----
    /// Records a hub-made trace and keeps it in the trace book, where confirmations find it.
    void record_own(rules::Trace trace);
    /// Stores and publishes a trace without counting a run: one recorded again after it changed (a
    /// confirmation, a held command's outcome).
    void rerecord(const rules::Trace& trace);
    /// The engine's finished runs (and non-runs) by result: "ran", "condition_false", …
    const LabelledCounter& runs() const noexcept { return runs_; }
    /// The rule's traces, newest first (the caller knows the rule exists).
    proto::Result<nlohmann::json> rule_traces(const proto::RuleId& id, std::size_t limit) const;
    /// Traces about the device (rules::devices_of), newest first.
    proto::Result<nlohmann::json> device_traces(const proto::DeviceId& device, std::size_t limit) const;

    // ---- rules::Effects ----
    proto::Result<void> send(const scenes::DeviceCommand& command, const proto::Context& context) override;
    void notify(const rules::Notification& notification) override;
    void push_undo(scenes::Snapshot snapshot) override;
    /// A run the engine finished (or did not start): counted by result, then stored and published.
    void record(const rules::Trace& trace) override;
    void status_changed(const rules::RuleStatus& status) override;

private:
    class Timer;

    void arm_timer();
    void schedule_save();
    void save_pending();

    boost::asio::io_context& io_;
    const devices::Registry& registry_;
    Store& store_;
    LiveFeed& live_;
    UndoHistory& undo_;
    rules::TraceBook& traces_;
    const Clock& clock_;
    Transmit transmit_;
    std::unique_ptr<rules::Engine> engine_;
    std::unique_ptr<Timer> timer_;
    nlohmann::json pending_;       // taken at load, resumed at start
    std::string saved_pending_;
    bool save_scheduled_ = false;
    bool started_ = false;
    LabelledCounter runs_{{"result"}};
};

}  // namespace hearth::hub
