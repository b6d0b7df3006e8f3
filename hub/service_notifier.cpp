#include "hub/service_notifier.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "hub/log.hpp"

namespace hearth::hub {

using proto::Errc;

struct ServiceNotifier::Timer {
    explicit Timer(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
};

proto::Result<void> notify_socket(const std::string& socket_path, std::string_view message) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket_path.size() < 2 || socket_path.size() >= sizeof address.sun_path ||
        (socket_path[0] != '/' && socket_path[0] != '@')) {
        return proto::make_error(Errc::invalid_field, "NOTIFY_SOCKET is not a socket path: '" + socket_path + "'");
    }
    std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
    if (socket_path[0] == '@') address.sun_path[0] = '\0';  // the abstract namespace
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path.size());
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return proto::make_error(Errc::internal, std::string("cannot open a notify socket: ") + std::strerror(errno));
    const auto sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address), length);
    const int error = errno;
    ::close(fd);
    if (sent != static_cast<ssize_t>(message.size())) {
        return proto::make_error(Errc::internal, "cannot notify " + socket_path + ": " + std::strerror(error));
    }
    return {};
}

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

/// WATCHDOG_USEC, when it is meant for this process (WATCHDOG_PID unset or ours).
std::chrono::microseconds watchdog_from_environment() {
    const auto pid = env("WATCHDOG_PID");
    if (!pid.empty() && pid != std::to_string(::getpid())) return {};
    const auto usec = env("WATCHDOG_USEC");
    char* end = nullptr;
    const auto value = std::strtoll(usec.c_str(), &end, 10);
    if (usec.empty() || *end != '\0' || value <= 0) return {};
    return std::chrono::microseconds(value);
}

}  // namespace

ServiceNotifier::ServiceNotifier(boost::asio::io_context& io)
    : ServiceNotifier(io, env("NOTIFY_SOCKET"), watchdog_from_environment()) {}

ServiceNotifier::ServiceNotifier(boost::asio::io_context& io, std::string socket_path, std::chrono::microseconds watchdog)
    : io_(io), socket_path_(std::move(socket_path)), watchdog_(socket_path_.empty() ? std::chrono::microseconds(0) : watchdog) {}

ServiceNotifier::~ServiceNotifier() = default;

void ServiceNotifier::ready(std::string_view status) {
    send("READY=1\nSTATUS=" + std::string(status));
    if (watchdog_.count() > 0 && !timer_) {
        timer_ = std::make_unique<Timer>(io_);
        beat();
    }
}

void ServiceNotifier::stopping() {
    if (timer_) timer_->timer.cancel();
    send("STOPPING=1");
}

void ServiceNotifier::send(std::string_view message) {
    if (!active()) return;
    if (auto sent = notify_socket(socket_path_, message); !sent) log::warning("systemd: {}", sent.error().message);
}

void ServiceNotifier::beat() {
    send("WATCHDOG=1");
    timer_->timer.expires_after(watchdog_ / 2);
    timer_->timer.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) beat();
    });
}

}  // namespace hearth::hub
