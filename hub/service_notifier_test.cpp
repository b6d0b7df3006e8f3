#include "hub/service_notifier.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

using hearth::hub::ServiceNotifier;
using namespace std::chrono_literals;

namespace {

/// A datagram socket bound where systemd's would be, as the test's own listener.
class NotifyListener {
public:
    explicit NotifyListener(std::string path) : path_(std::move(path)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, path_.data(), path_.size());
        if (path_[0] == '@') address.sun_path[0] = '\0';
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), offsetof(sockaddr_un, sun_path) + path_.size()) == 0);
        timeval wait{10, 0};  // a bound on a broken test, not a timing
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    }
    ~NotifyListener() {
        ::close(fd_);
        if (path_[0] == '/') std::filesystem::remove(path_);
    }
    std::string receive() {
        char buffer[4096];
        const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        return n < 0 ? std::string("(nothing)") : std::string(buffer, static_cast<std::size_t>(n));
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    int fd_ = -1;
};

std::string temp_socket_path() {
    return (std::filesystem::temp_directory_path() / ("hearth-notify-" + std::to_string(::getpid()) + ".sock")).string();
}

}  // namespace

TEST_CASE("Ready sends READY=1 with the status to the notify socket") {
    NotifyListener listener(temp_socket_path());
    boost::asio::io_context io;
    ServiceNotifier service(io, listener.path(), 0us);
    REQUIRE(service.active());
    service.ready("API on port 8480");
    CHECK(listener.receive() == "READY=1\nSTATUS=API on port 8480");
    service.stopping();
    CHECK(listener.receive() == "STOPPING=1");
}

TEST_CASE("An abstract notify socket (@name) is reached too") {
    NotifyListener listener("@hearth-notify-test-" + std::to_string(::getpid()));
    CHECK(hearth::hub::notify_socket(listener.path(), "READY=1"));
    CHECK(listener.receive() == "READY=1");
}

TEST_CASE("With a watchdog interval, ready starts beating WATCHDOG=1 on the hub thread") {
    NotifyListener listener(temp_socket_path());
    boost::asio::io_context io;
    ServiceNotifier service(io, listener.path(), 2000us);
    service.ready("up");
    CHECK(listener.receive() == "READY=1\nSTATUS=up");
    CHECK(listener.receive() == "WATCHDOG=1");
    REQUIRE(io.run_one() == 1);  // the next beat, after half the interval
    CHECK(listener.receive() == "WATCHDOG=1");
    service.stopping();
    CHECK(listener.receive() == "STOPPING=1");
    io.run();  // the cancelled beat ends; nothing more is sent
}

TEST_CASE("Without a notify socket nothing is sent and no watchdog runs") {
    boost::asio::io_context io;
    ServiceNotifier service(io, "", 2000us);
    CHECK_FALSE(service.active());
    CHECK(service.watchdog() == 0us);
    service.ready("up");
    CHECK(io.run() == 0);
}

TEST_CASE("A notify socket that is not a path is refused with a reason") {
    const auto sent = hearth::hub::notify_socket("relative/path", "READY=1");
    REQUIRE_FALSE(sent);
    CHECK(sent.error().message.find("NOTIFY_SOCKET") != std::string::npos);
    const auto nobody = hearth::hub::notify_socket("/nonexistent-dir/hearth.sock", "READY=1");
    CHECK_FALSE(nobody);
}
