// hearth-ws-fanout: how well the hub fans state changes out to many WebSocket clients.
//
//   hearth-ws-fanout --port HTTP_PORT --token TOKEN --mqtt-port PORT [--host 127.0.0.1]
//                    [--prefix hearth] [--clients 1,10,100,500] [--rates 100,1000] [--seconds 3]
//
// For each cell (clients × events/s): opens that many WebSocket clients, authenticates them and
// subscribes each to the state of one benchmark device; then plays that device over MQTT, changing
// its `seq` attribute at the given rate, and records when each value was published. A client
// measures the time from the publish to the arrival of the state message carrying that value. The
// clients live on one thread; the figures include the broker's and the hub's work. Before each
// cell's measured changes, one unmeasured change must arrive, so a backlog left by the previous cell
// does not count against the next. Prints a
// Markdown table: delivered % (messages received over events × clients), p50/p99/max latency of
// the delivered ones, and clients the hub dropped (too slow to keep up).
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <mqtt/async_client.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr const char* kDevice = "bench.fanout";

struct Options {
    std::string host = "127.0.0.1";
    int port = 8480;
    std::string token;
    int mqtt_port = 1883;
    std::string prefix = "hearth";
    std::vector<int> clients = {1, 10, 100, 500};
    std::vector<int> rates = {100, 1000};
    double seconds = 3;
};

std::vector<int> int_list(const std::string& text) {
    std::vector<int> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoi(item));
    return out;
}

/// Publish times by sequence number, written by the publisher before it publishes, read by the
/// client thread when the value comes back.
class Timeline {
public:
    explicit Timeline(std::size_t capacity) : published_ns_(capacity) {}
    void mark(std::size_t seq, Clock::time_point t) {
        if (seq < published_ns_.size()) published_ns_[seq].store(t.time_since_epoch().count(), std::memory_order_release);
    }
    std::optional<Clock::time_point> published(std::size_t seq) const {
        if (seq >= published_ns_.size()) return std::nullopt;
        const auto ns = published_ns_[seq].load(std::memory_order_acquire);
        if (ns == 0) return std::nullopt;
        return Clock::time_point(Clock::duration(ns));
    }

private:
    std::vector<std::atomic<Clock::rep>> published_ns_;
};

struct Tally {
    std::size_t sync_seq = 0;  // a value sent before the measured ones; it arriving means the hub has caught up
    bool synced = false;
    std::vector<double> latencies_ms;
    std::size_t received = 0;
    int ready = 0;
    int failed = 0;   // could not connect, authenticate or subscribe
    int dropped = 0;  // closed by the hub after subscribing
};

class Client : public std::enable_shared_from_this<Client> {
public:
    Client(asio::io_context& io, const Options& options, const Timeline& timeline, Tally& tally)
        : ws_(io), options_(options), timeline_(timeline), tally_(tally) {}

    void start(const tcp::resolver::results_type& endpoints) {
        beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(20));
        beast::get_lowest_layer(ws_).async_connect(endpoints, [self = shared_from_this()](beast::error_code ec, auto) {
            if (ec) return self->give_up();
            self->ws_.async_handshake(self->options_.host + ":" + std::to_string(self->options_.port), "/api/v1/ws",
                                      [self](beast::error_code ec2) {
                                          if (ec2) return self->give_up();
                                          beast::get_lowest_layer(self->ws_).expires_never();
                                          self->send("{\"type\":\"auth\",\"token\":\"" + self->options_.token + "\"}");
                                          self->read();
                                      });
        });
    }

    void close() {
        if (stage_ == Stage::closed) return;
        stage_ = Stage::closed;
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
        beast::get_lowest_layer(ws_).close();
    }

private:
    enum class Stage { auth, subscribe, live, closed };

    void send(std::string text) {
        outgoing_ = std::move(text);
        ws_.text(true);
        ws_.async_write(asio::buffer(outgoing_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) self->give_up();
        });
    }

    void read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec) return give_up();
        const auto received = Clock::now();
        const std::string_view text(static_cast<const char*>(buffer_.data().data()), buffer_.size());
        switch (stage_) {
        case Stage::auth:
            if (text.find("\"auth_ok\"") == std::string_view::npos) return give_up();
            stage_ = Stage::subscribe;
            send(std::string("{\"id\":1,\"type\":\"subscribe\",\"events\":[\"state\"],\"devices\":[\"") + kDevice + "\"]}");
            break;
        case Stage::subscribe:
            if (text.find("\"success\":true") == std::string_view::npos) return give_up();
            stage_ = Stage::live;
            ++tally_.ready;
            break;
        case Stage::live: on_state(text, received); break;
        case Stage::closed: return;
        }
        buffer_.consume(buffer_.size());
        read();
    }

    void on_state(std::string_view text, Clock::time_point received) {
        // Only the value is needed: a search is much cheaper than parsing every message.
        if (text.find("\"attribute\":\"seq\"") == std::string_view::npos) return;
        const auto at = text.find("\"value\":");
        if (at == std::string_view::npos) return;
        std::size_t seq = 0;
        const auto begin = text.data() + at + 8;
        if (std::from_chars(begin, text.data() + text.size(), seq).ec != std::errc()) return;
        if (seq == tally_.sync_seq) tally_.synced = true;
        const auto published = timeline_.published(seq);
        if (!published) return;
        ++tally_.received;
        tally_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(received - *published).count());
    }

    void give_up() {
        if (stage_ == Stage::closed) return;
        if (stage_ == Stage::live)
            ++tally_.dropped;
        else
            ++tally_.failed;
        close();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::string outgoing_;
    const Options& options_;
    const Timeline& timeline_;
    Tally& tally_;
    Stage stage_ = Stage::auth;
};

std::string state_topic(const Options& o) { return o.prefix + "/device/" + kDevice + "/state"; }

void announce(mqtt::async_client& mqtt, const Options& o) {
    const std::string base = o.prefix + "/device/" + kDevice;
    mqtt.publish(base + "/config",
                 std::string(R"({"id":")") + kDevice +
                     R"(","area":"bench","kind":"sensor","name":{"en":"fan-out benchmark"},)"
                     R"("capabilities":[{"attribute":"seq","type":"number","access":["read"]}]})",
                 1, true)
        ->wait();
    mqtt.publish(base + "/state", R"({"seq":0})", 1, true)->wait();
    mqtt.publish(base + "/availability", "online", 1, true)->wait();
}

double percentile(std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)];
}

/// One cell of the matrix; returns its table row.
std::string run_cell(const Options& o, mqtt::async_client& mqtt, std::size_t& next_seq, int clients, int rate) {
    const auto events = static_cast<std::size_t>(rate * o.seconds);
    Timeline timeline(next_seq + events + 1);
    Tally tally;
    asio::io_context io;
    const auto endpoints = tcp::resolver(io).resolve(o.host, std::to_string(o.port));
    std::vector<std::shared_ptr<Client>> sockets;
    for (int i = 0; i < clients; ++i) {
        sockets.push_back(std::make_shared<Client>(io, o, timeline, tally));
        sockets.back()->start(endpoints);
    }
    const auto setup_deadline = Clock::now() + std::chrono::seconds(30);
    while (tally.ready + tally.failed < clients && Clock::now() < setup_deadline) io.run_for(std::chrono::milliseconds(20));
    const int subscribed = tally.ready;
    // Wait until the hub has worked through what the previous cell left queued.
    tally.sync_seq = next_seq++;
    mqtt.publish(state_topic(o), "{\"seq\":" + std::to_string(tally.sync_seq) + "}", 1, false)->wait();
    const auto sync_deadline = Clock::now() + std::chrono::seconds(30);
    while (subscribed > 0 && !tally.synced && Clock::now() < sync_deadline) io.run_for(std::chrono::milliseconds(20));

    std::atomic<bool> publishing{true};
    std::thread publisher([&] {
        const auto interval = std::chrono::duration<double>(1.0 / rate);
        const auto start = Clock::now();
        for (std::size_t i = 0; i < events; ++i) {
            std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i)));
            const auto seq = next_seq + i;
            timeline.mark(seq, Clock::now());
            mqtt.publish(state_topic(o), "{\"seq\":" + std::to_string(seq) + "}", 0, false);
        }
        publishing = false;
    });
    while (publishing) io.run_for(std::chrono::milliseconds(20));
    publisher.join();
    io.run_for(std::chrono::seconds(2));  // what is still on its way
    next_seq += events;
    for (auto& s : sockets) s->close();
    io.run_for(std::chrono::milliseconds(200));

    std::sort(tally.latencies_ms.begin(), tally.latencies_ms.end());
    const double expected = static_cast<double>(events) * clients;
    char row[256];
    std::snprintf(row, sizeof row, "| %d | %d | %d | %.1f %% | %.2f | %.2f | %.2f | %d |", clients, rate, subscribed,
                  expected > 0 ? 100.0 * static_cast<double>(tally.received) / expected : 0.0,
                  percentile(tally.latencies_ms, 0.50), percentile(tally.latencies_ms, 0.99),
                  tally.latencies_ms.empty() ? 0.0 : tally.latencies_ms.back(), tally.dropped);
    return row;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) {
            std::cerr << "hearth-ws-fanout: " << arg << " needs a value\n";
            return 2;
        }
        const std::string value = argv[++i];
        if (arg == "--host") o.host = value;
        else if (arg == "--port") o.port = std::stoi(value);
        else if (arg == "--token") o.token = value;
        else if (arg == "--mqtt-port") o.mqtt_port = std::stoi(value);
        else if (arg == "--prefix") o.prefix = value;
        else if (arg == "--clients") o.clients = int_list(value);
        else if (arg == "--rates") o.rates = int_list(value);
        else if (arg == "--seconds") o.seconds = std::stod(value);
        else {
            std::cerr << "hearth-ws-fanout: unknown option " << arg << "\n";
            return 2;
        }
    }
    if (o.token.empty()) {
        std::cerr << "hearth-ws-fanout: --token is required\n";
        return 2;
    }
    try {
        mqtt::async_client mqtt("tcp://" + o.host + ":" + std::to_string(o.mqtt_port), "hearth-ws-fanout");
        mqtt.connect(mqtt::connect_options_builder().clean_session(true).max_inflight(65535).finalize())->wait();
        announce(mqtt, o);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the hub registers the device
        std::cout << "| clients | events/s | subscribed | delivered | p50 ms | p99 ms | max ms | dropped clients |\n"
                  << "|---:|---:|---:|---:|---:|---:|---:|---:|\n"
                  << std::flush;
        std::size_t next_seq = 1;
        for (const int clients : o.clients) {
            for (const int rate : o.rates) std::cout << run_cell(o, mqtt, next_seq, clients, rate) << "\n" << std::flush;
        }
        mqtt.disconnect()->wait();
    } catch (const std::exception& e) {
        std::cerr << "hearth-ws-fanout: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
