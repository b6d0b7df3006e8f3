#pragma once
// The home's scene and rule definitions. Loaded from the store at start (seeded once from the home
// file while nothing is stored), created, replaced and deleted over the API, and exported and
// imported with the areas and devices as one home document. Rules are installed into the rule
// host's engine, which plans scenes from this scene book. A definition that does not parse loads
// as unavailable with its reason; the hub still starts.
//
// Hub thread only. Writes answer through a callback that runs after the SQLite commit; the
// in-memory change is applied at the same moment, so a reply that says "saved" is both durable and
// in effect. The registry, store and rule host outlive it.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "devices/registry.hpp"
#include "hub/answer.hpp"
#include "hub/rule_host.hpp"
#include "hub/store.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"
#include "scenes/calendar.hpp"
#include "scenes/scene.hpp"

namespace hearth::hub {

class Definitions {
public:
    /// `scenes_changed` is called whenever the scene book changed or was re-checked.
    Definitions(devices::Registry& registry, Store& store, RuleHost& host, std::function<void()> scenes_changed);

    /// Reads the home's location, scenes and rules: the stored ones, or the home file's while
    /// nothing is stored (remembered, so deleting every scene does not bring them back). Makes the
    /// host's engine over the scene book once the scenes are in, then installs the rules. Only an
    /// unreadable home file fails.
    proto::Result<void> load(const std::vector<Document>& documents, const nlohmann::json& home);

    const scenes::SceneBook& scenes() const noexcept { return scenes_; }
    const scenes::Place& place() const noexcept { return place_; }
    bool has_rule(const proto::RuleId& id) const { return rules_.contains(id); }
    /// Re-checks scenes and rules against the registry after devices or areas changed.
    void resolve();

    // ---- scenes ----
    nlohmann::json scenes_json() const;
    proto::Result<nlohmann::json> scene_json(const proto::SceneId& id) const;
    /// Creates (`replace` empty: the id must be new) or replaces the scene `replace`.
    void put_scene(const nlohmann::json& definition, std::optional<proto::SceneId> replace, Answer done);
    void delete_scene(const proto::SceneId& id, Answer done);
    /// Saves the current state of `devices` (or of every device in `area`) as a new scene.
    void snapshot_scene(const nlohmann::json& request, Answer done);

    // ---- rules ----
    nlohmann::json rules_json() const;
    proto::Result<nlohmann::json> rule_json(const proto::RuleId& id) const;
    void put_rule(const nlohmann::json& definition, std::optional<proto::RuleId> replace, Answer done);
    void delete_rule(const proto::RuleId& id, Answer done);
    void set_rule_enabled(const proto::RuleId& id, bool enabled, Answer done);
    /// Starts the rule now as if a trigger had fired (its conditions still apply).
    proto::Result<nlohmann::json> run_rule(const proto::RuleId& id);
    proto::Result<nlohmann::json> rule_traces(const proto::RuleId& id, std::size_t limit) const;

    // ---- the whole home ----
    /// Areas, devices, scenes, rules and location as one YAML document.
    std::string export_yaml() const;
    /// Merges a home document (YAML or JSON): areas, devices, scenes and rules are added or
    /// replaced; nothing is removed. Every definition is checked first; one bad entry refuses all.
    void import_yaml(const std::string& text, Answer done);

private:
    proto::Result<void> read_home(const nlohmann::json& home, nlohmann::json& home_scenes,
                                       nlohmann::json& home_rules);
    proto::Result<void> install_rule(const nlohmann::json& definition);
    nlohmann::json scene_view(const proto::SceneId& id, const scenes::SceneEntry& entry) const;
    nlohmann::json rule_view(const proto::RuleId& id) const;

    devices::Registry& registry_;
    Store& store_;
    RuleHost& host_;
    std::function<void()> scenes_changed_;
    scenes::Place place_;
    scenes::SceneBook scenes_;
    std::map<proto::SceneId, std::string> broken_scenes_;  // stored definitions that do not parse
    std::map<proto::RuleId, nlohmann::json> rules_;        // definitions as given
    std::map<proto::RuleId, std::string> broken_rules_;
};

}  // namespace hearth::hub
