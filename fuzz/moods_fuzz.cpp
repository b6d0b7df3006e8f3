// The mood mapping (PUT /api/v1/conversation/moods) against a home with the scenes of the default
// mapping.
#include <nlohmann/json.hpp>

#include "fuzz/support.hpp"
#include "hub/request_bodies.hpp"
#include "proto/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto body = proto::parse_json(fuzz::as_text(data, size));
    if (!body) return 0;
    const auto known = nlu::Vocabulary::default_mood_scenes();
    const auto scene_exists = [&](const proto::SceneId& id) {
        for (const auto& [mood, scene] : known)
            if (scene == id) return true;
        return false;
    };
    const auto mapping = hub::moods_from_json(*body, scene_exists);
    if (!mapping) return 0;
    for (const auto& [mood, scene] : *mapping) fuzz::require(scene_exists(scene), "a mood maps to a known scene");
    return 0;
}
