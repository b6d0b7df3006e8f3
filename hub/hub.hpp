#pragma once
// The hub: wires the device registry to MQTT, HTTP/WebSocket and storage. Every member function
// runs on the hub thread (the one running the io_context); paho and the SQLite writer only post
// to it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "devices/adapters/adapter.hpp"
#include "devices/registry.hpp"
#include "hub/access.hpp"
#include "hub/context_id.hpp"
#include "hub/http_server.hpp"
#include "hub/live_feed.hpp"
#include "hub/metrics.hpp"
#include "hub/mqtt_link.hpp"
#include "hub/router.hpp"
#include "hub/store.hpp"
#include "proto/command.hpp"
#include "proto/topics.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::hub {

struct HubConfig {
    std::string mqtt_url = "tcp://127.0.0.1:1883";
    std::string mqtt_client_id = "hearthd";
    std::string mqtt_username;
    std::string mqtt_password;
    std::string prefix = "hearth";
    HttpServerConfig http;
    ClientLimits limits;
    std::filesystem::path data_dir = "var";
    std::filesystem::path home_file;  // areas imported at start when given
    std::string ha_discovery_prefix = "homeassistant";  // Home Assistant MQTT discovery; empty = off
    std::string zigbee2mqtt_base;                        // Zigbee2MQTT without HA discovery; empty = off
    std::string tasmota_prefix = "tasmota/discovery";    // Tasmota native discovery; empty = off
    bool print_owner_token = true;    // print a newly created owner token once on stdout
};

/// Counters for health and metrics. Hub thread only.
struct HubStats {
    std::uint64_t mqtt_messages_in = 0;
    std::uint64_t mqtt_messages_out = 0;
    std::uint64_t mqtt_rejected = 0;  // malformed, oversized or refused payloads
    std::uint64_t state_changes = 0;
    std::uint64_t commands_sent = 0;
    std::uint64_t commands_refused = 0;
    std::uint64_t commands_confirmed = 0;  // state came back carrying the command's context id
    std::uint64_t broker_connections = 0;
    std::uint64_t http_requests = 0;
    std::uint64_t http_errors = 0;  // 4xx and 5xx answers
    std::uint64_t history_dropped = 0;
    LatencyHistogram http_latency;
    LatencyHistogram command_confirmation;  // command published → state reported with its context
    LatencyHistogram mqtt_handling;         // one MQTT message handled on the hub thread
};

class Automation;

class Hub {
public:
    Hub(boost::asio::io_context& io, HubConfig config);
    ~Hub();
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;

    /// Opens storage, loads the home, starts HTTP and MQTT. Startup failures (bad home file, port
    /// taken, unreadable database) are returned, not thrown.
    proto::Result<void> start();
    void stop();

    const devices::Registry& registry() const noexcept { return registry_; }
    /// For imports of areas and devices (the automation's POST /api/v1/import).
    devices::Registry& mutable_registry() noexcept { return registry_; }
    Automation& automation() noexcept { return *automation_; }
    HubStats& stats() noexcept { return stats_; }
    const HubConfig& config() const noexcept { return config_; }
    Store& store() noexcept { return *store_; }
    Tokens& tokens() noexcept { return tokens_; }
    LiveFeed& live() noexcept { return *live_; }
    const Router& router() const noexcept { return router_; }
    const std::vector<std::unique_ptr<devices::adapters::Adapter>>& adapters() const noexcept { return adapters_; }
    bool mqtt_connected() const noexcept;
    std::uint16_t http_port() const noexcept;
    std::chrono::steady_clock::duration uptime() const;
    std::filesystem::path owner_token_path() const { return config_.data_dir / "owner.token"; }

    /// Validates a command against the device and publishes it with a fresh context id (or the
    /// one given). Returns exactly what was sent.
    proto::Result<proto::Command> send_command(const proto::DeviceId& device, proto::Command command);

    /// Publishes a non-retained message (assist replies); fails when the broker is not connected.
    proto::Result<void> publish(const std::string& topic, const std::string& payload);

    /// Called for every real state change, after the registry has it.
    void on_state_change(std::function<void(const devices::StateChange&)> listener);
    /// Runs f on the hub thread after a delay.
    void defer(std::chrono::milliseconds delay, std::function<void()> f);

private:
    proto::Result<void> open_store();
    proto::Result<void> load_tokens(const std::vector<Document>& documents);
    proto::Result<void> import_home_file();
    void register_routes();
    void gate(const HttpRequest& request, const Route& route, Reply reply, std::function<void()> proceed);
    void on_mqtt_message(const MqttMessage& message);
    void on_device_config(const proto::DeviceId& id, const std::string& payload);
    void on_device_state(const proto::DeviceId& id, const std::string& payload);
    void on_device_availability(const proto::DeviceId& id, const std::string& payload);
    void on_device_event(const proto::DeviceId& id, const std::string& payload);
    void save_state(const proto::DeviceId& id);
    void commit_changes(const proto::DeviceId& id, const std::vector<devices::StateChange>& changes,
                        const std::string& context_id);
    void apply_adapter_effects(devices::adapters::Effects effects);
    proto::Result<void> publish_all(const std::vector<devices::adapters::Publish>& messages);
    void reject(const std::string& topic, const proto::Error& error);

    boost::asio::io_context& io_;
    HubConfig config_;
    proto::Topics topics_;
    devices::Registry registry_;
    HubStats stats_;
    Tokens tokens_;
    ClientGuard guard_;
    Router router_;
    std::unique_ptr<Store> store_;
    std::unique_ptr<LiveFeed> live_;
    std::unique_ptr<HttpServer> http_;
    std::unique_ptr<MqttLink> mqtt_;
    std::vector<std::unique_ptr<devices::adapters::Adapter>> adapters_;
    std::vector<std::function<void(const devices::StateChange&)>> state_listeners_;
    std::map<proto::DeviceId, std::string> early_state_;  // state that arrived before its config
    std::map<proto::DeviceId, std::string> early_availability_;
    std::map<std::string, std::chrono::steady_clock::time_point> pending_confirmations_;  // by context id
    std::chrono::steady_clock::time_point started_;
    std::unique_ptr<Automation> automation_;  // last: destroyed first, it uses the members above
};

}  // namespace hearth::hub
