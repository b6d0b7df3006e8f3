#pragma once
// hearthd's options, defined once (CLI11) for the command line, the environment and a config file:
// every option `--name` has an environment variable (HEARTH_…) and a config-file key `name`
// (`name = value` lines, TOML/INI style, `#` comments; dist/hearthd.conf lists them all).
// Precedence: flag > environment > config file > default. `--config FILE` (env HEARTH_CONFIG)
// names the file; an unknown key or a bad value is an error naming it.
#include <string>
#include <vector>

#include "hub/hub.hpp"
#include "hub/log.hpp"
#include "proto/broker_url.hpp"
#include "proto/errc.hpp"

namespace hearth::hub {

struct CommandLine {
    enum class Action { run, help, version, check_config };
    Action action = Action::run;
    std::string text;         // what to print for help and version
    HubConfig config;         // with the broker password read from its file
    proto::BrokerUrl broker;  // the broker, checked (broker_of)
    std::string config_file;  // the config file read; empty when none
    log::Level log_level = log::Level::info;
};

/// Parses hearthd's arguments (without the program name), the environment and the config file.
/// A bad option, key or value is `invalid_field` naming it; an unreadable file is `not_found`.
proto::Result<CommandLine> parse_command_line(const std::vector<std::string>& args);

/// "hearthd 0.1.0 (git describe)", from the build.
std::string version_text();

}  // namespace hearth::hub
