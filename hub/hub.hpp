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
#include <unordered_map>
#include <vector>

#include "devices/adapters/adapter.hpp"
#include "devices/registry.hpp"
#include "devices/adapters/native.hpp"
#include "hub/access.hpp"
#include "hub/broker_status.hpp"
#include "hub/clock.hpp"
#include "hub/context_id.hpp"
#include "hub/event_path.hpp"
#include "hub/held_commands.hpp"
#include "hub/http_server.hpp"
#include "hub/live_feed.hpp"
#include "hub/metrics.hpp"
#include "hub/mqtt_link.hpp"
#include "hub/repeat_limiter.hpp"
#include "hub/router.hpp"
#include "hub/store.hpp"
#include "hub/web_app.hpp"
#include "proto/broker_url.hpp"
#include "proto/command.hpp"
#include "proto/context.hpp"
#include "proto/topics.hpp"
#include "rules/trace_book.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::hub {

struct HubConfig {
    /// tcp:// mqtt:// ssl:// mqtts://, optionally with user:password@ (proto/broker_url.hpp).
    std::string mqtt_url = "tcp://127.0.0.1:1883";
    std::string mqtt_client_id = "hearthd";
    std::string mqtt_username;  // besides the URL's; the same one in both is an error
    std::string mqtt_password;
    BrokerTls mqtt_tls;         // CA, client certificate and key for an ssl:// or mqtts:// URL
    std::string prefix = "hearth";
    HttpServerConfig http;
    ClientLimits limits;
    FloodLimits device_flood;  // MQTT messages per topic (per device) before the excess is dropped
    std::filesystem::path data_dir = "var";
    std::filesystem::path home_file;  // areas imported at start when given
    std::filesystem::path web_dir;    // the built dashboard served at `/` (WebApp); empty = none
    std::string ha_discovery_prefix = "homeassistant";  // Home Assistant MQTT discovery; empty = off
    std::string zigbee2mqtt_base;                        // Zigbee2MQTT without HA discovery; empty = off
    std::string tasmota_prefix = "tasmota/discovery";    // Tasmota native discovery; empty = off
    bool print_owner_token = true;    // print a newly created owner token once on stdout
    double clock_speed = 1.0;         // the hub's clock runs this many times faster (tests, demos)
    /// A command while the broker is unreachable waits this long for it, then is refused
    /// (broker_unavailable); 0 refuses at once.
    std::chrono::milliseconds command_hold{5000};
    /// Rules go live when the broker connects, or after this long without it.
    std::chrono::milliseconds rules_wait_for_broker{60000};
};

/// The broker to connect to: the URL with the credentials given apart, checked with the TLS
/// files (which need a TLS URL, a key with a certificate, and must be readable). Errors name the
/// option (`--mqtt`, `--mqtt-user`, `--mqtt-ca`, …).
proto::Result<proto::BrokerUrl> broker_of(const HubConfig& config);

class Areas;
class Automation;
class CareHost;
class Learning;
namespace ha {
class HaApi;
}

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
    /// Runs the event loop until stop, behind the last guard (run_guarded): an exception that
    /// reaches the loop is logged and counted (`hearth_internal_errors_total`), never fatal.
    void run();

    const devices::Registry& registry() const noexcept { return registry_; }
    /// For imports of areas and devices (the automation's POST /api/v1/import).
    devices::Registry& mutable_registry() noexcept { return registry_; }
    Automation& automation() noexcept { return *automation_; }
    Learning& learning() noexcept { return *learning_; }
    CareHost& care() noexcept { return *care_; }
    HubStats& stats() noexcept { return stats_; }
    const HubConfig& config() const noexcept { return config_; }
    /// The one clock of everything the hub decides, stores and shows.
    const Clock& clock() const noexcept { return clock_; }
    Store& store() noexcept { return *store_; }
    Tokens& tokens() noexcept { return tokens_; }
    LiveFeed& live() noexcept { return *live_; }
    const Router& router() const noexcept { return router_; }
    const WebApp& web_app() const noexcept { return web_; }
    /// Native first, then the ecosystems.
    const std::vector<std::unique_ptr<devices::adapters::Adapter>>& adapters() const noexcept { return adapters_; }
    /// Where device facts enter; listeners attach here.
    EventPath& events() noexcept { return *events_; }
    /// The one ledger of commands sent and their traces.
    rules::TraceBook& traces() noexcept { return traces_; }
    bool mqtt_connected() const noexcept;
    const BrokerStatus& broker() const noexcept { return broker_; }
    std::size_t held_commands() const noexcept { return held_.size(); }
    /// Calls `done` once, when the command held under `context_id` is sent or refused; false (and
    /// `done` is dropped) when no such command is held.
    bool when_settled(const std::string& context_id, std::function<void(const rules::Settlement&)> done);
    std::uint16_t http_port() const noexcept;
    std::chrono::steady_clock::duration uptime() const;
    std::filesystem::path owner_token_path() const { return config_.data_dir / "owner.token"; }

    /// Validates a command against the device, sends it with a fresh context id (or the one given)
    /// and notes it in the trace book with its cause and the trace it belongs to (none for an
    /// app's command). Returns exactly what was sent.
    proto::Result<proto::Command> send_command(const proto::DeviceId& device, proto::Command command,
                                               proto::Context cause, std::string_view trace = {});
    /// Sends a command validated already (the rule engine's) through the device's adapter. The
    /// state an optimistic device is assumed to take is queued for the next turn of the event loop,
    /// so nothing re-enters the caller. While the broker is unreachable the command is held (a
    /// success; when_settled tells what became of it) or, when it cannot be held, refused with
    /// broker_unavailable.
    proto::Result<void> transmit(const proto::DeviceId& device, const proto::Command& command);

    /// Publishes a non-retained message (assist replies); fails when the broker is not connected.
    proto::Result<void> publish(const std::string& topic, const std::string& payload);

    /// Runs f on the hub thread after a delay.
    void defer(std::chrono::milliseconds delay, std::function<void()> f);

private:
    /// Opens the database and reads it once: devices and areas into the registry, tokens; the
    /// stored documents are returned for the automation.
    proto::Result<std::vector<Document>> open_store();
    proto::Result<void> load_tokens(const std::vector<Document>& documents);
    /// Reads and parses the home file once: its areas go into the registry, and the whole document
    /// (location, scenes, rules) is returned for the automation; null when there is no home file.
    proto::Result<nlohmann::json> read_home_file();
    void register_routes();
    void gate(const HttpRequest& request, const Route& route, Reply reply, Proceed proceed);
    void on_mqtt_message(const MqttMessage& message);
    /// Hands one message to an adapter and its effects to the event path.
    void take(devices::adapters::Adapter& adapter, const MqttMessage& message);
    proto::Result<void> publish_all(const std::vector<devices::adapters::Publish>& messages);
    void reject(const std::string& topic, const proto::Error& error);
    devices::adapters::Adapter& owner_of(const proto::DeviceId& device);
    /// Queues the state an optimistic device is assumed to take after a command went out.
    void assume_sent(devices::adapters::Adapter& adapter, const proto::DeviceId& device, const proto::Command& command);
    proto::Result<void> hold(const proto::DeviceId& device, const proto::Command& command,
                             std::vector<devices::adapters::Publish> messages);
    void start_mqtt();
    void on_broker_connected();
    void on_broker_synced();
    void release_held();
    void expire_held();
    void arm_hold_expiry();
    void settle(const HeldCommand& command, const rules::Settlement& settlement);

    boost::asio::io_context& io_;
    HubConfig config_;
    Clock clock_;
    proto::Topics topics_;
    devices::Registry registry_;
    HubStats stats_;
    RepeatLimiter rejections_;  // MQTT rejections in the log: each topic and reason once per 10 s
    Tokens tokens_;
    ClientGuard guard_;
    Router router_;
    WebApp web_;
    std::unique_ptr<Store> store_;
    std::unique_ptr<LiveFeed> live_;
    std::unique_ptr<ha::HaApi> ha_;  // the Home Assistant-compatible API
    std::unique_ptr<HttpServer> http_;
    std::unique_ptr<MqttLink> mqtt_;
    BrokerStatus broker_;
    proto::BrokerUrl broker_url_;  // parsed at start
    HeldCommands held_;
    std::uint64_t hold_expiry_generation_ = 0;  // a newer arming makes older expiry timers do nothing
    std::unordered_map<std::string, std::vector<std::function<void(const rules::Settlement&)>>> settle_waiters_;
    std::vector<std::unique_ptr<devices::adapters::Adapter>> adapters_;  // native first
    devices::adapters::Native* native_ = nullptr;                          // adapters_[0]
    rules::TraceBook traces_;
    std::unique_ptr<EventPath> events_;
    std::chrono::steady_clock::time_point started_;
    std::unique_ptr<Areas> areas_;  // after the registry and the store it writes to
    std::unique_ptr<Automation> automation_;  // destroyed before the members above, which it uses
    std::unique_ptr<CareHost> care_;          // destroyed before the automation: it uses its traces
    std::unique_ptr<Learning> learning_;      // last: destroyed first (it waits for a pass), it uses all above
};

}  // namespace hearth::hub
