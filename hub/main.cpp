// hearthd: the Hearth home hub.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "hub/hub.hpp"

namespace {

/// Every open connection is a descriptor, besides the broker's, SQLite's and the logs': lift the
/// soft limit to the hard one (often 1024 → 1048576), and keep the connection cap below what is left.
void fit_descriptor_limit(hearth::hub::HttpServerConfig& http) {
    constexpr rlim_t kReserved = 64;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= http.max_connections + kReserved) return;
    const auto fits = limit.rlim_cur > 2 * kReserved ? static_cast<std::size_t>(limit.rlim_cur - kReserved) : std::size_t{64};
    std::cerr << "hearthd: only " << limit.rlim_cur << " file descriptors allowed; at most " << fits
              << " connections instead of " << http.max_connections << "\n";
    http.max_connections = fits;
}

const char* kUsage = R"(usage: hearthd [options]
  --http HOST:PORT     API listen address (default 127.0.0.1:8480, env HEARTH_HTTP)
  --tls-cert FILE      serve HTTPS and WSS with this PEM certificate chain (env HEARTH_TLS_CERT);
                       needs --tls-key; without both the API is plain HTTP
  --tls-key FILE       the certificate's PEM private key (env HEARTH_TLS_KEY)
  --cors-origin ORIGIN let browser pages from ORIGIN (e.g. https://app.example) call the API;
                       repeatable (env HEARTH_CORS_ORIGINS, comma-separated)
  --rate-limit N       requests per second per client address, and messages per second per
                       WebSocket connection, bursts up to 2 N; 0 = no limit (default 50, env
                       HEARTH_RATE_LIMIT)
  --connections-per-address N
                       open HTTP and WebSocket connections one client address may hold (loopback
                       too: give 0 behind a local reverse proxy); 0 = only the total cap of 1000
                       (default 64, env HEARTH_CONNECTIONS_PER_ADDRESS)
  --mqtt URL           broker, e.g. tcp://127.0.0.1:1883 (env HEARTH_MQTT_URL)
  --device-rate N      MQTT messages per second per topic (per device), bursts up to 5 N; the
                       excess is dropped and counted; 0 = no limit (default 100, env HEARTH_DEVICE_RATE)
  --mqtt-user NAME     log in to the broker as NAME (env HEARTH_MQTT_USER)
  --mqtt-password-file FILE
                       the broker password is the first line of FILE (env HEARTH_MQTT_PASSWORD_FILE)
  --data DIR           data directory (default ./var, env HEARTH_DATA)
  --prefix PREFIX      native MQTT topic prefix (default hearth)
  --home FILE          import areas (and scenes, rules) from a home description file
  --ha-discovery P     Home Assistant MQTT discovery prefix, or "off" (default homeassistant)
  --zigbee2mqtt BASE   read Zigbee2MQTT natively under BASE (default off; use it only
                       when that Zigbee2MQTT does not publish HA discovery)
  --tasmota P          Tasmota discovery prefix, or "off" (default tasmota/discovery)
  --clock-speed N      run the hub's clock N times faster than real time, from start-up (tests
                       and demos, with hearth-fleet --speed N; default 1, env HEARTH_CLOCK_SPEED)
  --command-hold S     while the broker is unreachable, hold a command up to S seconds and send it
                       on reconnection, else refuse it (broker_unavailable); 0 refuses at once
                       (default 5, at most 300, env HEARTH_COMMAND_HOLD)
)";

std::string env_or(const char* name, std::string fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : std::move(fallback);
}

std::string off_or(std::string value) { return value == "off" ? std::string{} : value; }

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = std::min(text.find(',', start), text.size());
        auto item = text.substr(start, comma - start);
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty()) out.push_back(std::move(item));
        start = comma + 1;
    }
    return out;
}

/// A non-negative number of requests per second.
std::optional<double> parse_rate(const std::string& text) {
    try {
        std::size_t used = 0;
        const double rate = std::stod(text, &used);
        if (used != text.size() || rate < 0 || rate > 1e9) return std::nullopt;
        return rate;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

/// The first line of `path`, without its line end; nothing when the file cannot be read or the line is empty.
std::optional<std::string> read_password(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return std::nullopt;
    return line;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace hearth;
    hub::HubConfig config;
    std::string http = env_or("HEARTH_HTTP", "127.0.0.1:8480");
    config.mqtt_url = env_or("HEARTH_MQTT_URL", "tcp://127.0.0.1:" + env_or("HEARTH_MQTT_PORT", "1883"));
    config.data_dir = env_or("HEARTH_DATA", "var");
    config.mqtt_username = env_or("HEARTH_MQTT_USER", "");
    std::string password_file = env_or("HEARTH_MQTT_PASSWORD_FILE", "");
    std::string tls_cert = env_or("HEARTH_TLS_CERT", "");
    std::string tls_key = env_or("HEARTH_TLS_KEY", "");
    std::vector<std::string> cors_origins = split_list(env_or("HEARTH_CORS_ORIGINS", ""));
    bool cors_from_flags = false;
    std::string rate_limit = env_or("HEARTH_RATE_LIMIT", "");
    std::string device_rate = env_or("HEARTH_DEVICE_RATE", "");
    std::string per_address = env_or("HEARTH_CONNECTIONS_PER_ADDRESS", "");
    std::string clock_speed = env_or("HEARTH_CLOCK_SPEED", "");
    std::string command_hold = env_or("HEARTH_COMMAND_HOLD", "");
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "hearthd: " << arg << " needs a value\n" << kUsage;
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--http") http = next();
        else if (arg == "--tls-cert") tls_cert = next();
        else if (arg == "--tls-key") tls_key = next();
        else if (arg == "--cors-origin") {
            // Flags replace the environment's list rather than adding to it.
            if (!cors_from_flags) cors_origins.clear();
            cors_from_flags = true;
            cors_origins.push_back(next());
        } else if (arg == "--rate-limit") rate_limit = next();
        else if (arg == "--device-rate") device_rate = next();
        else if (arg == "--connections-per-address") per_address = next();
        else if (arg == "--mqtt") config.mqtt_url = next();
        else if (arg == "--mqtt-user") config.mqtt_username = next();
        else if (arg == "--mqtt-password-file") password_file = next();
        else if (arg == "--data") config.data_dir = next();
        else if (arg == "--prefix") config.prefix = next();
        else if (arg == "--home") config.home_file = next();
        else if (arg == "--ha-discovery") config.ha_discovery_prefix = off_or(next());
        else if (arg == "--zigbee2mqtt") config.zigbee2mqtt_base = off_or(next());
        else if (arg == "--tasmota") config.tasmota_prefix = off_or(next());
        else if (arg == "--clock-speed") clock_speed = next();
        else if (arg == "--command-hold") command_hold = next();
        else if (arg == "-h" || arg == "--help") {
            std::cout << kUsage;
            return 0;
        } else {
            std::cerr << "hearthd: unknown option " << arg << "\n" << kUsage;
            return 2;
        }
    }
    auto listen = hub::parse_listen_address(http);
    if (!listen) {
        std::cerr << "hearthd: " << listen.error().message << "\n";
        return 2;
    }
    config.http = *listen;
    if (tls_cert.empty() != tls_key.empty()) {
        std::cerr << "hearthd: TLS needs both --tls-cert and --tls-key\n";
        return 2;
    }
    config.http.tls_cert_file = tls_cert;
    config.http.tls_key_file = tls_key;
    config.http.cors_origins = cors_origins;
    if (!rate_limit.empty()) {
        const auto rate = parse_rate(rate_limit);
        if (!rate) {
            std::cerr << "hearthd: --rate-limit needs a number of requests per second (0 = no limit), not '"
                      << rate_limit << "'\n";
            return 2;
        }
        config.limits.requests_per_second = *rate;
        config.limits.burst = 2 * *rate;
    }
    if (!per_address.empty()) {
        const auto n = parse_rate(per_address);
        if (!n || *n != static_cast<double>(static_cast<std::size_t>(*n))) {
            std::cerr << "hearthd: --connections-per-address needs a whole number of connections (0 = no per-address cap), not '"
                      << per_address << "'\n";
            return 2;
        }
        config.http.max_connections_per_address = *n == 0 ? config.http.max_connections : static_cast<std::size_t>(*n);
    }
    if (!device_rate.empty()) {
        const auto rate = parse_rate(device_rate);
        if (!rate) {
            std::cerr << "hearthd: --device-rate needs a number of messages per second (0 = no limit), not '"
                      << device_rate << "'\n";
            return 2;
        }
        config.device_flood = hub::FloodLimits{.per_second = *rate, .burst = 5 * *rate};
    }
    if (!clock_speed.empty()) {
        const auto speed = parse_rate(clock_speed);
        if (!speed || *speed < 1) {
            std::cerr << "hearthd: --clock-speed needs a number of 1 or more, not '" << clock_speed << "'\n";
            return 2;
        }
        config.clock_speed = *speed;
    }
    if (!command_hold.empty()) {
        const auto seconds = parse_rate(command_hold);
        if (!seconds || *seconds > 300) {
            std::cerr << "hearthd: --command-hold needs a number of seconds from 0 to 300, not '" << command_hold << "'\n";
            return 2;
        }
        config.command_hold = std::chrono::milliseconds(static_cast<long long>(*seconds * 1000));
    }
    if (!password_file.empty()) {
        auto password = read_password(password_file);
        if (!password) {
            std::cerr << "hearthd: cannot read a password from " << password_file << "\n";
            return 2;
        }
        config.mqtt_password = std::move(*password);
    }
    if (!config.mqtt_password.empty() && config.mqtt_username.empty()) {
        std::cerr << "hearthd: a broker password needs a user name (--mqtt-user)\n";
        return 2;
    }

    fit_descriptor_limit(config.http);
    try {
        boost::asio::io_context io(1);
        hub::Hub hub(io, config);
        if (auto started = hub.start(); !started) {
            std::cerr << "hearthd: cannot start: " << started.error().message << "\n";
            return 1;
        }
        std::cout << "hearthd: API on " << (config.http.tls() ? "https://" : "http://") << config.http.address << ":" << hub.http_port() << "/api/v1"
                  << ", broker " << config.mqtt_url
                  << (config.mqtt_username.empty() ? "" : " as " + config.mqtt_username) << ", data in " << config.data_dir.string() << std::endl;
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code&, int) {
            hub.stop();
            io.stop();
        });
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "hearthd: fatal: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
