#pragma once
// A scene: named target states, per device and attribute, with an optional transition. Applying
// one plans only the differences from the current state. Definitions are JSON (and so YAML):
//
//   {"id": "sleep", "name": {"zh": "睡眠", "en": "sleep"}, "area": "bedroom", "transition": 3,
//    "targets": [{"device": "bedroom.ceiling_light", "transition": 10,
//                 "state": {"on": true, "brightness": 10,
//                           "color_temp": {"expr": "clamp(current - 500, 2700, 6500)"}}}]}
//
// A target value is a scalar, or {"expr": "…"} in the expression language (scenes/expression.hpp),
// whose result is clamped to the attribute's range and rounded to its step.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "devices/registry.hpp"
#include "proto/command.hpp"
#include "proto/device.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"
#include "scenes/expression.hpp"

namespace hearth::scenes {

/// A constant, or an expression evaluated when the scene is applied.
using TargetValue = std::variant<proto::Value, Expression>;

struct Target {
    proto::DeviceId device;
    std::map<std::string, TargetValue, std::less<>> state;
    std::optional<double> transition;  // seconds; overrides the scene's
};

struct Scene {
    proto::SceneId id;
    proto::LocalizedName name;
    proto::AreaId area;
    std::optional<double> transition;  // seconds
    std::vector<Target> targets;
};

/// Errors name the offending field ("targets[1].state.brightness").
proto::Result<Scene> scene_from_json(const nlohmann::json& j);
nlohmann::json to_json(const Scene& scene);
nlohmann::json to_json(const TargetValue& value);

/// Why the scene cannot be applied as defined (a device or attribute that does not exist or
/// cannot be written, an expression naming an unknown device), or empty when it can.
std::string scene_problem(const Scene& scene, const devices::Registry& registry);

/// Rounds a number to the capability's step and clamps it to its range.
double fit_to(const proto::Capability& capability, double value);

/// One command for one device, validated against its capabilities.
struct DeviceCommand {
    proto::DeviceId device;
    proto::Command command;
    friend bool operator==(const DeviceCommand&, const DeviceCommand&) = default;
};

/// What applying a scene would send; targets that cannot be applied now (unknown or offline device,
/// an expression that fails) are listed in `skipped` and do not stop the rest.
struct Plan {
    std::vector<DeviceCommand> commands;
    std::vector<proto::Error> skipped;
    /// The devices the plan sends commands to.
    std::vector<proto::DeviceId> devices() const;
};

/// Plans only the differences from the registry's current state. A device whose target turns it
/// off gets `on: false` in every command, so restoring a level (brightness, colour temperature)
/// never switches it on. `context` supplies time and place for expressions; its registry and
/// current fields are set per target. Commands carry `context_id`.
Plan plan_scene(const Scene& scene, const devices::Registry& registry, const EvalContext& context,
                std::string_view context_id = {});

/// A set of scenes by id, each with the reason it is unavailable (empty when usable).
struct SceneEntry {
    Scene scene;
    std::string problem;
};
using SceneBook = std::map<proto::SceneId, SceneEntry>;

struct SceneLoad {
    SceneBook scenes;
    std::vector<proto::Error> errors;  // definitions that did not parse, by field ("scenes[2].id")
};

/// Loads a list of scene definitions. A definition that does not parse is reported and left out;
/// one that does not resolve against the registry loads with its problem. Never throws.
SceneLoad load_scenes(const nlohmann::json& list, const devices::Registry& registry);

/// Re-checks every scene against the registry (after devices appear or disappear).
void resolve_scenes(SceneBook& scenes, const devices::Registry& registry);

}  // namespace hearth::scenes
