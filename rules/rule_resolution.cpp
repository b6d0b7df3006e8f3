// rule_problem(): a parsed rule checked against the home — every device, attribute, area and scene
// it names exists and is available.
#include "rules/rule.hpp"

#include <type_traits>
#include <variant>

namespace hearth::rules {

namespace {

struct Resolver {
    const devices::Registry& registry;
    const scenes::SceneBook& scenes;
    std::string problem;

    bool device(const proto::DeviceId& id, std::string_view attribute = {}) {
        if (!problem.empty()) return false;
        const auto* d = registry.find(id);
        if (!d) {
            problem = "device " + id.value + " does not exist";
            return false;
        }
        if (!attribute.empty() && !d->description.find(attribute)) {
            problem = id.value + " has no attribute " + std::string(attribute);
            return false;
        }
        if (!d->problem.empty()) {
            problem = "device " + id.value + " is unavailable: " + d->problem;
            return false;
        }
        return true;
    }

    void expression(const scenes::Expression& e) {
        for (const auto& ref : e.references()) device(ref.device);
    }

    void trigger(const Trigger& t) {
        std::visit(
            [&](const auto& w) {
                using T = std::decay_t<decltype(w)>;
                if constexpr (std::is_same_v<T, StateTrigger> || std::is_same_v<T, NumericTrigger>) {
                    device(w.device, w.attribute);
                } else if constexpr (std::is_same_v<T, EventTrigger> || std::is_same_v<T, AvailabilityTrigger>) {
                    device(w.device);
                }
            },
            t.what);
    }

    void condition(const Condition& c) {
        std::visit(
            [&](const auto& w) {
                using T = std::decay_t<decltype(w)>;
                if constexpr (std::is_same_v<T, StateCondition>) device(w.device, w.attribute);
                else if constexpr (std::is_same_v<T, SomeoneHomeCondition>) {
                    for (const auto& s : w.sensors) device(s, "occupancy");
                } else if constexpr (std::is_same_v<T, AndCondition>) {
                    for (const auto& x : w.all) condition(x);
                } else if constexpr (std::is_same_v<T, OrCondition>) {
                    for (const auto& x : w.any) condition(x);
                } else if constexpr (std::is_same_v<T, NotCondition>) {
                    for (const auto& x : w.none) condition(x);
                } else if constexpr (std::is_same_v<T, ExpressionCondition>) {
                    expression(w.expression);
                }
            },
            c.what);
    }

    void action(const Action& a) {
        std::visit(
            [&](const auto& w) {
                using T = std::decay_t<decltype(w)>;
                if constexpr (std::is_same_v<T, CommandAction>) {
                    if (w.target.device) {
                        if (!device(*w.target.device)) return;
                        const auto* d = registry.find(*w.target.device);
                        for (const auto& [attribute, value] : w.set) {
                            const auto* c = d->description.find(attribute);
                            if ((!c || !proto::has(c->access, proto::Access::write)) && problem.empty()) {
                                problem = w.target.device->value + " has no writable attribute " + attribute;
                            }
                        }
                    }
                    if (w.target.area && !registry.find_area(*w.target.area) && problem.empty()) {
                        problem = "area " + w.target.area->value + " does not exist";
                    }
                    for (const auto& [attribute, value] : w.set) {
                        if (const auto* e = std::get_if<scenes::Expression>(&value)) expression(*e);
                    }
                } else if constexpr (std::is_same_v<T, SceneAction>) {
                    const auto it = scenes.find(w.scene);
                    if (it == scenes.end() && problem.empty()) problem = "scene " + w.scene.value + " does not exist";
                } else if constexpr (std::is_same_v<T, WaitAction>) {
                    trigger(w.trigger);
                } else if constexpr (std::is_same_v<T, ChooseAction>) {
                    for (const auto& b : w.branches) {
                        for (const auto& c : b.conditions) condition(c);
                        for (const auto& x : b.actions) action(x);
                    }
                    for (const auto& x : w.otherwise) action(x);
                }
            },
            a.what);
    }
};

}  // namespace

std::string rule_problem(const Rule& rule, const devices::Registry& registry, const scenes::SceneBook& scenes) {
    Resolver r{registry, scenes, {}};
    for (const auto& t : rule.triggers) r.trigger(t);
    for (const auto& c : rule.conditions) r.condition(c);
    for (const auto& a : rule.actions) r.action(a);
    return r.problem;
}

}  // namespace hearth::rules
