// ISO 8601 timestamps (history `from`/`to` query parameters): documented never to throw.
// Invariant: a parsed instant, formatted and parsed again, is the same instant to the second.
#include <chrono>

#include "fuzz/support.hpp"
#include "scenes/test_time_zones.hpp"
#include "scenes/timestamp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto instant = scenes::parse_iso8601(fuzz::as_text(data, size));
    if (!instant) return 0;
    const auto seconds = std::chrono::floor<std::chrono::seconds>(*instant);
    for (const auto& zone : {scenes::TimeZone::fixed(std::chrono::minutes(480)),
                             scenes::TimeZone::fixed(std::chrono::minutes(-150)),
                             scenes::test::berlin_2026()}) {
        const auto text = scenes::format_iso8601(*instant, zone);
        const auto again = scenes::parse_iso8601(text);
        fuzz::require(again.has_value() && *again == seconds, "a formatted timestamp parses to the same second");
    }
    return 0;
}
