#include "ctl/command_line.hpp"

#include <algorithm>
#include <limits>
#include <sstream>

namespace hearth::ctl {
namespace {

constexpr std::size_t kMany = std::numeric_limits<std::size_t>::max();

// Options of every command; flags take no value, everything else does.
const std::vector<std::string_view> kGlobalOptions = {"url", "token", "token-file", "data", "ca-file"};
const std::vector<std::string_view> kGlobalFlags = {"json", "help", "insecure"};
// Flags of any command: a word after one of these is never taken as its value.
const std::vector<std::string_view> kAllFlags = {"json", "help", "insecure", "dry-run", "wait"};
// Names that start a two-word command.
const std::vector<std::string_view> kGroups = {"scene", "rule", "token"};

bool contains(const std::vector<std::string_view>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

const CommandSpec* find_spec(std::string_view name) {
    for (const auto& spec : command_specs())
        if (spec.name == name) return &spec;
    return nullptr;
}

std::string group_members(std::string_view group) {
    std::string out;
    for (const auto& spec : command_specs()) {
        if (!spec.name.starts_with(std::string(group) + " ")) continue;
        if (!out.empty()) out += ", ";
        out += spec.name.substr(group.size() + 1);
    }
    return out;
}

Result<void> check_arity(const CommandSpec& spec, std::size_t count) {
    if (count >= spec.min_args && count <= spec.max_args) return {};
    std::string usage = "usage: hearthctl " + std::string(spec.name);
    if (!spec.arguments.empty()) usage += " " + std::string(spec.arguments);
    if (count < spec.min_args)
        return usage_error(std::string(spec.name) + " needs more arguments; " + usage);
    return usage_error(std::string(spec.name) + " takes " +
                       (spec.max_args == 0 ? std::string("no arguments")
                                           : "at most " + std::to_string(spec.max_args)) +
                       "; " + usage);
}

std::string placeholder(std::string_view option) {
    static const std::map<std::string_view, std::string_view> names = {
        {"area", "AREA"},
        {"kind", "KIND"},
        {"capability", "CAPABILITY"},
        {"attribute", "ATTRIBUTE"},
        {"from", "TIME"},
        {"to", "TIME"},
        {"limit", "N"},
        {"count", "N"},
        {"transition", "S"},
        {"timeout", "S"},
        {"language", "zh|en"},
        {"device", "ID"},
        {"events", "KIND,..."},
        {"scope", "read|control|admin"},
    };
    const auto it = names.find(option);
    return it == names.end() ? "X" : std::string(it->second);
}

}  // namespace

const std::vector<CommandSpec>& command_specs() {
    static const std::vector<CommandSpec> specs = {
        {"health", "", "the hub's health (needs no token)", 0, 0, {}, {}},
        {"areas", "", "areas and their device counts", 0, 0, {}, {}},
        {"devices",
         "",
         "devices: id, name, area, online, key state",
         0,
         0,
         {"area", "kind", "capability"},
         {}},
        {"device", "ID", "one device, as JSON", 1, 1, {}, {}},
        {"history",
         "ID",
         "recorded changes of a device",
         1,
         1,
         {"attribute", "from", "to", "limit"},
         {}},
        {"command",
         "ID JSON|-",
         "send a command given as JSON ('{\"on\":true}'); --wait: until the device confirms it",
         2,
         2,
         {"timeout"},
         {"wait"}},
        {"set",
         "ID KEY=VALUE...",
         "send a command from key=value words (on, off, brightness=30); --wait as for command",
         2,
         kMany,
         {"transition", "timeout"},
         {"wait"}},
        {"scenes", "", "scenes and whether they are available", 0, 0, {}, {}},
        {"scene show", "ID", "one scene, as JSON", 1, 1, {}, {}},
        {"scene activate",
         "ID",
         "activate a scene (undo snapshot first)",
         1,
         1,
         {"transition"},
         {}},
        {"undo", "", "undo the last scene activation or voice command", 0, 0, {}, {}},
        {"rules", "", "rules and their status", 0, 0, {}, {}},
        {"rule show", "ID", "one rule, as JSON", 1, 1, {}, {}},
        {"rule create", "FILE|-", "create a rule from a YAML or JSON file", 1, 1, {}, {}},
        {"rule delete", "ID", "delete a rule", 1, 1, {}, {}},
        {"rule enable", "ID", "enable a rule", 1, 1, {}, {}},
        {"rule disable", "ID", "disable a rule", 1, 1, {}, {}},
        {"rule run", "ID", "run a rule now (its conditions still apply)", 1, 1, {}, {}},
        {"rule traces", "ID", "a rule's decision traces, newest first", 1, 1, {"limit"}, {}},
        {"explain", "ID", "traces that commanded or considered a device", 1, 1, {"limit"}, {}},
        {"export", "", "the whole home as YAML on standard output", 0, 0, {}, {}},
        {"import", "FILE|-", "merge a home document (YAML or JSON)", 1, 1, {}, {}},
        {"say",
         "TEXT...",
         "say something to the hub; prints the reply and the commands",
         1,
         kMany,
         {"area", "language"},
         {"dry-run"}},
        {"tail",
         "",
         "print live messages from the WebSocket, one a line",
         0,
         0,
         {"device", "area", "events", "count", "timeout"},
         {}},
        {"tokens", "", "API tokens (never their secrets)", 0, 0, {}, {}},
        {"token create", "NAME", "create a token; prints its secret once", 1, 1, {"scope"}, {}},
        {"token revoke", "ID", "revoke a token at once", 1, 1, {}, {}},
        {"help", "", "this text", 0, 0, {}, {}},
    };
    return specs;
}

std::optional<std::string> CommandLine::option(std::string_view name) const {
    const auto it = options.find(std::string(name));
    if (it == options.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::vector<std::string> CommandLine::list(std::string_view name) const {
    std::vector<std::string> out;
    const auto it = options.find(std::string(name));
    if (it == options.end()) return out;
    for (const auto& value : it->second) {
        std::istringstream parts(value);
        for (std::string part; std::getline(parts, part, ',');)
            if (!part.empty()) out.push_back(part);
    }
    return out;
}

Result<CommandLine> parse_command_line(const std::vector<std::string>& words) {
    CommandLine line;
    std::vector<std::string> positional;
    std::vector<std::pair<std::string, std::string>> named;
    bool options_ended = false;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const auto& word = words[i];
        if (options_ended || word == "-" || !word.starts_with("-")) {
            positional.push_back(word);
            continue;
        }
        if (word == "--") {
            options_ended = true;
            continue;
        }
        if (word == "-h") {
            line.flags.insert("help");
            continue;
        }
        if (!word.starts_with("--") || word.size() == 2) {
            // A single dash followed by text is a value such as "-3", not an option.
            positional.push_back(word);
            continue;
        }
        std::string name = word.substr(2);
        if (const auto eq = name.find('='); eq != std::string::npos) {
            named.emplace_back(name.substr(0, eq), name.substr(eq + 1));
            continue;
        }
        if (contains(kAllFlags, name)) {
            line.flags.insert(name);
            continue;
        }
        if (i + 1 >= words.size()) return usage_error("--" + name + " needs a value");
        named.emplace_back(std::move(name), words[++i]);
    }

    std::size_t used = 0;
    if (positional.empty() || line.flags.contains("help")) {
        line.command = "help";
        used = positional.size();
    } else if (contains(kGroups, positional[0])) {
        if (positional.size() < 2) {
            return usage_error(positional[0] + " needs one of: " + group_members(positional[0]));
        }
        line.command = positional[0] + " " + positional[1];
        used = 2;
        if (!find_spec(line.command)) {
            return usage_error("unknown command '" + line.command + "'; " + positional[0] +
                               " takes one of: " + group_members(positional[0]));
        }
    } else {
        line.command = positional[0];
        used = 1;
        if (!find_spec(line.command)) {
            return usage_error("unknown command '" + line.command +
                               "' (hearthctl help lists the commands)");
        }
    }
    const auto& spec = *find_spec(line.command);
    if (line.command != "help") {
        line.args.assign(positional.begin() + static_cast<std::ptrdiff_t>(used), positional.end());
        if (auto arity = check_arity(spec, line.args.size()); !arity) return arity.error();
    }

    for (auto& [name, value] : named) {
        if (name == "url")
            line.global.url = value;
        else if (name == "token")
            line.global.token = value;
        else if (name == "token-file")
            line.global.token_file = value;
        else if (name == "data")
            line.global.data_dir = value;
        else if (name == "ca-file")
            line.global.ca_file = value;
        else if (contains(spec.options, name))
            line.options[name].push_back(value);
        else if (contains(kAllFlags, name))
            return usage_error("--" + name + " takes no value");
        else
            return usage_error("unknown option --" + name + " for " + line.command);
    }
    for (const auto& flag : line.flags) {
        if (!contains(kGlobalFlags, flag) && !contains(spec.flags, flag)) {
            return usage_error("unknown option --" + flag + " for " + line.command);
        }
    }
    line.global.json = line.flags.contains("json");
    line.global.insecure = line.flags.contains("insecure");
    if (line.global.token && line.global.token_file)
        return usage_error("give --token or --token-file, not both");
    return line;
}

std::string usage_text() {
    std::ostringstream out;
    out << "usage: hearthctl [--url URL] [--token TOKEN | --token-file FILE] [--data DIR]\n"
           "                 [--ca-file FILE | --insecure] [--json] COMMAND ...\n\n"
           "commands:\n";
    for (const auto& spec : command_specs()) {
        std::string head = std::string(spec.name);
        if (!spec.arguments.empty()) head += " " + std::string(spec.arguments);
        for (const auto option : spec.options)
            head += " [--" + std::string(option) + " " + placeholder(option) + "]";
        for (const auto flag : spec.flags) head += " [--" + std::string(flag) + "]";
        out << "  " << head << "\n      " << spec.summary << "\n";
    }
    out << "\nURL: --url, else HEARTH_URL, else http://$HEARTH_HTTP, else http://127.0.0.1:8480.\n"
           "Token: --token, else --token-file, else HEARTH_TOKEN, else DATA/owner.token where DATA "
           "is\n"
           "--data, else HEARTH_DATA, else ./var.\n"
           "https:// URLs: the hub's certificate is checked against the system's CAs, or only\n"
           "against --ca-file FILE (else HEARTH_CA_FILE), e.g. the hub's own self-signed certificate.\n"
           "--insecure skips the check (anyone on the path can then read the token; a warning is printed).\n"
           "Exit codes: 0 ok, 1 the hub refused, 2 usage, 3 hub unreachable, 4 unauthorized or\n"
           "forbidden, 5 not found, 6 tail timed out before --count messages.\n";
    return out.str();
}

}  // namespace hearth::ctl
