#pragma once
// hearthctl's exit codes and the failure value its operations return.
#include <boost/system/result.hpp>
#include <string>

namespace hearth::ctl {

/// The process exit code; docs/api.md (## hearthctl) lists them.
enum class Exit : int {
    ok = 0,
    refused =
        1,  // the hub answered with an error (4xx/5xx other than below), or reports itself degraded
    usage = 2,         // bad arguments, or an input file that cannot be read or parsed
    unreachable = 3,   // no connection, a timeout, or an answer that is not HTTP/JSON as expected
    unauthorized = 4,  // 401 or 403, no token at all, or the WebSocket refused the token
    not_found = 5,     // 404
    timed_out = 6,     // tail: --timeout passed before --count messages arrived; set/command
                       // --wait: the device did not confirm within --timeout
};

/// An expected failure: the exit code it ends the process with, and the message for stderr.
/// Not an aggregate, so that a Result<Exit> or Result<json> converts from its value unambiguously.
struct Failure {
    Failure() = default;
    Failure(Exit exit, std::string message) : exit(exit), message(std::move(message)) {}
    Exit exit = Exit::refused;
    std::string message;
};

[[noreturn]] void throw_exception_from_error(const Failure& failure,
                                             const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Failure>;

inline Failure usage_error(std::string message) {
    return Failure{Exit::usage, std::move(message)};
}

}  // namespace hearth::ctl
