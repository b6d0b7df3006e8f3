#pragma once
// The hub's automation, put together: scenes, rules and understanding wired to the registry, the
// store, the live feed and MQTT. It owns the pieces, each with one job, and starts and stops them
// in order:
//   UndoHistory  the undo stack, kept in the store
//   RuleHost     the rule engine, its timer and pending work, its effects and the hub's own traces
//   Definitions  scene and rule definitions: load and seeding, CRUD, export and import
//   Phrasebook   moods and user sentences
//   Actions      scene activation, undo, and carrying out a plan
//   Assistant    conversation over REST, WebSocket and the MQTT assist topic
// docs/automation-api.md describes the API.
//
// Hub thread only, like the Hub. What it is linked to outlives it.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "devices/registry.hpp"
#include "hub/actions.hpp"
#include "hub/assistant.hpp"
#include "hub/definitions.hpp"
#include "hub/fact_listener.hpp"
#include "hub/live_feed.hpp"
#include "hub/phrasebook.hpp"
#include "hub/router.hpp"
#include "hub/rule_host.hpp"
#include "hub/store.hpp"
#include "hub/undo_history.hpp"
#include "proto/errc.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::hub {

/// What the automation uses of the hub.
struct AutomationLinks {
    devices::Registry& registry;
    Store& store;
    LiveFeed& live;
    rules::TraceBook& traces;
    const Clock& clock;
    SendCommand send_command;
    Transmit transmit;
    Publish publish;     // MQTT assist replies
    std::string prefix;  // the MQTT topic prefix
};

class Automation final : public FactListener {
public:
    Automation(boost::asio::io_context& io, AutomationLinks links);
    Automation(const Automation&) = delete;
    Automation& operator=(const Automation&) = delete;

    /// After the store is loaded: reads the home's location, scenes and rules (seeding them from
    /// the home file while none are stored), takes the pending timers, restores the undo stack,
    /// reads moods and sentences and adds the WebSocket requests. Bad definitions load as
    /// unavailable with a reason; only an unreadable home file fails.
    /// `home` is the home file's document (null when there is none).
    proto::Result<void> start(const std::vector<Document>& documents, const nlohmann::json& home);
    /// Once the broker is connected (or the hub gave up waiting): the rules go live — pending
    /// timers resume per their `missed` policy and `start` triggers fire. Later calls do nothing.
    void broker_ready();
    /// Saves pending timers and the undo stack, and stops the timer.
    void stop();

    // ---- FactListener: device facts from the event path, to the rules ----
    void state_changed(const devices::StateChange& change, const proto::Context&,
                       std::chrono::system_clock::time_point) override {
        host_.state_changed(change);
    }
    void availability_changed(const devices::adapters::AvailabilityChange& change) override {
        host_.availability_changed(change.device, change.before, change.after);
    }
    void device_event(const devices::adapters::DeviceEvent& event) override {
        host_.device_event(event.device, event.name, event.attributes);
    }
    /// A device or area came, went or changed: scenes and rules are re-checked and the recogniser
    /// rebuilt, at most once per event-loop turn.
    void devices_changed() override;
    /// "<prefix>/assist/+/text"
    std::string assist_subscription() const { return assistant_.assist_subscription(); }
    /// Handles an utterance on "<prefix>/assist/<device>/text"; false for any other topic.
    bool handle_mqtt(const std::string& topic, const std::string& payload) { return assistant_.handle_mqtt(topic, payload); }

    Definitions& definitions() noexcept { return definitions_; }
    Phrasebook& phrasebook() noexcept { return phrasebook_; }
    Actions& actions() noexcept { return actions_; }
    RuleHost& rule_host() noexcept { return host_; }
    Assistant& assistant() noexcept { return assistant_; }

private:
    void add_live_requests();

    boost::asio::io_context& io_;
    LiveFeed& live_;
    UndoHistory undo_;
    RuleHost host_;
    Definitions definitions_;
    Phrasebook phrasebook_;
    Actions actions_;
    Assistant assistant_;
    bool resolve_scheduled_ = false;
    bool started_ = false;
};

/// The scene, undo and export/import routes.
void add_scene_routes(Router& router, Definitions& definitions, Actions& actions);
/// The rule, trace and webhook routes.
void add_rule_routes(Router& router, Definitions& definitions, RuleHost& host);
/// The conversation, mood and sentence routes.
void add_conversation_routes(Router& router, Phrasebook& phrasebook, Assistant& assistant);

}  // namespace hearth::hub
