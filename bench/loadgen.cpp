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
//   hearth-loadgen flood --broker HOST:PORT --reading TOPIC --from K --rate R --seconds S
//       One device (number K of the TOPIC template) floods: readings alternating 27/29 °C at R
//       messages/s for S seconds, QoS 0 (as fast as the client can when R is beyond it).
//       Prints one JSON object: topic, sent, achieved_rate.
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

#include "bench/loadgen.hpp"

namespace loadgen {

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, sep);)
        if (!item.empty()) out.push_back(item);
    return out;
}
Options parse(int argc, char** argv) {
    if (argc < 2) usage("no mode");
    Options o;
    o.mode = argv[1];
    if (o.mode != "register" && o.mode != "run" && o.mode != "voice" && o.mode != "flood") usage("unknown mode " + o.mode);
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

std::string pad(long k) {
    return std::to_string(k);
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

}  // namespace

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "hearth-loadgen: " << why << "\n"
              << "usage: hearth-loadgen register|run|flood|voice --broker HOST:PORT [options] (see "
                 "bench/loadgen.cpp)\n";
    std::exit(2);
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

int do_flood(const Options& o) {
    const Template reading(o.reading);
    const auto topic = reading.topic(o.from);
    Client pub(o, "hearth-loadgen-flood-" + std::to_string(::getpid()), nullptr);
    pub.start();
    const std::string payloads[] = {R"({"temperature":27})", R"({"temperature":29})"};
    const long total = std::max(1L, long(o.rate * o.seconds));
    const auto start = Clock::now();
    for (long i = 0; i < total;) {
        const auto due =
            std::min(total, long(o.rate * std::chrono::duration<double>(Clock::now() - start).count()) + 1);
        if (i >= due) {
            std::this_thread::sleep_for(100us);
            continue;
        }
        for (; i < due; ++i) pub.publish(topic, payloads[i % 2], 0, false);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::this_thread::sleep_for(200ms);  // the network thread writes what is still queued
    std::printf("{\"topic\":\"%s\",\"sent\":%ld,\"achieved_rate\":%.1f}\n", topic.c_str(), total,
                double(total) / seconds);
    return 0;
}

}  // namespace loadgen

int main(int argc, char** argv) {
    using namespace loadgen;
    const auto options = parse(argc, argv);
    mosquitto_lib_init();
    const int rc = options.mode == "register" ? do_register(options)
                   : options.mode == "voice"  ? do_voice(options)
                   : options.mode == "flood"  ? do_flood(options)
                                              : do_run(options);
    mosquitto_lib_cleanup();
    return rc;
}