#include "hub/hub.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "hub/areas.hpp"
#include "hub/automation.hpp"
#include "hub/care_host.hpp"
#include "devices/adapters/ha_discovery.hpp"
#include "devices/adapters/tasmota.hpp"
#include "devices/adapters/zigbee2mqtt.hpp"
#include "hub/device_routes.hpp"
#include "hub/guarded_run.hpp"
#include "hub/ha/ha_api.hpp"
#include "hub/ha/ha_routes.hpp"
#include "hub/learning.hpp"
#include "hub/log.hpp"
#include "hub/system_routes.hpp"
#include "proto/home.hpp"
#include "proto/json.hpp"
#include "proto/yaml.hpp"
#include <nlohmann/json.hpp>

namespace hearth::hub {

using proto::DeviceTopic;
using proto::Errc;

namespace {

constexpr const char* kTokens = "tokens";

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

}  // namespace

proto::Result<proto::BrokerUrl> broker_of(const HubConfig& config) {
    auto url = proto::parse_broker_url(config.mqtt_url, "--mqtt");
    if (!url) return url.error();
    auto broker = proto::with_credentials(std::move(*url), config.mqtt_username, config.mqtt_password, "--mqtt-user",
                                          "--mqtt-password-file");
    if (!broker) return broker.error();
    const auto& tls = config.mqtt_tls;
    const bool files = !tls.ca_file.empty() || !tls.cert_file.empty() || !tls.key_file.empty();
    if (files && !broker->tls()) {
        return proto::make_error(Errc::invalid_field, "a CA file or client certificate needs an ssl:// or mqtts:// broker URL",
                                 "--mqtt");
    }
    if (tls.cert_file.empty() != tls.key_file.empty()) {
        return proto::make_error(Errc::invalid_field, "a client certificate needs both --mqtt-cert and --mqtt-key", "--mqtt-cert");
    }
    for (const auto& [file, field] : {std::pair{&tls.ca_file, "--mqtt-ca"}, {&tls.cert_file, "--mqtt-cert"}, {&tls.key_file, "--mqtt-key"}}) {
        if (!file->empty() && !std::ifstream(*file)) {
            return proto::make_error(Errc::invalid_field, std::string(field) + ": cannot read " + *file, field);
        }
    }
    return broker;
}

Hub::Hub(boost::asio::io_context& io, HubConfig config)
    : io_(io),
      config_(std::move(config)),
      clock_(config_.clock_speed),
      topics_(config_.prefix),
      guard_(config_.limits),
      held_(HoldLimits{config_.command_hold, 1000}),
      started_(std::chrono::steady_clock::now()) {}

Hub::~Hub() { stop(); }

proto::Result<void> Hub::start() {
    auto broker = broker_of(config_);
    if (!broker) return broker.error();
    broker_url_ = std::move(*broker);
    auto documents = open_store();
    if (!documents) return documents.error();
    areas_ = std::make_unique<Areas>(AreaLinks{registry_, *store_, [this] { return clock_.now(); }, [this] {
                                                   if (automation_) automation_->devices_changed();
                                               }});
    areas_->load(*documents);
    auto home = read_home_file();
    if (!home) return home.error();
    auto native = std::make_unique<devices::adapters::Native>(config_.prefix, registry_);
    native_ = native.get();
    adapters_.push_back(std::move(native));
    events_ = std::make_unique<EventPath>(registry_, *store_, traces_, stats_, [this] { return clock_.now(); },
                                          [this](const proto::Error& e) { reject("adapter", e); });
    // --rate-limit sets a WebSocket connection's message rate too (0: neither is limited).
    live_ = std::make_unique<LiveFeed>(
        tokens_, guard_, registry_,
        [this](std::chrono::milliseconds d, std::function<void()> f) { defer(d, std::move(f)); },
        LiveLimits{.messages_per_second = config_.limits.requests_per_second, .burst = config_.limits.burst});
    automation_ = std::make_unique<Automation>(
        io_, AutomationLinks{registry_, *store_, *live_, traces_, clock_,
                             [this](const proto::DeviceId& device, proto::Command command, const proto::Context& cause,
                                    std::string_view trace) { return send_command(device, std::move(command), cause, trace); },
                             [this](const proto::DeviceId& device, const proto::Command& command) { return transmit(device, command); },
                             [this](const std::string& topic, const std::string& payload) { return publish(topic, payload); },
                             config_.prefix});
    ha_ = std::make_unique<ha::HaApi>(ha::HaLinks{
        tokens_, guard_, registry_, [this] { return clock_.now(); },
        [this]() -> const scenes::Place& { return automation_->definitions().place(); },
        [this](const proto::DeviceId& device, proto::Command command, const proto::Context& cause) {
            return send_command(device, std::move(command), cause);
        },
        [this](const nlohmann::json& request) { return automation_->assistant().converse(request); },
        [this](std::chrono::milliseconds d, std::function<void()> f) { defer(d, std::move(f)); },
        [] { return new_context_id(); }, config_.limits.requests_per_second, config_.limits.burst});
    learning_ = std::make_unique<Learning>(
        io_, LearningLinks{*store_, registry_, clock_,
                           [this]() -> const scenes::TimeZone& { return automation_->definitions().place().time_zone; },
                           [this](const nlohmann::json& rule, Answer done) {
                               automation_->definitions().put_rule(rule, std::nullopt, std::move(done));
                           }});
    care_ = std::make_unique<CareHost>(
        io_, CareLinks{registry_, *store_, *live_, automation_->rule_host(), clock_,
                       [this](const proto::DeviceId& device, proto::Command command, const proto::Context& cause,
                              std::string_view trace) { return send_command(device, std::move(command), cause, trace); },
                       [this](const std::string& topic, const std::string& payload) { return publish(topic, payload); },
                       [this]() -> const scenes::Place& { return automation_->definitions().place(); },
                       [this](const proto::SceneId& scene) { return automation_->actions().activate_scene(scene, std::nullopt); },
                       config_.prefix});
    // The fixed order of the fan-out: rules, the care programs, the live feed, the Home Assistant API, learning.
    events_->add_listener(*automation_);
    events_->add_listener(*care_);
    events_->add_listener(*live_);
    events_->add_listener(*ha_);
    events_->add_listener(*learning_);
    events_->on_rerecord([this](const rules::Trace& trace) { automation_->rule_host().rerecord(trace); });
    if (auto started = automation_->start(*documents, *home); !started) return started;
    care_->start(*documents, *home);
    ha_->start();
    std::vector<std::string> learning_problems;
    learning_->start(*documents, learning_problems);
    for (const auto& problem : learning_problems) log::warning("storage: {}", problem);
    register_routes();
    http_ = std::make_unique<HttpServer>(io_, config_.http, router_, live_.get());
    http_->add_websocket("/api/websocket", *ha_);
    if (auto started = http_->start(); !started) return started;

    start_mqtt();
    // Rules go live when the broker connects; a broker that never answers does not keep them off.
    defer(config_.rules_wait_for_broker, [this] {
        if (automation_->rule_host().started()) return;
        log::warning("the broker did not answer in {} s; rules start without it (commands are held, then refused)",
                     config_.rules_wait_for_broker.count() / 1000);
        automation_->broker_ready();
    });
    return {};
}

void Hub::start_mqtt() {
    MqttLinkConfig mqtt_config;
    mqtt_config.url = broker_url_.client_uri();
    mqtt_config.shown_url = broker_url_.redacted();
    mqtt_config.tls = broker_url_.tls();
    mqtt_config.tls_files = config_.mqtt_tls;
    mqtt_config.client_id = config_.mqtt_client_id;
    mqtt_config.username = broker_url_.username;
    mqtt_config.password = broker_url_.password;
    mqtt_config.flood = config_.device_flood;
    mqtt_config.status_topic = topics_.hub_status();
    mqtt_config.sync_topic = topics_.hub_sync(config_.mqtt_client_id);
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
    handlers.connected = [this] { on_broker_connected(); };
    handlers.synced = [this] { on_broker_synced(); };
    handlers.disconnected = [this](const std::string& reason) {
        broker_.lost(std::chrono::system_clock::now(), reason);
        log::warning("mqtt: {}", reason);
    };
    auto post = [this](std::function<void()> f) { boost::asio::post(io_, std::move(f)); };
    mqtt_ = std::make_unique<MqttLink>(std::move(mqtt_config), std::move(handlers), post,
                                       [this](std::chrono::milliseconds d, std::function<void()> f) { defer(d, std::move(f)); });
    mqtt_->start();
}

void Hub::on_broker_connected() {
    broker_.connected(std::chrono::system_clock::now());
    ++stats_.broker_connections;
    // Ecosystems resend their discovery when they see their hub's birth message.
    for (const auto& adapter : adapters_) (void)publish_all(adapter->on_connect());
    release_held();
    automation_->broker_ready();
    log::info("connected to {} (MQTT {})", broker_url_.redacted(), mqtt_->protocol_version() == 5 ? "5" : "3.1.1");
    // A marker that never comes back (a broker that drops it) must not leave availability unknown.
    const auto reconnects = broker_.reconnects();
    defer(std::chrono::seconds(10), [this, reconnects] {
        if (broker_.state() != BrokerStatus::State::resyncing || broker_.reconnects() != reconnects) return;
        log::warning("mqtt: the resynchronisation marker did not come back in 10 s; taking the state as read");
        broker_.synced(std::chrono::system_clock::now());
    });
}

void Hub::on_broker_synced() {
    broker_.synced(std::chrono::system_clock::now());
    if (broker_.reconnects() > 0) {
        log::info("mqtt: resubscribed and resynchronised {} ms after reconnecting (outage {} ms)",
                  broker_.last_resync()->count(), broker_.last_outage().value_or(std::chrono::milliseconds(0)).count());
    }
}

void Hub::defer(std::chrono::milliseconds delay, std::function<void()> f) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
    timer->async_wait([timer, f = std::move(f)](const boost::system::error_code& ec) {
        if (!ec) f();
    });
}

proto::Result<std::vector<Document>> Hub::open_store() {
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
    for (const auto& problem : home->problems) log::warning("storage: {}", problem);
    for (auto& area : home->areas) registry_.upsert_area(std::move(area));
    if (auto loaded = load_tokens(home->documents); !loaded) return loaded.error();
    return std::move(home->documents);
}

proto::Result<void> Hub::load_tokens(const std::vector<Document>& documents) {
    for (const auto& doc : documents) {
        if (doc.collection != kTokens) continue;
        auto token = token_from_json(doc.body);
        if (!token) {
            log::warning("storage: token {} is unreadable: {}", doc.id, token.error().message);
            continue;
        }
        tokens_.add(std::move(*token));
    }
    if (!tokens_.empty()) return {};
    auto owner = tokens_.issue("owner", Scope::admin, clock_.now());
    store_->put_document(kTokens, owner.token.id, to_json(owner.token), clock_.now());
    store_->flush();
    const auto saved = store_->document(kTokens, owner.token.id);
    if (!saved || !*saved) return proto::make_error(Errc::storage_failed, "cannot save the owner token");
    if (auto written = write_secret(owner_token_path(), owner.secret); !written) return written;
    log::info("created the owner token (admin scope) in {}, mode 0600", owner_token_path().string());
    if (config_.print_owner_token) {
        std::cout << "hearthd: owner token (shown once; also in " << owner_token_path().string()
                  << ", mode 0600): " << owner.secret << std::endl;
    }
    return {};
}

void Hub::run() {
    run_guarded(io_, [this](const std::exception& e) {
        ++stats_.internal_errors;
        log::error("internal error (the hub goes on): {}", e.what());
    });
}

void Hub::stop() {
    if (learning_) learning_->stop();
    if (care_) care_->stop();
    if (automation_) automation_->stop();
    if (mqtt_) mqtt_->stop();
    if (http_) http_->stop();
    if (store_) store_->flush();
}

bool Hub::mqtt_connected() const noexcept { return mqtt_ && mqtt_->connected(); }
std::uint16_t Hub::http_port() const noexcept { return http_ ? http_->port() : 0; }
std::chrono::steady_clock::duration Hub::uptime() const { return std::chrono::steady_clock::now() - started_; }

proto::Result<nlohmann::json> Hub::read_home_file() {
    if (config_.home_file.empty()) return proto::Result<nlohmann::json>(boost::system::in_place_value, nullptr);
    const auto at_file = [&](proto::Error e) {
        e.message = config_.home_file.string() + ": " + e.message + (e.field.empty() ? "" : " (at " + e.field + ")");
        return e;
    };
    std::ifstream in(config_.home_file);
    if (!in) return proto::make_error(Errc::not_found, "cannot read home file " + config_.home_file.string());
    std::stringstream text;
    text << in.rdbuf();
    auto j = proto::yaml_to_json(text.str());
    if (!j) return at_file(j.error());
    auto home = proto::home_from_json(*j);
    if (!home) return at_file(home.error());
    areas_->seed(home->areas);
    return proto::Result<nlohmann::json>(boost::system::in_place_value, std::move(*j));
}

void Hub::register_routes() {
    router_.set_gate([this](const HttpRequest& request, const Route& route, Reply reply, Proceed proceed) {
        gate(request, route, std::move(reply), std::move(proceed));
    });
    const DeviceRouteLinks device_links{registry_, *store_, clock_, adapters_,
                                        [this](const proto::DeviceId& device, proto::Command command,
                                               const proto::Context& cause) {
                                            return send_command(device, std::move(command), cause);
                                        },
                                        [this](const std::string& context_id,
                                               std::function<void(const rules::Settlement&)> done) {
                                            return when_settled(context_id, std::move(done));
                                        }};
    add_device_routes(router_, device_links);
    add_area_routes(router_, *areas_, registry_);
    add_device_requests(*live_, device_links);
    add_system_routes(router_, SystemRouteLinks{registry_, *store_, tokens_, *live_, stats_, clock_,
                                                [this] { return mqtt_connected(); },
                                                [this] { return mqtt_ ? mqtt_->flood_stats() : FloodStats{}; },
                                                [this] { return uptime(); },
                                                [this]() -> const scenes::TimeZone& {
                                                    return automation_->definitions().place().time_zone;
                                                },
                                                broker_, [this] { return held_.size(); },
                                                automation_->rule_host().runs(), automation_->assistant().utterances(), guard_,
                                                [this] { return http_ ? http_->stats() : HttpServerStats{}; }});
    add_scene_routes(router_, automation_->definitions(), automation_->actions());
    add_rule_routes(router_, automation_->definitions(), automation_->rule_host());
    add_conversation_routes(router_, automation_->phrasebook(), automation_->assistant());
    ha::add_ha_routes(router_, *ha_);
    add_suggestion_routes(router_, *learning_);
    add_care_routes(router_, *care_);
    if (!config_.web_dir.empty()) web_ = WebApp::load(config_.web_dir);
    add_web_routes(router_, web_);
}

void Hub::gate(const HttpRequest& request, const Route& route, Reply reply, Proceed proceed) {
    const auto now = std::chrono::steady_clock::now();
    // Every answer is measured and counted, whoever gives it, under the route's pattern.
    reply = [this, now, method = request.method, route = route.pattern, reply = std::move(reply)](HttpResponse response) {
        stats_.http_latency.observe({route}, std::chrono::steady_clock::now() - now);
        stats_.http_requests.add({method, route, std::to_string(response.status)});
        if (response.status >= 400) ++stats_.http_errors;
        reply(std::move(response));
    };
    if (!guard_.take_request(request.remote, now)) {
        auto r = error_response(429, Errc::rate_limited, "too many requests from " + request.remote);
        r.headers.emplace_back("Retry-After", "1");
        return reply(std::move(r));
    }
    if (!route.scope) return proceed({}, std::move(reply));
    if (const auto locked = guard_.locked_for(request.remote, now); locked.count() > 0) {
        guard_.locked_refusal();
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
    proceed(token->name, std::move(reply));
}

proto::Result<proto::Command> Hub::send_command(const proto::DeviceId& device, proto::Command command,
                                               proto::Context cause, std::string_view trace) {
    auto valid = registry_.validate(device, command);
    if (!valid) {
        ++stats_.commands_refused;
        return valid.error();
    }
    if (valid->context_id.empty()) valid->context_id = cause.id.empty() ? new_context_id() : cause.id;
    cause.id = valid->context_id;
    if (auto sent = transmit(device, *valid); !sent) return sent.error();
    traces_.sent(device, cause, trace, clock_.now());
    return valid;
}

devices::adapters::Adapter& Hub::owner_of(const proto::DeviceId& device) {
    const auto owner = std::find_if(adapters_.begin() + 1, adapters_.end(), [&](const auto& a) { return a->owns(device); });
    return owner == adapters_.end() ? *adapters_.front() : **owner;
}

proto::Result<void> Hub::transmit(const proto::DeviceId& device, const proto::Command& command) {
    auto& adapter = owner_of(device);
    auto messages = adapter.command(device, command);
    if (!messages) {
        ++stats_.commands_refused;
        return messages.error();
    }
    if (!mqtt_connected()) return hold(device, command, std::move(*messages));
    if (auto published = publish_all(*messages); !published) {
        if (published.error().code == Errc::broker_unavailable) return hold(device, command, std::move(*messages));
        ++stats_.commands_refused;
        return published.error();
    }
    ++stats_.commands_sent;
    assume_sent(adapter, device, command);
    return {};
}

void Hub::assume_sent(devices::adapters::Adapter& adapter, const proto::DeviceId& device, const proto::Command& command) {
    auto assumed = adapter.optimistic_state(device, command);
    if (assumed.empty()) return;
    // Applied on the next turn: the caller (a rule run, a scene) finishes before its effects come back.
    devices::adapters::Effects effects;
    effects.states.push_back({device, std::move(assumed), command.context_id});
    boost::asio::post(io_, [this, effects = std::move(effects)] { events_->take(effects); });
}

// ---- commands held while the broker is unreachable ----

proto::Result<void> Hub::hold(const proto::DeviceId& device, const proto::Command& command,
                              std::vector<devices::adapters::Publish> messages) {
    if (!held_.hold({device, command, std::move(messages), std::chrono::steady_clock::now()})) {
        ++stats_.commands_refused;
        return proto::make_error(Errc::broker_unavailable,
                                 held_.size() == 0 ? "the MQTT broker is unreachable; the command was not sent"
                                                   : "the MQTT broker is unreachable and " + std::to_string(held_.size()) +
                                                         " commands wait for it already; the command was not sent");
    }
    ++stats_.commands_held;
    if (held_.size() == 1) arm_hold_expiry();
    return {};
}

bool Hub::when_settled(const std::string& context_id, std::function<void(const rules::Settlement&)> done) {
    if (!held_.holds(context_id)) return false;
    settle_waiters_[context_id].push_back(std::move(done));
    return true;
}

void Hub::release_held() {
    const auto now = std::chrono::steady_clock::now();
    for (auto& c : held_.release()) {
        if (!publish_all(c.messages)) {
            // Lost again while sending: it keeps its place and its deadline.
            (void)held_.hold(std::move(c));
            continue;
        }
        ++stats_.commands_sent;
        ++stats_.commands_held_sent;
        assume_sent(owner_of(c.device), c.device, c.command);
        settle(c, {std::chrono::duration_cast<std::chrono::milliseconds>(now - c.held_at), "", ""});
    }
    arm_hold_expiry();
}

void Hub::expire_held() {
    for (const auto& c : held_.expire(std::chrono::steady_clock::now())) {
        ++stats_.commands_refused;
        ++stats_.commands_held_refused;
        const auto seconds = std::to_string(held_.limits().hold_for.count() / 1000.0);
        settle(c, {held_.limits().hold_for, std::string(proto::to_string(Errc::broker_unavailable)),
                   "the MQTT broker stayed unreachable for " + seconds.substr(0, seconds.find('.') + 2) +
                       " s; the command was not sent"});
    }
    arm_hold_expiry();
}

void Hub::arm_hold_expiry() {
    const auto generation = ++hold_expiry_generation_;
    const auto next = held_.next_expiry();
    if (!next) return;
    const auto delay = std::chrono::ceil<std::chrono::milliseconds>(*next - std::chrono::steady_clock::now());
    defer(std::max(delay, std::chrono::milliseconds(0)), [this, generation] {
        if (generation == hold_expiry_generation_) expire_held();
    });
}

void Hub::settle(const HeldCommand& command, const rules::Settlement& settlement) {
    traces_.settle(command.device, command.command.context_id, settlement, clock_.now());
    for (const auto& trace : traces_.take_changed()) automation_->rule_host().rerecord(trace);
    const auto waiters = settle_waiters_.find(command.command.context_id);
    if (waiters == settle_waiters_.end()) return;
    auto done = std::move(waiters->second);
    settle_waiters_.erase(waiters);
    for (const auto& f : done) f(settlement);
}

proto::Result<void> Hub::publish(const std::string& topic, const std::string& payload) {
    if (!mqtt_) return proto::make_error(Errc::device_unavailable, "MQTT is not started");
    auto published = mqtt_->publish(topic, payload);
    if (published) ++stats_.mqtt_messages_out;
    return published;
}

void Hub::reject(const std::string& topic, const proto::Error& error) {
    ++stats_.mqtt_rejected;
    const auto admitted = rejections_.admit(topic + '|' + std::string(proto::to_string(error.code)) + '|' + error.field,
                                            std::chrono::steady_clock::now());
    if (!admitted) return;
    log::warning("rejected {}: {}: {}{}{}", topic, proto::to_string(error.code), error.message,
                 error.field.empty() ? "" : " [" + error.field + "]", suppressed_note(*admitted));
}

void Hub::on_mqtt_message(const MqttMessage& message) {
    ++stats_.mqtt_messages_in;
    stats_.mqtt_retained_in += message.retained;
    const auto started = std::chrono::steady_clock::now();
    struct Measure {
        LatencyHistogram& h;
        std::chrono::steady_clock::time_point t;
        ~Measure() { h.observe(std::chrono::steady_clock::now() - t); }
    } measure{stats_.mqtt_handling, started};
    try {
        if (native_->follows(message.topic)) return take(*native_, message);
        // A reply to the hub's own question first; any other utterance goes on to the assistant.
        if (care_ && care_->take_answer(message.topic, message.payload)) return;
        if (automation_ && automation_->handle_mqtt(message.topic, message.payload)) return;
        for (auto it = adapters_.begin() + 1; it != adapters_.end(); ++it) take(**it, message);
    } catch (const std::exception& e) {
        reject(message.topic, proto::make_error(Errc::internal, e.what()));
    }
}

void Hub::take(devices::adapters::Adapter& adapter, const MqttMessage& message) {
    auto effects = adapter.handle(message.topic, message.payload);
    if (effects.empty()) return;
    for (const auto& filter : effects.subscribe) mqtt_->subscribe(filter);
    for (const auto& filter : effects.unsubscribe) mqtt_->unsubscribe(filter);
    areas_->place(effects);
    events_->take(effects);
}

proto::Result<void> Hub::publish_all(const std::vector<devices::adapters::Publish>& messages) {
    if (!mqtt_) return proto::make_error(Errc::broker_unavailable, "MQTT is not started");
    for (const auto& m : messages) {
        if (auto sent = mqtt_->publish(m.topic, m.payload, m.retain); !sent) return sent;
        ++stats_.mqtt_messages_out;
    }
    return {};
}

}  // namespace hearth::hub
