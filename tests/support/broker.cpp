#include "tests/support/broker.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>

extern char** environ;

namespace hearth::testing {
namespace {

bool accepts_connections(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind failed");
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::filesystem::path make_temp_dir(const std::string& prefix) {
    std::random_device rd;
    const auto dir = std::filesystem::temp_directory_path() /
                     (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    return dir;
}

Broker::Broker() : dir_(make_temp_dir("hearth-broker")), port_(free_port()) {
    write_config(nullptr);
    start();
}

Broker::Broker(const BrokerAuth& auth) : dir_(make_temp_dir("hearth-broker")), port_(free_port()) {
    write_config(&auth);
    start();
}

Broker::Broker(const BrokerAuth* auth, const BrokerTlsListener& tls)
    : dir_(make_temp_dir("hearth-broker")), port_(free_port()), tls_(true) {
    write_config(auth, &tls);
    start();
}

void Broker::write_config(const BrokerAuth* auth, const BrokerTlsListener* tls) {
    std::ofstream conf(dir_ / "mosquitto.conf");
    conf << "listener " << port_ << " 127.0.0.1\n";
    if (tls) {
        conf << "cafile " << tls->ca_file.string() << "\n"
             << "certfile " << tls->cert_file.string() << "\n"
             << "keyfile " << tls->key_file.string() << "\n"
             << "require_certificate " << (tls->require_client_certificate ? "true" : "false") << "\n";
    }
    if (auth) {
        conf << "allow_anonymous false\n"
             << "password_file " << auth->password_file.string() << "\n";
        if (!auth->acl_file.empty()) conf << "acl_file " << auth->acl_file.string() << "\n";
    } else {
        conf << "allow_anonymous true\n";
    }
    conf << "persistence true\n"
         << "persistence_location " << dir_.string() << "/\n"
         << "log_dest file " << (dir_ / "mosquitto.log").string() << "\n"
         << "max_queued_messages 100000\n";
    if (::geteuid() == 0) conf << "user root\n";
}

Broker::~Broker() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void Broker::start() {
    if (pid_ > 0) return;
    const auto conf = (dir_ / "mosquitto.conf").string();
    const char* mosquitto = ::access("/usr/sbin/mosquitto", X_OK) == 0 ? "/usr/sbin/mosquitto" : "mosquitto";
    char* argv[] = {const_cast<char*>(mosquitto), const_cast<char*>("-c"), const_cast<char*>(conf.c_str()), nullptr};
    // The broker logs to its own file; it must not hold the test's output open, and it must not
    // outlive a test that crashes.
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("cannot fork for mosquitto");
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(1);
        const int devnull = ::open("/dev/null", O_RDWR);
        ::dup2(devnull, STDIN_FILENO);
        ::dup2(devnull, STDOUT_FILENO);
        ::dup2(devnull, STDERR_FILENO);
        ::execvp(mosquitto, argv);
        ::_exit(127);
    }
    if (!eventually([&] { return accepts_connections(port_); })) {
        stop();
        throw std::runtime_error("mosquitto did not open port " + std::to_string(port_));
    }
}

void Broker::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

}  // namespace hearth::testing
