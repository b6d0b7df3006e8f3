#pragma once
// Prometheus-style counters and latency histograms, rendered as text exposition format.
#include <array>
#include <chrono>
#include <cstdint>
#include <string>

namespace hearth::hub {

/// Latency histogram with fixed buckets from 100 µs to 10 s.
class LatencyHistogram {
public:
    static constexpr std::array<double, 12> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                       0.01,   0.025,   0.05,   0.1,   1.0,    10.0};
    void observe(std::chrono::nanoseconds d);
    /// Appends `# TYPE` and the bucket, sum and count lines for `name` (with optional labels).
    void render(std::string& out, const std::string& name, const std::string& help) const;
    std::uint64_t count() const noexcept { return count_; }

private:
    std::array<std::uint64_t, kBounds.size()> buckets_{};
    std::uint64_t count_ = 0;
    double sum_ = 0;
};

/// Appends one counter or gauge with its HELP and TYPE lines.
void render_metric(std::string& out, const std::string& name, const char* type, const std::string& help, double value);

/// Counters for health and metrics. Hub thread only.
struct HubStats {
    std::uint64_t mqtt_messages_in = 0;
    std::uint64_t mqtt_retained_in = 0;  // of those, retained messages (re-read on every (re)subscription)
    std::uint64_t mqtt_messages_out = 0;
    std::uint64_t mqtt_rejected = 0;  // malformed, oversized or refused payloads
    std::uint64_t state_changes = 0;
    std::uint64_t commands_sent = 0;
    std::uint64_t commands_refused = 0;
    std::uint64_t commands_confirmed = 0;  // state came back carrying the command's context id
    std::uint64_t commands_held = 0;          // held while the broker was unreachable
    std::uint64_t commands_held_sent = 0;     // of those, sent on reconnection
    std::uint64_t commands_held_refused = 0;  // of those, refused when the hold ran out (broker_unavailable)
    std::uint64_t broker_connections = 0;
    std::uint64_t http_requests = 0;
    std::uint64_t http_errors = 0;  // 4xx and 5xx answers
    std::uint64_t history_dropped = 0;
    std::uint64_t internal_errors = 0;  // exceptions that reached the event loop (see run_guarded)
    LatencyHistogram http_latency;
    LatencyHistogram command_confirmation;  // command published → state reported with its context
    LatencyHistogram mqtt_handling;         // one MQTT message handled on the hub thread
};

}  // namespace hearth::hub
