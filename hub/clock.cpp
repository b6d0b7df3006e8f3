#include "hub/clock.hpp"

namespace hearth::hub {

Clock::Clock(double speed)
    : speed_(speed > 0 ? speed : 1.0),
      wall_start_(std::chrono::system_clock::now()),
      steady_start_(std::chrono::steady_clock::now()) {}

Clock::TimePoint Clock::now() const {
    if (speed_ == 1.0) return std::chrono::system_clock::now();
    const auto passed = std::chrono::duration<double>(std::chrono::steady_clock::now() - steady_start_) * speed_;
    return wall_start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(passed);
}

std::chrono::steady_clock::duration Clock::real(std::chrono::system_clock::duration hub_time) const {
    if (speed_ == 1.0) return std::chrono::duration_cast<std::chrono::steady_clock::duration>(hub_time);
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(hub_time) / speed_);
}

}  // namespace hearth::hub
