#pragma once
// Routines: manual actions that recur in a time-of-day window on matching day types (every day,
// weekdays, weekends). Pure: the snapshot, the present and the home's time zone are passed in.
//
// A routine is one target (device, attribute, value) set by a person — at the switch, through
// the app or by voice; never by a rule or a scene — on at least `min_days` distinct days of the
// look-back, each time within one window of at most `max_window`, on at least `min_consistency`
// of the days of that type the history covers. docs/learning.md gives the defaults and why.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "proto/context.hpp"
#include "proto/ids.hpp"
#include "proto/value.hpp"
#include "scenes/time_zone.hpp"

namespace hearth::learn {

using TimePoint = std::chrono::system_clock::time_point;

/// What a change set: a device's attribute to a value.
struct Target {
    proto::DeviceId device;
    std::string attribute;
    proto::Value value;
    friend bool operator==(const Target&, const Target&) = default;
};

/// One change of a controllable attribute: an index into `Snapshot::targets`, when, and why.
struct Action {
    std::int64_t at_ms = 0;  // since the Unix epoch
    std::uint32_t target = 0;
    proto::Cause cause = proto::Cause::device;
};

/// The history the miner reads: targets stored once, actions in time order (24 bytes each, so a
/// year of a busy home fits in tens of megabytes).
struct Snapshot {
    std::vector<Target> targets;
    std::vector<Action> actions;

    /// The index of `target`, added when new. Linear in the targets: for building test snapshots.
    std::uint32_t target_of(const Target& target);
};

/// Whether a cause is a person's doing (the device itself, the app, voice).
bool is_manual(proto::Cause cause) noexcept;

enum class DayType { every_day, weekdays, weekends };
std::string_view to_string(DayType days) noexcept;

struct RoutineOptions {
    std::chrono::days look_back{28};
    std::chrono::minutes max_window{60};
    int min_days = 5;
    double min_consistency = 0.7;
    /// An every-day routine must also hold on this share of the weekdays and of the weekend days
    /// on their own (a weekday habit is not an every-day one because weekdays are 5 of 7).
    double min_share_each_day_type = 0.5;
    /// A routine whose target a rule or a scene already sets in the window (widened by
    /// `automation_margin` on each side) on at least this share of its days is already automated
    /// and not reported.
    double automated_share = 0.5;
    std::chrono::minutes automation_margin{30};
};

struct Routine {
    Target target;
    DayType days = DayType::every_day;
    std::chrono::minutes window_start{0};  // local time of day; the window may wrap past midnight
    std::chrono::minutes window_end{0};
    std::chrono::minutes typical{0};       // the median time of the occurrences: when to act
    int support = 0;                       // days with an occurrence in the window
    int eligible_days = 0;                 // days of the type the look-back covers
    double consistency = 0;                // support / eligible_days
    std::vector<TimePoint> occurrences;    // one per supporting day, oldest first
};

/// The routines in the snapshot's last `look_back` before `now`, strongest first (consistency,
/// then support). A target that qualifies every day is not also reported for weekdays or weekends.
std::vector<Routine> find_routines(const Snapshot& snapshot, TimePoint now, const scenes::TimeZone& zone,
                                   const RoutineOptions& options = {});

}  // namespace hearth::learn
