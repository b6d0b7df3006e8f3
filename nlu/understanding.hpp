#pragma once
// What the recogniser is given and what it returns. The hub turns an Understanding into the
// assist REST/MQTT reply with to_json():
// {"understood", "language", "intent": {"name", "slots", "confidence"} | null, "scene": id | null,
//  "commands": [{"device", "set"}], "speech", "context_id"} plus "outcome" and "targets", "intents" (one
// entry per request of the utterance, same shape as "intent"), "parts" (when the utterance held
// several requests) and, for Chinese, "script" ("hans" | "hant", the script of input and speech).
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "proto/command.hpp"
#include "proto/device.hpp"
#include "proto/ids.hpp"
#include "proto/value.hpp"
#include "nlu/text.hpp"

namespace hearth::nlu {

/// Situations people describe instead of giving commands.
enum class Mood { sleepy, wake, leave, home, movie, reading, too_hot, too_cold, too_dark, too_bright, stuffy };
std::string_view to_string(Mood m) noexcept;

/// One scene as the recogniser needs it: plain data from the scene catalogue.
struct SceneEntry {
    proto::SceneId id;
    proto::LocalizedName name;
    std::optional<proto::AreaId> area;
};

/// A sentence the user attached to a scene or a rule. `{name}` parts are wildcards: "我要{what}了"
/// matches "我要睡觉了" with slot what = "睡觉". Exactly one of scene and rule is set.
struct CustomSentence {
    std::string pattern;
    std::optional<proto::SceneId> scene;
    std::optional<proto::RuleId> rule;
};

/// Another name for a device ("空调" for the thermostat).
struct DeviceAlias {
    proto::DeviceId device;
    std::string name;
};

/// The home's words beyond the registry, and the recogniser's settings. Configuration data.
struct Vocabulary {
    std::vector<SceneEntry> scenes;
    std::map<Mood, proto::SceneId> mood_scenes = default_mood_scenes();
    std::vector<CustomSentence> sentences;
    std::vector<DeviceAlias> aliases;
    double confidence_threshold = 0.6;  // below it the recogniser asks instead of acting

    /// sleepy→sleep, wake→wake_up, leave→away, home→home, movie→movie, reading→reading.
    static std::map<Mood, proto::SceneId> default_mood_scenes();
};

struct Request {
    std::string text;
    std::optional<proto::AreaId> area;  // where the device that heard the utterance is
    std::string context_id;             // made by the hub; copied into every command
    std::vector<proto::DeviceId> focus; // what the previous part of the utterance acted on
};

enum class Outcome {
    command,         // commands to send
    scene,           // a scene to activate
    answer,          // a question answered in speech
    undo,            // undo the last scene or command (HearthUndo)
    custom,          // a user sentence: run its scene or rule
    clarify,         // ambiguous or unsure: speech asks a question, nothing is done
    declined,        // negation or "never mind": nothing is done, speech says so
    not_understood,  // no intent found
    failed,          // understood, but nothing can be done (out of range, unavailable, unsupported)
};
std::string_view to_string(Outcome o) noexcept;

struct Intent {
    std::string name;        // HassTurnOn, HassLightSet, …, HearthMood, HearthUndo, custom
    proto::Attributes slots; // name, device, area, domain, brightness, temperature, volume,
                             // position, change, color, state, mood, scene, rule, wildcards
    double confidence = 0;
};

struct DeviceCommand {
    proto::DeviceId device;
    proto::Command command;  // exactly the payload for <prefix>/device/<id>/set, validated
};

struct Understanding {
    bool understood = false;  // true when the hub has something to do or answered
    Language language = Language::en;
    Outcome outcome = Outcome::not_understood;
    std::optional<Intent> intent;
    std::optional<proto::SceneId> scene;
    std::optional<proto::RuleId> rule;        // custom sentences bound to a rule
    std::vector<DeviceCommand> commands;
    std::vector<proto::DeviceId> targets;     // the devices the intent is about (queries too)
    std::string speech;                       // reply in the user's language (and script)
    std::string context_id;
    Script script = Script::hans;             // Chinese only: the input's script, which the speech follows
    /// Several requests in one utterance ("开灯然后拉上窗帘"): each recognised on its own, in order.
    /// Empty for a single request. Then intent is the first understood part's, commands and targets
    /// are all command parts' in order (scenes are left to the hub), and speech joins the parts'.
    std::vector<Understanding> parts;
    std::string text;                         // a part's own words, normalised; empty at the top level
};

nlohmann::json to_json(const Understanding& u);

}  // namespace hearth::nlu
