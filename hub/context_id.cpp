#include "hub/context_id.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>

namespace hearth::hub {

std::string new_context_id() {
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    static std::atomic<std::uint64_t> counter{std::random_device{}()};
    const auto ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    std::uint64_t tail = counter.fetch_add(0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL;
    std::string id(26, '0');
    std::uint64_t t = ms;
    for (int i = 9; i >= 0; --i, t >>= 5) id[i] = kAlphabet[t & 31];
    for (int i = 10; i < 26; ++i, tail >>= 4) id[i] = kAlphabet[(tail & 15) + ((i & 1) << 4)];
    return id;
}

}  // namespace hearth::hub
