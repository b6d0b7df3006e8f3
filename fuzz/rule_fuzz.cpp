// A rule definition (REST PUT/POST /rules, the home file, import): parse, install in an engine
// over the demo home, run it now and let an hour of its timers pass.
#include <chrono>
#include <nlohmann/json.hpp>

#include "fuzz/support.hpp"
#include "proto/json.hpp"
#include "rules/engine.hpp"
#include "rules/recording_effects.hpp"
#include "rules/rule.hpp"
#include "rules/trace_book.hpp"


extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto body = proto::parse_json(fuzz::as_text(data, size));
    if (!body) return 0;
    const auto rule = rules::rule_from_json(*body);
    if (!rule) return 0;
    (void)rules::rule_problem(*rule, hearth::fuzz::demo_home(), {});

    const scenes::SceneBook scene_book;
    rules::RecordingEffects effects;
    rules::TraceBook book;
    rules::Engine engine(hearth::fuzz::demo_home(), scene_book, effects, book);
    const auto start = scenes::TimePoint(std::chrono::hours(24 * 365 * 56));
    const auto installed = engine.upsert(*body, start);
    if (!installed) return 0;
    engine.start(start);
    (void)engine.run_now(rule->id, start);
    auto now = start;
    for (int step = 0; step < 8; ++step) {
        const auto wake = engine.advance(now);
        if (!wake || *wake > start + std::chrono::hours(1)) break;
        fuzz::require(*wake >= now, "the engine never wakes in the past");
        now = *wake;
    }
    (void)engine.export_pending();
    return 0;
}
