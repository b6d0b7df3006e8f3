#pragma once
// The one ledger of causes: every command the hub sent with its context and the trace it belongs
// to, and the finished traces those commands came from (rule runs, scenes, undo, voice). The hub's
// one send path writes commands here; the rule engine and the hub keep their finished traces here;
// a state change that comes back carrying a command's context id is looked up here to know its
// cause and to confirm the command in its trace.
//
// Pure (time is passed in) and bounded: the oldest traces and commands go past the limits.
// Hub thread only.
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "devices/registry.hpp"
#include "proto/context.hpp"
#include "rules/trace.hpp"

namespace hearth::rules {

struct TraceBookLimits {
    std::size_t traces = 256;     // finished traces kept to attach late confirmations to
    std::size_t commands = 4096;  // sent commands remembered for their cause
};

/// What became of a command the hub held while the broker was unreachable: sent after `held`
/// (error empty), or refused (`error_code` "broker_unavailable" and a message).
struct Settlement {
    std::chrono::milliseconds held{};
    std::string error_code;
    std::string error;
};

/// A command context as sent: its cause, the trace that sent it (empty for an app's command) and
/// the devices it went to, each confirmed at most once.
struct SentCommand {
    struct Target {
        proto::DeviceId device;
        scenes::TimePoint sent_at{};
        bool confirmed = false;
        std::optional<Settlement> settlement;  // only for a command that was held
    };
    proto::Context context;
    std::string trace;
    std::vector<Target> targets;
};

class TraceBook {
public:
    explicit TraceBook(TraceBookLimits limits = {});

    /// A command went out to `device` with `context` (several devices may share one context).
    void sent(const proto::DeviceId& device, const proto::Context& context, std::string_view trace,
              scenes::TimePoint at);
    const SentCommand* command(std::string_view context_id) const;

    /// The cause of a state change that carried `context_id`: the command's own context when the
    /// hub sent it; another controller's for an id it never issued; the device's own when empty.
    proto::Context cause_of(std::string_view context_id) const;

    /// Keeps a finished trace (the same id replaces it).
    void keep(Trace trace);
    const Trace* find(std::string_view trace_id) const;

    /// A device reported state carrying `context_id`: the first report per device confirms the
    /// command, returning how long after it was sent (nullopt when unknown or confirmed already).
    std::optional<scenes::Clock::duration> confirm(const proto::DeviceId& device, std::string_view context_id,
                                                   scenes::TimePoint now);
    /// A change carrying a command's context id is attached to the kept trace that sent it, which
    /// is then marked changed.
    void attach(const devices::StateChange& change, scenes::TimePoint now);
    /// A held command went out or was refused. Its kept trace is updated now and marked changed;
    /// a trace kept later (a run still running) is updated when it is kept.
    void settle(const proto::DeviceId& device, std::string_view context_id, const Settlement& settlement,
                scenes::TimePoint now);
    /// The kept traces changed since the last call, each once, to be recorded again.
    std::vector<Trace> take_changed();

    std::size_t trace_count() const noexcept { return traces_.size(); }
    std::size_t command_count() const noexcept { return commands_.size(); }

private:
    void mark_changed(const std::string& trace_id);

    TraceBookLimits limits_;
    std::unordered_map<std::string, SentCommand> commands_;
    std::deque<std::string> command_order_;
    std::unordered_map<std::string, Trace> traces_;
    std::deque<std::string> trace_order_;
    std::vector<std::string> changed_;
};

/// The devices a trace is about, once each: its trigger's device, the devices it commanded and the
/// devices its steps name.
std::vector<proto::DeviceId> devices_of(const Trace& trace);

}  // namespace hearth::rules
