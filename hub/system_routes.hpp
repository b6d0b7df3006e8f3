#pragma once
// REST routes for health, metrics, the OpenAPI document, tokens and notifications.
// Hub thread only; what the links refer to outlives the router.
#include <chrono>
#include <cstddef>
#include <functional>

#include <nlohmann/json_fwd.hpp>

#include "hub/broker_status.hpp"
#include "hub/access.hpp"
#include "hub/flood_guard.hpp"
#include "hub/http_server.hpp"
#include "hub/router.hpp"
#include "scenes/time_zone.hpp"

namespace hearth::devices {
class Registry;
}

namespace hearth::hub {

class Clock;
class LiveFeed;
class Store;
struct HubStats;
class LabelledCounter;

/// What the system routes use of the hub.
struct SystemRouteLinks {
    const devices::Registry& registry;
    Store& store;    // store statistics, token documents, notifications
    Tokens& tokens;
    const LiveFeed& live;    // WebSocket figures for the metrics
    const HubStats& stats;
    const Clock& clock;
    std::function<bool()> mqtt_connected;
    std::function<FloodStats()> flood;  // MQTT messages dropped per topic
    std::function<std::chrono::steady_clock::duration()> uptime;
    std::function<const scenes::TimeZone&()> time_zone;  // the home's
    const BrokerStatus& broker;
    std::function<std::size_t()> held_commands;  // waiting for the broker
    const LabelledCounter& rule_runs;   // by result
    const LabelledCounter& utterances;  // by outcome
    const ClientGuard& guard;                     // bad tokens, lockouts, requests over budget
    std::function<HttpServerStats()> http;        // open connections, refused, header timeouts
};

/// GET /api/v1/health's body.
nlohmann::json health_json(const SystemRouteLinks& links);

void add_system_routes(Router& router, SystemRouteLinks links);

/// The OpenAPI 3 document of the API (hub/openapi.json, built in).
const char* openapi_document();

}  // namespace hearth::hub
