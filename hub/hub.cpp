#include "hub/hub.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "hub/automation.hpp"
#include "devices/adapters/ha_discovery.hpp"
#include "devices/adapters/tasmota.hpp"
#include "devices/adapters/zigbee2mqtt.hpp"
#include "hub/device_routes.hpp"
#include "hub/system_routes.hpp"
#include "proto/home.hpp"
#include "proto/json.hpp"
#include <nlohmann/json.hpp>

namespace hearth::hub {

using proto::DeviceTopic;
using proto::Errc;

namespace {

constexpr std::size_t kMaxEarlyMessages = 100'000;
constexpr std::size_t kMaxPendingConfirmations = 10'000;
constexpr const char* kTokens = "tokens";

std::chrono::system_clock::time_point wall_now() { return std::chrono::system_clock::now(); }

/// Writes the secret readable by the owner only (mode 0600), replacing any older file.
proto::Result<void> write_secret(const std::filesystem::path& path, const std::string& secret) {
    ::unlink(path.c_str());
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return proto::make_error(Errc::storage_failed, "cannot write " + path.string());
    const std::string line = secret + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) return proto::make_error(Errc::storage_failed, "cannot write " + path.string());
    return {};
}

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

Hub::Hub(boost::asio::io_context& io, HubConfig config)
    : io_(io),
      config_(std::move(config)),
      topics_(config_.prefix),
      guard_(config_.limits),
      started_(std::chrono::steady_clock::now()) {}

Hub::~Hub() { stop(); }

proto::Result<void> Hub::start() {
    if (auto opened = open_store(); !opened) return opened;
    if (!config_.home_file.empty()) {
        if (auto imported = import_home_file(); !imported) return imported;
    }
    live_ = std::make_unique<LiveFeed>(tokens_, registry_,
                                       [this](std::chrono::milliseconds d, std::function<void()> f) { defer(d, std::move(f)); });
    on_state_change([this](const devices::StateChange& change) {
        live_->publish_state(change, std::chrono::duration_cast<std::chrono::milliseconds>(
                                         wall_now().time_since_epoch()).count());
    });
    live_->add_request("command", Scope::control, [this](const nlohmann::json& request, LiveFeed::Respond respond) {
        auto body = request.value("set", nlohmann::json());
        if (!body.is_object()) {
            return respond({{"error", error_json(proto::make_error(Errc::invalid_field, "set is an object of attributes", "set"))}});
        }
        if (request.contains("transition")) body[proto::kTransitionKey] = request["transition"];
        auto command = proto::command_from_json(body);
        if (!command) return respond({{"error", error_json(command.error())}});
        const auto device = request.value("device", nlohmann::json());
        if (!device.is_string()) {
            return respond({{"error", error_json(proto::make_error(Errc::invalid_field, "device is a device id", "device"))}});
        }
        auto sent = send_command(proto::DeviceId{device.get<std::string>()}, std::move(*command));
        if (!sent) return respond({{"error", error_json(sent.error())}});
        respond({{"device", device}, {"set", proto::to_json(sent->set)}, {"context_id", sent->context_id}});
    });
    automation_ = std::make_unique<Automation>(
        io_, AutomationLinks{registry_, *store_, *live_,
                             [this](const proto::DeviceId& device, proto::Command command) { return send_command(device, std::move(command)); },
                             [this](const std::string& topic, const std::string& payload) { return publish(topic, payload); },
                             config_.prefix});
    on_state_change([this](const devices::StateChange& change) { automation_->state_changed(change); });
    {
        auto stored = store_->load();
        if (!stored) return stored.error();
        if (auto started = automation_->start(stored->documents, config_.home_file); !started) return started;
    }
    register_routes();
    http_ = std::make_unique<HttpServer>(io_, config_.http, router_, live_.get());
    if (auto started = http_->start(); !started) return started;

    MqttLinkConfig mqtt_config;
    mqtt_config.url = config_.mqtt_url;
    mqtt_config.client_id = config_.mqtt_client_id;
    mqtt_config.username = config_.mqtt_username;
    mqtt_config.password = config_.mqtt_password;
    mqtt_config.status_topic = topics_.hub_status();
    for (const auto kind : {DeviceTopic::config, DeviceTopic::state, DeviceTopic::availability, DeviceTopic::event}) {
        mqtt_config.subscriptions.push_back(topics_.all(kind));
    }
    mqtt_config.subscriptions.push_back(automation_->assist_subscription());
    if (!config_.ha_discovery_prefix.empty()) {
        adapters_.push_back(std::make_unique<devices::adapters::HaDiscovery>(config_.ha_discovery_prefix));
    }
    if (!config_.zigbee2mqtt_base.empty()) {
        adapters_.push_back(std::make_unique<devices::adapters::Zigbee2Mqtt>(config_.zigbee2mqtt_base));
    }
    if (!config_.tasmota_prefix.empty()) {
        adapters_.push_back(std::make_unique<devices::adapters::Tasmota>(config_.tasmota_prefix));
    }
    for (const auto& adapter : adapters_) {
        for (auto& filter : adapter->subscriptions()) mqtt_config.subscriptions.push_back(std::move(filter));
    }
    MqttLinkHandlers handlers;
    handlers.message = [this](MqttMessage m) { on_mqtt_message(m); };
    handlers.connected = [this] {
        ++stats_.broker_connections;
        // Ecosystems resend their discovery when they see their hub's birth message.
        for (const auto& adapter : adapters_) (void)publish_all(adapter->on_connect());
        std::cerr << "hearthd: connected to " << config_.mqtt_url << " (MQTT "
                  << (mqtt_->protocol_version() == 5 ? "5" : "3.1.1") << ")\n";
    };
    handlers.disconnected = [](const std::string& reason) { std::cerr << "hearthd: mqtt: " << reason << "\n"; };
    auto post = [this](std::function<void()> f) { boost::asio::post(io_, std::move(f)); };
    mqtt_ = std::make_unique<MqttLink>(std::move(mqtt_config), std::move(handlers), post,
                                       [this](std::chrono::milliseconds d, std::function<void()> f) { defer(d, std::move(f)); });
    mqtt_->start();
    return {};
}

void Hub::defer(std::chrono::milliseconds delay, std::function<void()> f) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
    timer->async_wait([timer, f = std::move(f)](const boost::system::error_code& ec) {
        if (!ec) f();
    });
}

proto::Result<void> Hub::open_store() {
    std::error_code ec;
    std::filesystem::create_directories(config_.data_dir, ec);
    if (ec) return proto::make_error(Errc::storage_failed, "cannot create " + config_.data_dir.string() + ": " + ec.message());
    auto store = Store::open(StoreOptions{.path = config_.data_dir / "hearth.db"},
                             [this](std::function<void()> f) { boost::asio::post(io_, std::move(f)); });
    if (!store) return store.error();
    store_ = std::move(*store);
    auto home = store_->load([this](StoredDevice&& stored) {
        auto description = proto::description_from_json(stored.description);
        if (!description) {
            proto::DeviceDescription placeholder;
            placeholder.id = stored.id;
            registry_.upsert(std::move(placeholder));
            registry_.set_problem(stored.id, "stored description is invalid: " + description.error().message);
            return;
        }
        registry_.upsert(std::move(*description));
        if (!stored.problem.empty()) registry_.set_problem(stored.id, stored.problem);
        if (stored.state) registry_.restore(stored.id, stored.state->attributes, stored.state->version, stored.state->availability);
    });
    if (!home) return home.error();
    for (const auto& problem : home->problems) std::cerr << "hearthd: storage: " << problem << "\n";
    for (auto& area : home->areas) registry_.upsert_area(std::move(area));
    return load_tokens(home->documents);
}

proto::Result<void> Hub::load_tokens(const std::vector<Document>& documents) {
    for (const auto& doc : documents) {
        if (doc.collection != kTokens) continue;
        auto token = token_from_json(doc.body);
        if (!token) {
            std::cerr << "hearthd: storage: token " << doc.id << " is unreadable: " << token.error().message << "\n";
            continue;
        }
        tokens_.add(std::move(*token));
    }
    if (!tokens_.empty()) return {};
    auto owner = tokens_.issue("owner", Scope::admin, wall_now());
    store_->put_document(kTokens, owner.token.id, to_json(owner.token), wall_now());
    store_->flush();
    const auto saved = store_->document(kTokens, owner.token.id);
    if (!saved || !*saved) return proto::make_error(Errc::storage_failed, "cannot save the owner token");
    if (auto written = write_secret(owner_token_path(), owner.secret); !written) return written;
    if (config_.print_owner_token) {
        std::cout << "hearthd: owner token (shown once; also in " << owner_token_path().string()
                  << ", mode 0600): " << owner.secret << std::endl;
    }
    return {};
}
void Hub::stop() {
    if (automation_) automation_->stop();
    if (mqtt_) mqtt_->stop();
    if (http_) http_->stop();
    if (store_) store_->flush();
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
    for (auto& area : home->areas) {
        if (registry_.upsert_area(area) != devices::Upsert::unchanged) store_->put_area(area);
    }
    return {};
}

void Hub::register_routes() {
    router_.set_gate([this](const HttpRequest& request, const Route& route, Reply reply, std::function<void()> proceed) {
        gate(request, route, std::move(reply), std::move(proceed));
    });
    add_device_routes(router_, *this);
    add_system_routes(router_, *this);
    add_scene_routes(router_, automation_->definitions(), automation_->actions());
    add_rule_routes(router_, automation_->definitions(), automation_->rule_host());
    add_conversation_routes(router_, automation_->phrasebook(), automation_->assistant());
}

void Hub::gate(const HttpRequest& request, const Route& route, Reply reply, std::function<void()> proceed) {
    const auto now = std::chrono::steady_clock::now();
    ++stats_.http_requests;
    // Every answer is measured and counted, whoever gives it.
    reply = [this, now, reply = std::move(reply)](HttpResponse response) {
        stats_.http_latency.observe(std::chrono::steady_clock::now() - now);
        if (response.status >= 400) ++stats_.http_errors;
        reply(std::move(response));
    };
    if (!guard_.take_request(request.remote, now)) {
        auto r = error_response(429, Errc::rate_limited, "too many requests from " + request.remote);
        r.headers.emplace_back("Retry-After", "1");
        return reply(std::move(r));
    }
    if (!route.scope) return proceed();
    if (const auto locked = guard_.locked_for(request.remote, now); locked.count() > 0) {
        auto r = error_response(429, Errc::rate_limited, "too many bad tokens from " + request.remote + "; try again in " +
                                                              std::to_string(locked.count()) + " s");
        r.headers.emplace_back("Retry-After", std::to_string(locked.count()));
        return reply(std::move(r));
    }
    const auto authorization = request.header("authorization");
    const Token* token = authorization.starts_with("Bearer ") ? tokens_.verify(authorization.substr(7)) : nullptr;
    if (!token) {
        const auto delay = guard_.bad_token(request.remote, now);
        auto r = error_response(401, Errc::unauthorized,
                                authorization.empty() ? "this endpoint needs Authorization: Bearer <token>"
                                                      : "the token is not valid");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        if (delay.count() == 0) return reply(std::move(r));
        return defer(delay, [reply, r = std::move(r)]() mutable { reply(std::move(r)); });
    }
    guard_.good_token(request.remote);
    if (token->scope < *route.scope) {
        return reply(error_response(403, Errc::forbidden, "this needs a token with the " +
                                                              std::string(to_string(*route.scope)) + " scope"));
    }
    proceed();
}

proto::Result<proto::Command> Hub::send_command(const proto::DeviceId& device, proto::Command command) {
    auto valid = registry_.validate(device, command);
    if (!valid) {
        ++stats_.commands_refused;
        return valid.error();
    }
    if (valid->context_id.empty()) valid->context_id = new_context_id();
    const auto owner = std::find_if(adapters_.begin(), adapters_.end(), [&](const auto& a) { return a->owns(device); });
    proto::Result<void> published;
    if (owner != adapters_.end()) {
        // An ecosystem device gets the command in its own format, on its own topics.
        auto messages = (*owner)->command(device, *valid);
        published = messages ? publish_all(*messages) : proto::Result<void>(messages.error());
        if (published) {
            const auto assumed = (*owner)->optimistic_state(device, *valid);
            if (!assumed.empty()) {
                if (auto update = registry_.apply_state(device, assumed, valid->context_id)) {
                    commit_changes(device, update->changes, valid->context_id);
                }
            }
        }
    } else if (mqtt_) {
        published = mqtt_->publish(topics_.device(device, DeviceTopic::set), proto::to_payload(*valid));
    } else {
        published = proto::make_error(Errc::device_unavailable, "MQTT is not started");
    }
    if (!published) {
        ++stats_.commands_refused;
        return published.error();
    }
    ++stats_.commands_sent;
    ++stats_.mqtt_messages_out;
    if (pending_confirmations_.size() >= kMaxPendingConfirmations) pending_confirmations_.clear();
    pending_confirmations_[valid->context_id] = std::chrono::steady_clock::now();
    return valid;
}

proto::Result<void> Hub::publish(const std::string& topic, const std::string& payload) {
    if (!mqtt_) return proto::make_error(Errc::device_unavailable, "MQTT is not started");
    auto published = mqtt_->publish(topic, payload);
    if (published) ++stats_.mqtt_messages_out;
    return published;
}

void Hub::reject(const std::string& topic, const proto::Error& error) {
    ++stats_.mqtt_rejected;
    std::cerr << "hearthd: rejected " << topic << ": " << proto::to_string(error.code) << ": " << error.message
              << (error.field.empty() ? "" : " [" + error.field + "]") << "\n";
}

void Hub::on_mqtt_message(const MqttMessage& message) {
    ++stats_.mqtt_messages_in;
    const auto parsed = topics_.parse(message.topic);
    if (!parsed) {
        try {
            if (automation_ && automation_->handle_mqtt(message.topic, message.payload)) return;
        } catch (const std::exception& e) {
            reject(message.topic, proto::make_error(Errc::internal, e.what()));
            return;
        }
        for (const auto& adapter : adapters_) {
            try {
                apply_adapter_effects(adapter->handle(message.topic, message.payload));
            } catch (const std::exception& e) {
                reject(message.topic, proto::make_error(Errc::internal, e.what()));
            }
        }
        return;
    }
    const auto started = std::chrono::steady_clock::now();
    struct Measure {
        LatencyHistogram& h;
        std::chrono::steady_clock::time_point t;
        ~Measure() { h.observe(std::chrono::steady_clock::now() - t); }
    } measure{stats_.mqtt_handling, started};
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
        if (registry_.remove(id)) {
            store_->remove_device(id);
            automation_->devices_changed();
        }
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
    if (registry_.upsert(*description) != devices::Upsert::unchanged) {
        store_->put_device(*description);
        automation_->devices_changed();
    }
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
    commit_changes(id, update->changes, context_id);
}

void Hub::commit_changes(const proto::DeviceId& id, const std::vector<devices::StateChange>& changes,
                         const std::string& context_id) {
    if (!context_id.empty()) {
        if (const auto sent = pending_confirmations_.extract(context_id)) {
            ++stats_.commands_confirmed;
            stats_.command_confirmation.observe(std::chrono::steady_clock::now() - sent.mapped());
        }
    }
    if (changes.empty()) return;
    stats_.state_changes += changes.size();
    save_state(id);
    const auto now = wall_now();
    for (const auto& change : changes) {
        if (store_->append_history(id, change.attribute, change.new_value, now) == Admission::dropped) {
            ++stats_.history_dropped;
        }
        for (const auto& listener : state_listeners_) listener(change);
    }
}

proto::Result<void> Hub::publish_all(const std::vector<devices::adapters::Publish>& messages) {
    if (!mqtt_) return proto::make_error(Errc::device_unavailable, "MQTT is not started");
    for (const auto& m : messages) {
        if (auto sent = mqtt_->publish(m.topic, m.payload, m.retain); !sent) return sent;
        ++stats_.mqtt_messages_out;
    }
    return {};
}

void Hub::apply_adapter_effects(devices::adapters::Effects effects) {
    if (effects.empty()) return;
    for (const auto& filter : effects.subscribe) mqtt_->subscribe(filter);
    for (const auto& filter : effects.unsubscribe) mqtt_->unsubscribe(filter);
    for (const auto& error : effects.errors) reject("adapter", error);
    const auto applied = devices::adapters::apply(registry_, effects);
    for (const auto& error : applied.rejected) reject("adapter", error);
    for (const auto& description : effects.upserts) {
        if (const auto* d = registry_.find(description.id)) store_->put_device(d->description, d->problem);
    }
    for (const auto& problem : effects.problems) {
        if (const auto* d = registry_.find(problem.device)) store_->put_device(d->description, d->problem);
    }
    std::map<proto::DeviceId, std::vector<devices::StateChange>> by_device;
    for (const auto& change : applied.changes) by_device[change.device].push_back(change);
    for (const auto& [id, changes] : by_device) commit_changes(id, changes, {});
    for (const auto& change : applied.availability_changed) {
        save_state(change.device);
        live_->publish("availability", change.device.value, {{"availability", devices::to_string(change.after)}});
        automation_->availability_changed(change.device, change.before, change.after);
    }
    for (const auto& event : effects.events) {
        auto body = proto::to_json(event.attributes);
        body["event"] = event.name;
        live_->publish("event", event.device.value, {{"event", body}});
        automation_->device_event(event.device, body);
    }
    for (const auto& id : effects.removals) store_->remove_device(id);
    if (!effects.upserts.empty() || !effects.removals.empty()) automation_->devices_changed();
}

void Hub::save_state(const proto::DeviceId& id) {
    const auto* device = registry_.find(id);
    if (!device) return;
    store_->put_state(id, DeviceState{device->state, device->version, device->availability, wall_now()});
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
    const auto availability = payload == proto::kOnline ? devices::Availability::online : devices::Availability::offline;
    const auto before = registry_.find(id)->availability;
    const auto changed = registry_.set_availability(id, availability);
    if (!changed || !*changed) return;
    save_state(id);
    live_->publish("availability", id.value, {{"availability", payload}});
    automation_->availability_changed(id, before, availability);
}

void Hub::on_device_event(const proto::DeviceId& id, const std::string& payload) {
    const auto topic = topics_.device(id, DeviceTopic::event);
    if (!registry_.find(id)) return reject(topic, proto::make_error(Errc::unknown_device, "event from unknown device"));
    auto j = proto::parse_json(payload);
    if (!j) return reject(topic, j.error());
    if (!j->is_object()) return reject(topic, proto::make_error(Errc::bad_json, "an event is a JSON object"));
    live_->publish("event", id.value, {{"event", *j}});
    automation_->device_event(id, *j);
}

}  // namespace hearth::hub
