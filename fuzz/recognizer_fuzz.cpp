// The recogniser and interpreter on arbitrary UTF-8 utterances, against the demo home with its
// scenes and sentences. Input: the utterance, optionally a NUL byte and the speaker's area.
#include "fuzz/support.hpp"
#include "nlu/recognizer.hpp"

namespace {

using namespace hearth;

nlu::Vocabulary demo_vocabulary() {
    nlu::Vocabulary v;
    const auto scene = [&](const char* id, const char* zh, const char* en, std::optional<const char*> area = {}) {
        nlu::SceneEntry s{proto::SceneId(id), {zh, en}, {}};
        if (area) s.area = proto::AreaId(*area);
        v.scenes.push_back(s);
    };
    scene("sleep", "睡眠模式", "sleep mode", "bedroom");
    scene("wake_up", "起床模式", "wake up mode");
    scene("away", "离家模式", "away mode");
    scene("home", "回家模式", "home mode");
    scene("movie", "观影模式", "movie mode", "living_room");
    scene("reading", "阅读模式", "reading mode", "study");
    v.sentences.push_back({"该{activity}了", std::nullopt, proto::RuleId("dinner_bell")});
    v.sentences.push_back({"派对开始", proto::SceneId("movie"), std::nullopt});
    return v;
}

struct Home {
    devices::Registry registry = fuzz::demo_registry();
    nlu::Recognizer recognizer{registry, demo_vocabulary()};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Home home;
    const auto [utterance, area] = fuzz::split_at_nul(fuzz::as_text(data, size));
    nlu::Request request{std::string(utterance), std::nullopt, "fuzz-1", {}};
    if (!area.empty()) request.area = proto::AreaId(std::string(area));
    const auto understanding = home.recognizer.recognize(request, home.registry);
    for (const auto& command : understanding.commands) {
        fuzz::require(home.registry.find(command.device) != nullptr, "a command goes to a device of the home");
    }
    return 0;
}
