#include "sim/random.hpp"

#include <cmath>
#include <numbers>

namespace hearth::sim {

std::uint64_t Random::next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double Random::uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Random::normal(double mean, double deviation) noexcept {
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    return mean + deviation * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::chrono::milliseconds Random::exponential(std::chrono::milliseconds mean) noexcept {
    const double ms = -std::log(1.0 - uniform()) * static_cast<double>(mean.count());
    return std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(ms)));
}

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) noexcept {
    Random r(a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL));
    return r.next();
}

}  // namespace hearth::sim
