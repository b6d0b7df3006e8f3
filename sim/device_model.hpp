#pragma once
// One simulated device: its description, its state and how that state moves over time. Pure: no
// I/O and no clock; every call takes the simulated time, so tests can step through hours at once.
//
// Behaviour by kind (see docs/fleet.md): lights fade over a command's `transition`, reporting a few
// times per second and ending exactly on the target; an AC's measured temperature drifts toward its
// target while it runs and toward the room's temperature when it does not; curtains travel at
// `sim.speed` % per second; sensors report with noise every `sim.interval`; presence follows
// `sim.schedule`; a speaker steps through the tracks of its playlist; a purifier lowers pm25; a
// vacuum drains its battery while cleaning and docks when low; a lock locks itself again; a door
// contact opens now and then.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/random.hpp"
#include "sim/sim_settings.hpp"
#include "proto/command.hpp"
#include "proto/device.hpp"
#include "proto/value.hpp"

namespace hearth::sim {

/// Simulated local wall-clock time. The caller maps real time onto it (and may run it faster).
using Instant = std::chrono::local_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

/// How often something that moves (a fading light, travelling curtains) reports its progress.
inline constexpr Duration kMotionStep{250};

/// What one call to advance() produced.
struct Step {
    bool state_changed = false;
    std::string context_id;           // the command that caused the change, for fades and travel
    std::vector<std::string> events;  // event payloads, e.g. {"event":"press","action":"single"}
};

class DeviceModel {
public:
    /// `description` must be valid. `settings.initial` entries the device cannot report are ignored.
    DeviceModel(proto::DeviceDescription description, SimSettings settings, std::uint64_t seed, Instant now);

    const proto::DeviceDescription& description() const noexcept { return description_; }
    const SimSettings& settings() const noexcept { return settings_; }
    /// The device's readable attributes and their current values.
    const proto::Attributes& state() const noexcept { return state_; }
    /// The state as its JSON payload, with `context_id` added when it is not empty.
    std::string state_payload(std::string_view context_id = {}) const;

    /// Applies a command that devices::validate_command accepted. Instant attributes change now;
    /// fades and travel continue in later advance() calls. The caller publishes the state at once.
    void apply(const proto::Command& command, Instant now);

    /// Moves the simulation to `now` (callers need not call it before next_wake()).
    Step advance(Instant now);
    /// The earliest time advance() has something to do.
    Instant next_wake() const noexcept;

    /// The temperature of the room as this device measures it (an AC or a climate sensor).
    std::optional<double> measured_temperature() const noexcept;
    /// For a sensor that follows an AC: the room temperature the AC measures now.
    void set_followed_temperature(double celsius) noexcept { followed_temperature_ = celsius; }

private:
    struct Motion {
        Instant start;
        Duration length{0};
        std::vector<std::pair<std::string, std::pair<double, double>>> numbers;  // attribute → from, to
        proto::Attributes final;  // exact values once the motion ends
        std::string context_id;
    };

    bool reads(std::string_view attribute) const noexcept;
    double number(std::string_view attribute, double fallback = 0) const noexcept;
    bool flag(std::string_view attribute) const noexcept;
    std::string text(std::string_view attribute) const;
    /// Sets a readable attribute (rounded to its step for numbers); true when the value changed.
    bool set(std::string_view attribute, proto::Value value);
    bool set_number(std::string_view attribute, double value, double resolution);

    void set_defaults();
    void start_motion(const proto::Command& command, Instant now, proto::Attributes& immediate);
    void cancel_motion_of(std::string_view attribute);
    bool step_motions(Instant now, std::string& context_id);
    void apply_immediate(const proto::Attributes& attributes, Instant now);
    void update_power();

    /// Moves the hidden physics (room temperature, pm25, battery) to `now`.
    void integrate(Instant now);
    bool tick(Instant now, Step& step);
    bool tick_presence(Instant now);
    bool tick_track(Instant now);
    void start_track(Instant now);

    double ambient(Instant now) const;
    Duration interval() const;

    proto::DeviceDescription description_;
    SimSettings settings_;
    Random random_;
    proto::Attributes state_;
    std::vector<Motion> motions_;
    Instant last_tick_;
    Instant last_motion_step_;
    proto::Attributes baseline_;         // the start state a generic sensor's readings wander around
    std::optional<Instant> report_at_;   // next periodic tick
    std::optional<Instant> track_at_;    // when the current track ends
    Duration track_left_{0};             // of a paused track
    std::size_t track_index_ = 0;
    std::optional<Instant> release_at_;  // a door closing again, a lock locking itself again
    double temperature_ = 26;            // the room as measured, before rounding and noise
    double battery_ = 100;
    double pm25_ = 40;
    std::optional<double> followed_temperature_;
    std::string last_hvac_mode_ = "cool";
};

}  // namespace hearth::sim
