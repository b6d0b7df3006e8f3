#include "hub/actions.hpp"

#include <chrono>

#include "hub/answer.hpp"
#include "hub/context_id.hpp"
#include "proto/json.hpp"

namespace hearth::hub {

using proto::Errc;
using nlohmann::json;

namespace {

// The cause of what the hub does on its own account: the utterance, the undo or the scene.
proto::Context own_cause(const std::string& context_id, const assist::Plan& plan) {
    if (plan.trace_rule.value == assist::kVoiceTraces) {
        return {context_id, {}, proto::Cause::voice, plan.trigger.value("text", "")};
    }
    if (plan.trace_rule.value == assist::kUndoTraces) return {context_id, {}, proto::Cause::undo, plan.trigger.value("kind", "")};
    return {context_id, {}, proto::Cause::scene, plan.trigger.value("scene", "")};
}

json sent_devices(const Sent& sent) {
    auto ids = json::array();
    for (const auto& [device, command] : sent) ids.push_back(device.value);
    return ids;
}

}  // namespace

Actions::Actions(const devices::Registry& registry, const Definitions& definitions, UndoHistory& undo, RuleHost& host,
                 SendCommand send_command)
    : registry_(registry), definitions_(definitions), undo_(undo), host_(host), send_command_(std::move(send_command)) {}

assist::HomeView Actions::home_view() const {
    return {registry_, definitions_.scenes(), undo_.top(), definitions_.place(), host_.now()};
}

Actions::Delivery Actions::carry_out(const assist::Plan& plan, const std::string& context_id) {
    if (plan.pops_undo) (void)undo_.pop();
    if (plan.undo_snapshot) undo_.push(*plan.undo_snapshot);
    Delivery delivery{{}, json::array()};
    const auto cause = own_cause(context_id, plan);
    for (const auto& c : plan.commands) {
        auto r = send_command_(c.device, c.command, cause, context_id);
        if (!r) {
            auto e = proto::to_json(r.error());
            e["device"] = c.device.value;
            delivery.refused.push_back(std::move(e));
            continue;
        }
        delivery.sent.emplace_back(c.device, std::move(*r));
    }
    auto trace = immediate_trace(context_id, plan.trace_rule.value, plan.trigger, delivery.sent, plan.at);
    for (const auto& step : plan.steps) {
        trace.steps.push_back(step.record);
        if (step.lists_sent_devices) trace.steps.back().detail["devices"] = sent_devices(delivery.sent);
    }
    host_.record_own(std::move(trace));
    return delivery;
}

proto::Result<json> Actions::activate_scene(const proto::SceneId& id, std::optional<double> transition) {
    const auto& book = definitions_.scenes();
    const auto it = book.find(id);
    if (it == book.end()) return proto::make_error(Errc::not_found, "no scene with id '" + id.value + "'", "id");
    if (!it->second.problem.empty()) {
        return proto::make_error(Errc::device_unavailable, "scene " + id.value + " is unavailable: " + it->second.problem);
    }
    auto scene = it->second.scene;
    if (transition) {
        if (*transition < 0 || *transition > 3600) {
            return proto::make_error(Errc::out_of_range, "transition is 0–3600 seconds", "transition");
        }
        scene.transition = *transition;
        for (auto& target : scene.targets) target.transition.reset();
    }
    const auto context_id = new_context_id();
    const auto plan = assist::plan_scene(scene, home_view(), context_id, {{"kind", "api"}, {"action", "activate"}, {"scene", id.value}});
    const auto delivery = carry_out(plan, context_id);
    host_.after_engine();
    return ok(json{{"scene", id.value},
                   {"context_id", context_id},
                   {"skipped", plan.skipped.value_or(json::array())},
                   {"commands", assist::commands_json(delivery.sent)},
                   {"refused", delivery.refused},
                   {"trace", context_id}});
}

proto::Result<json> Actions::undo() {
    const auto* last = undo_.top();
    if (!last) return proto::make_error(Errc::not_found, "there is nothing to undo");
    const auto context_id = new_context_id();
    const auto plan = assist::plan_undo(*last, home_view(), context_id, {{"kind", "api"}, {"action", "undo"}});
    const auto label = last->label, undoes_context = last->context_id;
    const auto delivery = carry_out(plan, context_id);
    return ok(json{{"undone", true},
                   {"label", label},
                   {"undoes_context", undoes_context},
                   {"commands", assist::commands_json(delivery.sent)},
                   {"refused", delivery.refused},
                   {"skipped", plan.skipped.value_or(json::array())},
                   {"context_id", context_id},
                   {"remaining", undo_.size()}});
}

}  // namespace hearth::hub
