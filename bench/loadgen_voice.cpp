#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench/loadgen.hpp"

namespace loadgen {

namespace {

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

}  // namespace

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

}  // namespace loadgen
