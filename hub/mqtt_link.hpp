#pragma once
// The hub's MQTT connection (paho async client). MQTT 5 first, 3.1.1 when the broker refuses it;
// automatic reconnect; after every (re)connection it resubscribes, publishes the hub's birth
// message, and reports `connected` so the hub can re-sync. paho calls back on its own threads:
// every callback here is handed to `post` as a plain value at once, so it runs on the hub thread.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
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

struct MqttLinkConfig {
    std::string url = "tcp://127.0.0.1:1883";
    std::string client_id = "hearthd";
    std::string status_topic;          // retained birth "online" / last will "offline"
    std::vector<std::string> subscriptions;
    std::string username;
    std::string password;
    FloodLimits flood;  // per topic, before anything reaches the hub thread
};

struct MqttLinkHandlers {
    std::function<void(MqttMessage)> message;
    std::function<void()> connected;
    std::function<void(std::string reason)> disconnected;
};

class MqttLink {
public:
    using Post = std::function<void(std::function<void()>)>;
    /// Runs a function on the hub thread after a delay (for retrying the first connection).
    using Defer = std::function<void(std::chrono::milliseconds, std::function<void()>)>;

    MqttLink(MqttLinkConfig config, MqttLinkHandlers handlers, Post post, Defer defer);
    ~MqttLink();
    MqttLink(const MqttLink&) = delete;
    MqttLink& operator=(const MqttLink&) = delete;

    /// Starts connecting; returns at once. Retries until the broker answers.
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

    MqttLinkConfig config_;
    MqttLinkHandlers handlers_;
    Post post_;
    Defer defer_;
    std::vector<std::shared_ptr<void>> listeners_;  // connect listeners paho still refers to
    std::atomic<bool> connected_{false};
    std::atomic<int> protocol_{5};
    std::atomic<bool> stopping_{false};
    FloodGuard flood_;
    // Last, so it goes first: paho's threads call back into the members above until it is gone.
    std::unique_ptr<mqtt::async_client> client_;
};

}  // namespace hearth::hub
