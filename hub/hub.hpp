#pragma once
// The hub: wires the device registry to MQTT, HTTP and storage. Every member function runs on the
// hub thread (the one running the io_context); paho and SQLite threads only post to it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "devices/registry.hpp"
#include "hub/http_server.hpp"
#include "hub/mqtt_link.hpp"
#include "hub/router.hpp"
#include "proto/command.hpp"
#include "proto/topics.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::hub {

struct HubConfig {
    std::string mqtt_url = "tcp://127.0.0.1:1883";
    std::string mqtt_client_id = "hearthd";
    std::string prefix = "hearth";
    HttpServerConfig http;
    std::filesystem::path data_dir = "var";
    std::filesystem::path home_file;  // imported at start when given
};

/// Counters for health and metrics. Hub thread only.
struct HubStats {
    std::uint64_t mqtt_messages_in = 0;
    std::uint64_t mqtt_messages_out = 0;
    std::uint64_t mqtt_rejected = 0;  // malformed, oversized or refused payloads
    std::uint64_t state_changes = 0;
    std::uint64_t commands_sent = 0;
    std::uint64_t commands_refused = 0;
    std::uint64_t broker_connections = 0;
};

class Hub {
public:
    Hub(boost::asio::io_context& io, HubConfig config);
    ~Hub();
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;

    /// Loads the home from storage (and the home file), starts HTTP and MQTT. Startup failures
    /// (bad home file, port taken, unreadable database) are returned, not thrown.
    proto::Result<void> start();
    void stop();

    const devices::Registry& registry() const noexcept { return registry_; }
    const HubStats& stats() const noexcept { return stats_; }
    const HubConfig& config() const noexcept { return config_; }
    bool mqtt_connected() const noexcept;
    std::uint16_t http_port() const noexcept;
    std::chrono::steady_clock::duration uptime() const;

    /// Validates a command against the device and publishes it with a fresh context id (or the
    /// one given). Returns exactly what was sent.
    proto::Result<proto::Command> send_command(const proto::DeviceId& device, proto::Command command);

    /// Called for every real state change, after the registry has it.
    void on_state_change(std::function<void(const devices::StateChange&)> listener);

private:
    void register_routes();
    void on_mqtt_message(const MqttMessage& message);
    void on_device_config(const proto::DeviceId& id, const std::string& payload);
    void on_device_state(const proto::DeviceId& id, const std::string& payload);
    void on_device_availability(const proto::DeviceId& id, const std::string& payload);
    void on_device_event(const proto::DeviceId& id, const std::string& payload);
    void reject(const std::string& topic, const proto::Error& error);
    proto::Result<void> import_home_file();

    boost::asio::io_context& io_;
    HubConfig config_;
    proto::Topics topics_;
    devices::Registry registry_;
    HubStats stats_;
    Router router_;
    std::unique_ptr<HttpServer> http_;
    std::unique_ptr<MqttLink> mqtt_;
    std::vector<std::function<void(const devices::StateChange&)>> state_listeners_;
    std::map<proto::DeviceId, std::string> early_state_;  // state that arrived before its config
    std::map<proto::DeviceId, std::string> early_availability_;
    std::chrono::steady_clock::time_point started_;
};

/// A new unique context id: time-ordered, 26 characters.
std::string new_context_id();

}  // namespace hearth::hub
