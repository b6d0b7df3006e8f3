#include "nlu/understanding.hpp"

#include <nlohmann/json.hpp>

namespace hearth::nlu {

std::string_view to_string(Mood m) noexcept {
    switch (m) {
        case Mood::sleepy: return "sleepy";
        case Mood::wake: return "wake";
        case Mood::leave: return "leave";
        case Mood::home: return "home";
        case Mood::movie: return "movie";
        case Mood::reading: return "reading";
        case Mood::too_hot: return "too_hot";
        case Mood::too_cold: return "too_cold";
        case Mood::too_dark: return "too_dark";
        case Mood::too_bright: return "too_bright";
        case Mood::stuffy: return "stuffy";
    }
    return "sleepy";
}

std::string_view to_string(Outcome o) noexcept {
    switch (o) {
        case Outcome::command: return "command";
        case Outcome::scene: return "scene";
        case Outcome::answer: return "answer";
        case Outcome::undo: return "undo";
        case Outcome::custom: return "custom";
        case Outcome::clarify: return "clarify";
        case Outcome::declined: return "declined";
        case Outcome::not_understood: return "not_understood";
        case Outcome::failed: return "failed";
    }
    return "not_understood";
}

std::map<Mood, proto::SceneId> Vocabulary::default_mood_scenes() {
    return {{Mood::sleepy, proto::SceneId("sleep")}, {Mood::wake, proto::SceneId("wake_up")},
            {Mood::leave, proto::SceneId("away")},   {Mood::home, proto::SceneId("home")},
            {Mood::movie, proto::SceneId("movie")},  {Mood::reading, proto::SceneId("reading")}};
}

namespace {

nlohmann::json intent_json(const std::optional<Intent>& intent) {
    if (!intent) return nullptr;
    return {{"name", intent->name}, {"slots", proto::to_json(intent->slots)}, {"confidence", intent->confidence}};
}

}  // namespace

nlohmann::json to_json(const Understanding& u) {
    nlohmann::json j{{"understood", u.understood},
                     {"language", std::string(to_string(u.language))},
                     {"outcome", std::string(to_string(u.outcome))},
                     {"speech", u.speech},
                     {"context_id", u.context_id}};
    j["intent"] = intent_json(u.intent);
    auto intents = nlohmann::json::array();
    if (u.parts.empty() && u.intent) intents.push_back(intent_json(u.intent));
    for (const auto& p : u.parts) intents.push_back(intent_json(p.intent));
    j["intents"] = std::move(intents);
    if (u.language == Language::zh) j["script"] = std::string(to_string(u.script));
    j["scene"] = u.scene ? nlohmann::json(u.scene->value) : nlohmann::json(nullptr);
    if (u.rule) j["rule"] = u.rule->value;
    auto commands = nlohmann::json::array();
    for (const auto& c : u.commands) commands.push_back({{"device", c.device.value}, {"set", proto::to_json(c.command.set)}});
    j["commands"] = std::move(commands);
    auto targets = nlohmann::json::array();
    for (const auto& t : u.targets) targets.push_back(t.value);
    j["targets"] = std::move(targets);
    if (!u.parts.empty()) {
        auto parts = nlohmann::json::array();
        for (const auto& p : u.parts) {
            parts.push_back({{"text", p.text}, {"understood", p.understood}, {"outcome", std::string(to_string(p.outcome))},
                             {"intent", intent_json(p.intent)},
                             {"scene", p.scene ? nlohmann::json(p.scene->value) : nlohmann::json(nullptr)},
                             {"speech", p.speech}});
        }
        j["parts"] = std::move(parts);
    }
    return j;
}

}  // namespace hearth::nlu
