#pragma once
// Commands waiting for the broker. While MQTT is down the hub holds each device command (its
// messages, ready to publish) for at most `hold_for`: the reconnection releases them all, in the
// order they came; one still held at its deadline expires and is refused (broker_unavailable).
// A full outbox, or hold_for 0, refuses at once. Pure: time is passed in.
//
// Hub thread only.
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "devices/adapters/effects.hpp"
#include "proto/command.hpp"
#include "proto/ids.hpp"

namespace hearth::hub {

struct HeldCommand {
    proto::DeviceId device;
    proto::Command command;  // as validated, with its context id
    std::vector<devices::adapters::Publish> messages;
    std::chrono::steady_clock::time_point held_at;
};

struct HoldLimits {
    std::chrono::milliseconds hold_for{5000};
    std::size_t max_held = 1000;
};

class HeldCommands {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    explicit HeldCommands(HoldLimits limits = {}) : limits_(limits) {}

    /// Holds the command; false when it must be refused at once (holding off, or full).
    bool hold(HeldCommand command);
    /// Everything held, oldest first, to send now; the outbox is empty afterwards.
    std::vector<HeldCommand> release();
    /// The commands whose hold ran out at `now`, oldest first, to refuse.
    std::vector<HeldCommand> expire(TimePoint now);
    /// When the oldest hold runs out; nothing when none is held.
    std::optional<TimePoint> next_expiry() const;
    bool holds(const std::string& context_id) const;

    std::size_t size() const noexcept { return held_.size(); }
    const HoldLimits& limits() const noexcept { return limits_; }

private:
    HoldLimits limits_;
    std::deque<HeldCommand> held_;  // in arrival order, so also in expiry order
};

}  // namespace hearth::hub
