#include "scenes/snapshot.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth;
using namespace hearth::scenes;
using proto::DeviceId;
using proto::Value;

namespace {

devices::Registry home() {
    devices::Registry r;
    r.upsert(proto::description_from_json(nlohmann::json{
                 {"id", "lamp"}, {"kind", "light"}, {"capabilities", {"on", "brightness", "color_temp", "transition"}}})
                 .value());
    r.upsert(proto::description_from_json(nlohmann::json{
                 {"id", "sensor"}, {"kind", "climate_sensor"}, {"capabilities", {"temperature"}}})
                 .value());
    (void)r.apply_state(DeviceId{"lamp"}, {{"on", false}, {"brightness", 40.0}, {"color_temp", 2700.0}});
    (void)r.apply_state(DeviceId{"sensor"}, {{"temperature", 21.0}});
    return r;
}

const TimePoint kNow{std::chrono::seconds(1'800'000'000)};

}  // namespace

TEST_CASE("A snapshot keeps every attribute, including the levels of a light that is off") {
    const auto r = home();
    const auto s = take_snapshot(r, {DeviceId{"lamp"}, DeviceId{"ghost"}, DeviceId{"lamp"}}, kNow, "scene movie", "c1");
    REQUIRE(s.devices.size() == 1);
    CHECK(s.devices[0].state == proto::Attributes{{"on", false}, {"brightness", 40.0}, {"color_temp", 2700.0}});
}

TEST_CASE("Undo after a scene turns the light back off and restores its levels") {
    auto r = home();
    const auto before = take_snapshot(r, {DeviceId{"lamp"}}, kNow, "scene movie");
    const auto movie = scene_from_json(nlohmann::json::parse(
        R"J({"id": "movie", "targets": [{"device": "lamp", "state": {"on": true, "brightness": 15, "color_temp": 2200}}]})J"));
    REQUIRE(movie.has_value());
    const auto plan = plan_scene(*movie, r, {});
    REQUIRE(plan.commands.size() == 1);
    (void)r.apply_state(DeviceId{"lamp"}, plan.commands[0].command.set);

    const auto undo = plan_undo(before, r, "undo-1");
    REQUIRE(undo.commands.size() == 1);
    CHECK(undo.commands[0].command.set ==
          proto::Attributes{{"on", false}, {"brightness", 40.0}, {"color_temp", 2700.0}});
    CHECK(undo.commands[0].command.context_id == "undo-1");
    (void)r.apply_state(DeviceId{"lamp"}, undo.commands[0].command.set);
    CHECK(plan_undo(before, r).commands.empty());
}

TEST_CASE("Undo leaves read-only attributes alone") {
    auto r = home();
    const auto before = take_snapshot(r, {DeviceId{"sensor"}}, kNow);
    (void)r.apply_state(DeviceId{"sensor"}, {{"temperature", 25.0}});
    CHECK(plan_undo(before, r).commands.empty());
}

TEST_CASE("A snapshot saved as a scene sets its writable attributes") {
    const auto r = home();
    const auto s = take_snapshot(r, {DeviceId{"lamp"}, DeviceId{"sensor"}}, kNow);
    const auto scene = scene_from_snapshot(s, proto::SceneId{"evening"}, {"傍晚", "evening"});
    REQUIRE(scene.targets.size() == 1);
    CHECK(scene.targets[0].device.value == "lamp");
    CHECK(scene.targets[0].state.size() == 3);
    CHECK(scene_problem(scene, r).empty());
}

TEST_CASE("The undo stack round-trips through JSON and drops the oldest beyond its capacity") {
    const auto r = home();
    UndoStack stack(2);
    for (int i = 0; i < 3; ++i) stack.push(take_snapshot(r, {DeviceId{"lamp"}}, kNow, "step " + std::to_string(i)));
    CHECK(stack.size() == 2);
    CHECK(stack.top()->label == "step 2");
    UndoStack loaded(5);
    REQUIRE(loaded.load_json(stack.to_json()).has_value());
    CHECK(loaded.size() == 2);
    CHECK(*loaded.top() == *stack.top());
    CHECK(loaded.pop()->label == "step 2");
    CHECK(loaded.pop()->label == "step 1");
    CHECK_FALSE(loaded.pop());
    const auto bad = loaded.load_json(nlohmann::json::parse(R"J([{"taken_at": "noon", "devices": {}}])J"));
    REQUIRE(bad.has_error());
    CHECK(bad.error().field == "[0].taken_at");
}

TEST_CASE("Planning a scene activation snapshots every target device before planning the differences") {
    const auto r = home();
    const auto scene = scene_from_json(nlohmann::json::parse(
        R"J({"id": "bright", "targets": [{"device": "lamp", "state": {"on": true, "brightness": 40}}]})J"));
    REQUIRE(scene.has_value());
    EvalContext ctx;
    ctx.now = kNow;
    const auto a = plan_activation(*scene, r, ctx, "ctx-9");
    CHECK(a.snapshot.label == "scene bright");
    CHECK(a.snapshot.context_id == "ctx-9");
    CHECK(a.snapshot.taken_at == kNow);
    REQUIRE(a.snapshot.devices.size() == 1);
    REQUIRE(a.plan.commands.size() == 1);
    CHECK(a.plan.commands[0].command.set == proto::Attributes{{"on", true}});
    CHECK(a.plan.commands[0].command.context_id == "ctx-9");
}
