#include "hub/repeat_limiter.hpp"

#include <utility>

namespace hearth::hub {

RepeatLimiter::RepeatLimiter(std::chrono::steady_clock::duration window, std::size_t max_keys)
    : window_(window), max_keys_(max_keys < 2 ? 2 : max_keys) {}

std::optional<std::uint64_t> RepeatLimiter::admit(std::string_view key, TimePoint now) {
    auto it = kinds_.find(std::string(key));
    if (it == kinds_.end()) {
        // Every kind but the overflow shares max_keys - 1 places; the overflow has the last one.
        const auto others = [&] { return kinds_.size() - kinds_.count(std::string(kOverflowKey)); };
        if (key != kOverflowKey && others() + 1 >= max_keys_) forget_quiet(now);
        if (key != kOverflowKey && others() + 1 >= max_keys_) return admit(kOverflowKey, now);
        kinds_.emplace(std::string(key), Kind{now, 0});
        return std::uint64_t{0};
    }
    auto& kind = it->second;
    if (now - kind.last_let_through < window_) {
        ++kind.suppressed;
        return std::nullopt;
    }
    kind.last_let_through = now;
    return std::exchange(kind.suppressed, 0);
}

void RepeatLimiter::forget_quiet(TimePoint now) {
    // A kind whose window has passed lets its next message through anyway; what it held back is
    // not reported (the contract for counts no later message carries).
    for (auto it = kinds_.begin(); it != kinds_.end();) {
        if (now - it->second.last_let_through >= window_) it = kinds_.erase(it);
        else ++it;
    }
}

std::string suppressed_note(std::uint64_t suppressed) {
    if (suppressed == 0) return {};
    return " (suppressed " + std::to_string(suppressed) + " like it since the last one logged)";
}

}  // namespace hearth::hub
