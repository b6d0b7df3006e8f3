#pragma once
// Rule definitions: triggers, conditions, actions, run mode and missed-deadline policy. Parsed
// from JSON (and so YAML); errors name the offending field ("triggers[0].for"). The format is
// documented with an example of every kind in docs/rules.md.
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "devices/registry.hpp"
#include "proto/device.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"
#include "proto/value.hpp"
#include "rules/schedule.hpp"
#include "rules/sun.hpp"
#include "scenes/expression.hpp"
#include "scenes/scene.hpp"

namespace hearth::rules {

using Seconds = std::chrono::seconds;

// ---- triggers ----

/// An attribute changed (optionally from / to a value).
struct StateTrigger {
    proto::DeviceId device;
    std::string attribute;
    std::optional<proto::Value> from;
    std::optional<proto::Value> to;
};

/// A number crossed into a range: it was not above / below the threshold(s) and now is.
struct NumericTrigger {
    proto::DeviceId device;
    std::string attribute;
    std::optional<double> above;
    std::optional<double> below;
    bool in_range(const proto::Value& v) const noexcept;
};

/// A device event ("press", "person_detected"), optionally with matching data.
struct EventTrigger {
    proto::DeviceId device;
    std::string event;
    proto::Attributes data;
};

/// The device went online or offline (any change when `to` is absent).
struct AvailabilityTrigger {
    proto::DeviceId device;
    std::optional<devices::Availability> to;
};

/// A local time of day, optionally on some weekdays only (ISO 1 = Monday … 7).
struct TimeTrigger {
    Seconds at{0};
    std::vector<unsigned> weekdays;
};

struct ScheduleTrigger {
    Schedule schedule;
};

struct SunTrigger {
    SunEvent event = SunEvent::sunset;
    Seconds offset{0};
};

struct StartTrigger {};

struct IntentTrigger {
    std::string intent;
};

struct WebhookTrigger {
    std::string webhook;
};

struct Trigger {
    std::string id;             // optional name, testable with the `trigger` condition
    std::optional<Seconds> hold;  // `for`: the matching state must last this long
    std::variant<StateTrigger, NumericTrigger, EventTrigger, AvailabilityTrigger, TimeTrigger, ScheduleTrigger,
                 SunTrigger, StartTrigger, IntentTrigger, WebhookTrigger>
        what;
};

std::string_view kind_name(const Trigger& t) noexcept;

// ---- conditions ----

struct Condition;

/// The attribute is a value (`is`), one of several (`in`), and/or within `above` / `below`.
struct StateCondition {
    proto::DeviceId device;
    std::string attribute;
    std::vector<proto::Value> in;
    std::optional<double> above;
    std::optional<double> below;
};

/// Local time in [after, before) (wrapping past midnight) and/or on some weekdays.
struct TimeCondition {
    std::optional<Seconds> after;
    std::optional<Seconds> before;
    std::vector<unsigned> weekdays;
};

struct SunCondition {
    bool above_horizon = true;
};

/// Any of `sensors` (every presence sensor when empty) reports occupancy == expected.
struct SomeoneHomeCondition {
    std::vector<proto::DeviceId> sensors;
    bool expected = true;
};

struct AndCondition {
    std::vector<Condition> all;
};
struct OrCondition {
    std::vector<Condition> any;
};
struct NotCondition {
    std::vector<Condition> none;
};

struct ExpressionCondition {
    scenes::Expression expression;
};

/// The run was started by the trigger with this id.
struct TriggerCondition {
    std::string id;
};

struct Condition {
    std::variant<StateCondition, TimeCondition, SunCondition, SomeoneHomeCondition, AndCondition, OrCondition,
                 NotCondition, ExpressionCondition, TriggerCondition>
        what;
};

// ---- actions ----

struct Action;

/// One device, or every device of a kind in an area (either may be omitted, not both).
struct CommandTarget {
    std::optional<proto::DeviceId> device;
    std::optional<proto::AreaId> area;
    std::optional<proto::DeviceKind> kind;
};

struct CommandAction {
    CommandTarget target;
    std::map<std::string, scenes::TargetValue, std::less<>> set;
    std::optional<double> transition;
};

struct SceneAction {
    proto::SceneId scene;
};

struct DelayAction {
    Seconds duration{0};
};

/// Waits for a trigger (state, numeric, event, availability, intent or webhook) for at most
/// `timeout`; on timeout the run goes on, or stops when continue_on_timeout is false.
struct WaitAction {
    Trigger trigger;
    Seconds timeout{0};
    bool continue_on_timeout = true;
};

struct ChooseBranch {
    std::vector<Condition> conditions;
    std::vector<Action> actions;
};

struct ChooseAction {
    std::vector<ChooseBranch> branches;
    std::vector<Action> otherwise;
};

struct NotifyAction {
    std::string message;
    std::string title;
};

struct StopAction {
    std::string reason;
};

struct Action {
    std::variant<CommandAction, SceneAction, DelayAction, WaitAction, ChooseAction, NotifyAction, StopAction> what;
};

std::string_view kind_name(const Action& a) noexcept;

// ---- rules ----

/// What happens when a rule triggers while it is running: single drops the new run, restart
/// cancels the running one, queued runs them one after another, parallel runs them side by side;
/// queued and parallel hold at most `max` runs.
enum class RunMode { single, restart, queued, parallel };

/// What a deadline that passed while the hub was down does when the engine resumes.
enum class Missed { run_late, skip };

struct Rule {
    proto::RuleId id;
    proto::LocalizedName name;
    bool enabled = true;
    std::vector<Trigger> triggers;
    std::vector<Condition> conditions;
    std::vector<Action> actions;
    RunMode mode = RunMode::single;
    std::size_t max = 10;
    Missed missed = Missed::run_late;
};

std::string_view to_string(RunMode m) noexcept;
std::string_view to_string(Missed m) noexcept;

/// Errors name the offending field ("triggers[0].for", "actions[1].choose[0].then[0].set").
proto::Result<Rule> rule_from_json(const nlohmann::json& j);

/// Why the rule cannot run as defined — a device, attribute or scene that does not exist — or
/// empty when it can.
std::string rule_problem(const Rule& rule, const devices::Registry& registry, const scenes::SceneBook& scenes);

/// "40m", "1h30m", "90s", "2h", "00:40:00" or a number of seconds.
std::optional<Seconds> duration_from_json(const nlohmann::json& j);

}  // namespace hearth::rules
