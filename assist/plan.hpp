#pragma once
// What the hub does for an utterance, a scene activation or an undo, decided without I/O: the
// commands to send, the undo snapshot to take first, the steps the trace records, and the reply
// in the request's language and script. The hub carries a plan out (hub/actions.hpp) and reports
// it; nothing here sends, stores or reads a clock (time is passed in).
//
// Not thread-safe: the Traditional-script pass uses the shared normaliser's transliterator, which
// serves one thread at a time (the hub thread).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assist/conversation_request.hpp"
#include "devices/registry.hpp"
#include "proto/ids.hpp"
#include "proto/value.hpp"
#include "nlu/understanding.hpp"
#include "rules/trace.hpp"
#include "scenes/calendar.hpp"
#include "scenes/scene.hpp"
#include "scenes/snapshot.hpp"

namespace hearth::assist {

/// The reserved rule ids under which hub-made traces are stored.
inline constexpr const char* kVoiceTraces = "_voice";
inline constexpr const char* kSceneTraces = "_scene";
inline constexpr const char* kUndoTraces = "_undo";

enum class Dispatch {
    none,    // nothing to send or report beyond the understanding
    report,  // a dry run, or nothing to send: the planned commands are reported, nothing is sent
    send,    // the commands are sent and one trace records them
};

struct Step {
    rules::StepRecord record;
    bool lists_sent_devices = false;  // detail.devices is filled in with the devices actually sent
};

/// An intent the rule engine hears once the utterance is acted on (user rules with intent triggers).
struct HeardIntent {
    std::string name;
    proto::Attributes slots;
};

struct Plan {
    Dispatch dispatch = Dispatch::none;
    std::vector<scenes::DeviceCommand> commands;   // in order, merged per device, with the context id
    std::optional<scenes::Snapshot> undo_snapshot;  // pushed onto the undo stack before sending
    bool pops_undo = false;                         // the commands restore the undo stack's top: pop it
    scenes::TimePoint at{};                         // when it was planned: the trace's time
    proto::RuleId trace_rule;                       // kVoiceTraces, kSceneTraces or kUndoTraces
    nlohmann::json trigger;                         // the trace's trigger
    std::vector<Step> steps;                        // the trace's steps: why each command is sent
    std::optional<nlohmann::json> skipped;          // errors of targets left out, when scenes were planned
    bool understood = false;                        // the reply's "understood"
    std::string speech;                             // the reply's "speech"
    std::optional<proto::RuleId> rule;              // a user sentence's rule to run now
    std::string speech_if_rule_refused;             // the speech when that rule cannot start
    std::vector<HeardIntent> intents;
};

/// The home as a plan needs it: read-only views owned by the caller.
struct HomeView {
    const devices::Registry& registry;
    const scenes::SceneBook& scenes;
    const scenes::Snapshot* last_undo = nullptr;  // the undo stack's top; null when it is empty
    scenes::Place place;
    scenes::TimePoint now{};
};

/// An utterance's plan. Commands of one request, or of several requests in one utterance merged in
/// order (a later part winning for the same attribute), go out as one change: one undo snapshot of
/// every device touched and one trace with a step per part. A scene is planned as plan_scene does; an
/// undo as plan_undo does. A dry run plans and reports but sends nothing, takes no snapshot and
/// tells the rules nothing. Undo and user rules are acted on only as requests of their own.
Plan plan_utterance(const nlu::Understanding& u, const ConversationRequest& request, const HomeView& home);

/// A scene activated: the differences from the present state, the pre-state as the undo snapshot,
/// one "scene" step. Traced under kSceneTraces.
Plan plan_scene(const scenes::Scene& scene, const HomeView& home, const std::string& context_id, nlohmann::json trigger);

/// The snapshot restored (the undo stack's top, which the plan pops), one "undo" step. Traced
/// under kUndoTraces; the trigger says which change is undone.
Plan plan_undo(const scenes::Snapshot& snapshot, const HomeView& home, const std::string& context_id,
               nlohmann::json trigger);

/// The reply's commands: [{"device", "set", "context_id", "transition"?}].
nlohmann::json commands_json(const std::vector<scenes::DeviceCommand>& commands);
nlohmann::json commands_json(const std::vector<std::pair<proto::DeviceId, proto::Command>>& commands);

}  // namespace hearth::assist
