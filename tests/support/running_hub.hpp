#pragma once
// A real hearthd Hub on its own thread, for integration tests: HTTP on a free port, a temp data
// dir, talking to the given broker. Tests interact with it only over HTTP and MQTT.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <stdexcept>
#include <thread>

#include "hub/hub.hpp"
#include "tests/support/broker.hpp"

namespace hearth::testing {

class RunningHub {
public:
    RunningHub(const Broker& broker, std::filesystem::path data_dir, std::filesystem::path home_file = {}) {
        config_.mqtt_url = broker.url();
        config_.http.port = 0;
        config_.data_dir = std::move(data_dir);
        config_.home_file = std::move(home_file);
        config_.print_owner_token = false;
        start();
    }
    ~RunningHub() { stop(); }

    int port() const noexcept { return port_; }
    /// The owner (admin) token the hub created in its data dir on first start.
    std::string token() const {
        std::ifstream in(config_.data_dir / "owner.token");
        std::string secret;
        std::getline(in, secret);
        return secret;
    }
    hub::HubConfig& config() noexcept { return config_; }

    void start() {
        io_ = std::make_unique<boost::asio::io_context>(1);
        hub_ = std::make_unique<hub::Hub>(*io_, config_);
        if (auto started = hub_->start(); !started) {
            hub_.reset();
            io_.reset();
            throw std::runtime_error(started.error().message);
        }
        port_ = hub_->http_port();
        thread_ = std::thread([this] { io_->run(); });
    }

    void stop() {
        if (!thread_.joinable()) return;
        std::promise<void> stopped;
        boost::asio::post(*io_, [&] {
            hub_->stop();
            stopped.set_value();
        });
        stopped.get_future().wait();
        io_->stop();
        thread_.join();
        hub_.reset();
        io_.reset();
    }

    void restart() {
        stop();
        start();
    }

    /// Runs f on the hub thread and returns its result.
    template <class F>
    auto on_hub_thread(F f) {
        std::packaged_task<decltype(f(*hub_))()> task([&] { return f(*hub_); });
        auto result = task.get_future();
        boost::asio::post(*io_, [&] { task(); });
        return result.get();
    }

private:
    hub::HubConfig config_;
    std::unique_ptr<boost::asio::io_context> io_;
    std::unique_ptr<hub::Hub> hub_;
    std::thread thread_;
    int port_ = 0;
};

}  // namespace hearth::testing
