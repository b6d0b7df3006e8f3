// The demo home's scenes and rules parse and resolve against its devices, and behave.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "proto/home.hpp"
#include "rules/engine.hpp"
#include "rules/recording_effects.hpp"

using namespace hearth;
using namespace hearth::rules;
using namespace std::chrono_literals;

namespace {

proto::HomeDocument demo() {
    std::ifstream in(HEARTH_SOURCE_DIR "/sim/homes/demo.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    auto home = proto::home_from_yaml(ss.str());
    REQUIRE(home.has_value());
    return *home;
}

struct DemoHome {
    proto::HomeDocument doc = demo();
    devices::Registry registry;
    scenes::SceneBook scenes;
    RecordingEffects effects;
    TraceBook book;
    std::unique_ptr<Engine> engine;
    scenes::Place place{39.9042, 116.4074, 480};

    DemoHome() {
        for (const auto& a : doc.areas) registry.upsert_area(a);
        for (const auto& d : doc.devices) {
            registry.upsert(d.description);
            (void)registry.set_availability(d.description.id, devices::Availability::online);
        }
        auto load = scenes::load_scenes(doc.scenes, registry);
        for (const auto& e : load.errors) UNSCOPED_INFO(e.message << " [" << e.field << "]");
        REQUIRE(load.errors.empty());
        scenes = std::move(load.scenes);
        engine = std::make_unique<Engine>(registry, scenes, effects, book, EngineConfig{place});
    }

    void set(const char* id, const proto::Attributes& a, TimePoint now) {
        auto update = registry.apply_state(proto::DeviceId{id}, a);
        REQUIRE(update.has_value());
        for (const auto& c : update->changes) engine->handle(c, now);
    }
};

TimePoint local(int y, unsigned m, unsigned d, int h, int min = 0) {
    return scenes::at_local(std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d},
                            std::chrono::hours(h) + std::chrono::minutes(min), scenes::Place{0, 0, 480});
}

}  // namespace

TEST_CASE("The demo home's scenes parse and resolve against its devices") {
    DemoHome h;
    for (const char* id : {"sleep", "wake_up", "away", "home", "movie", "reading"}) {
        INFO(id);
        const auto it = h.scenes.find(proto::SceneId{id});
        REQUIRE(it != h.scenes.end());
        CHECK(it->second.problem.empty());
        CHECK_FALSE(it->second.scene.name.zh.empty());
        CHECK_FALSE(it->second.scene.name.en.empty());
    }
    CHECK(h.scenes.at(proto::SceneId{"sleep"}).scene.name.zh == "睡眠");
}

TEST_CASE("The demo home's rules parse and resolve against its devices") {
    DemoHome h;
    const auto report = h.engine->load(h.doc.rules, local(2026, 7, 10, 12));
    for (const auto& e : report.errors) UNSCOPED_INFO(e.message << " [" << e.field << "]");
    CHECK(report.errors.empty());
    CHECK(report.loaded == 5);
    CHECK(report.unavailable == 0);
    for (const auto& s : h.engine->statuses()) {
        INFO(s.id.value << ": " << s.problem);
        CHECK(s.problem.empty());
    }
}

TEST_CASE("The demo sleep scene dims the bedroom, sets the AC, plays sleep music and closes the curtains") {
    DemoHome h;
    const auto now = local(2026, 7, 10, 22, 30);
    h.set("bedroom.ceiling_light", {{"on", true}, {"brightness", 80.0}, {"color_temp", 4000.0}}, now);
    h.set("bedroom.curtain", {{"position", 100.0}}, now);
    scenes::EvalContext ctx;
    ctx.now = now;
    ctx.place = h.place;
    const auto plan = scenes::plan_scene(h.scenes.at(proto::SceneId{"sleep"}).scene, h.registry, ctx);
    for (const auto& e : plan.skipped) UNSCOPED_INFO(e.message);
    CHECK(plan.skipped.empty());
    std::map<std::string, proto::Attributes> by_device;
    for (const auto& c : plan.commands) by_device[c.device.value] = c.command.set;
    CHECK(by_device.at("bedroom.speaker").at("media") == proto::Value{std::string("sleep_music")});
    CHECK(by_device.at("bedroom.speaker").at("playback") == proto::Value{std::string("playing")});
    CHECK(by_device.at("bedroom.ac").at("target_temperature") == proto::Value{26.0});
    CHECK(by_device.at("bedroom.curtain").at("position") == proto::Value{0.0});
    CHECK(by_device.at("bedroom.ceiling_light").at("on") == proto::Value{false});
}

TEST_CASE("The demo rules cool a hot occupied bedroom and turn off an empty bathroom's light") {
    DemoHome h;
    auto now = local(2026, 7, 10, 15);
    h.set("bedroom.presence", {{"occupancy", true}}, now);
    h.set("bedroom.climate_sensor", {{"temperature", 27.0}}, now);
    h.set("bathroom.light", {{"on", true}}, now);
    h.set("bathroom.presence", {{"occupancy", true}}, now);
    REQUIRE(h.engine->load(h.doc.rules, now).errors.empty());
    h.set("bedroom.climate_sensor", {{"temperature", 28.5}}, now);
    REQUIRE(h.effects.sent.size() == 1);
    CHECK(h.effects.sent[0].device.value == "bedroom.ac");
    CHECK(h.effects.sent[0].command.set.at("target_temperature") == proto::Value{26.0});
    h.set("bathroom.presence", {{"occupancy", false}}, now);
    now += 40min;
    h.engine->advance(now);
    REQUIRE(h.effects.sent.size() == 2);
    CHECK(h.effects.sent[1].device.value == "bathroom.light");
    CHECK(h.effects.sent[1].command.set == proto::Attributes{{"on", false}});
}
