#pragma once
// What the hub does at once when asked: activates a scene, undoes the last change, and carries
// out any assist::Plan — the undo snapshot first, then the commands, then one trace of what was
// sent (kept by the rule host until the devices confirm).
//
// Hub thread only. Everything it is given outlives it.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "assist/plan.hpp"
#include "devices/registry.hpp"
#include "hub/definitions.hpp"
#include "hub/rule_host.hpp"
#include "hub/undo_history.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"

namespace hearth::hub {

class Actions {
public:
    Actions(const devices::Registry& registry, const Definitions& definitions, UndoHistory& undo, RuleHost& host,
            SendCommand send_command);

    /// Snapshots the pre-state onto the undo stack, then sends the differences. `transition`
    /// overrides every target's transition.
    proto::Result<nlohmann::json> activate_scene(const proto::SceneId& id, std::optional<double> transition);
    /// Pops the undo stack and restores it; not_found when it is empty.
    proto::Result<nlohmann::json> undo();

    struct Delivery {
        Sent sent;
        nlohmann::json refused;  // [{"code", "message", "device", …}]
    };
    /// Carries out a plan whose dispatch is send.
    Delivery carry_out(const assist::Plan& plan, const std::string& context_id);

    /// The home as a plan sees it now.
    assist::HomeView home_view() const;

private:
    const devices::Registry& registry_;
    const Definitions& definitions_;
    UndoHistory& undo_;
    RuleHost& host_;
    SendCommand send_command_;
};

}  // namespace hearth::hub
