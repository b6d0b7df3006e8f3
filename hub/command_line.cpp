#include "hub/command_line.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "hub/http_server.hpp"

#ifndef HEARTH_VERSION
#define HEARTH_VERSION "unknown"
#endif

namespace hearth::hub {
namespace {

using proto::Errc;

std::string env(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    return value ? std::string(value) : std::string{};
}

/// CLI11 reads the config file before the environment and lets the first source win; dropping the
/// file's keys whose variable is set gives flag > environment > file > default.
class EnvironmentFirst final : public CLI::ConfigTOML {
public:
    explicit EnvironmentFirst(std::map<std::string, std::string> env_of_key) : env_of_key_(std::move(env_of_key)) {}

    std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
        auto items = CLI::ConfigTOML::from_config(input);
        std::erase_if(items, [&](const CLI::ConfigItem& item) {
            const auto it = env_of_key_.find(item.name);
            return item.parents.empty() && it != env_of_key_.end() && !env(it->second).empty();
        });
        return items;
    }

private:
    std::map<std::string, std::string> env_of_key_;
};

/// The first line of `path`, without its line end; nothing when the file cannot be read or the line is empty.
std::optional<std::string> read_password(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return std::nullopt;
    return line;
}

std::string off_or(const std::string& value) { return value == "off" ? std::string{} : value; }

/// "--rate-limit: …" → "--rate-limit"; CLI11 starts its option errors with the option's name.
std::string field_of(const std::string& message) {
    if (!message.starts_with("--")) return {};
    return message.substr(0, message.find_first_of(": "));
}

proto::Error from_cli11(const CLI::ParseError& e, const std::string& config_file) {
    std::string message = e.what();
    static const std::string kUnknownKey = "INI was not able to parse ";
    if (message.starts_with(kUnknownKey)) {
        auto key = message.substr(kUnknownKey.size());
        if (key.ends_with(".++") || key.ends_with(".--")) {
            key = "[" + key.substr(0, key.size() - 3) + "]";
            return {Errc::invalid_field, config_file + ": unknown section " + key + " (keys stand at the top level)", key};
        }
        return {Errc::invalid_field, config_file + ": unknown key '" + key + "'", key};
    }
    if (dynamic_cast<const CLI::FileError*>(&e)) return {Errc::not_found, "config file: " + message, "--config"};
    if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
        const auto colon = message.rfind(": ");
        return {Errc::invalid_field, message, colon == std::string::npos ? std::string{} : message.substr(colon + 2)};
    }
    return {Errc::invalid_field, message, field_of(message)};
}

/// Where an installed (bin/ beside share/) or just-built (build/<preset>/hub/ beside web/dist) hearthd
/// finds the dashboard; empty when neither holds one.
std::string default_web_dir() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    for (const auto& dir : {exe.parent_path() / ".." / "share" / "hearth" / "web", exe.parent_path() / ".." / "web" / "dist"}) {
        if (std::filesystem::is_regular_file(dir / "index.html", ec)) return std::filesystem::weakly_canonical(dir, ec).string();
    }
    return {};
}

}  // namespace

std::string version_text() { return std::string("hearthd ") + HEARTH_VERSION; }

proto::Result<CommandLine> parse_command_line(const std::vector<std::string>& args) {
    CommandLine out;
    HubConfig& c = out.config;
    std::string http = "127.0.0.1:8480";
    c.mqtt_url = "tcp://127.0.0.1:" + (env("HEARTH_MQTT_PORT").empty() ? "1883" : env("HEARTH_MQTT_PORT"));
    std::string data_dir = c.data_dir.string();
    std::string home_file;
    std::string web_dir;
    std::string tls_cert, tls_key;
    std::string password_file;
    double rate_limit = c.limits.requests_per_second;
    double device_rate = c.device_flood.per_second;
    std::size_t per_address = c.http.max_connections_per_address;
    double clock_speed = c.clock_speed;
    double command_hold = static_cast<double>(c.command_hold.count()) / 1000;
    std::string ha_discovery = c.ha_discovery_prefix;
    std::string zigbee2mqtt = "off";
    std::string tasmota = c.tasmota_prefix;
    bool check_config = false;
    std::string log_level = "info";

    CLI::App app{"hearthd: the Hearth home hub. Every option also comes from its environment variable or, as\n"
                 "`name = value`, from the config file (--config); a flag beats the environment, which beats the file.",
                 "hearthd"};
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.get_formatter()->column_width(30);
    app.allow_config_extras(CLI::config_extras_mode::error);
    app.set_version_flag("--version", version_text(), "print the version and exit");
    const auto config_env = env("HEARTH_CONFIG");
    app.set_config("--config", config_env, "read options from FILE (`name = value` lines, as in dist/hearthd.conf)",
                   !config_env.empty())
        ->envname("HEARTH_CONFIG")
        ->type_name("FILE");
    app.add_flag("--check-config", check_config, "check the options and the config file, print the settings, exit")
        ->configurable(false);

    std::map<std::string, std::string> env_of_key;
    const auto option = [&](const std::string& name, auto& target, const std::string& environment, const std::string& help) {
        env_of_key[name] = environment;
        return app.add_option("--" + name, target, help)->envname(environment)->capture_default_str();
    };
    const auto listen_address = [](const std::string& text) {
        const auto parsed = parse_listen_address(text);
        return parsed ? std::string{} : parsed.error().message;
    };
    const auto topic_level = [](const std::string& text) {
        return text.empty() || text.find_first_of("+#") != std::string::npos ? std::string("must be a topic level without wildcards")
                                                                              : std::string{};
    };
    option("http", http, "HEARTH_HTTP", "API listen address HOST:PORT")->type_name("HOST:PORT")->check(listen_address);
    option("tls-cert", tls_cert, "HEARTH_TLS_CERT", "serve HTTPS and WSS with this PEM certificate chain; needs --tls-key")
        ->type_name("FILE");
    option("tls-key", tls_key, "HEARTH_TLS_KEY", "the certificate's PEM private key")->type_name("FILE");
    option("cors-origin", c.http.cors_origins, "HEARTH_CORS_ORIGINS",
           "let browser pages from ORIGIN (e.g. https://app.example) call the API; repeatable (env: comma-separated)")
        ->type_name("ORIGIN")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->delimiter(',');
    option("rate-limit", rate_limit, "HEARTH_RATE_LIMIT",
           "requests per second per client address, and messages per second per WebSocket connection, bursts up to 2 N; "
           "0 = no limit")
        ->type_name("N")
        ->check(CLI::Range(0.0, 1e9));
    option("connections-per-address", per_address, "HEARTH_CONNECTIONS_PER_ADDRESS",
           "open HTTP and WebSocket connections one client address may hold (loopback too: give 0 behind a local reverse "
           "proxy); 0 = only the total cap")
        ->type_name("N");
    option("mqtt", c.mqtt_url, "HEARTH_MQTT_URL",
           "broker URL: mqtt:// or tcp:// (port 1883), mqtts:// or ssl:// (TLS, port 8883), optionally with user:password@")
        ->type_name("URL");
    option("mqtt-user", c.mqtt_username, "HEARTH_MQTT_USER", "log in to the broker as NAME (instead of a user in the URL)")
        ->type_name("NAME");
    option("mqtt-password-file", password_file, "HEARTH_MQTT_PASSWORD_FILE", "the broker password is the first line of FILE")
        ->type_name("FILE");
    option("mqtt-ca", c.mqtt_tls.ca_file, "HEARTH_MQTT_CA", "TLS: trust the broker certificate this PEM CA signed (default: the system's)")
        ->type_name("FILE");
    option("mqtt-cert", c.mqtt_tls.cert_file, "HEARTH_MQTT_CERT", "TLS: log in with this PEM client certificate; needs --mqtt-key")
        ->type_name("FILE");
    option("mqtt-key", c.mqtt_tls.key_file, "HEARTH_MQTT_KEY", "TLS: the client certificate's PEM private key")->type_name("FILE");
    option("device-rate", device_rate, "HEARTH_DEVICE_RATE",
           "MQTT messages per second per topic (per device), bursts up to 5 N; the excess is dropped and counted; 0 = no limit")
        ->type_name("N")
        ->check(CLI::Range(0.0, 1e9));
    option("data", data_dir, "HEARTH_DATA", "data directory")->type_name("DIR");
    option("prefix", c.prefix, "HEARTH_PREFIX", "native MQTT topic prefix")->check(topic_level);
    option("home", home_file, "HEARTH_HOME_FILE", "import areas (and scenes, rules) from a home description file")->type_name("FILE");
    option("web", web_dir, "HEARTH_WEB",
           "the built dashboard to serve at / (default: the first of <binary>/../share/hearth/web and "
           "<binary>/../web/dist that holds index.html)")
        ->type_name("DIR");
    option("ha-discovery", ha_discovery, "HEARTH_HA_DISCOVERY", "Home Assistant MQTT discovery prefix, or off")->type_name("P");
    option("zigbee2mqtt", zigbee2mqtt, "HEARTH_ZIGBEE2MQTT",
           "read Zigbee2MQTT natively under BASE, or off; only for a Zigbee2MQTT without HA discovery")
        ->type_name("BASE");
    option("tasmota", tasmota, "HEARTH_TASMOTA", "Tasmota discovery prefix, or off")->type_name("P");
    option("clock-speed", clock_speed, "HEARTH_CLOCK_SPEED",
           "run the hub's clock N times faster than real time, from start-up (tests and demos, with hearth-fleet --speed N)")
        ->type_name("N")
        ->check(CLI::Range(1.0, 1e9));
    option("command-hold", command_hold, "HEARTH_COMMAND_HOLD",
           "while the broker is unreachable, hold a command up to S seconds and send it on reconnection, else refuse it; "
           "0 refuses at once")
        ->type_name("S")
        ->check(CLI::Range(0.0, 300.0));
    option("log-level", log_level, "HEARTH_LOG_LEVEL",
           "debug, info, warning, error or off; lines go to stderr, with \"<N>\" priorities when it is the journal")
        ->type_name("L")
        ->check([](const std::string& text) {
            return log::level_from(text) ? std::string{} : std::string("must be debug, info, warning, error or off");
        });
    app.config_formatter(std::make_shared<EnvironmentFirst>(env_of_key));

    try {
        std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        out.action = CommandLine::Action::help;
        out.text = app.help();
        return out;
    } catch (const CLI::CallForAllHelp&) {
        out.action = CommandLine::Action::help;
        out.text = app.help();
        return out;
    } catch (const CLI::CallForVersion& e) {
        out.action = CommandLine::Action::version;
        out.text = e.what();
        return out;
    } catch (const CLI::ParseError& e) {
        const auto* file = app.get_option("--config");
        return from_cli11(e, file->count() ? file->as<std::string>() : config_env);
    }
    if (app.get_option("--config")->count()) out.config_file = app.get_option("--config")->as<std::string>();

    auto listen = parse_listen_address(http);
    if (!listen) return proto::make_error(Errc::invalid_field, listen.error().message, "--http");
    std::vector<std::string> cors;
    for (auto origin : c.http.cors_origins) {
        origin.erase(0, origin.find_first_not_of(" \t"));
        origin.erase(origin.find_last_not_of(" \t") + 1);
        if (!origin.empty()) cors.push_back(std::move(origin));
    }
    c.http = *listen;
    c.http.cors_origins = cors;
    c.http.max_connections_per_address = per_address == 0 ? c.http.max_connections : per_address;
    if (tls_cert.empty() != tls_key.empty()) {
        return proto::make_error(Errc::invalid_field, "TLS needs both --tls-cert and --tls-key", "--tls-cert");
    }
    c.http.tls_cert_file = tls_cert;
    c.http.tls_key_file = tls_key;
    c.limits.requests_per_second = rate_limit;
    c.limits.burst = 2 * rate_limit;
    c.device_flood = FloodLimits{.per_second = device_rate, .burst = 5 * device_rate};
    c.clock_speed = clock_speed;
    c.command_hold = std::chrono::milliseconds(static_cast<long long>(command_hold * 1000));
    c.data_dir = data_dir;
    c.home_file = home_file;
    c.web_dir = web_dir.empty() ? default_web_dir() : web_dir;
    c.ha_discovery_prefix = off_or(ha_discovery);
    c.zigbee2mqtt_base = off_or(zigbee2mqtt);
    c.tasmota_prefix = off_or(tasmota);
    if (!password_file.empty()) {
        auto password = read_password(password_file);
        if (!password) {
            return proto::make_error(Errc::invalid_field, "cannot read a password from " + password_file, "--mqtt-password-file");
        }
        c.mqtt_password = std::move(*password);
    }
    auto broker = broker_of(c);
    if (!broker) return broker.error();
    out.broker = std::move(*broker);
    out.log_level = *log::level_from(log_level);
    if (check_config) out.action = CommandLine::Action::check_config;
    return out;
}

}  // namespace hearth::hub
