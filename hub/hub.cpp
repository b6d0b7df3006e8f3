#include "hub/hub.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "hub/device_routes.hpp"
#include "proto/home.hpp"
#include "proto/json.hpp"

namespace hearth::hub {

using proto::DeviceTopic;
using proto::Errc;

namespace {

constexpr std::size_t kMaxEarlyMessages = 100'000;

proto::Result<proto::Attributes> attributes_from_payload(const std::string& payload, std::string& context_id) {
    auto j = proto::parse_json(payload);
    if (!j) return j.error();
    if (!j->is_object()) return proto::make_error(Errc::bad_json, "state must be a JSON object of attributes");
    proto::Attributes attributes;
    for (const auto& [key, value] : j->items()) {
        if (key == proto::kContextKey) {
            if (value.is_string()) context_id = value.get<std::string>();
            continue;
        }
        auto v = proto::value_from_json(value);
        if (!v) return proto::make_error(Errc::wrong_type, key + " must be a bool, number, text or null", key);
        attributes.emplace(key, std::move(*v));
    }
    return attributes;
}

}  // namespace

std::string new_context_id() {
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    static std::atomic<std::uint64_t> counter{std::random_device{}()};
    const auto ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    std::uint64_t tail = counter.fetch_add(0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL;
    std::string id(26, '0');
    std::uint64_t t = ms;
    for (int i = 9; i >= 0; --i, t >>= 5) id[i] = kAlphabet[t & 31];
    for (int i = 10; i < 26; ++i, tail >>= 4) id[i] = kAlphabet[(tail & 15) + ((i & 1) << 4)];
    return id;
}

Hub::Hub(boost::asio::io_context& io, HubConfig config)
    : io_(io), config_(std::move(config)), topics_(config_.prefix), started_(std::chrono::steady_clock::now()) {}

Hub::~Hub() { stop(); }

proto::Result<void> Hub::start() {
    if (!config_.home_file.empty()) {
        if (auto imported = import_home_file(); !imported) return imported;
    }
    register_routes();
    http_ = std::make_unique<HttpServer>(io_, config_.http, router_);
    if (auto started = http_->start(); !started) return started;

    MqttLinkConfig mqtt_config;
    mqtt_config.url = config_.mqtt_url;
    mqtt_config.client_id = config_.mqtt_client_id;
    mqtt_config.status_topic = topics_.hub_status();
    for (const auto kind : {DeviceTopic::config, DeviceTopic::state, DeviceTopic::availability, DeviceTopic::event}) {
        mqtt_config.subscriptions.push_back(topics_.all(kind));
    }
    MqttLinkHandlers handlers;
    handlers.message = [this](MqttMessage m) { on_mqtt_message(m); };
    handlers.connected = [this] {
        ++stats_.broker_connections;
        std::cerr << "hearthd: connected to " << config_.mqtt_url << " (MQTT "
                  << (mqtt_->protocol_version() == 5 ? "5" : "3.1.1") << ")\n";
    };
    handlers.disconnected = [](const std::string& reason) { std::cerr << "hearthd: mqtt: " << reason << "\n"; };
    auto post = [this](std::function<void()> f) { boost::asio::post(io_, std::move(f)); };
    auto defer = [this](std::chrono::milliseconds delay, std::function<void()> f) {
        auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
        timer->async_wait([timer, f = std::move(f)](const boost::system::error_code& ec) {
            if (!ec) f();
        });
    };
    mqtt_ = std::make_unique<MqttLink>(std::move(mqtt_config), std::move(handlers), post, defer);
    mqtt_->start();
    return {};
}

void Hub::stop() {
    if (mqtt_) mqtt_->stop();
    if (http_) http_->stop();
}

bool Hub::mqtt_connected() const noexcept { return mqtt_ && mqtt_->connected(); }
std::uint16_t Hub::http_port() const noexcept { return http_ ? http_->port() : 0; }
std::chrono::steady_clock::duration Hub::uptime() const { return std::chrono::steady_clock::now() - started_; }

void Hub::on_state_change(std::function<void(const devices::StateChange&)> listener) {
    state_listeners_.push_back(std::move(listener));
}

proto::Result<void> Hub::import_home_file() {
    std::ifstream in(config_.home_file);
    if (!in) return proto::make_error(Errc::not_found, "cannot read home file " + config_.home_file.string());
    std::stringstream text;
    text << in.rdbuf();
    auto home = proto::home_from_yaml(text.str());
    if (!home) {
        auto e = home.error();
        e.message = config_.home_file.string() + ": " + e.message + (e.field.empty() ? "" : " (at " + e.field + ")");
        return e;
    }
    for (auto& area : home->areas) registry_.upsert_area(std::move(area));
    return {};
}

void Hub::register_routes() { add_device_routes(router_, *this); }

proto::Result<proto::Command> Hub::send_command(const proto::DeviceId& device, proto::Command command) {
    auto valid = registry_.validate(device, command);
    if (!valid) {
        ++stats_.commands_refused;
        return valid.error();
    }
    if (valid->context_id.empty()) valid->context_id = new_context_id();
    auto published = mqtt_ ? mqtt_->publish(topics_.device(device, DeviceTopic::set), proto::to_payload(*valid))
                           : proto::Result<void>(proto::make_error(Errc::device_unavailable, "MQTT is not started"));
    if (!published) {
        ++stats_.commands_refused;
        return published.error();
    }
    ++stats_.commands_sent;
    ++stats_.mqtt_messages_out;
    return valid;
}

void Hub::reject(const std::string& topic, const proto::Error& error) {
    ++stats_.mqtt_rejected;
    std::cerr << "hearthd: rejected " << topic << ": " << proto::to_string(error.code) << ": " << error.message
              << (error.field.empty() ? "" : " [" + error.field + "]") << "\n";
}

void Hub::on_mqtt_message(const MqttMessage& message) {
    ++stats_.mqtt_messages_in;
    const auto parsed = topics_.parse(message.topic);
    if (!parsed) return;
    try {
        switch (parsed->kind) {
            case DeviceTopic::config: return on_device_config(parsed->device, message.payload);
            case DeviceTopic::state: return on_device_state(parsed->device, message.payload);
            case DeviceTopic::availability: return on_device_availability(parsed->device, message.payload);
            case DeviceTopic::event: return on_device_event(parsed->device, message.payload);
            case DeviceTopic::set: return;
        }
    } catch (const std::exception& e) {
        reject(message.topic, proto::make_error(Errc::internal, e.what()));
    }
}

void Hub::on_device_config(const proto::DeviceId& id, const std::string& payload) {
    const auto topic = topics_.device(id, DeviceTopic::config);
    if (payload.empty()) {
        registry_.remove(id);
        return;
    }
    auto j = proto::parse_json(payload);
    if (!j) return reject(topic, j.error());
    auto description = proto::description_from_json(*j);
    if (!description) return reject(topic, description.error());
    if (description->id != id) {
        return reject(topic, proto::make_error(Errc::invalid_field, "id " + description->id.value +
                                                                        " does not match the topic", "id"));
    }
    registry_.upsert(std::move(*description));
    if (const auto early = early_availability_.extract(id)) on_device_availability(id, early.mapped());
    if (const auto early = early_state_.extract(id)) on_device_state(id, early.mapped());
}

void Hub::on_device_state(const proto::DeviceId& id, const std::string& payload) {
    const auto topic = topics_.device(id, DeviceTopic::state);
    if (!registry_.find(id)) {
        if (early_state_.size() < kMaxEarlyMessages) early_state_[id] = payload;
        return;
    }
    std::string context_id;
    auto attributes = attributes_from_payload(payload, context_id);
    if (!attributes) return reject(topic, attributes.error());
    auto update = registry_.apply_state(id, *attributes, context_id);
    if (!update) return reject(topic, update.error());
    for (const auto& refused : update->rejected) reject(topic, refused);
    stats_.state_changes += update->changes.size();
    for (const auto& change : update->changes) {
        for (const auto& listener : state_listeners_) listener(change);
    }
}

void Hub::on_device_availability(const proto::DeviceId& id, const std::string& payload) {
    const auto topic = topics_.device(id, DeviceTopic::availability);
    if (payload != proto::kOnline && payload != proto::kOffline) {
        return reject(topic, proto::make_error(Errc::invalid_field, "availability is 'online' or 'offline'"));
    }
    if (!registry_.find(id)) {
        if (early_availability_.size() < kMaxEarlyMessages) early_availability_[id] = payload;
        return;
    }
    (void)registry_.set_availability(
        id, payload == proto::kOnline ? devices::Availability::online : devices::Availability::offline);
}

void Hub::on_device_event(const proto::DeviceId& id, const std::string& payload) {
    const auto topic = topics_.device(id, DeviceTopic::event);
    if (!registry_.find(id)) return reject(topic, proto::make_error(Errc::unknown_device, "event from unknown device"));
    auto j = proto::parse_json(payload);
    if (!j) return reject(topic, j.error());
    if (!j->is_object()) return reject(topic, proto::make_error(Errc::bad_json, "an event is a JSON object"));
}

}  // namespace hearth::hub
