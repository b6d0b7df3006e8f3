#pragma once
// The fleet's MQTT transport: one libmosquitto client per device, each with its own last will, all
// driven from the calling thread by one epoll loop over their sockets (no thread per client, no
// mosquitto_loop_start). This is the only part of the simulator that does I/O or reads a clock.
//
// Per device, following proto/README.md: connect with the will `offline` (retained) on the
// availability topic; on CONNACK publish config, state and `online`, all retained; subscribe to
// `…/set` and `<prefix>/hub/status`; re-announce whenever the hub status says `online` (but not for
// the retained copy delivered on subscribing, since the device has just announced). Commands go
// through Fleet::handle_command; the resulting state is published retained.
//
// A device in Zigbee2MQTT style (its `sim.style`, or TransportOptions::style for all) uses the same
// connection model with Zigbee2MqttStyle's topics and payloads instead: discovery configs, state on
// `zigbee2mqtt/<name>`, availability JSON with that as last will, commands on `…/set`; it
// re-announces when `homeassistant/status` says `online`. Kinds the style cannot present stay native.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/credentials.hpp"
#include "sim/fleet.hpp"
#include "sim/zigbee2mqtt_style.hpp"
#include "proto/topics.hpp"

namespace hearth::sim {

struct TransportOptions {
    std::string host = "127.0.0.1";
    int port = 1883;
    std::string prefix = "hearth";
    int keepalive_seconds = 60;
    std::size_t connects_per_poll = 100;  // new connections started per poll(), so the broker is not flooded
    std::size_t max_connecting = 1000;    // connections still waiting for their CONNACK
    std::chrono::milliseconds retry_delay{std::chrono::seconds(2)};  // after a connection broke or failed
    Credentials credentials{};  // when not empty, every device logs in with username = its id and its password
    std::string username{};     // otherwise, when not empty, every device logs in as this user
    std::string password{};
    bool tls = false;           // MQTT over TLS; the broker's certificate must name `host`. libmosquitto
                                // does the handshake inside mosquitto_connect, blocking: fine for a home, slow for 10,000
    std::string ca_file{};      // TLS: the CA to trust (empty = the system's); cert and key: a client certificate
    std::string cert_file{};
    std::string key_file{};
    PresentationStyle style = PresentationStyle::native;  // zigbee2mqtt: every device that can be presented so
    std::string zigbee2mqtt_base = "zigbee2mqtt";
    std::string discovery_prefix = "homeassistant";
};

struct TransportCounters {
    std::size_t connected = 0;
    std::uint64_t messages_in = 0;
    std::uint64_t messages_out = 0;
    std::uint64_t commands_refused = 0;
    std::uint64_t connect_failures = 0;
    std::uint64_t tls_failures = 0;  // handshakes that failed (an untrusted or misnamed broker certificate)
};

/// Simulated time now. make_simulated_clock() maps real time onto local wall-clock time, sped up.
using SimulatedClock = std::function<Instant()>;
SimulatedClock make_simulated_clock(double speed);

/// Receives one log line (no trailing newline).
using LogSink = std::function<void(std::string_view)>;

class MqttFleet {
public:
    /// Creates one client per device (connections start in poll()). Throws std::runtime_error when
    /// epoll cannot be created, when `options.credentials` is not empty and lacks a device, or when
    /// libmosquitto refuses the TLS settings (an unreadable CA file, a certificate without its key). `fleet` must outlive this object. One thread only.
    MqttFleet(Fleet& fleet, TransportOptions options, SimulatedClock clock, LogSink log = {});
    /// Closes whatever is still open without DISCONNECT (the broker publishes those wills); call
    /// shutdown() first for a clean goodbye.
    ~MqttFleet();
    MqttFleet(const MqttFleet&) = delete;
    MqttFleet& operator=(const MqttFleet&) = delete;

    /// One turn: starts the next batch of connections, waits up to `max_wait` for socket activity
    /// (less when the fleet has something due), handles it, advances the fleet and sends what it produced.
    void poll(std::chrono::milliseconds max_wait);

    /// Closes a device's connection without DISCONNECT, as a crash would: the broker publishes its
    /// last will. The device reconnects after `retry_delay` if the simulation wants it online.
    void drop_connection(std::size_t device);

    /// Every connected device publishes `offline` (retained) and disconnects cleanly. Returns when
    /// all connections are closed or `grace` has passed. poll() does nothing afterwards.
    void shutdown(std::chrono::milliseconds grace);

    bool connected(std::size_t device) const;
    /// The device's Zigbee2MQTT presentation, or null when it speaks the native protocol.
    const Zigbee2MqttStyle* styled(std::size_t device) const;
    TransportCounters counters() const noexcept { return counters_; }

private:
    struct Connection;

    void start_connections();
    void connect(Connection& c);
    void handle_socket(Connection& c, std::uint32_t events);
    void lost(Connection& c);
    void announce(Connection& c);
    void publish(Connection& c, proto::DeviceTopic topic, const std::string& payload, bool retained);
    void publish_to(Connection& c, const std::string& topic, const std::string& payload, bool retained);
    void publish_state(Connection& c, const std::string& native_payload);
    void handle_command(Connection& c, std::string_view payload);
    void apply(const FleetAction& action);
    void housekeeping();
    void update_interest();
    void log(const std::string& line) const;

    void on_connect(Connection& c, int rc);
    void on_disconnect(Connection& c, int rc);
    void on_message(Connection& c, std::string_view topic, std::string_view payload, bool retained);

    Fleet& fleet_;
    TransportOptions options_;
    proto::Topics topics_;
    SimulatedClock clock_;
    LogSink log_;
    int epoll_ = -1;
    std::vector<Connection> connections_;
    std::deque<std::size_t> connect_queue_;
    std::vector<std::size_t> dirty_;  // connections whose write interest may have changed
    std::size_t connecting_ = 0;
    TransportCounters counters_;
    std::chrono::steady_clock::time_point next_housekeeping_{};
    std::chrono::steady_clock::time_point next_advance_{};
    bool stopping_ = false;
};

}  // namespace hearth::sim
