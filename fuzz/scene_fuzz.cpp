// A scene definition (REST PUT/POST /scenes, the home file, import): parse, check and plan it
// against the demo home. Invariant: to_json of a parsed scene parses to the same JSON.
#include <nlohmann/json.hpp>

#include "fuzz/support.hpp"
#include "proto/json.hpp"
#include "scenes/scene.hpp"


extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto body = proto::parse_json(fuzz::as_text(data, size));
    if (!body) return 0;
    const auto scene = scenes::scene_from_json(*body);
    if (!scene) return 0;
    const auto written = scenes::to_json(*scene);
    const auto reread = scenes::scene_from_json(written);
    fuzz::require(reread.has_value() && scenes::to_json(*reread) == written, "a scene survives its own JSON");
    (void)scenes::scene_problem(*scene, hearth::fuzz::demo_home());
    scenes::EvalContext context;
    context.now = scenes::TimePoint(std::chrono::hours(24 * 365 * 56));
    (void)scenes::plan_scene(*scene, hearth::fuzz::demo_home(), context, "fuzz.1");
    return 0;
}
