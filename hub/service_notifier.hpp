#pragma once
// Tells systemd how hearthd is doing, in sd_notify(3)'s protocol without libsystemd: one datagram
// per message to the Unix socket NOTIFY_SOCKET names ("@name" is an abstract socket). Without
// NOTIFY_SOCKET (not run by systemd, or not Type=notify) nothing is sent. With WATCHDOG_USEC set
// (WatchdogSec= in the unit, for this process) it sends WATCHDOG=1 from the hub thread every half
// of that interval once ready, so a hub thread that hangs gets the service restarted.
// Hub thread only; the io_context outlives it.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "proto/errc.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::hub {

/// Sends `message` ("READY=1\nSTATUS=…") as one datagram to the socket at `socket_path`.
proto::Result<void> notify_socket(const std::string& socket_path, std::string_view message);

class ServiceNotifier {
public:
    /// Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment.
    explicit ServiceNotifier(boost::asio::io_context& io);
    ServiceNotifier(boost::asio::io_context& io, std::string socket_path, std::chrono::microseconds watchdog);
    ~ServiceNotifier();
    ServiceNotifier(const ServiceNotifier&) = delete;
    ServiceNotifier& operator=(const ServiceNotifier&) = delete;

    /// READY=1 with a status line, and the watchdog's first beat. A failure to send is logged.
    void ready(std::string_view status);
    /// STOPPING=1; the watchdog stops.
    void stopping();
    bool active() const noexcept { return !socket_path_.empty(); }
    std::chrono::microseconds watchdog() const noexcept { return watchdog_; }

private:
    void send(std::string_view message);
    void beat();

    boost::asio::io_context& io_;
    std::string socket_path_;
    std::chrono::microseconds watchdog_{0};
    struct Timer;
    std::unique_ptr<Timer> timer_;
};

}  // namespace hearth::hub
