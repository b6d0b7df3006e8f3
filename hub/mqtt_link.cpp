#include "hub/mqtt_link.hpp"

#include <mqtt/async_client.h>

#include <algorithm>

#include "hub/log.hpp"

namespace hearth::hub {
namespace {

using proto::Errc;

class Listener final : public mqtt::iaction_listener {
public:
    explicit Listener(std::function<void(const mqtt::token&, bool)> done) : done_(std::move(done)) {}
    void on_success(const mqtt::token& t) override { done_(t, true); }
    void on_failure(const mqtt::token& t) override { done_(t, false); }

private:
    std::function<void(const mqtt::token&, bool)> done_;
};

/// Why a connection attempt failed: the CONNACK's refusal (an MQTT 5 reason, or a 3.1.1 return
/// code; paho reports either in either field), else paho's own message.
std::string refusal(const mqtt::token& t) {
    const int reason = t.get_reason_code();
    const int code = t.get_return_code();
    const auto either = [&](int v5, int v311) { return reason == v5 || code == v5 || code == v311; };
    if (either(0x86, 4)) return "the broker refused the login: bad user name or password";
    if (either(0x87, 5)) return "the broker refused the login: not authorized (a wrong user name or password?)";
    if (either(0x85, 2)) return "the broker refused the client id";
    if (either(0x88, 3) || either(0x89, 3)) return "the broker is unavailable or busy";
    std::string message;
    try {
        // The token is complete here; try_wait() rethrows its failure with paho's message.
        const_cast<mqtt::token&>(t).try_wait();
    } catch (const mqtt::exception& e) {
        message = e.get_message();
    }
    return message.empty() ? "no answer (code " + std::to_string(code) + ")" : message;
}

}  // namespace

MqttLink::MqttLink(MqttLinkConfig config, MqttLinkHandlers handlers, Post post, Defer defer)
    : config_(std::move(config)), handlers_(std::move(handlers)), post_(std::move(post)), defer_(std::move(defer)), flood_(config_.flood) {
    if (!config_.sync_topic.empty()) config_.subscriptions.push_back(config_.sync_topic);
    if (config_.shown_url.empty()) config_.shown_url = config_.url;
    retry_delay_ = config_.retry.first;
    connect_listener_ = std::make_shared<Listener>([this](const mqtt::token& t, bool ok) {
        if (ok || stopping_) return;
        // A broker that does not speak MQTT 5 refuses the connection with "unacceptable protocol
        // version" (return code 1 in 3.1.1, reason 0x84 in 5): fall back to 3.1.1 once.
        const auto code = t.get_return_code();
        const bool version_refused = code == 1 || code == 0x84 || t.get_reason_code() == 0x84;
        post_([this, version_refused, reason = refusal(t)] { on_connect_failed(version_refused, reason); });
    });
    make_client(MQTTVERSION_5);
}

MqttLink::~MqttLink() {
    stop();
    client_.reset();
}

void MqttLink::make_client(int protocol) {
    protocol_ = protocol == MQTTVERSION_5 ? 5 : 4;
    client_used_ = false;
    client_.reset();  // first: a paho client alive beside the new one slows its connection (above)
    client_ = std::make_unique<mqtt::async_client>(config_.url, config_.client_id, mqtt::create_options(protocol));
    client_->set_connected_handler([this](const std::string&) {
        connected_ = true;
        post_([this] { on_connected(); });
    });
    client_->set_connection_lost_handler([this](const std::string& cause) {
        connected_ = false;
        post_([this, cause] { on_lost(cause); });
    });
    client_->set_message_callback([this](mqtt::const_message_ptr m) {
        if (!flood_.admit(m->get_topic(), std::chrono::steady_clock::now())) return;
        bool first = false;
        {
            std::lock_guard lock(inbox_mutex_);
            first = inbox_.empty();
            inbox_.push_back(MqttMessage{m->get_topic(), m->to_string(), m->is_retained()});
        }
        if (first) post_([this] { drain_inbox(); });
    });
}

// Order: a connection's messages are handled in the order they came. Those of a new connection
// cannot overtake the old connection's loss: they arrive only after on_connected (posted after
// on_lost) has subscribed.
void MqttLink::drain_inbox() {
    {
        std::lock_guard lock(inbox_mutex_);
        batch_.swap(inbox_);
    }
    std::size_t next = 0;
    try {
        for (; next < batch_.size(); ++next) on_message(std::move(batch_[next]));
    } catch (...) {
        // A handler that throws does not take the rest of the batch with it: what is left goes
        // back first in line, and the exception on to the hub's guard.
        bool post = false;
        {
            std::lock_guard lock(inbox_mutex_);
            const bool drain_pending = !inbox_.empty();
            inbox_.insert(inbox_.begin(), std::make_move_iterator(batch_.begin() + static_cast<std::ptrdiff_t>(next) + 1),
                          std::make_move_iterator(batch_.end()));
            post = !drain_pending && !inbox_.empty();
        }
        batch_.clear();
        if (post) post_([this] { drain_inbox(); });
        throw;
    }
    batch_.clear();  // keeps its capacity for the next batch (the two vectors trade places)
}

void MqttLink::start() {
    stopping_ = false;
    connect();
}

void MqttLink::connect() {
    if (stopping_ || connected_ || connecting_) return;
    // Every attempt after the first gets a fresh client: with a paho client (1.3) in the process
    // whose connection was lost or refused, the next connection takes a second longer than on a
    // process without one (docs/reliability.md, "Broker faults"); a new one costs microseconds. The
    // old one is destroyed here, from the retry timer, long after the callback that ended it.
    if (client_used_) make_client(protocol_ == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
    client_used_ = true;
    auto options = mqtt::connect_options_builder()
                       .mqtt_version(protocol_ == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1)
                       .keep_alive_interval(std::chrono::seconds(10))
                       .connect_timeout(std::chrono::seconds(5))
                       .will(mqtt::message(config_.status_topic, "offline", 1, true))
                       .finalize();
    if (protocol_ == 5) options.set_clean_start(true);
    else options.set_clean_session(true);
    if (!config_.username.empty()) {
        options.set_user_name(config_.username);
        options.set_password(config_.password);
    }
    if (config_.tls) {
        // No error_handler: paho keeps a pointer to the ssl_options it was given, which a copy
        // outlives (a crash under ASan when a handshake fails).
        auto ssl = mqtt::ssl_options_builder()
                       .enable_server_cert_auth(true)
                       .verify(true)  // the certificate must name the host
                       .finalize();
        if (!config_.tls_files.ca_file.empty()) ssl.set_trust_store(config_.tls_files.ca_file);
        if (!config_.tls_files.cert_file.empty()) ssl.set_key_store(config_.tls_files.cert_file);
        if (!config_.tls_files.key_file.empty()) ssl.set_private_key(config_.tls_files.key_file);
        options.set_ssl(std::move(ssl));
    }
    try {
        connecting_ = true;
        client_->connect(options, nullptr, *std::static_pointer_cast<Listener>(connect_listener_));
    } catch (const mqtt::exception& e) {
        connecting_ = false;
        log::error("mqtt connect: {}", e.what());
        retry_later();
    }
}

void MqttLink::on_connect_failed(bool version_refused, std::string reason) {
    connecting_ = false;
    if (stopping_) return;
    if (version_refused && protocol_ == 5) {
        make_client(MQTTVERSION_3_1_1);
        connect();
        return;
    }
    if (config_.tls && (reason.starts_with("no answer") || reason.find("TLS") != std::string::npos)) {
        reason += " (is the broker up, is the CA file right, does the broker's certificate name the host?)";
    }
    reason = "cannot connect to " + config_.shown_url + (reason.empty() ? "" : ": " + reason);
    if ((!outage_reported_ || reason != last_reason_) && handlers_.disconnected) handlers_.disconnected(reason);
    outage_reported_ = true;
    last_reason_ = std::move(reason);
    retry_later();
}

void MqttLink::on_lost(const std::string& cause) {
    if (stopping_) return;
    if (handlers_.disconnected) handlers_.disconnected(cause.empty() ? "connection lost" : cause);
    outage_reported_ = true;
    sync_marker_.clear();
    retry_delay_ = config_.retry.first;
    retry_later();
}

void MqttLink::retry_later() {
    const auto delay = retry_delay_;
    retry_delay_ = std::min(retry_delay_ * 2, config_.retry.longest);
    defer_(delay, [this] { connect(); });
}

void MqttLink::on_connected() {
    connecting_ = false;
    if (!connected_) return;
    outage_reported_ = false;
    retry_delay_ = config_.retry.first;
    try {
        for (const auto& filter : config_.subscriptions) client_->subscribe(filter, 1);
        client_->publish(config_.status_topic, "online", 6, 1, true);
        if (!config_.sync_topic.empty()) {
            sync_marker_ = config_.client_id + "-" + std::to_string(++connections_);
            client_->publish(config_.sync_topic, sync_marker_.data(), sync_marker_.size(), 1, false);
        }
    } catch (const mqtt::exception& e) {
        log::error("mqtt subscribe: {}", e.what());
    }
    if (handlers_.connected) handlers_.connected();
}

void MqttLink::on_message(MqttMessage message) {
    if (!config_.sync_topic.empty() && message.topic == config_.sync_topic) {
        if (connected_ && !sync_marker_.empty() && message.payload == sync_marker_) {
            sync_marker_.clear();
            if (handlers_.synced) handlers_.synced();
        }
        return;
    }
    if (handlers_.message) handlers_.message(std::move(message));
}

void MqttLink::subscribe(const std::string& filter) {
    if (std::find(config_.subscriptions.begin(), config_.subscriptions.end(), filter) != config_.subscriptions.end()) return;
    config_.subscriptions.push_back(filter);
    if (!connected_) return;
    try {
        client_->subscribe(filter, 1);
    } catch (const mqtt::exception&) {
    }
}

void MqttLink::unsubscribe(const std::string& filter) {
    std::erase(config_.subscriptions, filter);
    if (!connected_) return;
    try {
        client_->unsubscribe(filter);
    } catch (const mqtt::exception&) {
    }
}

proto::Result<void> MqttLink::publish(const std::string& topic, const std::string& payload, bool retain, int qos) {
    if (!connected_) return proto::make_error(Errc::broker_unavailable, "the MQTT broker is not connected");
    try {
        client_->publish(topic, payload.data(), payload.size(), qos, retain);
        return {};
    } catch (const mqtt::exception& e) {
        return proto::make_error(Errc::broker_unavailable, std::string("MQTT publish failed: ") + e.what());
    }
}

void MqttLink::stop() {
    if (stopping_.exchange(true) || !client_) return;
    try {
        if (client_->is_connected()) {
            client_->publish(config_.status_topic, "offline", 7, 1, true)->wait_for(std::chrono::seconds(1));
            client_->disconnect()->wait_for(std::chrono::seconds(2));
        }
    } catch (const mqtt::exception&) {
    }
    connected_ = false;
}

}  // namespace hearth::hub
