#pragma once
// The hub's automation: scenes, rules and understanding wired to the registry, MQTT, SQLite and
// the WebSocket feed. Owns the rule engine, the scene book, the undo stack and the recogniser, and
// implements rules::Effects on top of the hub (commands through Hub::send_command, traces and
// notifications to the store and the live feed). docs/automation-api.md describes the API.
//
// Hub thread only, like the Hub. Writes to definitions answer through a callback that runs after
// the SQLite commit; the in-memory change is applied at the same moment, so a reply that says
// "saved" is both durable and in effect.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "devices/registry.hpp"
#include "hub/router.hpp"
#include "hub/store.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"
#include "rules/engine.hpp"
#include "nlu/recognizer.hpp"
#include "scenes/calendar.hpp"
#include "scenes/scene.hpp"
#include "scenes/snapshot.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::hub {

class Hub;

/// A successful JSON answer (json converts to anything, so the result needs saying so).
inline proto::Result<nlohmann::json> ok(nlohmann::json j) {
    return proto::Result<nlohmann::json>(boost::system::in_place_value, std::move(j));
}

/// The answer to an asynchronous request: a JSON body, or an error.
using Answer = std::function<void(proto::Result<nlohmann::json>)>;

/// What a conversation request carries (REST, WebSocket or the MQTT assist topic).
struct ConversationRequest {
    std::string text;
    std::optional<proto::AreaId> area;  // where the speaker is; unknown areas are refused
    std::string language;               // "zh", "en" or empty: a hint only, detected anyway
    bool dry_run = false;               // understand and plan, send nothing, change nothing
};

class Automation final : public rules::Effects {
public:
    Automation(boost::asio::io_context& io, Hub& hub);
    ~Automation() override;
    Automation(const Automation&) = delete;
    Automation& operator=(const Automation&) = delete;

    /// After the store is loaded: reads the home's location, scenes and rules (seeding the
    /// `scenes` and `rules` collections from the home file when they are empty), resumes pending
    /// timers, restores the undo stack, builds the recogniser and fires `start` triggers. Bad
    /// definitions load as unavailable with a reason; only an unreadable home file fails.
    proto::Result<void> start(const std::vector<Document>& documents, const std::filesystem::path& home_file);
    /// Saves pending timers and the undo stack, and stops the timer.
    void stop();

    // ---- inputs from the hub ----
    void state_changed(const devices::StateChange& change);
    void availability_changed(const proto::DeviceId& device, devices::Availability before, devices::Availability after);
    void device_event(const proto::DeviceId& device, const nlohmann::json& event);
    /// A device or area came, went or changed: scenes and rules are re-checked and the recogniser
    /// rebuilt, at most once per event-loop turn.
    void devices_changed();
    /// "<prefix>/assist/+/text"
    std::string assist_subscription() const;
    /// Handles an utterance on "<prefix>/assist/<device>/text"; false for any other topic.
    bool handle_mqtt(const std::string& topic, const std::string& payload);

    // ---- scenes ----
    nlohmann::json scenes_json() const;
    proto::Result<nlohmann::json> scene_json(const proto::SceneId& id) const;
    /// Creates (`replace` empty: the id must be new) or replaces the scene `replace`.
    void put_scene(const nlohmann::json& definition, std::optional<proto::SceneId> replace, Answer done);
    void delete_scene(const proto::SceneId& id, Answer done);
    /// Snapshots the pre-state onto the undo stack, then sends the differences. `transition`
    /// overrides every target's transition.
    proto::Result<nlohmann::json> activate_scene(const proto::SceneId& id, std::optional<double> transition);
    /// Saves the current state of `devices` (or of every device in `area`) as a new scene.
    void snapshot_scene(const nlohmann::json& request, Answer done);
    /// Pops the undo stack and restores it.
    proto::Result<nlohmann::json> undo();

    // ---- rules ----
    nlohmann::json rules_json() const;
    proto::Result<nlohmann::json> rule_json(const proto::RuleId& id) const;
    void put_rule(const nlohmann::json& definition, std::optional<proto::RuleId> replace, Answer done);
    void delete_rule(const proto::RuleId& id, Answer done);
    void set_rule_enabled(const proto::RuleId& id, bool enabled, Answer done);
    /// Starts the rule now as if a trigger had fired (its conditions still apply).
    proto::Result<nlohmann::json> run_rule(const proto::RuleId& id);
    proto::Result<nlohmann::json> rule_traces(const proto::RuleId& id, std::size_t limit) const;
    /// Traces that commanded or considered the device, newest first.
    proto::Result<nlohmann::json> device_traces(const proto::DeviceId& device, std::size_t limit) const;
    proto::Result<nlohmann::json> fire_webhook(const std::string& id);

    // ---- understanding ----
    proto::Result<nlohmann::json> converse(const ConversationRequest& request);
    nlohmann::json moods_json() const;
    void put_moods(const nlohmann::json& body, Answer done);
    nlohmann::json sentences_json() const;
    void add_sentence(const nlohmann::json& body, Answer done);
    void delete_sentence(const std::string& id, Answer done);

    // ---- the whole home ----
    /// Areas, devices, scenes, rules and location as one YAML document.
    std::string export_yaml() const;
    /// Merges a home document (YAML or JSON): areas, devices, scenes and rules are added or
    /// replaced; nothing is removed. Every definition is checked first; one bad entry refuses all.
    void import_yaml(const std::string& text, Answer done);

    const scenes::Place& place() const noexcept { return place_; }

    // ---- rules::Effects ----
    void send(const scenes::DeviceCommand& command) override;
    void notify(const rules::Notification& notification) override;
    void push_undo(scenes::Snapshot snapshot) override;
    void record(const rules::Trace& trace) override;
    void status_changed(const rules::RuleStatus& status) override;

private:
    struct SentenceEntry {
        std::string id;
        nlohmann::json body;  // {"id", "pattern", "scene" | "rule"}
    };
    class Timer;

    static scenes::TimePoint now();
    void after_engine();
    void arm_timer();
    void schedule_save();
    void save_pending();
    void save_undo();
    void rebuild_vocabulary();
    const nlu::Recognizer& recognizer();
    void resolve_all();
    proto::Result<void> install_rule(const nlohmann::json& definition);
    proto::Result<void> check_rule(const nlohmann::json& definition) const;
    nlohmann::json scene_view(const proto::SceneId& id, const scenes::SceneEntry& entry) const;
    nlohmann::json rule_view(const proto::RuleId& id) const;
    std::vector<std::pair<proto::DeviceId, proto::Command>> send_all(const std::vector<scenes::DeviceCommand>& commands,
                                                                    nlohmann::json& refused);
    nlohmann::json activate(const scenes::Scene& scene, const std::string& context_id, const std::string& trace_rule,
                            nlohmann::json trigger, bool dry_run);
    nlohmann::json undo_with(const std::string& context_id, nlohmann::json trigger);
    void converse_parts(const nlu::Understanding& u, const ConversationRequest& request,
                        const std::string& context_id, const nlohmann::json& trigger, nlohmann::json& out);
    void send_voice_commands(const std::vector<scenes::DeviceCommand>& commands, const std::string& text,
                             const std::string& context_id, const nlohmann::json& trigger,
                             std::vector<rules::StepRecord> steps, nlohmann::json& out);
    void record_own(rules::Trace trace);
    void mood_defaults_into(nlu::Vocabulary& vocabulary) const;
    std::optional<proto::AreaId> area_of(const proto::DeviceId& device) const;

    boost::asio::io_context& io_;
    Hub& hub_;
    scenes::Place place_;
    scenes::SceneBook scenes_;
    std::map<proto::SceneId, std::string> broken_scenes_;     // stored definitions that do not parse
    std::map<proto::RuleId, nlohmann::json> rules_;           // definitions as given
    std::map<proto::RuleId, std::string> broken_rules_;
    scenes::UndoStack undo_;
    std::unique_ptr<rules::Engine> engine_;
    // Built on the first utterance after the devices or the vocabulary changed: indexing every
    // device name costs seconds' worth of start-up and registrations in a large home.
    std::unique_ptr<nlu::Recognizer> recognizer_;
    nlu::Vocabulary vocabulary_;
    bool recognizer_stale_ = true;
    std::thread warm_normalizer_;  // builds the shared ICU tables while the hub starts
    std::map<nlu::Mood, proto::SceneId> moods_;
    std::vector<SentenceEntry> sentences_;
    std::unique_ptr<Timer> timer_;
    std::string saved_pending_;
    bool save_scheduled_ = false;
    bool resolve_scheduled_ = false;
    bool started_ = false;
    std::map<std::string, rules::Trace> own_traces_;  // hub-made traces awaiting confirmations
    std::vector<std::string> own_trace_order_;
    std::set<std::string> rerecord_;  // own traces to record again at the end of this turn
};

/// Adds the scene, rule, trace, webhook, export/import and conversation routes.
void add_scene_routes(Router& router, Automation& automation);
void add_rule_routes(Router& router, Automation& automation);
void add_conversation_routes(Router& router, Automation& automation);

}  // namespace hearth::hub
