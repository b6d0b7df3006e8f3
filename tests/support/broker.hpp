#pragma once
// A real Mosquitto broker for integration tests: a free loopback port, a private temp dir with its
// config and persistence file, started and stopped by the test. Restart keeps the port and the
// retained messages, as a real broker restart does.
#include <chrono>
#include <filesystem>
#include <string>

#include <sys/types.h>

namespace hearth::testing {

/// Accounts for a broker that refuses anonymous clients: a hashed password file and an ACL file,
/// as scripts/broker-auth writes them.
struct BrokerAuth {
    std::filesystem::path password_file;
    std::filesystem::path acl_file;
};

class Broker {
public:
    Broker();
    /// A broker that admits only the accounts of `auth`, under its ACL.
    explicit Broker(const BrokerAuth& auth);
    ~Broker();
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;

    int port() const noexcept { return port_; }
    std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
    const std::filesystem::path& dir() const noexcept { return dir_; }

    void start();
    /// Stops the broker with SIGTERM (it saves its persistence file) and waits for it to exit.
    void stop();
    void restart() {
        stop();
        start();
    }

private:
    void write_config(const BrokerAuth* auth);

    std::filesystem::path dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

/// A free TCP port on 127.0.0.1 (bound and released, so another process can take it).
int free_port();

/// A fresh empty directory under the system temp dir, removed by the caller.
std::filesystem::path make_temp_dir(const std::string& prefix);

/// Polls `done` until it returns true or the deadline passes; returns its last answer.
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        struct timespec ts{0, 5'000'000};
        nanosleep(&ts, nullptr);
    }
    return true;
}

}  // namespace hearth::testing
