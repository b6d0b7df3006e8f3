// hearth-fleet: runs the devices of a home file (and/or a generated fleet) as MQTT clients.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "sim/credentials.hpp"
#include "sim/fleet_command_line.hpp"
#include "sim/mqtt_fleet.hpp"
#include "sim/synthetic_home.hpp"
#include "proto/home.hpp"

namespace {

using namespace hearth;
using namespace hearth::sim;
using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t stop_requested = 0;

void raise_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
}

std::size_t file_limit() {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    return limit.rlim_cur;
}

proto::Result<std::vector<proto::HomeDevice>> load_devices(const FleetCommandLine& cl) {
    std::vector<proto::HomeDevice> devices;
    if (!cl.home_file.empty()) {
        std::ifstream in(cl.home_file);
        if (!in) return proto::make_error(proto::Errc::not_found, "cannot read " + cl.home_file, "--home");
        std::stringstream text;
        text << in.rdbuf();
        auto home = proto::home_from_yaml(text.str());
        if (!home) return home.error();
        devices = std::move(home->devices);
    }
    for (auto& d : synthetic_home(cl.devices, cl.seed).devices) devices.push_back(std::move(d));
    return slice_devices(std::move(devices), cl.slice_index, cl.slice_count);
}

proto::Result<Credentials> load_credentials(const std::string& path) {
    std::ifstream in(path);
    if (!in) return proto::make_error(proto::Errc::not_found, "cannot read " + path, "--credentials");
    std::stringstream text;
    text << in.rdbuf();
    auto credentials = parse_credentials(text.str());
    if (!credentials) {
        auto e = credentials.error();
        e.message = path + ": " + e.message;
        return e;
    }
    return credentials;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::vector<std::string_view> args(argv + 1, argv + argc);
        auto cl = parse_command_line(args);
        if (!cl) {
            std::cerr << "hearth-fleet: " << cl.error() << "\n" << usage();
            return 2;
        }
        if (cl->help) {
            std::cout << usage();
            return 0;
        }
        auto devices = load_devices(*cl);
        if (!devices) {
            std::cerr << "hearth-fleet: " << devices.error() << "\n";
            return 1;
        }
        if (cl->list_ids) {
            for (const auto& d : *devices) std::cout << d.description.id.value << "\n";
            return 0;
        }
        auto broker = cl->broker;
        if (!cl->mqtt_user.empty() || !cl->mqtt_password_file.empty()) {
            std::string password;
            if (!cl->mqtt_password_file.empty()) {
                std::ifstream in(cl->mqtt_password_file);
                if (!in || !std::getline(in, password) || password.empty()) {
                    std::cerr << "hearth-fleet: cannot read a password from " << cl->mqtt_password_file << "\n";
                    return 1;
                }
                if (password.back() == '\r') password.pop_back();
            }
            auto joined = proto::with_credentials(std::move(broker), cl->mqtt_user, std::move(password), "--mqtt-user",
                                                  "--mqtt-password-file");
            if (!joined) {
                std::cerr << "hearth-fleet: " << joined.error() << "\n";
                return 2;
            }
            broker = std::move(*joined);
        }
        Credentials credentials;
        if (!cl->credentials_file.empty()) {
            auto read = load_credentials(cl->credentials_file);
            if (!read) {
                std::cerr << "hearth-fleet: " << read.error() << "\n";
                return 1;
            }
            credentials = std::move(*read);
            for (const auto& d : *devices) {
                if (!credentials.contains(d.description.id.value)) {
                    std::cerr << "hearth-fleet: " << cl->credentials_file << " has no password for "
                              << d.description.id.value << "\n";
                    return 1;
                }
            }
        }
        raise_file_limit();
        if (devices->size() + 64 > file_limit()) {
            std::cerr << "hearth-fleet: " << devices->size() << " devices need more open files than the limit of "
                      << file_limit() << "; raise it (ulimit -n) or run several processes with --slice\n";
            return 1;
        }
        const auto clock = make_simulated_clock(cl->speed);
        auto fleet = Fleet::create(*devices, {.offline_fraction = cl->offline_fraction, .seed = cl->seed}, clock());
        if (!fleet) {
            std::cerr << "hearth-fleet: " << fleet.error() << "\n";
            return 1;
        }
        TransportOptions options{.host = broker.host, .port = broker.port, .prefix = cl->prefix, .style = cl->style};
        options.credentials = std::move(credentials);
        options.username = broker.username;
        options.password = broker.password;
        options.tls = broker.tls();
        options.ca_file = cl->mqtt_ca;
        options.cert_file = cl->mqtt_cert;
        options.key_file = cl->mqtt_key;
        MqttFleet transport(*fleet, options, clock, [](std::string_view line) { std::cerr << line << "\n"; });

        std::signal(SIGINT, [](int) { stop_requested = 1; });
        std::signal(SIGTERM, [](int) { stop_requested = 1; });
        std::cerr << "hearth-fleet: " << fleet->size() << " devices → " << broker.redacted()
                  << " (prefix " << cl->prefix << ", speed " << cl->speed << "x)\n";

        constexpr auto kStatusEvery = std::chrono::seconds(5);
        auto next_status = Clock::now() + kStatusEvery;
        auto last = transport.counters();
        auto last_at = Clock::now();
        while (!stop_requested) {
            transport.poll(std::chrono::milliseconds(100));
            const auto now = Clock::now();
            if (now < next_status) continue;
            const auto c = transport.counters();
            const double seconds = std::chrono::duration<double>(now - last_at).count();
            std::fprintf(stderr, "fleet: %zu/%zu connected, %zu offline by simulation, %.0f msg/s in, %.0f msg/s out, %llu refused\n",
                         c.connected, fleet->size(), fleet->offline_count(),
                         static_cast<double>(c.messages_in - last.messages_in) / seconds,
                         static_cast<double>(c.messages_out - last.messages_out) / seconds,
                         static_cast<unsigned long long>(c.commands_refused));
            last = c;
            last_at = now;
            next_status = now + kStatusEvery;
        }
        std::cerr << "hearth-fleet: stopping, devices go offline\n";
        transport.shutdown(std::chrono::seconds(5));
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "hearth-fleet: " << e.what() << "\n";
        return 1;
    }
}
