#pragma once
// hearth-loadgen's shared pieces: options, topic templates, the MQTT client and the modes
// (loadgen.cpp: register and run; loadgen_voice.cpp: the voice loop). bench/loadgen.cpp
// describes the program.
#include <mosquitto.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace loadgen {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

inline std::int64_t now_ns() {
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
    std::string http_host = "127.0.0.1";
    int http_port = 8123;
    std::string token;
    std::string via = "mqtt";
    std::string utterance = "我困了";
    std::string assist_device;
    std::string area;
    std::vector<std::string> expect;
    std::string reset_scene;
    long count = 200;
};

/// Prints why and the usage line, and exits with status 2.
[[noreturn]] void usage(const std::string& why);

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
/// The p-th percentile of v (reorders v).
double percentile(std::vector<double>& v, double p);

int do_register(const Options& o);
int do_run(const Options& o);
/// The voice loop.
int do_voice(const Options& o);

}  // namespace loadgen
