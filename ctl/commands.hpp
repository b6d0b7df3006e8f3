#pragma once
// Runs one parsed hearthctl command against the hub's API and prints the outcome.
#include <chrono>
#include <iosfwd>

#include "ctl/api.hpp"
#include "ctl/command_line.hpp"
#include "ctl/failure.hpp"

namespace hearth::ctl {

/// Where a command reads and writes. Results go to `out`; diagnostics, errors and what a script
/// should not parse (the "shown once" note of a new token, tail's "subscribed") go to `err`.
struct Console {
    std::ostream& out;
    std::ostream& err;
    std::istream& in;                   // for FILE arguments given as "-"
    std::chrono::minutes utc_offset{};  // of the times shown
};

/// Whether the command needs a token (every one but health and help).
bool needs_token(const CommandLine& line);

/// Runs the command; a failure has been printed to `console.err` when this returns it.
Exit run_command(const CommandLine& line, Api& api, const Console& console);

}  // namespace hearth::ctl
