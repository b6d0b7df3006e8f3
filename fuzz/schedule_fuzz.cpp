// Cron schedules (rule `cron` triggers): parse, then the next few runs in Beijing and in a place
// with daylight-saving time. Invariant: each next run is strictly after the one before.
#include <chrono>

#include "fuzz/support.hpp"
#include "rules/schedule.hpp"
#include "scenes/test_time_zones.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto schedule = rules::Schedule::parse(fuzz::as_text(data, size));
    if (!schedule) return 0;
    const auto reread = rules::Schedule::parse(schedule->spec());
    fuzz::require(reread.has_value(), "a schedule's spec parses again");
    const auto start = scenes::TimePoint(std::chrono::sys_days{std::chrono::year(2026) / 3 / 20});
    for (const auto& place : {scenes::Place(31.2, 121.5, 480), scenes::Place(52.5, 13.4, scenes::test::berlin_2026())}) {
        auto after = start;
        for (int i = 0; i < 4; ++i) {
            const auto next = schedule->next_after(after, place);
            if (!next) break;
            fuzz::require(*next > after, "the next run is after the last");
            after = *next;
        }
    }
    return 0;
}
