#pragma once
// What the hub knows about its broker, for health and metrics: reachable or not, whether the
// retained state has been re-read since the last (re)connection, and how long that took.
//   connecting   before the first connection
//   unreachable  the connection was lost (or never made) and is being retried
//   resyncing    connected and resubscribed; retained messages still arriving
//   synced       every retained message sent since the connection has been handled
// Device availability is only known while synced. Pure: time is passed in.
//
// Hub thread only.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hearth::hub {

class BrokerStatus {
public:
    enum class State { connecting, unreachable, resyncing, synced };
    using WallTime = std::chrono::system_clock::time_point;

    /// `reason` says why, for health ("…: the broker refused the user name or password"); a later
    /// call with another reason while unreachable replaces it.
    void lost(WallTime now, std::string reason = {});
    void connected(WallTime now);
    void synced(WallTime now);

    State state() const noexcept { return state_; }
    bool availability_known() const noexcept { return state_ == State::synced; }
    /// When the state last changed.
    WallTime since() const noexcept { return since_; }
    /// Connections after the first.
    std::uint64_t reconnects() const noexcept { return reconnects_; }
    /// When the last resynchronisation finished, and how long it took from the connection.
    std::optional<WallTime> synced_at() const noexcept { return synced_at_; }
    std::optional<std::chrono::milliseconds> last_resync() const noexcept { return last_resync_; }
    /// How long the last outage lasted (loss to connection).
    std::optional<std::chrono::milliseconds> last_outage() const noexcept { return last_outage_; }
    /// Why the broker is unreachable; empty while connected.
    const std::string& error() const noexcept { return error_; }

private:
    State state_ = State::connecting;
    WallTime since_{};
    WallTime connected_at_{};
    std::optional<WallTime> lost_at_;
    std::uint64_t connections_ = 0;
    std::uint64_t reconnects_ = 0;
    std::optional<WallTime> synced_at_;
    std::optional<std::chrono::milliseconds> last_resync_;
    std::optional<std::chrono::milliseconds> last_outage_;
    std::string error_;
};

std::string_view to_string(BrokerStatus::State state) noexcept;

}  // namespace hearth::hub
