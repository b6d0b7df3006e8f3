#include "sim/mqtt_fleet.hpp"

#include <dlfcn.h>
#include <mosquitto.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <unistd.h>
#include <algorithm>
#include <optional>

namespace {

// libmosquitto gives every client a socket pair that only wakes its own threaded loop
// (mosquitto_loop_start), and writes a byte into it on every publish. Driven from our epoll loop it
// is never read, yet it would cost two descriptors per device (30,000 for 10,000 devices, past
// common hard limits) and a syscall per message. The library treats a failed socketpair() as
// harmless, so while our clients are created and connect we make it fail; every other caller gets the real one.
thread_local bool refuse_socketpair = false;

struct RefuseSocketpair {
    RefuseSocketpair() { refuse_socketpair = true; }
    ~RefuseSocketpair() { refuse_socketpair = false; }
    RefuseSocketpair(const RefuseSocketpair&) = delete;
    RefuseSocketpair& operator=(const RefuseSocketpair&) = delete;
};

}  // namespace

extern "C" int socketpair(int domain, int type, int protocol, int fds[2]) noexcept {
    if (refuse_socketpair) {
        errno = EMFILE;
        return -1;
    }
    using Real = int (*)(int, int, int, int*);
    static const auto real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "socketpair"));
    return real(domain, type, protocol, fds);
}

namespace hearth::sim {

using Clock = std::chrono::steady_clock;

struct MqttFleet::Connection {
    enum class Phase { idle, waiting, queued, connecting, connected };

    MqttFleet* owner = nullptr;
    std::size_t device = 0;
    mosquitto* client = nullptr;
    int fd = -1;
    Phase phase = Phase::idle;
    bool watching_write = false;
    Clock::time_point retry_at{};
    std::optional<Zigbee2MqttStyle> styled;
};

SimulatedClock make_simulated_clock(double speed) {
    const auto real_start = Clock::now();
    const auto wall = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(wall);
    std::tm local{};
    localtime_r(&t, &local);
    const auto local_start = Instant(std::chrono::duration_cast<Duration>(wall.time_since_epoch()) +
                                     std::chrono::seconds(local.tm_gmtoff));
    return [=] {
        const auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - real_start) * speed;
        return local_start + std::chrono::duration_cast<Duration>(elapsed);
    };
}

namespace {

const char* or_null(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

/// TLS with host name verification; without a CA file the system's trust store (and its CA
/// directory when a client certificate is given, since libmosquitto then wants a CA file or path).
void use_tls(mosquitto* client, const TransportOptions& options) {
    int rc = MOSQ_ERR_SUCCESS;
    if (!options.ca_file.empty() || !options.cert_file.empty()) {
        rc = mosquitto_tls_set(client, or_null(options.ca_file), options.ca_file.empty() ? "/etc/ssl/certs" : nullptr,
                               or_null(options.cert_file), or_null(options.key_file), nullptr);
    } else {
        rc = mosquitto_int_option(client, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        throw std::runtime_error(std::string("TLS settings refused (CA file, certificate and key must be readable, a "
                                             "certificate needs its key): ") + mosquitto_strerror(rc));
    }
}

}  // namespace

MqttFleet::MqttFleet(Fleet& fleet, TransportOptions options, SimulatedClock clock, LogSink log)
    : fleet_(fleet), options_(std::move(options)), topics_(options_.prefix), clock_(std::move(clock)),
      log_(std::move(log)) {
    // Checked before anything is created: a throwing constructor runs no destructor.
    for (std::size_t i = 0; i < fleet_.size() && !options_.credentials.empty(); ++i) {
        const auto& id = fleet_.device(i).description().id.value;
        if (!options_.credentials.contains(id)) throw std::runtime_error("no password for " + id);
    }
    mosquitto_lib_init();
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
    connections_.resize(fleet_.size());
    std::size_t stay_native = 0;
    for (std::size_t i = 0; i < connections_.size(); ++i) {
        auto& c = connections_[i];
        c.owner = this;
        c.device = i;
        const auto& model = fleet_.device(i);
        const auto& id = model.description().id;
        const bool asked = model.settings().style == PresentationStyle::zigbee2mqtt;
        if (asked || options_.style == PresentationStyle::zigbee2mqtt) {
            if (Zigbee2MqttStyle::can_present(model.description())) {
                c.styled.emplace(model.description(), options_.zigbee2mqtt_base, options_.discovery_prefix);
            } else if (asked) {
                this->log(id.value + ": stays native, Zigbee2MQTT style cannot present kind " +
                    std::string(proto::to_string(model.description().kind)));
            } else {
                ++stay_native;
            }
        }
        {
            const RefuseSocketpair no_wakeup_pair;
            c.client = mosquitto_new(("hearth-fleet." + id.value).c_str(), true, &c);
        }
        if (!c.client) throw std::runtime_error("mosquitto_new failed for " + id.value);
        if (!options_.credentials.empty()) {
            mosquitto_username_pw_set(c.client, id.value.c_str(), options_.credentials.at(id.value).c_str());
        } else if (!options_.username.empty()) {
            mosquitto_username_pw_set(c.client, options_.username.c_str(),
                                      options_.password.empty() ? nullptr : options_.password.c_str());
        }
        if (options_.tls) use_tls(c.client, options_);
        const auto will = c.styled ? c.styled->availability_topic() : topics_.device(id, proto::DeviceTopic::availability);
        const auto gone = c.styled ? Zigbee2MqttStyle::offline_payload() : std::string(proto::kOffline);
        mosquitto_will_set(c.client, will.c_str(), static_cast<int>(gone.size()), gone.data(), 1, true);
        mosquitto_connect_callback_set(c.client, [](mosquitto*, void* obj, int rc) {
            auto& conn = *static_cast<Connection*>(obj);
            conn.owner->on_connect(conn, rc);
        });
        mosquitto_disconnect_callback_set(c.client, [](mosquitto*, void* obj, int rc) {
            auto& conn = *static_cast<Connection*>(obj);
            conn.owner->on_disconnect(conn, rc);
        });
        mosquitto_message_callback_set(c.client, [](mosquitto*, void* obj, const mosquitto_message* m) {
            auto& conn = *static_cast<Connection*>(obj);
            conn.owner->on_message(conn, m->topic,
                                   std::string_view(static_cast<const char*>(m->payload),
                                                    static_cast<std::size_t>(m->payloadlen)),
                                   m->retain);
        });
        if (fleet_.wants_online(i)) {
            c.phase = Connection::Phase::queued;
            connect_queue_.push_back(i);
        }
    }
    if (stay_native > 0) {
        this->log(std::to_string(stay_native) +
            " devices stay native: Zigbee2MQTT style cannot present their kind (AC, speaker, TV, vacuum, purifier, …)");
    }
}

MqttFleet::~MqttFleet() {
    for (auto& c : connections_) {
        if (c.client) mosquitto_destroy(c.client);
    }
    if (epoll_ >= 0) ::close(epoll_);
}

const Zigbee2MqttStyle* MqttFleet::styled(std::size_t device) const {
    const auto& s = connections_.at(device).styled;
    return s ? &*s : nullptr;
}

bool MqttFleet::connected(std::size_t device) const {
    return connections_.at(device).phase == Connection::Phase::connected;
}

void MqttFleet::log(const std::string& line) const {
    if (log_) log_(line);
}

void MqttFleet::start_connections() {
    for (std::size_t started = 0;
         started < options_.connects_per_poll && connecting_ < options_.max_connecting && !connect_queue_.empty();
         ++started) {
        const auto i = connect_queue_.front();
        connect_queue_.pop_front();
        auto& c = connections_[i];
        if (c.phase == Connection::Phase::queued) connect(c);
    }
}

void MqttFleet::connect(Connection& c) {
    int rc = MOSQ_ERR_SUCCESS;
    {
        const RefuseSocketpair no_wakeup_pair;
        rc = mosquitto_connect(c.client, options_.host.c_str(), options_.port, options_.keepalive_seconds);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        ++counters_.connect_failures;
        if (rc == MOSQ_ERR_TLS && ++counters_.tls_failures <= 10) {
            log(fleet_.device(c.device).description().id.value + ": TLS handshake with " + options_.host + ":" +
                std::to_string(options_.port) + " failed (is the CA file right, does the certificate name the host?)");
        }
        if (counters_.connect_failures <= 10 || counters_.connect_failures % 1000 == 0) {
            log(fleet_.device(c.device).description().id.value + ": cannot connect to " + options_.host + ":" +
                std::to_string(options_.port) + ": " +
                (rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc)));
        }
        c.phase = Connection::Phase::waiting;
        c.retry_at = Clock::now() + options_.retry_delay;
        return;
    }
    c.fd = mosquitto_socket(c.client);
    c.watching_write = mosquitto_want_write(c.client);
    epoll_event ev{};
    ev.events = EPOLLIN | (c.watching_write ? EPOLLOUT : 0u);
    ev.data.u64 = c.device;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    c.phase = Connection::Phase::connecting;
    ++connecting_;
}

void MqttFleet::on_connect(Connection& c, int rc) {
    if (rc != 0) {
        // The broker closes the connection next; lost() then schedules a retry.
        log(fleet_.device(c.device).description().id.value + ": broker refused the connection: " +
            mosquitto_connack_string(rc));
        return;
    }
    --connecting_;
    c.phase = Connection::Phase::connected;
    ++counters_.connected;
    announce(c);
    const auto& id = fleet_.device(c.device).description().id;
    if (c.styled) {
        mosquitto_subscribe(c.client, nullptr, c.styled->set_topic().c_str(), 0);
        mosquitto_subscribe(c.client, nullptr, c.styled->discovery_status_topic().c_str(), 0);
    } else {
        mosquitto_subscribe(c.client, nullptr, topics_.device(id, proto::DeviceTopic::set).c_str(), 0);
        mosquitto_subscribe(c.client, nullptr, topics_.hub_status().c_str(), 0);
    }
    dirty_.push_back(c.device);
}

void MqttFleet::on_disconnect(Connection& c, int) { lost(c); }

void MqttFleet::lost(Connection& c) {
    if (c.phase == Connection::Phase::connected) --counters_.connected;
    if (c.phase == Connection::Phase::connecting) --connecting_;
    if (c.phase != Connection::Phase::connected && c.phase != Connection::Phase::connecting) return;
    // libmosquitto has closed the socket, which also took it out of the epoll set.
    c.fd = -1;
    c.watching_write = false;
    if (!stopping_ && fleet_.wants_online(c.device)) {
        c.phase = Connection::Phase::waiting;
        c.retry_at = Clock::now() + options_.retry_delay;
    } else {
        c.phase = Connection::Phase::idle;
    }
}

void MqttFleet::announce(Connection& c) {
    if (c.styled) {
        for (const auto& m : c.styled->discovery()) publish_to(c, m.topic, m.payload, true);
        publish_state(c, {});
        publish_to(c, c.styled->availability_topic(), Zigbee2MqttStyle::online_payload(), true);
        return;
    }
    publish(c, proto::DeviceTopic::config, fleet_.config_payload(c.device), true);
    publish(c, proto::DeviceTopic::state, fleet_.state_payload(c.device), true);
    publish(c, proto::DeviceTopic::availability, std::string(proto::kOnline), true);
}

void MqttFleet::publish(Connection& c, proto::DeviceTopic topic, const std::string& payload, bool retained) {
    publish_to(c, topics_.device(fleet_.device(c.device).description().id, topic), payload, retained);
}

void MqttFleet::publish_state(Connection& c, const std::string& native_payload) {
    if (c.styled) {
        // Zigbee2MQTT states carry no context id: the model's current state says it all.
        publish_to(c, c.styled->state_topic(), c.styled->state_payload(fleet_.device(c.device).state()), true);
    } else {
        publish(c, proto::DeviceTopic::state,
                native_payload.empty() ? fleet_.state_payload(c.device) : native_payload, true);
    }
}

void MqttFleet::publish_to(Connection& c, const std::string& name, const std::string& payload, bool retained) {
    const int rc = mosquitto_publish(c.client, nullptr, name.c_str(), static_cast<int>(payload.size()),
                                     payload.data(), 0, retained);
    if (rc == MOSQ_ERR_SUCCESS) ++counters_.messages_out;
    dirty_.push_back(c.device);
}

void MqttFleet::on_message(Connection& c, std::string_view topic, std::string_view payload, bool retained) {
    ++counters_.messages_in;
    const bool status = c.styled ? topic == c.styled->discovery_status_topic() : topic == topics_.hub_status();
    if (status) {
        // The retained copy arrives right after subscribing, when the device has just announced.
        if (payload == proto::kOnline && !retained) announce(c);
        return;
    }
    handle_command(c, payload);
}

void MqttFleet::handle_command(Connection& c, std::string_view payload) {
    std::string translated;
    if (c.styled) {
        auto hearth = c.styled->command_payload(payload, fleet_.device(c.device).state());
        if (!hearth) {
            ++counters_.commands_refused;
            std::ostringstream line;
            line << fleet_.device(c.device).description().id.value << ": ignored Zigbee2MQTT command " << payload
                 << ": " << hearth.error();
            log(line.str());
            return;
        }
        translated = std::move(*hearth);
        payload = translated;
    }
    auto state = fleet_.handle_command(c.device, payload, clock_());
    if (state) {
        const auto command = nlohmann::json::parse(payload, nullptr, false);
        if (command.is_object() && command.contains("say") && command["say"].is_string()) {
            log(fleet_.device(c.device).description().id.value + " says: " + command["say"].get<std::string>());
        }
    }
    if (!state) {
        ++counters_.commands_refused;
        std::ostringstream line;
        line << fleet_.device(c.device).description().id.value << ": ignored command " << payload << ": "
             << state.error();
        log(line.str());
        return;
    }
    publish_state(c, *state);
}

void MqttFleet::handle_socket(Connection& c, std::uint32_t events) {
    if (c.fd < 0) return;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        const int rc = mosquitto_loop_read(c.client, 16);
        if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(c.client) < 0) {
            if (rc == MOSQ_ERR_TLS && ++counters_.tls_failures <= 10) {
                log(fleet_.device(c.device).description().id.value + ": TLS handshake with " + options_.host + ":" +
                    std::to_string(options_.port) + " failed (is the CA file right, does the certificate name the host?)");
            }
            lost(c);
            return;
        }
    }
    if ((events & EPOLLOUT) && c.fd >= 0) {
        const int rc = mosquitto_loop_write(c.client, 16);
        if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(c.client) < 0) {
            lost(c);
            return;
        }
    }
    dirty_.push_back(c.device);
}

void MqttFleet::update_interest() {
    for (const auto i : dirty_) {
        auto& c = connections_[i];
        if (c.fd < 0) continue;
        if (mosquitto_socket(c.client) < 0) {
            lost(c);
            continue;
        }
        const bool want = mosquitto_want_write(c.client);
        if (want == c.watching_write) continue;
        epoll_event ev{};
        ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
        ev.data.u64 = i;
        epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
        c.watching_write = want;
    }
    dirty_.clear();
}

void MqttFleet::apply(const FleetAction& action) {
    auto& c = connections_.at(action.device);
    switch (action.kind) {
        case FleetAction::Kind::publish_state:
            if (c.phase == Connection::Phase::connected) publish_state(c, action.payload);
            break;
        case FleetAction::Kind::publish_event:
            // Zigbee2MQTT style presents no event-sending kinds.
            if (c.phase == Connection::Phase::connected && !c.styled) {
                publish(c, proto::DeviceTopic::event, action.payload, false);
            }
            break;
        case FleetAction::Kind::go_offline:
            if (c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);  // lost() follows from the socket's hang-up
            if (c.phase == Connection::Phase::waiting || c.phase == Connection::Phase::queued) {
                c.phase = Connection::Phase::idle;
            }
            break;
        case FleetAction::Kind::come_online:
            if (c.phase == Connection::Phase::idle) {
                c.phase = Connection::Phase::queued;
                connect_queue_.push_back(action.device);
            }
            break;
    }
}

void MqttFleet::drop_connection(std::size_t device) {
    auto& c = connections_.at(device);
    if (c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);
}

void MqttFleet::housekeeping() {
    const auto now = Clock::now();
    for (auto& c : connections_) {
        if (c.phase == Connection::Phase::waiting && now >= c.retry_at) {
            c.phase = Connection::Phase::queued;
            connect_queue_.push_back(c.device);
        } else if (c.fd >= 0) {
            mosquitto_loop_misc(c.client);  // keepalive pings
            dirty_.push_back(c.device);
        }
    }
}

void MqttFleet::poll(std::chrono::milliseconds max_wait) {
    if (stopping_) return;
    start_connections();
    update_interest();

    const auto until_due = std::chrono::duration_cast<std::chrono::milliseconds>(next_advance_ - Clock::now());
    const auto wait = std::clamp(until_due, std::chrono::milliseconds(0), max_wait);
    epoll_event events[512];
    const int n = epoll_wait(epoll_, events, 512, static_cast<int>(wait.count()));
    for (int k = 0; k < n; ++k) handle_socket(connections_[events[k].data.u64], events[k].events);

    const auto now = Clock::now();
    if (now >= next_advance_) {
        // The fleet moves in small real-time steps: often enough for smooth fades, rarely enough
        // that ten thousand devices cost little when nothing is due.
        next_advance_ = now + std::chrono::milliseconds(20);
        for (const auto& action : fleet_.advance(clock_())) apply(action);
    }
    if (now >= next_housekeeping_) {
        next_housekeeping_ = now + std::chrono::seconds(1);
        housekeeping();
    }
    update_interest();
}

void MqttFleet::shutdown(std::chrono::milliseconds grace) {
    stopping_ = true;
    connect_queue_.clear();
    for (auto& c : connections_) {
        if (c.phase == Connection::Phase::connected && c.styled) {
            publish_to(c, c.styled->availability_topic(), Zigbee2MqttStyle::offline_payload(), true);
            mosquitto_disconnect(c.client);
        } else if (c.phase == Connection::Phase::connected) {
            publish(c, proto::DeviceTopic::availability, std::string(proto::kOffline), true);
            mosquitto_disconnect(c.client);
        } else if (c.fd >= 0) {
            ::shutdown(c.fd, SHUT_RDWR);  // not yet connected: its will says offline
        }
        if (c.phase == Connection::Phase::waiting || c.phase == Connection::Phase::queued) {
            c.phase = Connection::Phase::idle;
        }
        dirty_.push_back(c.device);
    }
    update_interest();
    const auto deadline = Clock::now() + grace;
    while (Clock::now() < deadline) {
        std::size_t open = 0;
        for (const auto& c : connections_) open += c.fd >= 0 && mosquitto_socket(c.client) >= 0;
        if (open == 0) break;
        epoll_event events[512];
        const int n = epoll_wait(epoll_, events, 512, 50);
        for (int k = 0; k < n; ++k) handle_socket(connections_[events[k].data.u64], events[k].events);
        update_interest();
    }
}

}  // namespace hearth::sim
