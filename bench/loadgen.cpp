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
//   hearth-loadgen voice --broker HOST:PORT --http HOST:PORT --token T --via mqtt|rest
//                        --utterance U --assist-device D --area A --expect DEV,DEV,...
//                        --reset-scene S --count N
//       The voice loop: says U (MQTT: on <prefix>/assist/D/text; REST: POST /api/v1/conversation
//       with area A) and measures from sending until a command has arrived on the set topic of
//       every device the hub's reply lists in its "commands" (the plan: the scene's differences).
//       --expect lists the scene's devices: runs whose plan covers them all are counted (full_plan)
//       and the devices left out are named (unplanned). Between utterances it activates scene S
//       over REST (S = undo: POST /api/v1/undo) and waits --settle seconds, so that each utterance
//       changes the devices again. A run without a reply, or whose planned commands do not all
//       arrive within 2 s, is incomplete. Prints one JSON object with the percentiles (ms).
#include <arpa/inet.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
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
#include <set>
#include <sstream>
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

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, sep);)
        if (!item.empty()) out.push_back(item);
    return out;
}

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "hearth-loadgen: " << why << "\n"
              << "usage: hearth-loadgen register|run|voice --broker HOST:PORT [options] (see "
                 "bench/loadgen.cpp)\n";
    std::exit(2);
}

Options parse(int argc, char** argv) {
    if (argc < 2) usage("no mode");
    Options o;
    o.mode = argv[1];
    if (o.mode != "register" && o.mode != "run" && o.mode != "voice") usage("unknown mode " + o.mode);
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) usage(arg + " needs a value");
        const std::string v = argv[++i];
        if (arg == "--broker") {
            const auto colon = v.rfind(':');
            if (colon == std::string::npos) usage("--broker is HOST:PORT");
            o.host = v.substr(0, colon);
            o.port = std::stoi(v.substr(colon + 1));
        } else if (arg == "--http") {
            const auto colon = v.rfind(':');
            if (colon == std::string::npos) usage("--http is HOST:PORT");
            o.http_host = v.substr(0, colon);
            o.http_port = std::stoi(v.substr(colon + 1));
        } else if (arg == "--token")
            o.token = v;
        else if (arg == "--via")
            o.via = v;
        else if (arg == "--utterance")
            o.utterance = v;
        else if (arg == "--assist-device")
            o.assist_device = v;
        else if (arg == "--area")
            o.area = v;
        else if (arg == "--expect")
            o.expect = split(v, ',');
        else if (arg == "--reset-scene")
            o.reset_scene = v;
        else if (arg == "--count")
            o.count = std::stol(v);
        else if (arg == "--prefix")
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


/// One keep-alive HTTP/1.1 connection to the hub (just enough for the voice loop).
class Http {
  public:
    explicit Http(const Options& o) : o_(o) {}
    ~Http() {
        if (fd_ >= 0) ::close(fd_);
    }
    /// Sends a POST and reads the answer; returns the status (0 when the connection failed).
    int post(const std::string& path, const std::string& body) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (fd_ < 0 && !connect()) return 0;
            std::string request = "POST " + path + " HTTP/1.1\r\nHost: " + o_.http_host +
                                  "\r\nContent-Type: application/json\r\nAuthorization: Bearer " +
                                  o_.token + "\r\nContent-Length: " + std::to_string(body.size()) +
                                  "\r\n\r\n" + body;
            if (send_all(request)) {
                if (const int status = read_answer(); status > 0) return status;
            }
            ::close(fd_);
            fd_ = -1;
        }
        return 0;
    }

  private:
    bool connect() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(std::uint16_t(o_.http_port));
        ::inet_pton(AF_INET, o_.http_host.c_str(), &a.sin_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(fd_);
            fd_ = -1;
            return false;
        }
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return true;
    }
    bool send_all(const std::string& data) const {
        for (std::size_t done = 0; done < data.size();) {
            const auto n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
            if (n <= 0) return false;
            done += std::size_t(n);
        }
        return true;
    }
    int read_answer() {
        std::string in;
        char buf[4096];
        std::size_t head_end = std::string::npos;
        while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return 0;
            in.append(buf, std::size_t(n));
        }
        std::string head = in.substr(0, head_end);
        for (auto& c : head) c = char(std::tolower(static_cast<unsigned char>(c)));
        std::size_t length = 0;
        if (const auto at = head.find("content-length:"); at != std::string::npos)
            length = std::stoul(head.substr(at + 15));
        while (in.size() < head_end + 4 + length) {
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return 0;
            in.append(buf, std::size_t(n));
        }
        if (head.find("connection: close") != std::string::npos) {
            ::close(fd_);
            fd_ = -1;
        }
        body_ = in.substr(head_end + 4, length);
        return in.size() > 12 ? std::atoi(in.c_str() + 9) : 0;
    }

  public:
    /// The body of the last answer.
    const std::string& body() const { return body_; }

  private:

    const Options& o_;
    int fd_ = -1;
    std::string body_;
};

struct VoiceState {
    std::string prefix;
    std::string response_topic;
    std::mutex mutex;
    std::map<std::string, std::int64_t> first_command;  // device → arrival of its first command
    std::optional<std::string> response;                 // the assist reply (MQTT)
};

/// The devices in the reply's "commands" array (the hub's plan: what the scene sends).
std::set<std::string> commanded_devices(const std::string& reply) {
    std::set<std::string> out;
    auto at = reply.find("\"commands\":[");
    if (at == std::string::npos) return out;
    at += 12;
    int depth = 1;
    std::size_t end = at;
    bool in_string = false;
    for (; end < reply.size() && depth > 0; ++end) {
        const char c = reply[end];
        if (in_string) {
            if (c == '\\') ++end;
            else if (c == '"') in_string = false;
        } else if (c == '"') in_string = true;
        else if (c == '[' || c == '{') ++depth;
        else if (c == ']' || c == '}') --depth;
    }
    const std::string commands = reply.substr(at, end - at);
    const std::string key = "\"device\":\"";
    for (auto p = commands.find(key); p != std::string::npos; p = commands.find(key, p)) {
        p += key.size();
        const auto q = commands.find('"', p);
        out.insert(commands.substr(p, q - p));
    }
    return out;
}

void on_voice_command(mosquitto*, void* self, const mosquitto_message* m) {
    auto& s = *static_cast<VoiceState*>(static_cast<Client*>(self)->user);
    const auto at = now_ns();
    const std::string_view topic(m->topic);
    if (topic == s.response_topic) {
        std::lock_guard lock(s.mutex);
        s.response.emplace(static_cast<const char*>(m->payload), std::size_t(m->payloadlen));
        return;
    }
    if (!topic.starts_with(s.prefix) || !topic.ends_with("/set")) return;
    const std::string device(topic.substr(s.prefix.size(), topic.size() - s.prefix.size() - 4));
    std::lock_guard lock(s.mutex);
    s.first_command.emplace(device, at);
}

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

int do_voice(const Options& o) {
    if (o.expect.empty() || o.token.empty()) usage("voice needs --expect and --token");
    if (o.via == "mqtt" && o.assist_device.empty()) usage("voice --via mqtt needs --assist-device");
    VoiceState state;
    state.prefix = o.prefix + "/device/";
    state.response_topic = o.prefix + "/assist/" + o.assist_device + "/response";
    const auto tag = std::to_string(::getpid());
    Client sub(o, "hearth-loadgen-voice-sub-" + tag, &state, o.prefix + "/#");
    mosquitto_message_callback_set(sub.get(), on_voice_command);
    sub.start();
    Client pub(o, "hearth-loadgen-voice-pub-" + tag, nullptr);
    pub.start();
    Http http(o);

    const std::set<std::string> scene_devices(o.expect.begin(), o.expect.end());
    const auto clear = [&] {
        std::lock_guard lock(state.mutex);
        state.first_command.clear();
        state.response.reset();
    };
    // Waits until every device in `want` got a command (or the deadline); returns the last arrival.
    const auto wait_all = [&](const std::set<std::string>& want,
                              Clock::time_point deadline) -> std::optional<std::int64_t> {
        for (;;) {
            {
                std::lock_guard lock(state.mutex);
                std::int64_t last = 0;
                std::size_t seen = 0;
                for (const auto& d : want) {
                    if (const auto it = state.first_command.find(d); it != state.first_command.end()) {
                        ++seen;
                        last = std::max(last, it->second);
                    }
                }
                if (seen == want.size()) return last;
            }
            if (Clock::now() >= deadline) return std::nullopt;
            std::this_thread::sleep_for(50us);
        }
    };
    const auto wait_response = [&](Clock::time_point deadline) -> std::optional<std::string> {
        for (;;) {
            {
                std::lock_guard lock(state.mutex);
                if (state.response) return state.response;
            }
            if (Clock::now() >= deadline) return std::nullopt;
            std::this_thread::sleep_for(50us);
        }
    };
    const auto quiet = [&](std::chrono::milliseconds gap) {
        std::size_t before = SIZE_MAX;
        for (;;) {
            std::this_thread::sleep_for(gap);
            std::lock_guard lock(state.mutex);
            if (state.first_command.size() == before) return;
            before = state.first_command.size();
        }
    };
    const auto post_retrying = [&](const std::string& path, const std::string& body) {
        for (int i = 0; i < 50; ++i) {
            const int status = http.post(path, body);
            if (status != 429) return status;
            std::this_thread::sleep_for(200ms);  // the hub's per-client rate limit
        }
        return 429;
    };
    const std::string assist_topic = o.prefix + "/assist/" + o.assist_device + "/text";
    const std::string conversation = "{\"text\":" + json_string(o.utterance) +
                                     (o.area.empty() ? "" : ",\"area\":" + json_string(o.area)) + "}";
    std::vector<double> lat;
    long incomplete = 0, refused = 0, no_reply = 0, full_plan = 0, commands = 0;
    std::map<std::string, long> missing;  // device → runs in which its planned command did not arrive
    std::map<std::string, long> unplanned;  // scene device → runs in which the plan left it out
    for (long i = 0; i < o.count; ++i) {
        if (!o.reset_scene.empty()) {
            clear();
            const auto path = o.reset_scene == "undo" ? std::string("/api/v1/undo")
                                                      : "/api/v1/scenes/" + o.reset_scene + "/activate";
            const int status = post_retrying(path, "{}");
            if (status < 200 || status >= 300) usage("the reset answered " + std::to_string(status));
            quiet(30ms);  // its commands have landed
            std::this_thread::sleep_for(std::chrono::duration<double>(o.settle));  // and the state reports
        }
        clear();
        const auto sent = now_ns();
        const auto deadline = Clock::now() + 2s;
        std::optional<std::string> reply;
        if (o.via == "rest") {
            const int status = http.post("/api/v1/conversation", conversation);
            if (status == 429) {
                ++refused;
                std::this_thread::sleep_for(200ms);
                continue;
            }
            if (status != 200) usage("POST /api/v1/conversation answered " + std::to_string(status));
            reply = http.body();
        } else {
            pub.publish(assist_topic, o.utterance, 0, false);
            reply = wait_response(deadline);
        }
        if (!reply) {
            ++no_reply;
            ++incomplete;
            continue;
        }
        const auto planned = commanded_devices(*reply);
        commands += long(planned.size());
        if (planned == scene_devices) ++full_plan;
        for (const auto& d : scene_devices)
            if (!planned.contains(d)) ++unplanned[d];
        const auto last = planned.empty() ? std::nullopt : wait_all(planned, deadline);
        if (!last) {
            ++incomplete;
            std::lock_guard lock(state.mutex);
            for (const auto& d : planned)
                if (!state.first_command.contains(d)) ++missing[d];
            continue;
        }
        lat.push_back(double(*last - sent) / 1e6);
    }
    const auto counts = [](const std::map<std::string, long>& m) {
        std::string out = "{";
        for (const auto& [device, n] : m) out += json_string(device) + ":" + std::to_string(n) + ",";
        if (out.back() == ',') out.pop_back();
        return out + "}";
    };
    char buf[640];
    std::snprintf(buf, sizeof buf,
                  R"({"via":"%s","utterances":%ld,"complete":%zu,"incomplete":%ld,"no_reply":%ld,"rate_limited":%ld,)"
                  R"("scene_devices":%zu,"full_plan":%ld,"commands_per_utterance":%.2f,)"
                  R"("p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,)",
                  o.via.c_str(), o.count, lat.size(), incomplete, no_reply, refused, scene_devices.size(),
                  full_plan, o.count > refused ? double(commands) / double(o.count - refused) : 0.0,
                  percentile(lat, 50), percentile(lat, 90), percentile(lat, 99),
                  lat.empty() ? 0.0 : *std::max_element(lat.begin(), lat.end()));
    std::cout << buf << R"("missing":)" << counts(missing) << R"(,"unplanned":)" << counts(unplanned) << "}"
              << std::endl;
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    const auto options = parse(argc, argv);
    mosquitto_lib_init();
    const int rc = options.mode == "register" ? do_register(options)
                   : options.mode == "voice"  ? do_voice(options)
                                              : do_run(options);
    mosquitto_lib_cleanup();
    return rc;
}
