// hearth-bench-hub: hearthd with the rule engine attached in-process, for the loop benchmark on
// builds whose hub does not run rules yet. Same options as hearthd plus --rules FILE (a JSON array
// of rule definitions, docs/rules.md). Rules are (re)resolved as devices arrive over MQTT.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "hub/hub.hpp"
#include "rules/engine.hpp"

namespace {

using namespace hearth;
using namespace std::chrono_literals;

const char* kUsage = R"(usage: hearth-bench-hub [options]
  --http HOST:PORT     API listen address (default 127.0.0.1:8480)
  --mqtt URL           broker, e.g. tcp://127.0.0.1:1883
  --data DIR           data directory
  --rules FILE         JSON array of rule definitions
)";

/// Sends through the hub; everything else is only counted.
class HubEffects final : public rules::Effects {
  public:
    explicit HubEffects(hub::Hub& hub) : hub_(hub) {}
    void send(const scenes::DeviceCommand& command) override {
        if (auto sent = hub_.send_command(command.device, command.command); !sent) {
            if (refused_++ < 5)
                std::cerr << "hearth-bench-hub: refused: " << sent.error().message << "\n";
        }
    }
    void notify(const rules::Notification&) override {}
    void push_undo(scenes::Snapshot) override {}
    void record(const rules::Trace&) override { ++traces_; }
    void status_changed(const rules::RuleStatus& status) override {
        if (!status.disabled_reason.empty())
            std::cerr << "hearth-bench-hub: rule " << status.id.value << ": "
                      << status.disabled_reason << "\n";
    }

  private:
    hub::Hub& hub_;
    std::size_t refused_ = 0;
    std::size_t traces_ = 0;
};

struct Attached {
    hub::Hub& hub;
    rules::Engine& engine;
    std::size_t resolved_at = 0;

    void tick() {
        const auto now = std::chrono::system_clock::now();
        if (hub.registry().size() != resolved_at) {
            resolved_at = hub.registry().size();
            engine.resolve(now);
        }
        engine.advance(now);
        hub.defer(250ms, [this] { tick(); });
    }
};

}  // namespace

int main(int argc, char** argv) {
    hub::HubConfig config;
    std::string http = "127.0.0.1:8480";
    std::string rules_file;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) {
            std::cerr << kUsage;
            return 2;
        }
        const std::string value = argv[++i];
        if (arg == "--http")
            http = value;
        else if (arg == "--mqtt")
            config.mqtt_url = value;
        else if (arg == "--data")
            config.data_dir = value;
        else if (arg == "--rules")
            rules_file = value;
        else {
            std::cerr << kUsage;
            return 2;
        }
    }
    auto listen = hub::parse_listen_address(http);
    if (!listen) {
        std::cerr << "hearth-bench-hub: " << listen.error().message << "\n";
        return 2;
    }
    config.http = *listen;
    config.print_owner_token = false;
    try {
        nlohmann::json definitions = nlohmann::json::array();
        if (!rules_file.empty()) {
            std::ifstream in(rules_file);
            definitions = nlohmann::json::parse(in);
        }
        boost::asio::io_context io(1);
        hub::Hub hub(io, config);
        scenes::SceneBook scene_book;
        HubEffects effects(hub);
        rules::Engine engine(hub.registry(), scene_book, effects, rules::EngineConfig{});
        if (auto started = hub.start(); !started) {
            std::cerr << "hearth-bench-hub: cannot start: " << started.error().message << "\n";
            return 1;
        }
        const auto report = engine.load(definitions, std::chrono::system_clock::now());
        std::cerr << "hearth-bench-hub: " << report.loaded << " rules loaded, "
                  << report.errors.size() << " refused\n";
        hub.on_state_change([&engine](const devices::StateChange& change) {
            engine.handle(change, std::chrono::system_clock::now());
        });
        Attached attached{hub, engine};
        attached.tick();
        std::cout << "hearth-bench-hub: API on http://" << config.http.address << ":"
                  << hub.http_port() << std::endl;
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code&, int) {
            hub.stop();
            io.stop();
        });
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "hearth-bench-hub: fatal: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
