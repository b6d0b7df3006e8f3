#include "scenes/scene.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth;
using namespace hearth::scenes;
using proto::DeviceId;
using proto::Value;

namespace {

proto::DeviceDescription describe(const nlohmann::json& j) { return proto::description_from_json(j).value(); }

devices::Registry bedroom() {
    devices::Registry r;
    r.upsert(describe({{"id", "lamp"}, {"kind", "light"}, {"capabilities", {"on", "brightness", "color_temp", "transition"}}}));
    r.upsert(describe({{"id", "ac"}, {"kind", "air_conditioner"},
                       {"capabilities", {"on", "hvac_mode", "target_temperature", "temperature"}}}));
    (void)r.apply_state(DeviceId{"lamp"}, {{"on", true}, {"brightness", 80.0}, {"color_temp", 4000.0}});
    (void)r.apply_state(DeviceId{"ac"}, {{"on", true}, {"hvac_mode", std::string("cool")},
                                         {"target_temperature", 24.0}, {"temperature", 29.0}});
    return r;
}

Scene scene(const char* json) {
    auto s = scene_from_json(nlohmann::json::parse(json));
    INFO((s ? "" : s.error().message + " [" + s.error().field + "]"));
    REQUIRE(s.has_value());
    return *s;
}

}  // namespace

TEST_CASE("A scene plans only the differences from the current state") {
    const auto r = bedroom();
    const auto s = scene(R"J({"id": "sleep", "transition": 3, "targets": [
        {"device": "lamp", "state": {"on": true, "brightness": 10, "color_temp": 4000}},
        {"device": "ac", "state": {"on": true, "hvac_mode": "cool", "target_temperature": 24}}]})J");
    const auto plan = plan_scene(s, r, {}, "ctx-1");
    CHECK(plan.skipped.empty());
    REQUIRE(plan.commands.size() == 1);
    CHECK(plan.commands[0].device.value == "lamp");
    CHECK(plan.commands[0].command.set == proto::Attributes{{"brightness", 10.0}});
    CHECK(plan.commands[0].command.transition == 3.0);
    CHECK(plan.commands[0].command.context_id == "ctx-1");
}

TEST_CASE("A per-target transition overrides the scene's and is dropped for devices without one") {
    const auto r = bedroom();
    const auto s = scene(R"J({"id": "x", "transition": 3, "targets": [
        {"device": "lamp", "transition": 10, "state": {"brightness": 20}},
        {"device": "ac", "state": {"target_temperature": 26}}]})J");
    const auto plan = plan_scene(s, r, {});
    REQUIRE(plan.commands.size() == 2);
    CHECK(plan.commands[0].command.transition == 10.0);
    CHECK_FALSE(plan.commands[1].command.transition.has_value());
}

TEST_CASE("Relative and contextual targets are evaluated and fitted to the attribute's range") {
    const auto r = bedroom();
    const auto s = scene(R"J({"id": "dim", "targets": [
        {"device": "lamp", "state": {"brightness": {"expr": "current - 100"}}},
        {"device": "ac", "state": {"target_temperature": {"expr": "if(state('ac', 'hvac_mode') == 'cool', 26, 20)"}}}]})J");
    const auto plan = plan_scene(s, r, {});
    REQUIRE(plan.commands.size() == 2);
    CHECK(plan.commands[0].command.set.at("brightness") == Value{0.0});
    CHECK(plan.commands[1].command.set.at("target_temperature") == Value{26.0});
}

TEST_CASE("A target that cannot be applied is skipped and the rest still planned") {
    auto r = bedroom();
    (void)r.set_availability(DeviceId{"ac"}, devices::Availability::offline);
    const auto s = scene(R"J({"id": "x", "targets": [
        {"device": "ac", "state": {"target_temperature": 26}},
        {"device": "ghost", "state": {"on": true}},
        {"device": "lamp", "state": {"brightness": 50}}]})J");
    const auto plan = plan_scene(s, r, {});
    CHECK(plan.commands.size() == 1);
    CHECK(plan.skipped.size() == 2);
}

TEST_CASE("A light turned off keeps on:false next to any restored level") {
    auto r = bedroom();
    const auto s = scene(R"J({"id": "off", "targets": [{"device": "lamp", "state": {"on": false, "brightness": 40}}]})J");
    auto plan = plan_scene(s, r, {});
    REQUIRE(plan.commands.size() == 1);
    CHECK(plan.commands[0].command.set == proto::Attributes{{"brightness", 40.0}, {"on", false}});
    (void)r.apply_state(DeviceId{"lamp"}, {{"on", false}, {"brightness", 70.0}});
    plan = plan_scene(s, r, {});
    REQUIRE(plan.commands.size() == 1);
    CHECK(plan.commands[0].command.set == proto::Attributes{{"brightness", 40.0}, {"on", false}});
}

TEST_CASE("Scene definitions refuse bad fields by name") {
    const auto field = [](const char* json) {
        auto s = scene_from_json(nlohmann::json::parse(json));
        REQUIRE(s.has_error());
        return s.error().field;
    };
    CHECK(field(R"J({"id": "Bad Id", "targets": []})J") == "id");
    CHECK(field(R"J({"id": "x", "targets": []})J") == "targets");
    CHECK(field(R"J({"id": "x", "targets": [{"device": "a", "state": {"on": true}}, {"device": "b", "state": {"on": [1]}}]})J") ==
          "targets[1].state.on");
    CHECK(field(R"J({"id": "x", "targets": [{"device": "a", "state": {"b": {"expr": "1 +"}}}]})J") ==
          "targets[0].state.b.expr");
    CHECK(field(R"J({"id": "x", "targets": [{"device": "a", "transition": -1, "state": {"on": true}}]})J") ==
          "targets[0].transition");
}

TEST_CASE("Scenes naming devices that do not exist load as unavailable with a reason") {
    const auto r = bedroom();
    const auto load = load_scenes(nlohmann::json::parse(R"J([
        {"id": "ok", "targets": [{"device": "lamp", "state": {"on": true}}]},
        {"id": "ghost", "targets": [{"device": "ghost", "state": {"on": true}}]},
        {"id": "ro", "targets": [{"device": "ac", "state": {"temperature": 20}}]},
        {"id": "bad"}])J"),
                                  r);
    REQUIRE(load.scenes.size() == 3);
    CHECK(load.scenes.at(proto::SceneId{"ok"}).problem.empty());
    CHECK(load.scenes.at(proto::SceneId{"ghost"}).problem == "device ghost does not exist");
    CHECK(load.scenes.at(proto::SceneId{"ro"}).problem == "ac has no writable attribute temperature");
    REQUIRE(load.errors.size() == 1);
    CHECK(load.errors[0].field == "scenes[3].targets");
}

TEST_CASE("A scene round-trips through JSON") {
    const auto s = scene(R"J({"id": "x", "name": {"zh": "阅读", "en": "reading"}, "area": "study", "transition": 2,
        "targets": [{"device": "lamp", "state": {"on": true, "brightness": {"expr": "max(current, 60)"}}}]})J");
    const auto again = scene_from_json(to_json(s));
    REQUIRE(again.has_value());
    CHECK(to_json(*again) == to_json(s));
}
