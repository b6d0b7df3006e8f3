#pragma once
// The engine's private pieces shared by its translation units (engine.cpp, engine_definitions.cpp,
// engine_runs.cpp, engine_conditions.cpp, engine_persistence.cpp). Not part of the rules API.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/engine.hpp"

namespace hearth::rules {

struct Engine::Slot {
    Rule rule;
    std::string problem;
    std::string disabled_reason;
    bool enabled = true;
    bool removed = false;
    std::size_t active = 0;
    std::deque<TimePoint> recent_starts;
    struct Queued {
        Trace trace;
        bool intent = false;
    };
    std::deque<Queued> queue;
};

struct Engine::Hold {
    TimePoint deadline;
    nlohmann::json info;
    std::string parent;
};

struct Engine::Run {
    enum class State { running, delaying, waiting };
    std::uint64_t id = 0;
    std::size_t rule = 0;
    Trace trace;
    std::vector<Frame> stack;
    State state = State::running;
    std::optional<TimePoint> wake;
    bool intent = false;
    bool undo_taken = false;
    std::size_t command_count = 0;
};

struct Engine::Signal {
    enum class Kind { state, event, availability, intent, webhook };
    Kind kind = Kind::state;
    const devices::StateChange* change = nullptr;
    proto::DeviceId device;
    std::string_view name;
    const proto::Attributes* data = nullptr;
    std::string_view parent;  // the cause of an intent (the utterance's context)
    devices::Availability before = devices::Availability::unknown;
    devices::Availability after = devices::Availability::unknown;
};

namespace internal {

inline std::string seconds_text(std::chrono::seconds s) { return std::to_string(s.count()) + " s"; }

inline std::string indexed(const std::string& name, std::size_t i) { return name + "[" + std::to_string(i) + "]"; }

}  // namespace internal

}  // namespace hearth::rules
