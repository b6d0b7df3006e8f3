#pragma once
// The hub's MQTT connection (paho async client). MQTT 5 first, 3.1.1 when the broker refuses it.
// It reconnects on its own timer, not paho's (whose back-off counts in whole seconds, 1–8 s):
// retries start `retry.first` after a loss and double up to `retry.longest`, so a broker that comes
// back is found within `retry.longest`. After every (re)connection it resubscribes, publishes the
// hub's birth message and reports `connected`; then it publishes a marker on its own `sync_topic`
// and reports `synced` when the marker comes back — the broker sends a subscription's retained
// messages before it routes a later publish, so by then every retained message has been handed
// over. paho calls back on its own threads: every callback is handed to `post` as a plain value at
// once, so it runs on the hub thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hub/flood_guard.hpp"
#include "proto/errc.hpp"

namespace mqtt {
class async_client;
}

namespace hearth::hub {

struct MqttMessage {
    std::string topic;
    std::string payload;
    bool retained = false;
};

/// TLS to the broker (an `ssl://` URL): the CA that signed the broker's certificate (empty = the
/// system's trust store), and a client certificate and its key when the broker asks for one.
struct BrokerTls {
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
};

struct MqttLinkConfig {
    std::string url = "tcp://127.0.0.1:1883";  // paho's form: tcp:// or ssl://, no credentials
    std::string shown_url;                      // for messages: without the password
    bool tls = false;
    BrokerTls tls_files;
    std::string client_id = "hearthd";
    std::string status_topic;          // retained birth "online" / last will "offline"
    std::vector<std::string> subscriptions;
    std::string username;
    std::string password;
    FloodLimits flood;  // per topic, before anything reaches the hub thread
    std::string sync_topic;            // the resynchronisation marker's topic; empty = no marker
    struct Retry {
        std::chrono::milliseconds first{100};
        std::chrono::milliseconds longest{500};
    } retry;
};

struct MqttLinkHandlers {
    std::function<void(MqttMessage)> message;
    std::function<void()> connected;  // subscriptions sent, birth published
    std::function<void()> synced;     // the marker came back: the retained messages are all in
    /// Once per outage, and again when the reason changes (e.g. "bad user name or password").
    std::function<void(std::string reason)> disconnected;
};

class MqttLink {
public:
    using Post = std::function<void(std::function<void()>)>;
    /// Runs a function on the hub thread after a delay (for retrying the connection).
    using Defer = std::function<void(std::chrono::milliseconds, std::function<void()>)>;

    MqttLink(MqttLinkConfig config, MqttLinkHandlers handlers, Post post, Defer defer);
    ~MqttLink();
    MqttLink(const MqttLink&) = delete;
    MqttLink& operator=(const MqttLink&) = delete;

    /// Starts connecting; returns at once. Retries until the broker answers, and after every loss.
    void start();
    /// Publishes the retained "offline" status and disconnects (bounded wait).
    void stop();

    bool connected() const noexcept { return connected_.load(); }
    int protocol_version() const noexcept { return protocol_.load(); }
    FloodStats flood_stats() const { return flood_.stats(); }
    /// Queues a publish; fails when the broker is not connected (nothing is sent later).
    proto::Result<void> publish(const std::string& topic, const std::string& payload, bool retain = false,
                                int qos = 1);
    /// Adds a subscription now and after every reconnection.
    void subscribe(const std::string& filter);
    void unsubscribe(const std::string& filter);

private:
    void make_client(int protocol);
    void connect();
    void on_connected();
    void on_connect_failed(bool version_refused, std::string reason);
    void on_lost(const std::string& cause);
    void retry_later();
    void on_message(MqttMessage message);
    void drain_inbox();

    MqttLinkConfig config_;
    MqttLinkHandlers handlers_;
    Post post_;
    Defer defer_;
    std::shared_ptr<void> connect_listener_;  // paho refers to it until the attempt ends
    // Hub thread only:
    bool connecting_ = false;         // one attempt at a time
    bool client_used_ = false;        // the client has made an attempt: the next one gets a fresh client
    bool outage_reported_ = false;    // `disconnected` once per outage, not once per retry
    std::chrono::milliseconds retry_delay_{0};
    std::string sync_marker_;         // the marker of this connection, awaited on sync_topic
    std::string last_reason_;         // of the last failed attempt
    std::uint64_t connections_ = 0;
    std::atomic<bool> connected_{false};
    std::atomic<int> protocol_{5};
    std::atomic<bool> stopping_{false};
    FloodGuard flood_;
    // Messages from paho's thread wait here for the hub thread, which takes them all at once: one
    // post per batch instead of one per message. A non-empty inbox has a drain posted.
    std::mutex inbox_mutex_;
    std::vector<MqttMessage> inbox_;
    std::vector<MqttMessage> batch_;  // hub thread only: the batch being handled
    // Last, so it goes first: paho's threads call back into the members above until it is gone.
    std::unique_ptr<mqtt::async_client> client_;
};

}  // namespace hearth::hub
