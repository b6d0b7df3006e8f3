#pragma once
// The hub's own readers of request bodies that no core module owns: token creation, the WebSocket
// `command`, the mood mapping, user sentences and the import document. Pure: what needs the hub's
// state (does this scene exist?) is asked through the callbacks, so they can be fuzzed alone.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hub/access.hpp"
#include "nlu/understanding.hpp"
#include "proto/command.hpp"
#include "proto/errc.hpp"
#include "proto/home.hpp"
#include "proto/ids.hpp"
#include "scenes/scene.hpp"

namespace hearth::hub {

/// POST /api/v1/tokens: {"name": 1–100 characters, "scope"?: "read" | "control" | "admin"}.
struct TokenRequest {
    std::string name;
    Scope scope = Scope::read;
};
proto::Result<TokenRequest> token_request_from_json(const nlohmann::json& body);

/// The WebSocket `command`: {"device", "set": {…}, "transition"?}.
struct CommandRequest {
    proto::DeviceId device;
    proto::Command command;
};
proto::Result<CommandRequest> command_request_from_json(const nlohmann::json& request);

using SceneExists = std::function<bool(const proto::SceneId&)>;
using RuleExists = std::function<bool(const proto::RuleId&)>;

/// PUT /api/v1/conversation/moods: {"moods": {mood: scene id | null}} or the object alone.
using MoodMapping = std::map<nlu::Mood, proto::SceneId>;
proto::Result<MoodMapping> moods_from_json(const nlohmann::json& body, const SceneExists& scene_exists);
std::optional<nlu::Mood> mood_from(std::string_view name);
/// Every mood, in the order the API lists them.
const std::vector<nlu::Mood>& all_moods();

/// POST /api/v1/conversation/sentences: {"pattern", "scene" | "rule", "id"?}.
struct SentenceRequest {
    std::optional<std::string> id;
    std::string pattern;
    std::string field;   // "scene" or "rule"
    std::string target;  // its id
};
proto::Result<SentenceRequest> sentence_from_json(const nlohmann::json& body, const SceneExists& scene_exists,
                                                  const RuleExists& rule_exists);

/// POST /api/v1/import: a home document (YAML or JSON) whose scenes and rules all parse; rule ids
/// starting with '_' are reserved. Errors name the entry ("rules[2].id").
struct ImportDocument {
    proto::HomeDocument home;
    std::vector<scenes::Scene> scenes;
};
proto::Result<ImportDocument> import_document_from_yaml(std::string_view text);

}  // namespace hearth::hub
