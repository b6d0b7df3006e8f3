// hearth-rules-bench: the engine's cost per state change with 10, 1,000 and 10,000 rules
// installed, most of them about other devices. Prints CPU time (std::clock), which is steadier
// than wall time on a shared machine. Not a test: it asserts nothing.
#include <cstdio>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "rules/engine.hpp"

using namespace hearth;
using namespace hearth::rules;

namespace {

class CountingEffects final : public Effects {
public:
    std::size_t sent = 0, traces = 0;
    proto::Result<void> send(const scenes::DeviceCommand&, const proto::Context&) override {
        ++sent;
        return {};
    }
    void notify(const Notification&) override {}
    void push_undo(scenes::Snapshot) override {}
    void record(const Trace&) override { ++traces; }
    void status_changed(const RuleStatus&) override {}
};

std::string sensor(std::size_t i) { return "sensor." + std::to_string(i); }

double seconds_of(std::clock_t start) { return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC; }

void run(std::size_t rule_count, std::size_t changes) {
    devices::Registry registry;
    for (std::size_t i = 0; i <= rule_count; ++i) {
        registry.upsert(proto::description_from_json(nlohmann::json{
                            {"id", sensor(i)}, {"kind", "climate_sensor"}, {"capabilities", {"temperature"}}})
                            .value());
    }
    registry.upsert(proto::description_from_json(nlohmann::json{
                        {"id", "hall.light"}, {"kind", "light"}, {"capabilities", {"on", "brightness"}}})
                        .value());
    (void)registry.apply_state(proto::DeviceId{"hall.light"}, {{"on", false}, {"brightness", 50.0}});

    // Five rules watch sensor.0 (their condition is false, so they leave a trace and send nothing);
    // every other rule watches a sensor of its own.
    constexpr std::size_t kWatchers = 5;
    auto rules = nlohmann::json::array();
    for (std::size_t i = 0; i < rule_count; ++i) {
        const auto device = i < kWatchers ? sensor(0) : sensor(i);
        rules.push_back({{"id", "rule." + std::to_string(i)},
                         {"triggers", {{{"numeric", device}, {"attribute", "temperature"}, {"above", 28}}}},
                         {"conditions", {{{"state", "hall.light"}, {"attribute", "on"}, {"is", true}}}},
                         {"actions", {{{"command", "hall.light"}, {"set", {{"on", true}}}}}}});
    }
    const scenes::SceneBook scenes;
    CountingEffects effects;
    TraceBook book;
    EngineConfig config;
    config.loop_max_runs = changes * kWatchers;
    Engine engine(registry, scenes, effects, book, config);
    const scenes::TimePoint t0{std::chrono::seconds(1'800'000'000)};

    auto start = std::clock();
    const auto report = engine.load(rules, t0);
    const double load_s = seconds_of(start);

    devices::StateChange watched{proto::DeviceId{sensor(0)}, "temperature", {}, {}, 0, {}};
    start = std::clock();
    for (std::size_t i = 0; i < changes; ++i) {
        const bool hot = i % 2 == 0;
        watched.old_value = proto::Value{hot ? 27.0 : 29.0};
        watched.new_value = proto::Value{hot ? 29.0 : 27.0};
        engine.handle(watched, t0 + std::chrono::milliseconds(i));
    }
    const double watched_s = seconds_of(start);

    devices::StateChange other{proto::DeviceId{"hall.light"}, "brightness", {}, {}, 0, {}};
    start = std::clock();
    for (std::size_t i = 0; i < changes; ++i) {
        other.old_value = proto::Value{static_cast<double>(i % 100)};
        other.new_value = proto::Value{static_cast<double>((i + 1) % 100)};
        engine.handle(other, t0 + std::chrono::milliseconds(i));
    }
    const double unwatched_s = seconds_of(start);

    std::printf("%6zu rules (loaded %zu, %zu watch the changed attribute): load %8.2f ms | change watched by 5 rules "
                "%7.2f µs | change nobody watches %6.3f µs | traces %zu\n",
                rule_count, report.loaded, engine.listeners(proto::DeviceId{sensor(0)}, "temperature"), load_s * 1e3,
                watched_s / static_cast<double>(changes) * 1e6, unwatched_s / static_cast<double>(changes) * 1e6,
                effects.traces);
}

}  // namespace

int main() {
    std::printf("hearth-rules-bench: CPU time per state change handed to rules::Engine::handle\n");
    for (const std::size_t n : {10u, 1000u, 10000u}) run(n, 20000);
    return 0;
}
