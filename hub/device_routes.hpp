#pragma once
// REST routes for devices, their history, adapters and commands under /api/v1, and the
// WebSocket's command request.
// Hub thread only; what the links refer to outlives the router.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hub/router.hpp"
#include "proto/command.hpp"
#include "proto/context.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"
#include "rules/trace_book.hpp"

#include <nlohmann/json_fwd.hpp>

namespace hearth::devices {
class Registry;
namespace adapters {
class Adapter;
}
}  // namespace hearth::devices

namespace hearth::hub {

class Clock;
class LiveFeed;
class Store;

/// What the device routes use of the hub.
struct DeviceRouteLinks {
    const devices::Registry& registry;
    const Store& store;  // history
    const Clock& clock;  // the default window of a history query
    /// Native first, then the ecosystems; the list may grow after the routes are added.
    const std::vector<std::unique_ptr<devices::adapters::Adapter>>& adapters;
    /// Validates and sends an app's command (Hub::send_command); returns exactly what was sent.
    std::function<proto::Result<proto::Command>(const proto::DeviceId&, proto::Command, const proto::Context& cause)>
        send_command;
    /// Calls back once a command held for the broker is sent or refused; false when it was not
    /// held (Hub::when_settled).
    std::function<bool(const std::string& context_id, std::function<void(const rules::Settlement&)>)> when_settled;
};

void add_device_routes(Router& router, DeviceRouteLinks links);

/// The answer to an app's command (REST and WebSocket): sent — at once, or after `held_ms` waiting
/// for the broker — or refused with the error (broker_unavailable) after being held.
nlohmann::json command_answer(const proto::DeviceId& device, const proto::Command& sent,
                              const rules::Settlement* settlement = nullptr);

/// The WebSocket's `command` request: {"device", "set": {attributes}, "transition"?}.
void add_device_requests(LiveFeed& live, DeviceRouteLinks links);

}  // namespace hearth::hub
