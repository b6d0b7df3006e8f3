#pragma once
// A token bucket per MQTT topic at the hub's door: a device that floods (a stuck sensor, a loop
// between two controllers, a hostile client on the broker) loses its excess, which is counted,
// while every other device's messages still get through. A topic is one device's state, event or
// configuration in every ecosystem Hearth speaks, so per topic is per device.
//
// Called from the MQTT client's receive thread (admit) and the hub thread (stats); one mutex,
// never contended in practice. Idle topics are forgotten, so memory follows the busy topics only.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hearth::hub {

struct FloodLimits {
    double per_second = 100;  // sustained messages per topic; 0 = no limit
    double burst = 500;       // messages a topic may send at once (a retained burst, a quick switch)
};

struct FloodStats {
    std::uint64_t dropped = 0;
    /// Topics that lost messages, with how many, most first (at most 10).
    std::vector<std::pair<std::string, std::uint64_t>> worst;
};

class FloodGuard {
public:
    using Clock = std::chrono::steady_clock;
    explicit FloodGuard(FloodLimits limits = {}) : limits_(limits) {}

    /// True when the message may go on; false when its topic is over its rate (counted).
    bool admit(std::string_view topic, Clock::time_point now);
    FloodStats stats() const;

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point refilled;
    };
    void forget_idle(Clock::time_point now);

    const FloodLimits limits_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
    std::unordered_map<std::string, std::uint64_t> dropped_by_topic_;
    std::uint64_t dropped_ = 0;
    Clock::time_point swept_{};
};

}  // namespace hearth::hub
