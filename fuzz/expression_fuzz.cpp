// The expression language (scene targets, rule conditions): parse, then evaluate against the demo
// home at a fixed time in Beijing and in the southern hemisphere.
// Invariant: every error names its column ("at column N: …").
#include <chrono>

#include "fuzz/support.hpp"
#include "scenes/expression.hpp"

namespace {

void require_column(const hearth::proto::Error& error) {
    hearth::fuzz::require(error.message.starts_with("at column "), "an expression error names its column");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto expression = scenes::Expression::parse(fuzz::as_text(data, size));
    if (!expression) {
        require_column(expression.error());
        return 0;
    }
    const proto::Value current = 21.5;
    const auto now = scenes::TimePoint(std::chrono::hours(24 * 365 * 56) + std::chrono::minutes(1234));
    for (const auto& place : {scenes::Place(31.2, 121.5, 480), scenes::Place(-33.9, 151.2, 600)}) {
        const scenes::EvalContext context{&hearth::fuzz::demo_home(), &current, now, place};
        const auto value = expression->evaluate(context);
        if (!value) require_column(value.error());
    }
    (void)expression->test(scenes::EvalContext{});
    return 0;
}
