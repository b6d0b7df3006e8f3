#include "hub/command_line.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace hearth::hub;

namespace {

/// Sets an environment variable for the scope of a test.
struct ScopedEnv {
    std::string name;
    ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) { ::setenv(name.c_str(), value.c_str(), 1); }
    ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

/// A config file in the temp dir, removed at the end of the test.
struct ConfigFile {
    std::filesystem::path path;
    explicit ConfigFile(const std::string& text)
        : path(std::filesystem::temp_directory_path() / ("hearthd-" + std::to_string(::getpid()) + "-" +
                                                          std::to_string(std::rand()) + ".conf")) {
        std::ofstream(path) << text;
    }
    ~ConfigFile() { std::filesystem::remove(path); }
};

CommandLine parsed(const std::vector<std::string>& args) {
    auto out = parse_command_line(args);
    if (!out) FAIL(out.error().message);
    return *out;
}

}  // namespace

TEST_CASE("Without options hearthd keeps its defaults") {
    const auto cl = parsed({});
    CHECK(cl.action == CommandLine::Action::run);
    CHECK(cl.config.http.address == "127.0.0.1");
    CHECK(cl.config.http.port == 8480);
    CHECK(cl.broker.client_uri() == "tcp://127.0.0.1:1883");
    CHECK(cl.config.ha_discovery_prefix == "homeassistant");
    CHECK(cl.config.zigbee2mqtt_base.empty());
    CHECK(cl.config.command_hold == std::chrono::seconds(5));
}

TEST_CASE("A flag beats the environment, which beats the config file, which beats the default") {
    const ConfigFile file("http = 127.0.0.1:1001\nrate-limit = 7\ndata = /from/file\nprefix = fromfile\n");
    const ScopedEnv http("HEARTH_HTTP", "127.0.0.1:1002");
    const ScopedEnv rate("HEARTH_RATE_LIMIT", "8");
    const auto cl = parsed({"--config", file.path.string(), "--http", "127.0.0.1:1003"});
    CHECK(cl.config.http.port == 1003);                   // flag over environment and file
    CHECK(cl.config.limits.requests_per_second == 8);     // environment over file
    CHECK(cl.config.data_dir == "/from/file");            // file over default
    CHECK(cl.config.prefix == "fromfile");
    CHECK(cl.config.device_flood.per_second == 100);      // default
    CHECK(cl.config_file == file.path.string());
}

TEST_CASE("HEARTH_CONFIG names the config file") {
    const ConfigFile file("mqtt = mqtts://hub:pw@broker.example\n");
    const ScopedEnv config("HEARTH_CONFIG", file.path.string());
    const auto cl = parsed({});
    CHECK(cl.broker.tls());
    CHECK(cl.broker.port == 8883);
    CHECK(cl.broker.username == "hub");
    CHECK(cl.broker.password == "pw");
}

TEST_CASE("An unknown config key is refused, naming the key") {
    const ConfigFile file("http = 127.0.0.1:1001\nrate_limit_typo = 3\n");
    const auto cl = parse_command_line({"--config", file.path.string()});
    REQUIRE_FALSE(cl.has_value());
    CHECK(cl.error().field == "rate_limit_typo");
    CHECK_THAT(cl.error().message, Catch::Contains("unknown key 'rate_limit_typo'"));
}

TEST_CASE("A bad value from a flag, the environment or the file is refused, naming the option") {
    {
        const auto cl = parse_command_line({"--rate-limit", "-1"});
        REQUIRE_FALSE(cl.has_value());
        CHECK(cl.error().field == "--rate-limit");
    }
    {
        const ScopedEnv hold("HEARTH_COMMAND_HOLD", "301");
        const auto cl = parse_command_line({});
        REQUIRE_FALSE(cl.has_value());
        CHECK(cl.error().field == "--command-hold");
    }
    {
        const ConfigFile file("clock-speed = fast\n");
        const auto cl = parse_command_line({"--config", file.path.string()});
        REQUIRE_FALSE(cl.has_value());
        CHECK(cl.error().field == "--clock-speed");
    }
    {
        const auto cl = parse_command_line({"--http", "nowhere:port"});
        REQUIRE_FALSE(cl.has_value());
        CHECK(cl.error().field == "--http");
    }
    {
        const auto cl = parse_command_line({"--mqtt", "http://broker"});
        REQUIRE_FALSE(cl.has_value());
        CHECK(cl.error().field == "--mqtt");
    }
    {
        const auto cl = parse_command_line({"--no-such-option"});
        REQUIRE_FALSE(cl.has_value());
        CHECK_THAT(cl.error().message, Catch::Contains("--no-such-option"));
    }
}

TEST_CASE("A missing config file is an error, not an empty config") {
    const auto cl = parse_command_line({"--config", "/nonexistent/hearthd.conf"});
    REQUIRE_FALSE(cl.has_value());
    CHECK(cl.error().code == hearth::proto::Errc::not_found);
    CHECK_THAT(cl.error().message, Catch::Contains("/nonexistent/hearthd.conf"));
}

TEST_CASE("Credentials in the broker URL and given apart may not name the same thing twice") {
    const ConfigFile password("s3cret\n");
    const auto joined = parsed({"--mqtt", "mqtt://broker.example", "--mqtt-user", "hub", "--mqtt-password-file",
                                password.path.string()});
    CHECK(joined.broker.username == "hub");
    CHECK(joined.broker.password == "s3cret");
    const auto twice = parse_command_line({"--mqtt", "mqtt://a:b@broker.example", "--mqtt-user", "hub"});
    REQUIRE_FALSE(twice.has_value());
    CHECK(twice.error().field == "--mqtt-user");
    const auto tls_files_on_plain = parse_command_line({"--mqtt", "mqtt://broker.example", "--mqtt-ca", password.path.string()});
    REQUIRE_FALSE(tls_files_on_plain.has_value());
    CHECK(tls_files_on_plain.error().field == "--mqtt");
}

TEST_CASE("CORS origins from flags replace the environment's comma-separated list") {
    const ScopedEnv origins("HEARTH_CORS_ORIGINS", "https://a.example, https://b.example");
    CHECK(parsed({}).config.http.cors_origins == std::vector<std::string>{"https://a.example", "https://b.example"});
    CHECK(parsed({"--cors-origin", "https://c.example"}).config.http.cors_origins ==
          std::vector<std::string>{"https://c.example"});
}

TEST_CASE("The shipped dist/hearthd.conf loads, names every option, and its commented values are the defaults") {
    const std::string shipped = HEARTH_SOURCE_DIR "/dist/hearthd.conf";
    CHECK(parsed({"--config", shipped, "--check-config"}).action == CommandLine::Action::check_config);

    std::ifstream in(shipped);
    std::string uncommented;
    std::set<std::string> keys;
    for (std::string line; std::getline(in, line);) {
        if (line.size() < 2 || line[0] != '#' || !std::islower(static_cast<unsigned char>(line[1]))) continue;
        const auto eq = line.find(" =");
        REQUIRE(eq != std::string::npos);
        keys.insert(line.substr(1, eq - 1));
        if (line.size() > eq + 3) uncommented += line.substr(1) + "\n";
    }
    const auto help = parsed({"--help"}).text;
    const std::regex option(R"(^\s*--([a-z][a-z0-9-]+))");  // an option's own line, not a mention
    std::istringstream help_lines(help);
    std::size_t options = 0;
    for (std::string help_line; std::getline(help_lines, help_line);) {
        std::smatch m;
        if (!std::regex_search(help_line, m, option)) continue;
        ++options;
        const auto name = m[1].str();
        if (name == "help" || name == "version" || name == "config" || name == "check-config") continue;
        INFO(name);
        CHECK(keys.contains(name));
    }
    CHECK(options >= 20);
    const ConfigFile defaults_file(uncommented);
    const auto from_file = parsed({"--config", defaults_file.path.string()});
    const auto defaults = parsed({});
    CHECK(from_file.config.http.port == defaults.config.http.port);
    CHECK(from_file.broker.client_uri() == defaults.broker.client_uri());
    CHECK(from_file.config.limits.requests_per_second == defaults.config.limits.requests_per_second);
    CHECK(from_file.config.device_flood.per_second == defaults.config.device_flood.per_second);
    CHECK(from_file.config.command_hold == defaults.config.command_hold);
    CHECK(from_file.config.data_dir == defaults.config.data_dir);
    CHECK(from_file.config.prefix == defaults.config.prefix);
    CHECK(from_file.config.ha_discovery_prefix == defaults.config.ha_discovery_prefix);
    CHECK(from_file.config.zigbee2mqtt_base == defaults.config.zigbee2mqtt_base);
    CHECK(from_file.config.tasmota_prefix == defaults.config.tasmota_prefix);
    CHECK(from_file.config.clock_speed == defaults.config.clock_speed);
}

TEST_CASE("hearthd answers --version and --help without running") {
    const auto version = parsed({"--version"});
    CHECK(version.action == CommandLine::Action::version);
    CHECK_THAT(version.text, Catch::StartsWith("hearthd 0."));
    const auto help = parsed({"--help"});
    CHECK(help.action == CommandLine::Action::help);
    CHECK_THAT(help.text, Catch::Contains("HEARTH_MQTT_URL") && Catch::Contains("--mqtt-ca"));
}
