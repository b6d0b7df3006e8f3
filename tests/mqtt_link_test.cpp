// MqttLink against a real Mosquitto: messages cross from paho's thread to the hub thread in
// batches, in the order the broker delivered them, and a handler that throws loses no other message.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <mqtt/async_client.h>

#include <stdexcept>
#include <thread>

#include "hub/mqtt_link.hpp"
#include "tests/support/broker.hpp"

using namespace hearth;
using namespace std::chrono_literals;

namespace {

/// A link on an io_context run by the test (the hub thread's stand-in), subscribed to `bench/#`.
struct LinkUnderTest {
    explicit LinkUnderTest(const testing::Broker& broker, std::function<void(hub::MqttMessage)> on_message) {
        hub::MqttLinkConfig config;
        config.url = broker.url();
        config.client_id = "mqtt-link-test";
        config.status_topic = "mqtt-link-test/status";
        config.subscriptions = {"bench/#"};
        config.flood.per_second = 0;  // no limit: the test sends faster than any device would
        hub::MqttLinkHandlers handlers;
        handlers.message = std::move(on_message);
        handlers.connected = [this] { connected = true; };
        link = std::make_unique<hub::MqttLink>(
            std::move(config), std::move(handlers), [this](std::function<void()> f) { boost::asio::post(io, std::move(f)); },
            [this](std::chrono::milliseconds d, std::function<void()> f) {
                auto timer = std::make_shared<boost::asio::steady_timer>(io, d);
                timer->async_wait([timer, f = std::move(f)](const boost::system::error_code& ec) {
                    if (!ec) f();
                });
            });
        link->start();
    }
    ~LinkUnderTest() { link->stop(); }

    /// Runs the io_context until `done` holds or the deadline passes; exceptions are counted.
    bool run_until(const std::function<bool()>& done, std::chrono::seconds deadline = 20s) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        while (!done() && std::chrono::steady_clock::now() < until) {
            io.restart();
            try {
                io.run_for(10ms);
            } catch (const std::exception&) {
                ++exceptions;  // as the hub's guard does: count, and go on with the next handler
            }
        }
        return done();
    }

    boost::asio::io_context io;
    bool connected = false;
    int exceptions = 0;
    std::unique_ptr<hub::MqttLink> link;
};

void publish_numbered(const testing::Broker& broker, int count) {
    mqtt::async_client client(broker.url(), "mqtt-link-test-publisher");
    client.connect()->wait();
    mqtt::delivery_token_ptr last;
    for (int i = 0; i < count; ++i) {
        last = client.publish("bench/" + std::to_string(i % 7), std::to_string(i), 1, false);
        if (i % 50 == 49) last->wait();  // paho's in-flight window is bounded
    }
    last->wait();
    client.disconnect()->wait();
}

}  // namespace

TEST_CASE("Messages reach the hub thread in the order the broker sent them, none lost") {
    testing::Broker broker;
    std::vector<int> seen;
    LinkUnderTest link(broker, [&](hub::MqttMessage m) { seen.push_back(std::stoi(m.payload)); });
    REQUIRE(link.run_until([&] { return link.connected; }));
    // The subscription is sent from on_connected; give the broker a moment to have it.
    link.run_until([] { return false; }, 1s);

    constexpr int count = 10000;
    std::thread publisher([&] { publish_numbered(broker, count); });
    REQUIRE(link.run_until([&] { return static_cast<int>(seen.size()) >= count; }, 60s));
    publisher.join();
    REQUIRE(seen.size() == count);
    for (int i = 0; i < count; ++i) REQUIRE(seen[static_cast<std::size_t>(i)] == i);
}

TEST_CASE("A message handler that throws loses no other message of its batch") {
    testing::Broker broker;
    std::vector<int> seen;
    LinkUnderTest link(broker, [&](hub::MqttMessage m) {
        const int n = std::stoi(m.payload);
        if (n % 1000 == 500) throw std::runtime_error("a handler that throws");
        seen.push_back(n);
    });
    REQUIRE(link.run_until([&] { return link.connected; }));
    link.run_until([] { return false; }, 1s);

    constexpr int count = 5000;
    std::thread publisher([&] { publish_numbered(broker, count); });
    REQUIRE(link.run_until([&] { return static_cast<int>(seen.size()) >= count - 5; }, 60s));
    publisher.join();
    CHECK(link.exceptions == 5);
    REQUIRE(seen.size() == count - 5);
    int expected = 0;
    for (const int n : seen) {
        if (expected % 1000 == 500) ++expected;
        REQUIRE(n == expected);
        ++expected;
    }
}
