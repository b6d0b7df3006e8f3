#include "tests/support/mqtt_client.hpp"

#include <mqtt/async_client.h>

#include "tests/support/broker.hpp"

namespace hearth::testing {

MqttClient::MqttClient(const std::string& url, const std::string& client_id)
    : client_(std::make_unique<mqtt::async_client>(url, client_id)) {
    client_->set_message_callback([this](mqtt::const_message_ptr m) {
        std::lock_guard lock(mutex_);
        received_.push_back({m->get_topic(), m->to_string(), m->is_retained()});
    });
    client_->connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
}

MqttClient::~MqttClient() {
    try {
        client_->disconnect()->wait();
    } catch (const std::exception&) {
    }
}

void MqttClient::subscribe(const std::string& filter) { client_->subscribe(filter, 1)->wait(); }

void MqttClient::publish(const std::string& topic, const std::string& payload, bool retain) {
    client_->publish(topic, payload.data(), payload.size(), 1, retain)->wait();
}

std::optional<Received> MqttClient::wait_for(const std::string& topic, const std::string& needle, int timeout_ms) {
    std::optional<Received> found;
    eventually(
        [&] {
            std::lock_guard lock(mutex_);
            for (const auto& r : received_) {
                if (r.topic == topic && (needle.empty() || r.payload.find(needle) != std::string::npos)) {
                    found = r;
                    return true;
                }
            }
            return false;
        },
        std::chrono::milliseconds(timeout_ms));
    return found;
}

std::vector<Received> MqttClient::received() const {
    std::lock_guard lock(mutex_);
    return received_;
}

void MqttClient::clear() {
    std::lock_guard lock(mutex_);
    received_.clear();
}

}  // namespace hearth::testing
