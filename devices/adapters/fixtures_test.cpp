// Replays every recorded Zigbee2MQTT fixture (discovery configs, state messages, commands)
// through the Home Assistant discovery adapter and a real device registry.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <nlohmann/json.hpp>

#include "devices/adapters/fixture_replay.hpp"
#include "devices/adapters/ha_discovery.hpp"
#include "devices/registry.hpp"

using namespace hearth;
using namespace hearth::devices::adapters;
namespace fs = std::filesystem;

namespace {

const fs::path kZ2m = fs::path(HEARTH_SHARED_DIR) / "testdata" / "mqtt-payloads" / "zigbee2mqtt";

nlohmann::json load(const fs::path& p) {
    std::ifstream in(p);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

bool matches(std::string_view filter, std::string_view topic) {
    while (true) {
        const auto f = filter.substr(0, filter.find('/'));
        const auto t = topic.substr(0, topic.find('/'));
        if (f == "#") return true;
        if (f != "+" && f != t) return false;
        const bool filter_done = f.size() == filter.size();
        const bool topic_done = t.size() == topic.size();
        if (filter_done || topic_done) return filter_done && topic_done;
        filter.remove_prefix(f.size() + 1);
        topic.remove_prefix(t.size() + 1);
    }
}

/// The adapter and a registry behind a minimal broker: retained messages are delivered when a
/// subscription that matches them is added, as Mosquitto does.
struct Replay {
    HaDiscovery adapter;
    devices::Registry registry;
    std::map<std::string, std::string> retained;
    std::set<std::string> filters;
    std::vector<proto::Error> errors;
    std::vector<DeviceEvent> events;
    std::vector<proto::Error> rejected;

    Replay() {
        for (const auto& f : adapter.subscriptions()) filters.insert(f);
    }

    void publish(const Publish& m) {
        if (m.retain) {
            if (m.payload.empty()) retained.erase(m.topic);
            else retained[m.topic] = m.payload;
        }
        if (std::any_of(filters.begin(), filters.end(), [&](const auto& f) { return matches(f, m.topic); })) deliver(m);
    }
    void deliver(const Publish& m) {
        auto fx = adapter.handle(m.topic, m.payload);
        errors.insert(errors.end(), fx.errors.begin(), fx.errors.end());
        events.insert(events.end(), fx.events.begin(), fx.events.end());
        auto applied = apply(registry, fx);
        rejected.insert(rejected.end(), applied.rejected.begin(), applied.rejected.end());
        for (const auto& t : fx.unsubscribe) filters.erase(t);
        for (const auto& t : fx.subscribe) {
            filters.insert(t);
            for (const auto& [topic, payload] : retained)
                if (matches(t, topic)) deliver({topic, payload, true});
        }
    }
    void replay(const nlohmann::json& fixture) {
        for (const auto& m : bridge_state_messages(load(kZ2m / "bridge.json"))) publish(m);
        for (const auto& m : replay_messages(fixture)) publish(m);
    }
};

}  // namespace

TEST_CASE("dump", "[.dump]") {
    for (const auto& entry : fs::directory_iterator(kZ2m)) {
        const auto name = entry.path().filename().string();
        if (name == "index.json" || name == "bridge.json") continue;
        Replay r;
        const auto fixture = load(entry.path());
        r.replay(fixture);
        std::cout << "===== " << name << "\n";
        for (const auto* d : r.registry.list()) {
            std::cout << proto::to_json(d->description).dump() << "\n";
            std::cout << "  state " << proto::to_json(d->state).dump() << " avail " << devices::to_string(d->availability) << " problem " << d->problem << "\n";
        }
        for (const auto& e : r.errors) std::cout << "  ERR " << e << "\n";
        for (const auto& e : r.rejected) std::cout << "  REJ " << e << "\n";
        for (const auto& e : r.events) std::cout << "  EVT " << e.device.value << " " << e.name << " " << proto::to_json(e.attributes).dump() << "\n";
        for (const auto& u : r.adapter.unmapped()) std::cout << "  UNMAPPED " << to_json(u).dump() << "\n";
        for (const auto& c : recorded_commands(fixture)) std::cout << "  CMD " << c.topic << " " << c.payload << "\n";
    }
}
