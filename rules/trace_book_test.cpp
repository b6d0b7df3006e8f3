#include "rules/trace_book.hpp"

#include <catch2/catch.hpp>

using namespace hearth;
using namespace hearth::rules;
using namespace std::chrono_literals;

namespace {

const scenes::TimePoint kT0{std::chrono::seconds(1'700'000'000)};
const proto::DeviceId kLamp{"hall.lamp"};

Trace run_that_sent(const std::string& id, const std::string& command_context) {
    Trace t;
    t.id = id;
    t.rule = proto::RuleId{"night"};
    t.outcome = Outcome::ran;
    proto::Command c;
    c.context_id = command_context;
    t.commands.push_back({kLamp, c, std::nullopt, {}, {}, {}, std::nullopt});
    return t;
}

devices::StateChange change(std::string context_id, std::string attribute = "on") {
    return {kLamp, std::move(attribute), proto::Value{false}, proto::Value{true}, 2, std::move(context_id)};
}

}  // namespace

TEST_CASE("A change carrying a command's context has that command's cause") {
    TraceBook book;
    book.sent(kLamp, {"r-1.1", "r-1", proto::Cause::rule, "night"}, "r-1", kT0);
    const auto cause = book.cause_of("r-1.1");
    CHECK(cause.cause == proto::Cause::rule);
    CHECK(cause.source == "night");
    CHECK(cause.parent == "r-1");
}

TEST_CASE("A change without a context is the device's own, and an unknown context another controller's") {
    TraceBook book;
    CHECK(book.cause_of("").cause == proto::Cause::device);
    const auto other = book.cause_of("01HX-from-elsewhere");
    CHECK(other.cause == proto::Cause::controller);
    CHECK(other.id == "01HX-from-elsewhere");
}

TEST_CASE("A confirmation is attached to the kept trace that sent the command, which is marked changed once") {
    TraceBook book;
    book.keep(run_that_sent("r-1", "r-1.1"));
    book.sent(kLamp, {"r-1.1", "r-1", proto::Cause::rule, "night"}, "r-1", kT0);
    const auto latency = book.confirm(kLamp, "r-1.1", kT0 + 40ms);
    REQUIRE(latency);
    CHECK(*latency == 40ms);
    CHECK_FALSE(book.confirm(kLamp, "r-1.1", kT0 + 50ms));  // confirmed already
    book.attach(change("r-1.1"), kT0 + 40ms);
    book.attach(change("r-1.1", "brightness"), kT0 + 50ms);
    const auto changed = book.take_changed();
    REQUIRE(changed.size() == 1);
    CHECK(changed[0].commands[0].confirmed_at == kT0 + 40ms);
    CHECK(changed[0].commands[0].confirmed.size() == 2);
    CHECK(book.take_changed().empty());
}

TEST_CASE("The oldest traces and commands go past the limits") {
    TraceBook book({.traces = 2, .commands = 2});
    for (int i = 1; i <= 3; ++i) {
        const auto id = "r-" + std::to_string(i);
        book.keep(run_that_sent(id, id + ".1"));
        book.sent(kLamp, {id + ".1", id, proto::Cause::rule, "night"}, id, kT0);
    }
    CHECK_FALSE(book.find("r-1"));
    CHECK(book.find("r-3"));
    CHECK_FALSE(book.command("r-1.1"));
    CHECK(book.cause_of("r-1.1").cause == proto::Cause::controller);
    CHECK(book.trace_count() == 2);
    CHECK(book.command_count() == 2);
}

TEST_CASE("A trace is about its trigger's device, what it commanded and what its steps name") {
    auto t = run_that_sent("r-1", "r-1.1");
    t.trigger = {{"kind", "state"}, {"device", "hall.motion"}};
    t.steps.push_back({kT0, "actions[0]", "scene", {{"devices", {"hall.lamp", "hall.fan"}}}, ""});
    const auto devices = devices_of(t);
    REQUIRE(devices.size() == 3);
    CHECK(devices[0].value == "hall.motion");
    CHECK(devices[1].value == "hall.lamp");
    CHECK(devices[2].value == "hall.fan");
}

TEST_CASE("A held command refused later shows as refused in its kept trace, which is marked changed") {
    TraceBook book;
    book.sent(kLamp, {"r-1.1", "r-1", proto::Cause::rule, "night"}, "r-1", kT0);
    book.keep(run_that_sent("r-1", "r-1.1"));
    book.settle(kLamp, "r-1.1", {5000ms, "broker_unavailable", "the MQTT broker stayed unreachable for 5 s"}, kT0 + 5s);
    const auto changed = book.take_changed();
    REQUIRE(changed.size() == 1);
    const auto& record = changed[0].commands[0];
    CHECK(record.error_code == "broker_unavailable");
    CHECK(record.held == 5000ms);
    const auto j = to_json(changed[0]);
    CHECK(j["commands"][0]["error_code"] == "broker_unavailable");
    CHECK(j["commands"][0]["held_ms"] == 5000);
    const auto back = trace_from_json(j);
    REQUIRE(back.has_value());
    CHECK(back->commands[0].error_code == "broker_unavailable");
    CHECK(back->commands[0].held == 5000ms);
}

TEST_CASE("A settlement that comes before its run is kept is applied when the trace is kept") {
    TraceBook book;
    book.sent(kLamp, {"r-1.1", "r-1", proto::Cause::rule, "night"}, "r-1", kT0);
    book.settle(kLamp, "r-1.1", {1200ms, "", ""}, kT0 + 1200ms);
    CHECK(book.take_changed().empty());
    book.keep(run_that_sent("r-1", "r-1.1"));
    const auto* kept = book.find("r-1");
    REQUIRE(kept);
    CHECK(kept->commands[0].held == 1200ms);
    CHECK(kept->commands[0].error.empty());
    // Confirmation latency counts from when the held command went out.
    CHECK(book.confirm(kLamp, "r-1.1", kT0 + 1300ms) == std::optional<scenes::Clock::duration>(100ms));
}
