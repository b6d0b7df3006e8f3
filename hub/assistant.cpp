#include "hub/assistant.hpp"


#include "assist/plan.hpp"
#include "hub/answer.hpp"
#include "hub/context_id.hpp"
#include "hub/log.hpp"
#include "proto/json.hpp"

namespace hearth::hub {

using proto::Errc;
using nlohmann::json;

Assistant::Assistant(const devices::Registry& registry, Definitions& definitions, const Phrasebook& phrasebook,
                     Actions& actions, RuleHost& host, Publish publish, std::string prefix)
    : registry_(registry),
      definitions_(definitions),
      phrasebook_(phrasebook),
      actions_(actions),
      host_(host),
      publish_(std::move(publish)),
      prefix_(std::move(prefix)) {}

Assistant::~Assistant() {
    if (warm_normalizer_.joinable()) warm_normalizer_.join();
}

void Assistant::start() {
    warm_normalizer_ = std::thread([] { nlu::shared_normalizer(); });
}

const nlu::Recognizer& Assistant::recognizer() {
    if (recognizer_ && !recognizer_stale_) return *recognizer_;
    vocabulary_ = phrasebook_.vocabulary();
    if (!recognizer_) recognizer_ = std::make_unique<nlu::Recognizer>(registry_, vocabulary_);
    else recognizer_->set_vocabulary(registry_, vocabulary_);
    recognizer_stale_ = false;
    return *recognizer_;
}

proto::Result<json> Assistant::converse(const json& request) {
    const auto parsed = assist::conversation_request_from_json(request);
    if (!parsed) {
        count(parsed.error());
        return parsed.error();
    }
    return converse(*parsed);
}

proto::Result<json> Assistant::converse(const assist::ConversationRequest& request) {
    auto answer = understand(request);
    count(answer);
    return answer;
}

void Assistant::count(const proto::Result<json>& answer) {
    const auto outcome = [&] {
        if (!answer) return "invalid";
        if (!answer->value("understood", false)) return "not_understood";
        if (answer->value("dry_run", false)) return "dry_run";
        const auto commands = answer->find("commands");
        return commands != answer->end() && commands->is_array() && !commands->empty() ? "acted" : "answered";
    }();
    utterances_.add({outcome});
}

proto::Result<json> Assistant::understand(const assist::ConversationRequest& request) {
    if (request.area && !registry_.find_area(*request.area)) {
        return proto::make_error(Errc::invalid_field, "no area '" + request.area->value + "'", "area");
    }
    const auto context_id = new_context_id();
    const auto u = recognizer().recognize({request.text, request.area, context_id, {}}, registry_);
    const auto plan = assist::plan_utterance(u, request, actions_.home_view());

    auto out = nlu::to_json(u);
    out["dry_run"] = request.dry_run;
    out["understood"] = plan.understood;
    out["speech"] = plan.speech;
    if (plan.skipped) out["skipped"] = *plan.skipped;
    if (plan.dispatch == assist::Dispatch::report) out["commands"] = assist::commands_json(plan.commands);
    if (plan.dispatch == assist::Dispatch::send) {
        const auto delivery = actions_.carry_out(plan, context_id);
        out["commands"] = assist::commands_json(delivery.sent);
        out["refused"] = delivery.refused;
    }
    if (plan.rule && !definitions_.run_rule(*plan.rule)) {
        out["understood"] = false;
        out["speech"] = plan.speech_if_rule_refused;
    }
    for (const auto& intent : plan.intents) host_.engine().fire_intent(intent.name, intent.slots, plan.at, context_id);
    host_.after_engine();
    return ok(out);
}

std::string Assistant::assist_subscription() const { return prefix_ + "/assist/+/text"; }

bool Assistant::handle_mqtt(const std::string& topic, const std::string& payload) {
    const auto prefix = prefix_ + "/assist/";
    if (!topic.starts_with(prefix) || !topic.ends_with("/text")) return false;
    const auto device = topic.substr(prefix.size(), topic.size() - prefix.size() - 5);
    if (!proto::is_valid_id(device)) return true;
    // A payload is the utterance itself, unless it is a JSON request.
    json body{{"text", payload}};
    if (!payload.empty() && payload.front() == '{') {
        if (auto j = proto::parse_json(payload); j && j->is_object()) body = std::move(*j);
    }
    auto answer = [&]() -> proto::Result<json> {
        auto request = assist::conversation_request_from_json(body);
        if (!request) {
            count(request.error());
            return request.error();
        }
        request->area = std::nullopt;
        if (const auto* d = registry_.find(proto::DeviceId{device}); d && !d->description.area.empty()) {
            request->area = d->description.area;
        }
        return converse(*request);
    }();
    json reply = answer ? *answer : json{{"error", proto::to_json(answer.error())}};
    reply["device"] = device;
    auto published = publish_(prefix + device + "/response", reply.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!published) log::warning("assist reply to {} not sent: {}", device, published.error().message);
    return true;
}

}  // namespace hearth::hub
