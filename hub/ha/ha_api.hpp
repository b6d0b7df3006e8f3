#pragma once
// The Home Assistant-compatible API: Home Assistant's WebSocket protocol at /api/websocket (this
// class) and its REST API under /api/ (ha_routes.hpp), both a projection of Hearth's registry
// through the EntityTable. Commands go out through the hub's one way for an app's command
// (send_command); conversations through the hub's assistant. It holds no domain logic.
//
// Authentication: Hearth tokens are Home Assistant's long-lived access tokens. A bad token counts
// against the client's address in the same ClientGuard as Hearth's own REST and WebSocket; a
// locked-out address gets auth_invalid and close code 1013. Scopes: read for every query and
// subscription, control for call_service and conversation/process.
//
// Client → hub (after auth_required):  {"type":"auth","access_token":"hth_…"}
//   {"id":n,"type":"get_states" | "get_config" | "get_services" | "ping" | "supported_features"
//    | "subscribe_events" (event_type "state_changed") | "subscribe_entities" (entity_ids?)
//    | "unsubscribe_events" (subscription) | "call_service" (domain, service, service_data?, target?)
//    | "conversation/process" (text, language?) | "auth/current_user"
//    | "config/area_registry/list" | "config/device_registry/list" | "config/entity_registry/list"}
// Hub → client: auth_required, auth_ok / auth_invalid, {"id","type":"result","success",
//   "result" | "error":{"code","message"}}, {"id","type":"event","event":…}, {"id","type":"pong"}.
// Hub thread only.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "devices/registry.hpp"
#include "hub/access.hpp"
#include "hub/fact_listener.hpp"
#include "hub/ha/entity_table.hpp"
#include "hub/live.hpp"
#include "proto/command.hpp"
#include "proto/context.hpp"
#include "proto/errc.hpp"
#include "scenes/calendar.hpp"

namespace hearth::hub::ha {

/// The Home Assistant version the API speaks (clients switch features on by it).
inline constexpr const char* kHaVersion = "2025.1.0";

/// What the API uses of the hub.
struct HaLinks {
    const Tokens& tokens;
    ClientGuard& guard;
    const devices::Registry& registry;
    std::function<WallTime()> now;
    std::function<const scenes::Place&()> place;
    /// Validates and sends an app's command (Hub::send_command); returns exactly what was sent.
    std::function<proto::Result<proto::Command>(const proto::DeviceId&, proto::Command, const proto::Context&)> send_command;
    /// The hub's assistant: a Hearth conversation request → its answer (Assistant::converse).
    std::function<proto::Result<nlohmann::json>(const nlohmann::json&)> converse;
    /// Runs a function on the hub thread after a delay (the authentication deadline).
    std::function<void(std::chrono::milliseconds, std::function<void()>)> defer;
    std::function<std::string()> new_context_id;
    double messages_per_second = 50;  // per connection; 0 = no limit
    double burst = 100;
};

/// An error in Home Assistant's shape: its code ("invalid_format", "not_found",
/// "service_validation_error", "unauthorized", "home_assistant_error", …) and a message.
struct HaError {
    std::string code;
    std::string message;
};

class HaApi final : public LiveHandler, public FactListener {
public:
    explicit HaApi(HaLinks links);

    /// Reads the registry once the hub has loaded it.
    void start();

    // ---- the operations both protocols answer ----
    nlohmann::json states() const;
    const EntityTable& entities() const noexcept { return table_; }
    nlohmann::json config() const;
    /// Calls a service on the entities of `target` ({"entity_id": id | [ids], "area_id": id | [ids]}),
    /// or of the `entity_id` in `data`. Returns the call's context and the targets' states.
    struct Called {
        EntityContext context;
        nlohmann::json states = nlohmann::json::array();
    };
    std::optional<Called> call_service(const std::string& domain, const std::string& service, nlohmann::json data,
                                       const nlohmann::json& target, const std::string& caller, HaError& error);
    /// conversation/process: {"text", "language"?, "conversation_id"?, "agent_id"?} → Home
    /// Assistant's conversation result.
    std::optional<nlohmann::json> converse(const nlohmann::json& request, HaError& error);

    // ---- FactListener ----
    void state_changed(const devices::StateChange& change, const proto::Context& cause, WallTime at) override;
    void availability_changed(const devices::adapters::AvailabilityChange& change) override;
    void device_event(const devices::adapters::DeviceEvent&) override {}
    void devices_changed() override;

    // ---- LiveHandler ----
    void opened(const std::shared_ptr<LiveClient>& client) override;
    void message(const std::shared_ptr<LiveClient>& client, std::string text) override;
    void closed(const LiveClient* client, bool too_slow) override;

    std::size_t client_count() const noexcept { return clients_.size(); }
    /// Messages whose handling threw (answered with an error; the hub kept running).
    std::uint64_t internal_errors() const noexcept { return internal_errors_; }

private:
    struct Subscription {
        enum class Kind { events, entities } kind = Kind::events;
        std::string event_type;               // events: empty = all
        std::set<std::string> entity_ids;     // entities: empty = all
    };
    struct Client {
        std::weak_ptr<LiveClient> socket;
        std::optional<Scope> scope;
        std::string caller;
        std::map<std::int64_t, Subscription> subscriptions;
        double budget = -1;
        std::chrono::steady_clock::time_point refilled;
        int refused_in_row = 0;
    };
    class FanOut;

    bool admit(Client& client);
    void authenticate(Client& client, const std::shared_ptr<LiveClient>& socket, const nlohmann::json& request);
    void handle(Client& client, const nlohmann::json& request, std::int64_t id);
    void send(Client& client, const nlohmann::json& message);
    void send_text(Client& client, std::string text);
    void result(Client& client, std::int64_t id, nlohmann::json value);
    void fail(Client& client, const nlohmann::json& id, const HaError& error);
    /// Sends the changes to every subscriber: state_changed events and subscribe_entities diffs.
    void fan_out(const std::vector<EntityChange>& changes, const std::vector<std::string>& added,
                 const std::vector<std::string>& removed, WallTime at);
    EntityContext context_of(const proto::Context& cause, const std::string& reported);

    HaLinks links_;
    EntityTable table_;
    std::map<const LiveClient*, Client> clients_;
    int fan_outs_ = 0;
    std::vector<const LiveClient*> departed_;
    std::uint64_t internal_errors_ = 0;
};

/// Home Assistant's error for a Hearth error (invalid_field → invalid_format, unknown_device and
/// not_found → not_found, forbidden → unauthorized, …); `service` picks service_validation_error
/// for a command the device refused.
HaError ha_error(const proto::Error& error, bool service = false);

}  // namespace hearth::hub::ha
