#include "hub/flood_guard.hpp"

#include <algorithm>

namespace hearth::hub {
namespace {

constexpr auto kSweepEvery = std::chrono::seconds(10);
constexpr std::size_t kWorstShown = 10;
constexpr std::size_t kTopicsRemembered = 1'000;  // topics that ever dropped, for stats

}  // namespace

bool FloodGuard::admit(std::string_view topic, Clock::time_point now) {
    if (limits_.per_second <= 0) return true;
    std::lock_guard lock(mutex_);
    if (now - swept_ >= kSweepEvery) forget_idle(now);
    auto found = buckets_.find(std::string(topic));
    if (found == buckets_.end()) {
        found = buckets_.emplace(std::string(topic), Bucket{limits_.burst, now}).first;
    }
    auto& bucket = found->second;
    const std::chrono::duration<double> elapsed = now - bucket.refilled;
    bucket.tokens = std::min(limits_.burst, bucket.tokens + elapsed.count() * limits_.per_second);
    bucket.refilled = now;
    if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return true;
    }
    ++dropped_;
    if (const auto counted = dropped_by_topic_.find(found->first); counted != dropped_by_topic_.end()) {
        ++counted->second;
    } else if (dropped_by_topic_.size() < kTopicsRemembered) {
        dropped_by_topic_.emplace(found->first, 1);
    }
    return false;
}

void FloodGuard::forget_idle(Clock::time_point now) {
    swept_ = now;
    std::erase_if(buckets_, [&](const auto& entry) {
        const std::chrono::duration<double> idle = now - entry.second.refilled;
        return entry.second.tokens + idle.count() * limits_.per_second >= limits_.burst;
    });
}

FloodStats FloodGuard::stats() const {
    std::lock_guard lock(mutex_);
    FloodStats out{dropped_, {dropped_by_topic_.begin(), dropped_by_topic_.end()}};
    std::ranges::sort(out.worst, [](const auto& a, const auto& b) { return a.second > b.second; });
    if (out.worst.size() > kWorstShown) out.worst.resize(kWorstShown);
    return out;
}

}  // namespace hearth::hub
