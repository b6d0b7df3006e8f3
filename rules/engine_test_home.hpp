#pragma once
// A small home, a scene book and an engine wired to recording effects, with time passed in.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "proto/yaml.hpp"
#include "rules/engine.hpp"
#include "rules/recording_effects.hpp"

namespace hearth::rules::test {

using namespace std::chrono_literals;

inline const scenes::Place kPlace{39.9042, 116.4074, 480};

/// Local wall time at the test home (UTC+8).
inline TimePoint at(int y, unsigned m, unsigned d, int h, int min = 0, int s = 0) {
    using namespace std::chrono;
    return scenes::at_local(year{y} / month{m} / day{d}, hours(h) + minutes(min) + seconds(s), kPlace);
}

inline nlohmann::json yaml(const std::string& text) {
    auto j = proto::yaml_to_json(text);
    REQUIRE(j.has_value());
    return *j;
}

struct Home {
    devices::Registry registry;
    scenes::SceneBook scenes;
    RecordingEffects effects;
    TraceBook book;
    Engine engine;
    TimePoint now = at(2026, 7, 10, 12);  // a Friday in summer

    explicit Home(EngineConfig config = make_config()) : engine(registry, scenes, effects, book, std::move(config)) {
        area("bedroom");
        area("bathroom");
        area("entrance");
        device("bedroom.light", "bedroom", "light", {"on", "brightness", "color_temp", "transition"});
        device("bedroom.lamp", "bedroom", "light", {"on", "brightness", "transition"});
        device("bedroom.ac", "bedroom", "air_conditioner", {"on", "hvac_mode", "target_temperature", "temperature"});
        device("bedroom.presence", "bedroom", "presence_sensor", {"occupancy"});
        device("bathroom.presence", "bathroom", "presence_sensor", {"occupancy"});
        device("bathroom.light", "bathroom", "light", {"on", "brightness"});
        device("entrance.door", "entrance", "contact_sensor", {"contact"});
        device("entrance.button", "entrance", "button", {"battery"});
        set("bedroom.light", {{"on", false}, {"brightness", 40.0}, {"color_temp", 2700.0}});
        set("bedroom.lamp", {{"on", false}, {"brightness", 50.0}});
        set("bedroom.ac", {{"on", false}, {"hvac_mode", std::string("cool")}, {"target_temperature", 24.0},
                           {"temperature", 27.0}});
        set("bedroom.presence", {{"occupancy", true}});
        set("bathroom.presence", {{"occupancy", false}});
        set("bathroom.light", {{"on", false}, {"brightness", 100.0}});
        set("entrance.door", {{"contact", true}});
        effects.clear();
    }

    static EngineConfig make_config() {
        EngineConfig c;
        c.place = kPlace;
        c.context_prefix = "t";
        return c;
    }

    void area(const char* id) { registry.upsert_area({proto::AreaId{id}, {}}); }

    void device(const char* id, const char* area, const char* kind, std::vector<std::string> caps) {
        nlohmann::json j{{"id", id}, {"area", area}, {"kind", kind}, {"capabilities", caps}};
        registry.upsert(proto::description_from_json(j).value());
        (void)registry.set_availability(proto::DeviceId{id}, devices::Availability::online);
    }

    /// Applies reported state to the registry and hands the changes to the trace book and the
    /// engine, recording again the traces a confirmation changed, as the hub does.
    void set(const char* id, const proto::Attributes& attributes, std::string_view context = {}) {
        const auto update = registry.apply_state(proto::DeviceId{id}, attributes, context);
        REQUIRE(update.has_value());
        for (const auto& change : update->changes) {
            book.attach(change, now);
            engine.handle(change, now);
        }
        for (const auto& trace : book.take_changed()) effects.record(trace);
    }

    /// Applies every command sent so far as if the devices obeyed, echoing the context ids.
    void obey() {
        auto sent = std::move(effects.sent);
        effects.sent.clear();
        for (const auto& c : sent) set(c.device.value.c_str(), c.command.set, c.command.context_id);
    }

    void rules(const std::string& text) {
        const auto report = engine.load(yaml(text), now);
        for (const auto& e : report.errors) UNSCOPED_INFO(e.message << " [" << e.field << "]");
        REQUIRE(report.errors.empty());
    }

    void scene(const std::string& text) {
        auto s = scenes::scene_from_json(yaml(text));
        REQUIRE(s.has_value());
        const auto id = s->id;
        scenes[id] = scenes::SceneEntry{std::move(*s), {}};
    }

    /// Moves time forward, advancing the engine at every wake-up on the way.
    void pass(std::chrono::system_clock::duration d) {
        const auto end = now + d;
        for (auto wake = engine.next_wake(); wake && *wake <= end; wake = engine.next_wake()) {
            now = std::max(now, *wake);
            engine.advance(now);
        }
        now = end;
        engine.advance(now);
    }

    std::size_t count(std::string_view rule, Outcome outcome) const {
        std::size_t n = 0;
        for (const auto& t : effects.traces)
            if (t.rule.value == rule && t.outcome == outcome) ++n;
        return n;
    }
};

}  // namespace hearth::rules::test
