// hearthd: the Hearth home hub.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "hub/command_line.hpp"
#include "hub/hub.hpp"

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
    const auto& config = parsed->config;
    const auto& broker = parsed->broker;
    if (parsed->action == hub::CommandLine::Action::check_config) {
        std::cout << "hearthd: the settings are valid" << (parsed->config_file.empty() ? "" : " (" + parsed->config_file + ")")
                  << ": API on " << config.http.address << ":" << config.http.port << ", broker " << broker.redacted()
                  << ", data in " << config.data_dir.string() << std::endl;
        return 0;
    }

    try {
        boost::asio::io_context io(1);
        hub::Hub hub(io, config);
        if (auto started = hub.start(); !started) {
            std::cerr << "hearthd: cannot start: " << started.error().message << "\n";
            return 1;
        }
        std::cout << "hearthd: API on " << (config.http.tls() ? "https://" : "http://") << config.http.address << ":" << hub.http_port() << "/api/v1"
                  << ", broker " << broker.redacted() << ", data in " << config.data_dir.string() << std::endl;
        if (hub.web_app().available()) {
            std::cout << "hearthd: dashboard on " << (config.http.tls() ? "https://" : "http://") << config.http.address << ":"
                      << hub.http_port() << "/ (" << hub.web_app().file_count() << " files from " << config.web_dir.string() << ")"
                      << std::endl;
        } else {
            std::cerr << "hearthd: no dashboard: " << (config.web_dir.empty() ? std::string("none built") : config.web_dir.string() + " has no index.html")
                      << "; / answers 404 (build the hearth-web target or pass --web DIR)" << std::endl;
        }
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code&, int) {
            hub.stop();
            io.stop();
        });
        hub.run();
    } catch (const std::exception& e) {
        std::cerr << "hearthd: fatal: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
