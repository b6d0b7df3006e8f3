#include "assist/plan.hpp"

#include "proto/json.hpp"
#include "nlu/speech.hpp"
#include "nlu/text.hpp"

namespace hearth::assist {

using nlohmann::json;
using nlu::Outcome;
using nlu::Understanding;

namespace {

json errors_json(const std::vector<proto::Error>& errors) {
    auto out = json::array();
    for (const auto& e : errors) out.push_back(proto::to_json(e));
    return out;
}

// The recogniser's speech follows the input's script; so do the replies made here.
std::string in_script(const Understanding& u, std::string speech) {
    if (u.language != nlu::Language::zh || u.script != nlu::Script::hant) return speech;
    return nlu::shared_normalizer().to_traditional(speech);
}

json utterance_trigger(const Understanding& u, const ConversationRequest& request) {
    json trigger{{"kind", "utterance"}, {"text", request.text}, {"area", request.area ? request.area->value : ""}};
    if (u.intent) {
        trigger["intent"] = u.intent->name;
        trigger["slots"] = proto::to_json(u.intent->slots);
        trigger["confidence"] = u.intent->confidence;
    }
    if (!u.parts.empty()) {
        auto intents = json::array();
        for (const auto& p : u.parts) intents.push_back(p.intent ? json(p.intent->name) : json(nullptr));
        trigger["intents"] = std::move(intents);
    }
    return trigger;
}

const scenes::SceneEntry* usable_scene(const HomeView& home, const proto::SceneId& id) {
    const auto it = home.scenes.find(id);
    if (it == home.scenes.end() || !it->second.problem.empty()) return nullptr;
    return &it->second;
}

std::string scene_name(const HomeView& home, const proto::SceneId& id, const nlu::Speech& speech) {
    const auto it = home.scenes.find(id);
    if (it == home.scenes.end()) return id.value;
    const auto name = speech.name(it->second.scene.name);
    return name.empty() ? id.value : name;
}

// What a voice request sends is one change: one undo snapshot of every device it touches.
void send_as_one_change(Plan& plan, const std::string& text, const std::string& context_id, const HomeView& home) {
    std::vector<proto::DeviceId> devices;
    for (const auto& c : plan.commands) devices.push_back(c.device);
    plan.undo_snapshot = scenes::take_snapshot(home.registry, devices, home.now, "voice " + text, context_id);
    plan.dispatch = Dispatch::send;
}

void plan_parts(const Understanding& u, const ConversationRequest& request, const HomeView& home, Plan& plan) {
    const auto add = [&](const proto::DeviceId& device, const proto::Command& command) {
        for (auto& c : plan.commands) {
            if (c.device != device) continue;
            for (const auto& [name, value] : command.set) c.command.set[name] = value;
            return;
        }
        plan.commands.push_back({device, command});
    };
    auto skipped = json::array();
    for (std::size_t i = 0; i < u.parts.size(); ++i) {
        const auto& part = u.parts[i];
        json detail{{"part", part.text}, {"outcome", std::string(nlu::to_string(part.outcome))}};
        if (part.outcome == Outcome::command) {
            auto ids = json::array();
            for (const auto& c : part.commands) {
                add(c.device, c.command);
                ids.push_back(c.device.value);
            }
            detail["devices"] = std::move(ids);
        }
        const bool scene_part = part.outcome == Outcome::scene || (part.outcome == Outcome::custom && part.scene);
        if (scene_part && part.scene) {
            detail["scene"] = part.scene->value;
            if (const auto* entry = usable_scene(home, *part.scene)) {
                const scenes::EvalContext context{&home.registry, nullptr, home.now, home.place};
                const auto activation = scenes::plan_activation(entry->scene, home.registry, context, u.context_id);
                for (const auto& c : activation.plan.commands) add(c.device, c.command);
                for (auto& e : errors_json(activation.plan.skipped)) skipped.push_back(std::move(e));
            } else {
                skipped.push_back({{"scene", part.scene->value}, {"message", "the scene cannot be used right now"}});
            }
        }
        const bool scene_step = detail.contains("scene");
        plan.steps.push_back({{home.now, "parts[" + std::to_string(i) + "]", scene_step ? "scene" : "command", std::move(detail), ""}});
    }
    plan.skipped = std::move(skipped);
    if (request.dry_run || plan.commands.empty()) {
        plan.dispatch = Dispatch::report;
        plan.steps.clear();
        return;
    }
    send_as_one_change(plan, request.text, u.context_id, home);
}

void plan_commands(const Understanding& u, const ConversationRequest& request, const HomeView& home, Plan& plan) {
    if (request.dry_run || u.commands.empty()) return;
    auto ids = json::array();
    for (const auto& c : u.commands) {
        plan.commands.push_back({c.device, c.command});
        ids.push_back(c.device.value);
    }
    plan.steps.push_back({{home.now, "command", "command", {{"devices", std::move(ids)}}, ""}});
    send_as_one_change(plan, request.text, u.context_id, home);
}

void plan_voice_scene(const Understanding& u, const proto::SceneId& id, const ConversationRequest& request,
                      const HomeView& home, Plan& plan) {
    const auto* entry = usable_scene(home, id);
    if (!entry) {
        const nlu::Speech speech(u.language);
        plan.understood = false;
        plan.speech = in_script(u, speech.scene_unavailable(scene_name(home, id, speech)));
        return;
    }
    auto scene = plan_scene(entry->scene, home, u.context_id, plan.trigger);
    plan.dispatch = request.dry_run ? Dispatch::report : Dispatch::send;
    plan.commands = std::move(scene.commands);
    plan.skipped = std::move(scene.skipped);
    if (request.dry_run) return;
    plan.undo_snapshot = std::move(scene.undo_snapshot);
    plan.steps = std::move(scene.steps);
}

void plan_voice_undo(const Understanding& u, const HomeView& home, Plan& plan) {
    if (!home.last_undo) {
        plan.speech = in_script(u, nlu::Speech(u.language).nothing_to_undo());
        return;
    }
    auto undo = plan_undo(*home.last_undo, home, u.context_id, plan.trigger);
    undo.understood = plan.understood;
    undo.speech = plan.speech;
    plan = std::move(undo);
}

std::vector<HeardIntent> heard_intents(const Understanding& u) {
    std::vector<HeardIntent> heard;
    const auto hear = [&](const Understanding& part) {
        if (!part.understood || !part.intent) return;
        heard.push_back({part.intent->name, part.intent->slots});
        if (const auto mood = part.intent->slots.find("mood"); mood != part.intent->slots.end()) {
            if (const auto* name = std::get_if<std::string>(&mood->second)) heard.push_back({*name, part.intent->slots});
        }
    };
    if (u.parts.empty()) hear(u);
    for (const auto& p : u.parts) hear(p);
    return heard;
}

}  // namespace

Plan plan_utterance(const Understanding& u, const ConversationRequest& request, const HomeView& home) {
    Plan plan;
    plan.at = home.now;
    plan.trace_rule = proto::RuleId{kVoiceTraces};
    plan.trigger = utterance_trigger(u, request);
    plan.understood = u.understood;
    plan.speech = u.speech;
    if (!u.parts.empty()) {
        plan_parts(u, request, home, plan);
    } else {
        switch (u.outcome) {
            case Outcome::command: plan_commands(u, request, home, plan); break;
            case Outcome::scene:
                if (u.scene) plan_voice_scene(u, *u.scene, request, home, plan);
                break;
            case Outcome::custom:
                if (u.scene) {
                    plan_voice_scene(u, *u.scene, request, home, plan);
                } else if (u.rule && !request.dry_run) {
                    plan.rule = u.rule;
                    plan.speech_if_rule_refused = in_script(u, nlu::Speech(u.language).rule_unavailable(u.rule->value));
                }
                break;
            case Outcome::undo:
                if (!request.dry_run) plan_voice_undo(u, home, plan);
                break;
            default: break;
        }
    }
    if (!request.dry_run && u.understood) plan.intents = heard_intents(u);
    return plan;
}

Plan plan_scene(const scenes::Scene& scene, const HomeView& home, const std::string& context_id, json trigger) {
    const scenes::EvalContext context{&home.registry, nullptr, home.now, home.place};
    auto activation = scenes::plan_activation(scene, home.registry, context, context_id);
    Plan plan;
    plan.dispatch = Dispatch::send;
    plan.at = home.now;
    plan.trace_rule = proto::RuleId{kSceneTraces};
    plan.trigger = std::move(trigger);
    plan.commands = std::move(activation.plan.commands);
    plan.undo_snapshot = std::move(activation.snapshot);
    plan.skipped = errors_json(activation.plan.skipped);
    plan.steps.push_back({{home.now, "scene", "scene", {{"scene", scene.id.value}, {"skipped", *plan.skipped}}, ""}, true});
    plan.understood = true;
    return plan;
}

Plan plan_undo(const scenes::Snapshot& snapshot, const HomeView& home, const std::string& context_id, json trigger) {
    auto restore = scenes::plan_undo(snapshot, home.registry, context_id);
    Plan plan;
    plan.dispatch = Dispatch::send;
    plan.pops_undo = true;
    plan.at = home.now;
    plan.trace_rule = proto::RuleId{kUndoTraces};
    trigger["undoes"] = snapshot.label;
    trigger["undoes_context"] = snapshot.context_id;
    plan.trigger = std::move(trigger);
    plan.commands = std::move(restore.commands);
    plan.skipped = errors_json(restore.skipped);
    plan.steps.push_back({{home.now, "undo", "undo", json::object(), ""}, true});
    plan.understood = true;
    return plan;
}

json commands_json(const std::vector<scenes::DeviceCommand>& commands) {
    std::vector<std::pair<proto::DeviceId, proto::Command>> pairs;
    for (const auto& c : commands) pairs.emplace_back(c.device, c.command);
    return commands_json(pairs);
}

json commands_json(const std::vector<std::pair<proto::DeviceId, proto::Command>>& commands) {
    auto out = json::array();
    for (const auto& [device, command] : commands) {
        out.push_back({{"device", device.value}, {"set", proto::to_json(command.set)}, {"context_id", command.context_id}});
        if (command.transition) out.back()["transition"] = *command.transition;
    }
    return out;
}

}  // namespace hearth::assist
