#pragma once
// A plain MQTT client for tests (paho): publishes, subscribes, and records what arrives so a test
// can wait for a message with a deadline.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mqtt {
class async_client;
}

namespace hearth::testing {

struct Received {
    std::string topic;
    std::string payload;
    bool retained = false;
};

class MqttClient {
public:
    MqttClient(const std::string& url, const std::string& client_id);
    ~MqttClient();

    void subscribe(const std::string& filter);
    void publish(const std::string& topic, const std::string& payload, bool retain = false);
    /// Waits for the first message on `topic` whose payload contains `needle` (any when empty).
    std::optional<Received> wait_for(const std::string& topic, const std::string& needle = {},
                                     int timeout_ms = 10000);
    std::vector<Received> received() const;
    void clear();

private:
    std::unique_ptr<mqtt::async_client> client_;
    mutable std::mutex mutex_;
    std::vector<Received> received_;
};

}  // namespace hearth::testing
