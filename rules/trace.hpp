#pragma once
// Decision traces: what a rule saw and did, or why it did not run. Every evaluation leaves one —
// a run, a false condition, a `for` that was reset, a run dropped by its mode, a missed deadline —
// so "why did the light turn off?" has an answer. Traces are plain values, serialisable to JSON;
// the hub stores them. A trace is recorded when its run ends, and recorded again (same id) when a
// device confirms one of its commands later.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/command.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"
#include "scenes/calendar.hpp"

namespace hearth::rules {

enum class Outcome {
    running,          // still running (a delay or wait); only in exported state
    ran,              // the actions ran to the end
    stopped,          // a stop action ended the run
    condition_false,  // a condition was false: no run
    hold_reset,       // the state changed back before `for` had passed: no run
    dropped,          // the run mode refused the run (single busy, queue or parallel limit full)
    cancelled,        // a restart, a rule change or a wait timeout ended the run
    missed,           // the deadline passed while the hub was down and the rule says missed: skip
    loop_stopped,     // the loop guard disabled the rule
};

std::string_view to_string(Outcome o) noexcept;
std::optional<Outcome> outcome_from(std::string_view s) noexcept;

struct ConditionRecord {
    std::string path;    // "conditions[0]", "actions[2].choose[1].if[0]"
    bool passed = false;
    std::string detail;  // what was compared, or the evaluation error
};

struct StepRecord {
    scenes::TimePoint at{};
    std::string path;  // "actions[1]"
    std::string kind;  // command, scene, delay, wait, choose, notify, stop
    nlohmann::json detail;
    std::string error;  // empty when the step succeeded
};

struct CommandRecord {
    proto::DeviceId device;
    proto::Command command;  // as sent, with its context_id
    std::optional<scenes::TimePoint> confirmed_at;
    proto::Attributes confirmed;  // the state changes that came back carrying the context id
    std::string error;            // why it never went out (the publish failed); empty when sent
    std::string error_code;       // its proto::Errc name ("broker_unavailable"), with `error`
    /// How long the hub held it while the broker was unreachable (then sent it, or refused it).
    std::optional<std::chrono::milliseconds> held;
};

struct Trace {
    std::string id;  // the run's context id; command context ids are "<id>.<n>"
    proto::RuleId rule;
    std::string parent_context;  // the context that caused the trigger, when known
    std::vector<std::string> chain;  // rules that led here through each other's commands, oldest first
    scenes::TimePoint started{};
    std::optional<scenes::TimePoint> finished;
    nlohmann::json trigger;  // what fired: kind, device, attribute, from, to, intent, slots, …
    std::vector<ConditionRecord> conditions;
    std::vector<StepRecord> steps;
    std::vector<CommandRecord> commands;
    Outcome outcome = Outcome::running;
    std::string reason;  // for every outcome but ran
};

nlohmann::json to_json(const Trace& trace);
proto::Result<Trace> trace_from_json(const nlohmann::json& j);

/// Milliseconds since the epoch, the time format of traces and exported engine state.
std::int64_t to_millis(scenes::TimePoint t) noexcept;
scenes::TimePoint from_millis(std::int64_t ms) noexcept;

}  // namespace hearth::rules
