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
    std::filesystem::path acl_file;  // empty = every account may use every topic
};

/// A TLS listener: the broker's certificate and key, and the CA it trusts for client certificates.
struct BrokerTlsListener {
    std::filesystem::path ca_file;
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
    bool require_client_certificate = false;
};

class Broker {
public:
    Broker();
    /// A broker that admits only the accounts of `auth`, under its ACL.
    explicit Broker(const BrokerAuth& auth);
    /// A broker whose one listener speaks TLS, with accounts when `auth` is given.
    Broker(const BrokerAuth* auth, const BrokerTlsListener& tls);
    ~Broker();
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;

    int port() const noexcept { return port_; }
    /// tcp://127.0.0.1:PORT, or mqtts://localhost:PORT for a TLS listener (its certificate names localhost).
    std::string url() const {
        return (tls_ ? "mqtts://localhost:" : "tcp://127.0.0.1:") + std::to_string(port_);
    }
    const std::filesystem::path& dir() const noexcept { return dir_; }

    void start();
    /// Stops the broker with SIGTERM (it saves its persistence file) and waits for it to exit.
    void stop();
    void restart() {
        stop();
        start();
    }

private:
    void write_config(const BrokerAuth* auth, const BrokerTlsListener* tls = nullptr);

    std::filesystem::path dir_;
    int port_ = 0;
    bool tls_ = false;
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
