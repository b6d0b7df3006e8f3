#pragma once
// The rule engine: owns the rules and their runs and decides, from state changes, events,
// intents, webhooks and the passing of time, what to do. It does no I/O and reads no clock:
// time is passed in, and effects go out through the Effects interface the hub implements.
//
// Hub thread only: no locks. Effects are called synchronously from inside the engine's calls and
// must not call back into the engine (queue or post instead).
//
// The hub drives time with one timer: after any call, `next_wake()` is the earliest instant the
// engine needs `advance(now)` again (a `for` deadline, a delay, a wait timeout, a time, schedule
// or sun trigger); `advance` returns the next one as well.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "devices/registry.hpp"
#include "proto/errc.hpp"
#include "rules/rule.hpp"
#include "rules/trace.hpp"
#include "rules/trace_book.hpp"
#include "scenes/scene.hpp"
#include "scenes/snapshot.hpp"

namespace hearth::rules {

using scenes::TimePoint;

struct Notification {
    std::string message;
    std::string title;
    proto::RuleId rule;
    std::string context_id;
    TimePoint at{};
};

/// A rule as the engine holds it: whether it can run, and why not.
struct RuleStatus {
    proto::RuleId id;
    bool enabled = true;           // as defined, or changed with set_enabled
    std::string problem;           // unavailable: a device or scene it needs does not exist
    std::string disabled_reason;   // stopped by the loop guard (or empty)
    std::size_t active_runs = 0;
    std::size_t queued_runs = 0;
};

/// {"message", "title", "rule", "context_id", "at" (ms since the epoch)}
nlohmann::json to_json(const Notification& notification);
/// {"id", "enabled", "available", "problem", "disabled_reason", "active_runs", "queued_runs"}
nlohmann::json to_json(const RuleStatus& status);

/// What the engine asks of the world. The hub sends commands over MQTT, delivers notifications
/// to WebSocket clients and the notification log, persists undo snapshots and stores traces.
class Effects {
public:
    virtual ~Effects() = default;
    /// Sends a command already validated against the registry; `context` is its cause (its id is
    /// the command's context_id). An error (the broker is unreachable, the publish failed) is
    /// recorded in the run's trace.
    virtual proto::Result<void> send(const scenes::DeviceCommand& command, const proto::Context& context) = 0;
    virtual void notify(const Notification& notification) = 0;
    /// Taken before a scene activation or the run of an intent (a voice command).
    virtual void push_undo(scenes::Snapshot snapshot) = 0;
    /// A new or updated trace (same id = replace).
    virtual void record(const Trace& trace) = 0;
    /// A rule's status changed on its own (the loop guard disabled it).
    virtual void status_changed(const RuleStatus& status) = 0;
};

struct EngineConfig {
    scenes::Place place;
    /// Loop guard: more than `loop_max_runs` runs of one rule within `loop_window` disables it.
    std::size_t loop_max_runs = 20;
    std::chrono::seconds loop_window{10};
    /// On resume, a deadline no older than this runs whatever the rule's missed policy says.
    std::chrono::seconds missed_grace{60};
    /// Prefix of the context ids the engine makes ("<prefix>-<n>"); make it unique per hub start.
    std::string context_prefix = "rule";
};

struct LoadReport {
    std::vector<proto::Error> errors;  // definitions that did not parse (field "rules[3].triggers[0].for")
    std::size_t loaded = 0;
    std::size_t unavailable = 0;
};

class Engine {
public:
    /// The registry, scene book and trace book are borrowed and must outlive the engine; the hub
    /// updates the registry and scenes and then tells the engine (handle…, resolve). The engine
    /// writes the commands it sends and its finished traces into the trace book, and reads it to
    /// follow a trigger's cause back to the rule that caused it; confirmations of finished traces
    /// are the trace book's (TraceBook::confirm), of running ones the engine's (handle).
    Engine(const devices::Registry& registry, const scenes::SceneBook& scenes, Effects& effects, TraceBook& book,
           EngineConfig config = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // ---- definitions ----

    /// Replaces every rule with the definitions in `list` (a JSON array). Runs, holds and queues of
    /// the old rules are dropped. Never throws: bad definitions are reported and left out; rules
    /// that refer to missing devices or scenes load as unavailable with a reason.
    LoadReport load(const nlohmann::json& list, TimePoint now);
    /// Adds or replaces one rule (cancelling the old one's runs). Errors name the field.
    proto::Result<RuleStatus> upsert(const nlohmann::json& definition, TimePoint now);
    /// Adds or replaces every rule in `definitions` (a JSON array), rebuilding the trigger index once (a whole-home import). One
    /// result per definition, in order; a bad definition changes nothing and does not stop the rest.
    std::vector<proto::Result<RuleStatus>> upsert_all(const nlohmann::json& definitions, TimePoint now);
    bool remove(const proto::RuleId& id, TimePoint now);
    /// Enables or disables a rule; enabling clears a loop-guard stop.
    proto::Result<RuleStatus> set_enabled(const proto::RuleId& id, bool enabled, TimePoint now);
    /// Re-checks every rule against the registry and scenes, after devices or scenes came or went.
    void resolve(TimePoint now);

    std::optional<RuleStatus> status(const proto::RuleId& id) const;
    std::vector<RuleStatus> statuses() const;
    const Rule* find(const proto::RuleId& id) const;

    // ---- inputs ----

    /// The hub has started (fires `start` triggers once).
    void start(TimePoint now);
    /// One attribute really changed (after the registry applied it).
    void handle(const devices::StateChange& change, TimePoint now);
    void handle_availability(const proto::DeviceId& device, devices::Availability before,
                             devices::Availability after, TimePoint now);
    void handle_event(const proto::DeviceId& device, std::string_view event, const proto::Attributes& data,
                      TimePoint now);
    /// Returns the number of rules the intent triggered (0: nothing listens for it).
    std::size_t fire_intent(std::string_view intent, const proto::Attributes& slots, TimePoint now,
                            std::string_view parent_context = {});
    std::size_t fire_webhook(std::string_view id, TimePoint now);
    /// Runs a rule's actions now, skipping its triggers and its conditions (the "run" button);
    /// its run mode and the loop guard still apply. The trace's trigger is {"kind": "manual",
    /// "id": "run"}. Errors: not_found; conflict when disabled or stopped; device_unavailable.
    proto::Result<RuleStatus> run_now(const proto::RuleId& id, TimePoint now);

    /// Fires everything due at `now` and returns the next wake-up.
    std::optional<TimePoint> advance(TimePoint now);
    std::optional<TimePoint> next_wake() const;

    // ---- persistence across restarts ----

    /// Pending `for` windows, running and queued runs (with their traces so far) and the next
    /// time of every time-based trigger, as JSON.
    nlohmann::json export_pending() const;
    /// Restores what export_pending produced, after load(). A deadline that passed while the hub
    /// was down (by more than missed_grace) follows the rule's `missed` policy: run_late fires at
    /// the next advance, skip drops it with a `missed` trace. Entries for rules that no longer
    /// exist or changed shape are dropped and reported.
    std::vector<proto::Error> resume(const nlohmann::json& pending, TimePoint now);

    /// How many rules have a trigger on this device attribute (for tests and diagnostics).
    std::size_t listeners(const proto::DeviceId& device, std::string_view attribute) const;

private:
    class Busy;
    struct Slot;
    struct Run;
    struct Hold;
    struct Signal;
    struct Frame {
        std::size_t pc = 0;
        int branch = -1;  // which branch of the parent's choose (-1 = else); unused at the top
    };
    enum class TimerKind : std::uint8_t { hold, run, trigger };
    struct Timer {
        TimePoint at;
        TimerKind kind;
        std::uint64_t a;  // rule index, or run id
        std::uint64_t b;  // trigger index
        friend auto operator<=>(const Timer&, const Timer&) = default;
    };
    struct TriggerRef {
        std::uint32_t rule;
        std::uint32_t trigger;
        friend auto operator<=>(const TriggerRef&, const TriggerRef&) = default;
    };

    void install(std::size_t index, TimePoint now);
    void uninstall(std::size_t index, Outcome outcome, const std::string& reason, TimePoint now);
    void rebuild_index();
    proto::Result<std::size_t> put(const nlohmann::json& definition, TimePoint now);
    RuleStatus status_of(const Slot& slot) const;
    bool live(const Slot& slot) const;

    void arm_time_trigger(std::size_t rule, std::size_t trigger, TimePoint after);
    std::optional<TimePoint> next_time(const Trigger& trigger, TimePoint after) const;

    static bool matches(const Trigger& trigger, const Signal& signal, bool first_report_counts = false);
    static bool still_holds(const Trigger& trigger, const Signal& signal);
    void on_signal(const Signal& signal, const std::vector<TriggerRef>* refs, TimePoint now);
    void fire(std::size_t rule, std::size_t trigger, nlohmann::json info, std::string parent, TimePoint now);
    void begin(std::size_t rule, Trace trace, bool intent, TimePoint now);
    bool loop_guard(std::size_t rule, const Trace& trace, TimePoint now);
    void execute(Run& run, TimePoint now);
    void finish(std::uint64_t run_id, Outcome outcome, std::string reason, TimePoint now);
    void start_queued(std::size_t rule, TimePoint now);
    void cancel_runs(std::size_t rule, Outcome outcome, const std::string& reason, TimePoint now);

    bool check(const Condition& c, const std::string& path, Trace& trace, const std::string& trigger_id,
               TimePoint now) const;
    bool check_all(const std::vector<Condition>& cs, const std::string& path, Trace& trace,
                   const std::string& trigger_id, TimePoint now) const;
    void run_command(Run& run, const CommandAction& action, const std::string& path, TimePoint now);
    void run_scene(Run& run, const SceneAction& action, const std::string& path, TimePoint now);
    std::vector<proto::DeviceId> touched_devices(const std::vector<Action>& actions) const;
    const std::vector<Action>* list_at(const Run& run, std::size_t level) const;
    std::string path_of(const Run& run) const;
    std::string new_context();
    void remember(Trace trace);
    void attach_confirmation(const devices::StateChange& change, TimePoint now);
    /// Sends one command of a run and notes it in the run's trace and the trace book.
    void send_for(Run& run, const scenes::DeviceCommand& command, StepRecord& step, TimePoint now);
    scenes::EvalContext eval_context(TimePoint now) const;

    const devices::Registry& registry_;
    const scenes::SceneBook& scenes_;
    Effects& effects_;
    TraceBook& book_;
    EngineConfig config_;
    bool busy_ = false;  // inside an input; see Busy

    std::vector<std::unique_ptr<Slot>> slots_;
    std::unordered_map<proto::RuleId, std::size_t> by_id_;

    std::unordered_map<proto::DeviceId, std::unordered_map<std::string, std::vector<TriggerRef>>> state_index_;
    std::unordered_map<proto::DeviceId, std::vector<TriggerRef>> event_index_;
    std::unordered_map<proto::DeviceId, std::vector<TriggerRef>> availability_index_;
    std::unordered_map<std::string, std::vector<TriggerRef>> intent_index_;
    std::unordered_map<std::string, std::vector<TriggerRef>> webhook_index_;
    std::vector<TriggerRef> start_triggers_;

    std::map<TriggerRef, std::unique_ptr<Hold>> holds_;
    std::map<std::uint64_t, std::unique_ptr<Run>> runs_;
    std::set<std::uint64_t> waiting_;  // runs in a wait action
    std::set<Timer> timers_;
    std::uint64_t next_run_id_ = 1;
    std::size_t queued_ = 0;  // runs waiting in every rule's queue
    std::uint64_t context_counter_ = 0;

};

}  // namespace hearth::rules
