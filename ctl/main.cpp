// hearthctl: the command line client of the hub's REST and WebSocket API (docs/api.md, ##
// hearthctl).
#include <ctime>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "ctl/command_line.hpp"
#include "ctl/commands.hpp"
#include "ctl/connection.hpp"
#include "ctl/hub_client.hpp"

namespace {

using namespace hearth::ctl;

constexpr std::chrono::seconds kRequestTimeout{30};

std::chrono::minutes local_utc_offset() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    if (!localtime_r(&now, &local)) return {};
    return std::chrono::duration_cast<std::chrono::minutes>(std::chrono::seconds(local.tm_gmtoff));
}

int fail(const Failure& failure) {
    std::cerr << "hearthctl: " << failure.message << "\n";
    return static_cast<int>(failure.exit);
}

int run(int argc, char** argv) {
    auto line = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    if (!line) return fail(line.error());
    auto connection = resolve_connection(line->global, process_environment(), file_reader());
    if (!connection) return fail(connection.error());
    if (needs_token(*line) && connection->token.empty()) {
        return fail(Failure{Exit::unauthorized,
                            "no token: give --token or --token-file, set HEARTH_TOKEN, or run "
                            "where " +
                                connection->token_source + " is readable (see --data)"});
    }
    if (connection->trust.insecure && connection->url.scheme == Scheme::https) {
        std::cerr << "hearthctl: warning: --insecure: the hub's certificate is not checked; anyone on the "
                     "path could pose as the hub and read the token\n";
    }
    HubClient client(connection->url, connection->token, kRequestTimeout, connection->trust);
    const Console console{std::cout, std::cerr, std::cin, local_utc_offset()};
    return static_cast<int>(run_command(*line, client, console));
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "hearthctl: unexpected failure: " << e.what() << "\n";
        return static_cast<int>(Exit::refused);
    }
}
