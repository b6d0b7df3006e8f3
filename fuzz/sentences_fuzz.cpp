// A user sentence (POST /api/v1/conversation/sentences) against a home with one scene and one
// rule; an accepted sentence then goes into the recogniser's vocabulary and is spoken back.
#include <nlohmann/json.hpp>

#include "fuzz/support.hpp"
#include "hub/request_bodies.hpp"
#include "nlu/recognizer.hpp"
#include "proto/json.hpp"


extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto body = proto::parse_json(fuzz::as_text(data, size));
    if (!body) return 0;
    const auto sentence = hub::sentence_from_json(
        *body, [](const proto::SceneId& id) { return id.value == "sleep"; },
        [](const proto::RuleId& id) { return id.value == "dinner_bell"; });
    if (!sentence) return 0;
    fuzz::require(!sentence->pattern.empty(), "an accepted sentence has a pattern");
    nlu::Vocabulary vocabulary;
    vocabulary.scenes.push_back({proto::SceneId("sleep"), {"睡眠模式", "sleep mode"}, proto::AreaId("bedroom")});
    nlu::CustomSentence custom;
    custom.pattern = sentence->pattern;
    if (sentence->field == "scene") custom.scene = proto::SceneId(sentence->target);
    if (sentence->field == "rule") custom.rule = proto::RuleId(sentence->target);
    vocabulary.sentences.push_back(custom);
    const nlu::Recognizer recognizer(hearth::fuzz::demo_home(), vocabulary);
    (void)recognizer.recognize({sentence->pattern, std::nullopt, "fuzz-1", {}}, hearth::fuzz::demo_home());
    return 0;
}
