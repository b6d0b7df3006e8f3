#pragma once
// Prometheus-style counters and latency histograms, with or without labels, rendered in the text
// exposition format (version 0.0.4). Hub thread only.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::hub {

/// Latency histogram with fixed buckets from 50 µs to 10 s.
class LatencyHistogram {
public:
    static constexpr std::array<double, 17> kBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                       0.005,   0.01,   0.025,   0.05,   0.1,   0.25,
                                                       0.5,     1.0,    2.5,     5.0,    10.0};
    void observe(std::chrono::nanoseconds d);
    /// Appends `# HELP`, `# TYPE` and the bucket, sum and count lines for `name`.
    void render(std::string& out, const std::string& name, const std::string& help) const;
    /// Appends the bucket, sum and count lines only, with `labels` (`route="/x"`) on each.
    void render_samples(std::string& out, const std::string& name, const std::string& labels) const;
    std::uint64_t count() const noexcept { return count_; }

private:
    std::array<std::uint64_t, kBounds.size()> buckets_{};
    std::uint64_t count_ = 0;
    double sum_ = 0;
};

/// A label value as the text format writes it between quotes: \ " and line ends escaped.
std::string escape_label_value(std::string_view value);

/// A counter family: one count per combination of label values.
class LabelledCounter {
public:
    explicit LabelledCounter(std::vector<std::string> label_names);
    /// `values` are in the order of the label names.
    void add(const std::vector<std::string>& values, std::uint64_t n = 1);
    std::uint64_t value(const std::vector<std::string>& values) const;
    /// Appends HELP, TYPE and one sample per combination seen (sorted); only the header when none was.
    void render(std::string& out, const std::string& name, const std::string& help) const;

private:
    std::vector<std::string> names_;
    std::map<std::vector<std::string>, std::uint64_t> values_;
};

/// A histogram family: one latency histogram per combination of label values.
class LabelledHistogram {
public:
    explicit LabelledHistogram(std::vector<std::string> label_names);
    void observe(const std::vector<std::string>& values, std::chrono::nanoseconds d);
    const LatencyHistogram* find(const std::vector<std::string>& values) const;
    void render(std::string& out, const std::string& name, const std::string& help) const;

private:
    std::vector<std::string> names_;
    std::map<std::vector<std::string>, LatencyHistogram> values_;
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
    std::uint64_t http_errors = 0;  // 4xx and 5xx answers
    std::uint64_t history_dropped = 0;
    std::uint64_t internal_errors = 0;  // exceptions that reached the event loop (see run_guarded)
    /// Requests that matched a route, by method, route pattern ("/api/v1/devices/{id}") and status.
    LabelledCounter http_requests{{"method", "route", "code"}};
    LabelledHistogram http_latency{{"route"}};  // by route pattern
    LatencyHistogram command_confirmation;  // command published → state reported with its context
    LatencyHistogram mqtt_handling;         // one MQTT message handled on the hub thread
};

}  // namespace hearth::hub
