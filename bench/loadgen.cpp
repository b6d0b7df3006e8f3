// hearth-loadgen: plays many MQTT sensor devices and measures the sense–decide–respond loop.
//
//   hearth-loadgen register --broker HOST:PORT [--prefix P] --sensors N [--acs N] [--others N]
//   [--from K]
//       publishes retained device configs (QoS 1) and waits until the broker has them all:
//       sensor-K (climate sensor), ac-K (air conditioner, online), other-K (climate sensor).
//   hearth-loadgen run --broker HOST:PORT --reading TOPIC --command TOPIC --sensors N --rate R
//                      --seconds S [--triggering M] [--settle S]
//       TOPIC templates hold {k} for the device number. Readings go round-robin over the N
//       sensors; each sensor alternates 27 and 29 °C, starting below (a priming round that is not
//       measured), so every 29 is a real crossing of "above 28". For sensors k < M (default N) each
//       29 must produce exactly one message on the command topic of device k: its latency is
//       measured from the reading's publish. When the command topic equals the reading topic (the
//       bare-broker floor), the 29 reading itself arriving is the "command".
//       Prints one JSON object: sent, triggers, matched, lost, extra, latency percentiles (ms),
//       achieved publish rate and commands per second.
#include <mosquitto.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

struct Options {
    std::string mode;
    std::string host = "127.0.0.1";
    int port = 1883;
    std::string prefix = "hearth";
    std::string reading = "hearth/device/sensor-{k}/state";
    std::string command = "hearth/device/ac-{k}/set";
    long sensors = 1000;
    long acs = -1;
    long others = 0;
    long from = 0;
    long triggering = -1;
    double rate = 1000;
    double seconds = 10;
    double settle = 1;
};

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "hearth-loadgen: " << why << "\n"
              << "usage: hearth-loadgen register|run --broker HOST:PORT [options] (see "
                 "bench/loadgen.cpp)\n";
    std::exit(2);
}

Options parse(int argc, char** argv) {
    if (argc < 2) usage("no mode");
    Options o;
    o.mode = argv[1];
    if (o.mode != "register" && o.mode != "run") usage("unknown mode " + o.mode);
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) usage(arg + " needs a value");
        const std::string v = argv[++i];
        if (arg == "--broker") {
            const auto colon = v.rfind(':');
            if (colon == std::string::npos) usage("--broker is HOST:PORT");
            o.host = v.substr(0, colon);
            o.port = std::stoi(v.substr(colon + 1));
        } else if (arg == "--prefix")
            o.prefix = v;
        else if (arg == "--reading")
            o.reading = v;
        else if (arg == "--command")
            o.command = v;
        else if (arg == "--sensors")
            o.sensors = std::stol(v);
        else if (arg == "--acs")
            o.acs = std::stol(v);
        else if (arg == "--others")
            o.others = std::stol(v);
        else if (arg == "--from")
            o.from = std::stol(v);
        else if (arg == "--triggering")
            o.triggering = std::stol(v);
        else if (arg == "--rate")
            o.rate = std::stod(v);
        else if (arg == "--seconds")
            o.seconds = std::stod(v);
        else if (arg == "--settle")
            o.settle = std::stod(v);
        else
            usage("unknown option " + arg);
    }
    if (o.acs < 0) o.acs = o.sensors;
    if (o.triggering < 0) o.triggering = o.sensors;
    return o;
}

/// A topic template split around its {k}.
struct Template {
    std::string head, tail;
    explicit Template(const std::string& t) {
        const auto at = t.find("{k}");
        if (at == std::string::npos) usage("topic template needs {k}: " + t);
        head = t.substr(0, at);
        tail = t.substr(at + 3);
    }
    std::string topic(long k) const { return head + std::to_string(k) + tail; }
    /// The subscription: the whole topic level holding {k} becomes a wildcard.
    std::string filter() const {
        const auto level_start = head.rfind('/') == std::string::npos ? 0 : head.rfind('/') + 1;
        const auto level_end = tail.find('/');
        return head.substr(0, level_start) + "+" +
               (level_end == std::string::npos ? "" : tail.substr(level_end));
    }
    std::optional<long> number(std::string_view topic) const {
        if (topic.size() <= head.size() + tail.size() || topic.substr(0, head.size()) != head ||
            topic.substr(topic.size() - tail.size()) != tail) {
            return std::nullopt;
        }
        const auto digits = topic.substr(head.size(), topic.size() - head.size() - tail.size());
        long k = 0;
        for (const char c : digits) {
            if (c < '0' || c > '9') return std::nullopt;
            k = k * 10 + (c - '0');
        }
        return k;
    }
};

/// One libmosquitto client with its own network thread.
class Client {
  public:
    /// Callbacks receive this Client as their user pointer; `user` is what they act on.
    Client(const Options& o, const std::string& id, void* user, std::string subscription = {})
        : user(user), subscription_(std::move(subscription)) {
        mosq_ = mosquitto_new(id.c_str(), true, this);
        if (!mosq_) usage("cannot create a client");
        mosquitto_max_inflight_messages_set(mosq_, 0);
        mosquitto_connect_callback_set(mosq_, [](mosquitto* m, void* self, int rc) {
            auto& c = *static_cast<Client*>(self);
            if (rc != 0) return;
            if (c.subscription_.empty())
                c.ready_.store(true);
            else if (mosquitto_subscribe(m, nullptr, c.subscription_.c_str(), 0) !=
                     MOSQ_ERR_SUCCESS) {
                std::fprintf(stderr, "hearth-loadgen: cannot subscribe to %s\n",
                             c.subscription_.c_str());
            }
        });
        mosquitto_subscribe_callback_set(mosq_, [](mosquitto*, void* self, int, int, const int*) {
            static_cast<Client*>(self)->ready_.store(true);
        });
        if (mosquitto_connect(mosq_, o.host.c_str(), o.port, 60) != MOSQ_ERR_SUCCESS)
            usage("cannot connect to the broker");
    }
    void* user;
    /// Starts the network thread and waits for the connection (and subscription).
    void start() {
        mosquitto_loop_start(mosq_);
        const auto deadline = Clock::now() + 10s;
        while (!ready_.load() && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
        if (!ready_.load()) usage("no connection or subscription acknowledgement from the broker");
    }
    ~Client() {
        mosquitto_disconnect(mosq_);
        mosquitto_loop_stop(mosq_, false);
        mosquitto_destroy(mosq_);
    }
    mosquitto* get() const { return mosq_; }
    void publish(const std::string& topic, const std::string& payload, int qos, bool retain,
                 int* mid = nullptr) {
        for (;;) {
            const int rc = mosquitto_publish(mosq_, mid, topic.c_str(), int(payload.size()),
                                             payload.data(), qos, retain);
            if (rc == MOSQ_ERR_SUCCESS) return;
            if (rc != MOSQ_ERR_NO_CONN)
                usage(std::string("publish failed: ") + mosquitto_strerror(rc));
            std::this_thread::sleep_for(1ms);
        }
    }

  private:
    std::string subscription_;
    std::atomic<bool> ready_{false};
    mosquitto* mosq_ = nullptr;
};

std::string pad(long k) {
    return std::to_string(k);
}

int do_register(const Options& o) {
    std::atomic<long> acked{0};
    Client client(o, "hearth-loadgen-register-" + std::to_string(::getpid()), &acked);
    mosquitto_publish_callback_set(client.get(), [](mosquitto*, void* user, int) {
        static_cast<std::atomic<long>*>(static_cast<Client*>(user)->user)->fetch_add(1);
    });
    client.start();
    long published = 0;
    const auto device = [&](const std::string& id, const std::string& config, bool online) {
        client.publish(o.prefix + "/device/" + id + "/config", config, 1, true);
        ++published;
        if (online) {
            client.publish(o.prefix + "/device/" + id + "/availability", "online", 1, true);
            ++published;
        }
        while (published - acked.load() > 5000) std::this_thread::sleep_for(1ms);
    };
    for (long k = o.from; k < o.from + o.sensors; ++k) {
        const auto id = "sensor-" + pad(k);
        device(id,
               R"({"id":")" + id + R"(","name":{"en":"sensor )" + pad(k) + R"("},"area":"zone)" +
                   pad(k % 50) + R"(","kind":"climate_sensor","capabilities":["temperature"]})",
               true);
    }
    for (long k = o.from; k < o.from + o.acs; ++k) {
        const auto id = "ac-" + pad(k);
        device(
            id,
            R"({"id":")" + id + R"(","name":{"en":"ac )" + pad(k) + R"("},"area":"zone)" +
                pad(k % 50) +
                R"(","kind":"air_conditioner","capabilities":["on","hvac_mode","target_temperature","temperature"]})",
            true);
    }
    for (long k = o.from; k < o.from + o.others; ++k) {
        const auto id = "other-" + pad(k);
        device(id,
               R"({"id":")" + id + R"(","name":{"en":"other )" + pad(k) + R"("},"area":"zone)" +
                   pad(k % 50) + R"(","kind":"climate_sensor","capabilities":["temperature"]})",
               false);
    }
    const auto deadline = Clock::now() + 120s;
    while (acked.load() < published && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    std::cout << R"({"registered":)" << published << R"(,"acknowledged":)" << acked.load() << "}"
              << std::endl;
    return acked.load() == published ? 0 : 1;
}

struct RunState {
    const Options* options = nullptr;
    Template command{"x{k}"};
    bool floor = false;
    std::vector<std::atomic<std::int64_t>>
        pending;  // send time of the unanswered trigger, 0 = none
    std::mutex latencies_mutex;
    std::vector<double> latencies_ms;
    std::atomic<long> matched{0}, extra{0}, lost{0}, received{0};

    explicit RunState(const Options& o)
        : options(&o), command(o.command), pending(std::size_t(o.sensors)) {
        for (auto& p : pending) p.store(0);
    }
};

void on_command(mosquitto*, void* self, const mosquitto_message* m) {
    auto& s = *static_cast<RunState*>(static_cast<Client*>(self)->user);
    const auto at = now_ns();
    s.received.fetch_add(1);
    const auto k = s.command.number(m->topic);
    if (!k || *k < 0 || *k >= long(s.pending.size()) || *k >= s.options->triggering) {
        if (!s.floor) s.extra.fetch_add(1);
        return;
    }
    if (s.floor) {
        const std::string_view payload(static_cast<const char*>(m->payload),
                                       std::size_t(m->payloadlen));
        if (payload.find("29") == std::string_view::npos) return;
    }
    const auto sent = s.pending[std::size_t(*k)].exchange(0);
    if (sent == 0) {
        s.extra.fetch_add(1);
        return;
    }
    s.matched.fetch_add(1);
    std::lock_guard lock(s.latencies_mutex);
    s.latencies_ms.push_back(double(at - sent) / 1e6);
}

double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    const auto i = std::min(v.size() - 1,
                            std::size_t(std::ceil(p / 100.0 * double(v.size()))) - (p > 0 ? 1 : 0));
    std::nth_element(v.begin(), v.begin() + long(i), v.end());
    return v[i];
}

int do_run(const Options& o) {
    const Template reading(o.reading);
    RunState state(o);
    state.floor = o.command == o.reading;
    const auto tag = std::to_string(::getpid());
    Client sub(o, "hearth-loadgen-sub-" + tag, &state, state.command.filter());
    mosquitto_message_callback_set(sub.get(), on_command);
    sub.start();
    Client pub(o, "hearth-loadgen-pub-" + tag, nullptr);
    pub.start();

    const std::string below = R"({"temperature":27})";
    const std::string above = R"({"temperature":29})";
    std::vector<std::string> topics;
    topics.reserve(std::size_t(o.sensors));
    for (long k = 0; k < o.sensors; ++k) topics.push_back(reading.topic(k));

    // Priming round: every sensor reports below the threshold (a first report is not a crossing).
    for (long k = 0; k < o.sensors; ++k) pub.publish(topics[std::size_t(k)], below, 0, false);
    std::this_thread::sleep_for(std::chrono::duration<double>(o.settle));
    state.extra.store(0);

    const long total = std::max(1L, long(o.rate * o.seconds));
    long triggers = 0;
    const auto start = Clock::now();
    for (long i = 0; i < total;) {
        const auto due = std::min(
            total, long(o.rate * std::chrono::duration<double>(Clock::now() - start).count()) + 1);
        if (i >= due) {
            std::this_thread::sleep_for(200us);
            continue;
        }
        for (; i < due; ++i) {
            const long k = i % o.sensors;
            const bool up = (i / o.sensors) % 2 == 0;
            if (up && k < o.triggering) {
                ++triggers;
                if (state.pending[std::size_t(k)].exchange(now_ns()) != 0) state.lost.fetch_add(1);
            }
            pub.publish(topics[std::size_t(k)], up ? above : below, 0, false);
        }
    }
    const double send_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const auto drain = Clock::now() + 3s;
    const auto outstanding = [&] {
        long n = 0;
        for (const auto& p : state.pending) n += p.load() != 0;
        return n;
    };
    while (outstanding() > 0 && Clock::now() < drain) std::this_thread::sleep_for(2ms);
    const long never = outstanding();
    const double loop_seconds = std::chrono::duration<double>(Clock::now() - start).count();

    std::vector<double> lat;
    {
        std::lock_guard lock(state.latencies_mutex);
        lat = state.latencies_ms;
    }
    const long lost = state.lost.load() + never;
    char buf[1024];
    std::snprintf(
        buf, sizeof buf,
        R"({"rate":%.0f,"sensors":%ld,"sent":%ld,"achieved_rate":%.1f,"triggers":%ld,"matched":%ld,"lost":%ld,)"
        R"("loss_pct":%.3f,"extra":%ld,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"commands_per_s":%.1f})",
        o.rate, o.sensors, total, double(total) / send_seconds, triggers, state.matched.load(),
        lost, triggers ? 100.0 * double(lost) / double(triggers) : 0.0, state.extra.load(),
        percentile(lat, 50), percentile(lat, 90), percentile(lat, 99),
        lat.empty() ? 0.0 : *std::max_element(lat.begin(), lat.end()),
        double(state.matched.load()) / loop_seconds);
    std::cout << buf << std::endl;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = parse(argc, argv);
    mosquitto_lib_init();
    const int rc = options.mode == "register" ? do_register(options) : do_run(options);
    mosquitto_lib_cleanup();
    return rc;
}
