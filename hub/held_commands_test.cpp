#include "hub/held_commands.hpp"

#include <catch2/catch.hpp>

using namespace hearth;
using namespace hearth::hub;
using namespace std::chrono_literals;

namespace {

const HeldCommands::TimePoint kT0{std::chrono::seconds(1000)};

HeldCommand command_to(const std::string& device, const std::string& context_id, HeldCommands::TimePoint at) {
    proto::Command c;
    c.context_id = context_id;
    return {proto::DeviceId{device}, c, {{"hearth/device/" + device + "/set", R"({"on":true})", false}}, at};
}

}  // namespace

TEST_CASE("Held commands are released together, in the order they came") {
    HeldCommands held;
    REQUIRE(held.hold(command_to("hall.light", "a", kT0)));
    REQUIRE(held.hold(command_to("hall.fan", "b", kT0 + 1s)));
    CHECK(held.holds("a"));
    const auto out = held.release();
    REQUIRE(out.size() == 2);
    CHECK(out[0].command.context_id == "a");
    CHECK(out[1].command.context_id == "b");
    CHECK(held.size() == 0);
    CHECK_FALSE(held.next_expiry());
}

TEST_CASE("A held command expires when its hold runs out, and not before") {
    HeldCommands held(HoldLimits{5s, 10});
    held.hold(command_to("hall.light", "a", kT0));
    held.hold(command_to("hall.fan", "b", kT0 + 2s));
    CHECK(held.next_expiry() == kT0 + 5s);
    CHECK(held.expire(kT0 + 4999ms).empty());
    const auto expired = held.expire(kT0 + 5s);
    REQUIRE(expired.size() == 1);
    CHECK(expired[0].command.context_id == "a");
    CHECK(held.next_expiry() == kT0 + 7s);
    CHECK_FALSE(held.holds("a"));
    CHECK(held.holds("b"));
}

TEST_CASE("A full outbox, or a hold of zero, refuses at once") {
    HeldCommands full(HoldLimits{5s, 1});
    CHECK(full.hold(command_to("hall.light", "a", kT0)));
    CHECK_FALSE(full.hold(command_to("hall.fan", "b", kT0)));
    HeldCommands off(HoldLimits{0ms, 10});
    CHECK_FALSE(off.hold(command_to("hall.light", "a", kT0)));
}
