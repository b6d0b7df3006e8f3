#include "scenes/scene.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

namespace hearth::scenes {

using proto::Errc;
using proto::make_error;

namespace {

proto::Error prefixed(std::string prefix, proto::Error e) {
    e.field = e.field.empty() ? prefix : prefix + "." + e.field;
    return e;
}

proto::Result<std::optional<double>> transition_from(const nlohmann::json& j) {
    if (!j.contains("transition")) return std::optional<double>{};
    const auto& t = j["transition"];
    if (!t.is_number() || t.get<double>() < 0 || t.get<double>() > 3600) {
        return make_error(Errc::invalid_field, "transition is a number of seconds, 0–3600", "transition");
    }
    return std::optional<double>{t.get<double>()};
}

proto::Result<TargetValue> target_value_from(const nlohmann::json& j) {
    if (j.is_object()) {
        if (j.size() != 1 || !j.contains("expr") || !j["expr"].is_string()) {
            return make_error(Errc::invalid_field, "a target value is a scalar or {\"expr\": \"…\"}");
        }
        auto e = Expression::parse(j["expr"].get<std::string>());
        if (!e) return prefixed("expr", e.error());
        return TargetValue{std::move(*e)};
    }
    auto v = proto::value_from_json(j);
    if (!v || proto::is_null(*v)) return make_error(Errc::invalid_field, "a target value is a bool, number or text");
    return TargetValue{std::move(*v)};
}

proto::Result<Target> target_from(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::invalid_field, "a target is an object");
    if (!j.contains("device") || !j["device"].is_string() || !proto::is_valid_id(j["device"].get<std::string>())) {
        return make_error(Errc::invalid_field, "device must be a device id", "device");
    }
    Target t;
    t.device = proto::DeviceId{j["device"].get<std::string>()};
    auto transition = transition_from(j);
    if (!transition) return transition.error();
    t.transition = *transition;
    if (!j.contains("state") || !j["state"].is_object() || j["state"].empty()) {
        return make_error(Errc::invalid_field, "state is an object of attribute targets", "state");
    }
    for (const auto& [attribute, value] : j["state"].items()) {
        if (attribute == proto::kTransitionKey || attribute == proto::kContextKey) {
            return make_error(Errc::invalid_field, attribute + " is not an attribute", "state." + attribute);
        }
        auto v = target_value_from(value);
        if (!v) return prefixed("state." + attribute, v.error());
        t.state.emplace(attribute, std::move(*v));
    }
    return t;
}

bool turns_off(const Target& target) {
    const auto it = target.state.find("on");
    if (it == target.state.end()) return false;
    const auto* v = std::get_if<proto::Value>(&it->second);
    return v && proto::as_bool(*v) && !*proto::as_bool(*v);
}

}  // namespace

double fit_to(const proto::Capability& c, double v) {
    if (c.step && *c.step > 0) v = std::round(v / *c.step) * *c.step;
    if (c.min) v = std::max(v, *c.min);
    if (c.max) v = std::min(v, *c.max);
    return v;
}

proto::Result<Scene> scene_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::invalid_field, "a scene is an object");
    if (!j.contains("id") || !j["id"].is_string() || !proto::is_valid_id(j["id"].get<std::string>())) {
        return make_error(Errc::invalid_field, "id must be 1–64 characters of a-z 0-9 _ - .", "id");
    }
    Scene s;
    s.id = proto::SceneId{j["id"].get<std::string>()};
    if (j.contains("name")) {
        auto name = proto::name_from_json(j["name"]);
        if (!name) return name.error();
        s.name = std::move(*name);
    }
    if (j.contains("area")) {
        if (!j["area"].is_string() || !proto::is_valid_id(j["area"].get<std::string>())) {
            return make_error(Errc::invalid_field, "area must be an area id", "area");
        }
        s.area = proto::AreaId{j["area"].get<std::string>()};
    }
    auto transition = transition_from(j);
    if (!transition) return transition.error();
    s.transition = *transition;
    if (!j.contains("targets") || !j["targets"].is_array() || j["targets"].empty()) {
        return make_error(Errc::invalid_field, "targets is a non-empty list", "targets");
    }
    std::set<proto::DeviceId> seen;
    for (std::size_t i = 0; i < j["targets"].size(); ++i) {
        const auto field = "targets[" + std::to_string(i) + "]";
        auto t = target_from(j["targets"][i]);
        if (!t) return prefixed(field, t.error());
        if (!seen.insert(t->device).second) {
            return make_error(Errc::conflict, t->device.value + " has two targets", field + ".device");
        }
        s.targets.push_back(std::move(*t));
    }
    return s;
}

nlohmann::json to_json(const TargetValue& value) {
    if (const auto* e = std::get_if<Expression>(&value)) return {{"expr", e->source()}};
    return proto::to_json(std::get<proto::Value>(value));
}

nlohmann::json to_json(const Scene& scene) {
    auto j = nlohmann::json{{"id", scene.id.value}, {"name", proto::to_json(scene.name)}};
    if (!scene.area.empty()) j["area"] = scene.area.value;
    if (scene.transition) j["transition"] = proto::to_json(proto::Value{*scene.transition});
    auto targets = nlohmann::json::array();
    for (const auto& t : scene.targets) {
        auto state = nlohmann::json::object();
        for (const auto& [attribute, value] : t.state) state[attribute] = to_json(value);
        auto target = nlohmann::json{{"device", t.device.value}, {"state", std::move(state)}};
        if (t.transition) target["transition"] = proto::to_json(proto::Value{*t.transition});
        targets.push_back(std::move(target));
    }
    j["targets"] = std::move(targets);
    return j;
}

std::string scene_problem(const Scene& scene, const devices::Registry& registry) {
    for (const auto& target : scene.targets) {
        const auto* device = registry.find(target.device);
        if (!device) return "device " + target.device.value + " does not exist";
        for (const auto& [attribute, value] : target.state) {
            const auto* c = device->description.find(attribute);
            if (!c || !proto::has(c->access, proto::Access::write)) {
                return target.device.value + " has no writable attribute " + attribute;
            }
            const auto* e = std::get_if<Expression>(&value);
            if (!e) continue;
            for (const auto& ref : e->references()) {
                if (!registry.find(ref.device)) return "expression reads unknown device " + ref.device.value;
            }
        }
    }
    return {};
}

std::vector<proto::DeviceId> Plan::devices() const {
    std::vector<proto::DeviceId> out;
    for (const auto& c : commands) out.push_back(c.device);
    return out;
}

Plan plan_scene(const Scene& scene, const devices::Registry& registry, const EvalContext& context,
                std::string_view context_id) {
    Plan plan;
    for (const auto& target : scene.targets) {
        const auto* device = registry.find(target.device);
        if (!device) {
            plan.skipped.push_back(make_error(Errc::unknown_device, "no device " + target.device.value, target.device.value));
            continue;
        }
        proto::Command command;
        command.context_id = std::string(context_id);
        std::optional<proto::Error> failure;
        for (const auto& [attribute, target_value] : target.state) {
            const auto current = device->state.find(attribute);
            const proto::Value* now = current == device->state.end() ? nullptr : &current->second;
            proto::Value wanted;
            if (const auto* e = std::get_if<Expression>(&target_value)) {
                auto ctx = context;
                ctx.registry = &registry;
                ctx.current = now;
                auto v = e->evaluate(ctx);
                if (!v) {
                    failure = make_error(v.error().code, target.device.value + "." + attribute + ": " + v.error().message,
                                         target.device.value);
                    break;
                }
                wanted = std::move(*v);
                const auto* c = device->description.find(attribute);
                if (c && proto::as_number(wanted)) wanted = fit_to(*c, *proto::as_number(wanted));
            } else {
                wanted = std::get<proto::Value>(target_value);
            }
            if (!now || *now != wanted) command.set.emplace(attribute, std::move(wanted));
        }
        if (failure) {
            plan.skipped.push_back(std::move(*failure));
            continue;
        }
        if (command.set.empty()) continue;
        if (turns_off(target)) command.set.insert_or_assign("on", proto::Value{false});
        command.transition = target.transition ? target.transition : scene.transition;
        auto valid = registry.validate(target.device, command);
        if (!valid) {
            auto e = valid.error();
            e.message = target.device.value + ": " + e.message;
            plan.skipped.push_back(std::move(e));
            continue;
        }
        plan.commands.push_back({target.device, std::move(*valid)});
    }
    return plan;
}

SceneLoad load_scenes(const nlohmann::json& list, const devices::Registry& registry) {
    SceneLoad out;
    if (!list.is_array()) {
        out.errors.push_back(make_error(Errc::invalid_field, "scenes must be a list", "scenes"));
        return out;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto field = "scenes[" + std::to_string(i) + "]";
        auto scene = scene_from_json(list[i]);
        if (!scene) {
            out.errors.push_back(prefixed(field, scene.error()));
            continue;
        }
        if (out.scenes.contains(scene->id)) {
            out.errors.push_back(make_error(Errc::conflict, "scene " + scene->id.value + " appears twice", field + ".id"));
            continue;
        }
        auto problem = scene_problem(*scene, registry);
        const auto id = scene->id;
        out.scenes.emplace(id, SceneEntry{std::move(*scene), std::move(problem)});
    }
    return out;
}

void resolve_scenes(SceneBook& scenes, const devices::Registry& registry) {
    for (auto& [id, entry] : scenes) entry.problem = scene_problem(entry.scene, registry);
}

}  // namespace hearth::scenes
