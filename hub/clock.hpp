#pragma once
// The hub's one clock. Real wall time, or — for tests and demos — wall time running `speed` times
// faster from the moment the hub started, so that hours of rules, `for:` windows and delays pass in
// seconds (the fleet's `--speed` does the same for the simulated devices). Every time the hub hands
// to the core, stores or shows comes from here. Immutable after construction; any thread.
#include <chrono>

namespace hearth::hub {

class Clock {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    /// `speed` 1 is real time; it must be positive.
    explicit Clock(double speed = 1.0);

    TimePoint now() const;
    double speed() const noexcept { return speed_; }
    /// How long to wait in real time for `hub_time` of the clock's time to pass.
    std::chrono::steady_clock::duration real(std::chrono::system_clock::duration hub_time) const;

private:
    double speed_;
    TimePoint wall_start_;
    std::chrono::steady_clock::time_point steady_start_;
};

}  // namespace hearth::hub
