#pragma once
// Keeps repeated rejections from flooding the log: the first message of a kind (a key such as
// "topic|reason") is let through, then at most one per window; the ones held back in between are
// counted and the count goes with the next one let through ("… (suppressed 41 like it)"). Counts
// held back when no later message comes are not reported. At most `max_keys` kinds are tracked;
// beyond that, new kinds share one overflow key (max_keys counts it; at least 2). Time is passed in. Not thread-safe: one limiter
// per caller (the hub thread's are used on the hub thread only).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hearth::hub {

class RepeatLimiter {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    static constexpr std::string_view kOverflowKey = "(other)";

    explicit RepeatLimiter(std::chrono::steady_clock::duration window = std::chrono::seconds(10),
                           std::size_t max_keys = 1000);

    /// Nothing when the message is to be held back; else how many like it were held back since the
    /// last one let through.
    std::optional<std::uint64_t> admit(std::string_view key, TimePoint now);
    std::size_t tracked() const noexcept { return kinds_.size(); }

private:
    struct Kind {
        TimePoint last_let_through;
        std::uint64_t suppressed = 0;
    };
    void forget_quiet(TimePoint now);

    std::chrono::steady_clock::duration window_;
    std::size_t max_keys_;
    std::unordered_map<std::string, Kind> kinds_;
};

/// " (suppressed N like it in the last window)" when N > 0, else "".
std::string suppressed_note(std::uint64_t suppressed);

}  // namespace hearth::hub
