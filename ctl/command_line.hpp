#pragma once
// hearthctl's command line: global options, the command (one or two words), its arguments and
// options.
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/failure.hpp"

namespace hearth::ctl {

/// Options every command takes, before or after the command's name.
struct GlobalOptions {
    std::optional<std::string> url;
    std::optional<std::string> token;
    std::optional<std::string> token_file;
    std::optional<std::string> data_dir;
    std::optional<std::string> ca_file;  // a PEM certificate (or bundle) to trust for https://
    bool insecure = false;               // https:// without checking the hub's certificate
    bool json = false;  // raw JSON instead of tables and summaries
};

/// What one command accepts: its name ("scene activate"), how many positional arguments, which
/// options (`--area A`) and flags (`--dry-run`).
struct CommandSpec {
    std::string_view name;
    std::string_view arguments;  // for the usage text: "ID", "TEXT...", "FILE|-"
    std::string_view summary;
    std::size_t min_args = 0;
    std::size_t max_args = 0;
    std::vector<std::string_view> options;
    std::vector<std::string_view> flags;
};

/// Every command hearthctl knows, in the order the usage text lists them.
const std::vector<CommandSpec>& command_specs();

struct CommandLine {
    GlobalOptions global;
    std::string command;  // a CommandSpec name, or "help"
    std::vector<std::string> args;
    std::map<std::string, std::vector<std::string>>
        options;  // by name without "--", in the order given
    std::set<std::string> flags;

    /// The option's last value, when given.
    std::optional<std::string> option(std::string_view name) const;
    /// Every value of a repeatable option, comma-separated values split ("--device a,b --device
    /// c").
    std::vector<std::string> list(std::string_view name) const;
    bool flag(std::string_view name) const { return flags.contains(std::string(name)); }
};

/// Parses the words after the program name. `--name value` and `--name=value` both work; `--`
/// ends the options (so `say -- --text` is possible); `-` is an argument (standard input). No
/// command, `help`, `-h` or `--help` give the command "help".
Result<CommandLine> parse_command_line(const std::vector<std::string>& words);

/// The text `hearthctl help` prints.
std::string usage_text();

}  // namespace hearth::ctl
