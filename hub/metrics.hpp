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

}  // namespace hearth::hub
