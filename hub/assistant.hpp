#pragma once
// Conversation. An utterance — from REST, a WebSocket message or the MQTT assist topic, each read
// by assist::conversation_request_from_json — is recognised, planned by assist::plan_utterance,
// carried out by Actions, and heard by the rules. Owns the recogniser, rebuilt on the first
// utterance after the devices or the home's words changed.
//
// Hub thread only. Everything it is given outlives it.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "assist/conversation_request.hpp"
#include "devices/registry.hpp"
#include "hub/actions.hpp"
#include "hub/definitions.hpp"
#include "hub/metrics.hpp"
#include "hub/phrasebook.hpp"
#include "hub/rule_host.hpp"
#include "proto/errc.hpp"
#include "nlu/recognizer.hpp"

namespace hearth::hub {

/// Publishes a non-retained MQTT message; fails when the broker is not connected.
using Publish = std::function<proto::Result<void>(const std::string& topic, const std::string& payload)>;

class Assistant {
public:
    Assistant(const devices::Registry& registry, Definitions& definitions, const Phrasebook& phrasebook, Actions& actions,
              RuleHost& host, Publish publish, std::string prefix);
    ~Assistant();
    Assistant(const Assistant&) = delete;
    Assistant& operator=(const Assistant&) = delete;

    /// Starts building the shared text tables on a thread of their own while the hub starts.
    void start();
    /// The devices, scenes, moods or sentences changed: the recogniser is rebuilt before its next use.
    void words_changed() noexcept { recognizer_stale_ = true; }

    /// Understands, plans and (unless a dry run) acts. Errors: invalid_field for an unknown area.
    proto::Result<nlohmann::json> converse(const assist::ConversationRequest& request);
    /// The same for a request still in JSON (REST body, WebSocket message).
    proto::Result<nlohmann::json> converse(const nlohmann::json& request);
    /// Utterances by outcome: "acted" (commands sent), "answered" (understood, nothing sent),
    /// "dry_run", "not_understood", "invalid" (the request was refused).
    const LabelledCounter& utterances() const noexcept { return utterances_; }

    /// "<prefix>/assist/+/text"
    std::string assist_subscription() const;
    /// Answers an utterance on "<prefix>/assist/<device>/text" on ".../response" (plain text, or a
    /// JSON request; the area is the hearing device's); false for any other topic.
    bool handle_mqtt(const std::string& topic, const std::string& payload);

private:
    const nlu::Recognizer& recognizer();
    proto::Result<nlohmann::json> understand(const assist::ConversationRequest& request);
    void count(const proto::Result<nlohmann::json>& answer);

    const devices::Registry& registry_;
    Definitions& definitions_;
    const Phrasebook& phrasebook_;
    Actions& actions_;
    RuleHost& host_;
    Publish publish_;
    std::string prefix_;
    // Built on the first utterance after the devices or the vocabulary changed: indexing every
    // device name costs seconds' worth of start-up and registrations in a large home.
    std::unique_ptr<nlu::Recognizer> recognizer_;
    nlu::Vocabulary vocabulary_;
    bool recognizer_stale_ = true;
    std::thread warm_normalizer_;  // builds the shared ICU tables while the hub starts
    LabelledCounter utterances_{{"outcome"}};
};

}  // namespace hearth::hub
