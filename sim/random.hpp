#pragma once
// A small seedable generator (splitmix64): eight bytes of state per device, so ten thousand
// simulated devices cost nothing, and a run is reproducible from its seed.
#include <chrono>
#include <cstdint>

namespace hearth::sim {

class Random {
public:
    explicit Random(std::uint64_t seed) noexcept : state_(seed) {}

    std::uint64_t next() noexcept;
    /// Uniform in [0, 1).
    double uniform() noexcept;
    double uniform(double low, double high) noexcept { return low + (high - low) * uniform(); }
    /// Normally distributed (Box–Muller).
    double normal(double mean, double deviation) noexcept;
    bool chance(double probability) noexcept { return uniform() < probability; }
    /// Exponentially distributed with the given mean, at least 1 ms.
    std::chrono::milliseconds exponential(std::chrono::milliseconds mean) noexcept;

private:
    std::uint64_t state_;
};

/// Mixes two numbers into a seed, so device i of a run gets its own stream.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) noexcept;

}  // namespace hearth::sim
