// hearthd: the Hearth home hub.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/resource.h>

#include <iostream>
#include <string>
#include <vector>

#include "hub/command_line.hpp"
#include "hub/hub.hpp"
#include "hub/log.hpp"
#include "hub/service_notifier.hpp"

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
    hearth::hub::log::warning("only {} file descriptors allowed; at most {} connections instead of {}", limit.rlim_cur, fits,
                              http.max_connections);
    http.max_connections = fits;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace hearth;
    auto parsed = hub::parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    if (!parsed) {
        std::cerr << "hearthd: " << parsed.error().message << "\n(hearthd --help lists the options)\n";
        return 2;
    }
    if (parsed->action == hub::CommandLine::Action::help || parsed->action == hub::CommandLine::Action::version) {
        std::cout << parsed->text << std::endl;
        return 0;
    }
    auto& config = parsed->config;
    const auto& broker = parsed->broker;
    if (parsed->action == hub::CommandLine::Action::check_config) {
        std::cout << "hearthd: the settings are valid" << (parsed->config_file.empty() ? "" : " (" + parsed->config_file + ")")
                  << ": API on " << config.http.address << ":" << config.http.port << ", broker " << broker.redacted()
                  << ", data in " << config.data_dir.string() << std::endl;
        return 0;
    }
    const auto log_format = hub::log::format_for_environment();
    hub::log::setup(parsed->log_level, log_format);
    // A secret has no place in the journal: there it is only in the owner token file.
    if (log_format == hub::log::Format::journal) config.print_owner_token = false;
    fit_descriptor_limit(config.http);

    try {
        boost::asio::io_context io(1);
        hub::Hub hub(io, config);
        if (auto started = hub.start(); !started) {
            hub::log::error("cannot start: {}", started.error().message);
            return 1;
        }
        const auto scheme = config.http.tls() ? "https://" : "http://";
        hub::log::info("API on {}{}:{}/api/v1, broker {}, data in {}", scheme, config.http.address, hub.http_port(),
                       broker.redacted(), config.data_dir.string());
        if (hub.web_app().available()) {
            hub::log::info("dashboard on {}{}:{}/ ({} files from {})", scheme, config.http.address, hub.http_port(),
                           hub.web_app().file_count(), config.web_dir.string());
        } else {
            hub::log::warning("no dashboard: {}; / answers 404 (build the hearth-web target or pass --web DIR)",
                              config.web_dir.empty() ? std::string("none built") : config.web_dir.string() + " has no index.html");
        }
        hub::ServiceNotifier service(io);
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code&, int) {
            service.stopping();
            hub.stop();
            io.stop();
        });
        // The store is open and the API listens: systemd may start what depends on the hub.
        service.ready("API on port " + std::to_string(hub.http_port()));
        hub.run();
    } catch (const std::exception& e) {
        hub::log::error("fatal: {}", e.what());
        return 1;
    }
    return 0;
}
