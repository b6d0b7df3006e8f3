// The home that learns, through a real hub: a history written into the real SQLite file (its
// change log), the devices announced over a real broker, a mining pass on the hub's worker, the
// suggestions over REST, one accepted (a rule that then fires at its time, the hub's clock sped up)
// and one dismissed for good, across a restart.
#include <catch2/catch.hpp>

#include "hub/store.hpp"
#include "learn/routine.hpp"
#include "tests/sim_home.hpp"

using namespace hearth;
using namespace hearth::testing;
using namespace std::chrono;
using nlohmann::json;

namespace {

constexpr auto kOffset = hours(8);  // the demo home's utc_offset_minutes: 480

/// Writes `days` of history ending before today (local) into the hub's database: the kitchen light
/// switched on by hand every day around `minute` (local), the entrance light switched off by hand
/// around 23:00, a rule switching the study light on at 19:00, and a little noise.
void write_history(const std::filesystem::path& db, int days_back, int minute) {
    auto store = hub::Store::open({.path = db}, {});
    REQUIRE(store);
    const auto now = system_clock::now();
    const auto today = floor<days>(now + kOffset) - kOffset;  // local midnight, as a UTC instant
    const auto add = [&](const char* device, const char* attribute, proto::Value value, system_clock::time_point at,
                         proto::Cause cause, const char* source) {
        (*store)->append_history(proto::DeviceId{device}, attribute, std::move(value), at,
                                 proto::Context{{}, {}, cause, source});
    };
    for (int k = days_back; k >= 1; --k) {
        const auto midnight = today - days(k);
        add("kitchen.light", "on", true, midnight + minutes(minute + (k * 7) % 11 - 5), proto::Cause::device, "");
        add("kitchen.light", "on", false, midnight + minutes(minute + 90 + (k * 37) % 300), proto::Cause::app, "owner");
        add("entrance.light", "on", false, midnight + hours(23) + minutes(k % 9), proto::Cause::app, "owner");
        add("study.light", "on", true, midnight + hours(19), proto::Cause::rule, "study_evening");
        add("study.light", "brightness", 40.0 + k % 3 * 20, midnight + minutes((k * 397) % 1440), proto::Cause::device, "");
    }
    (*store)->flush();
}

bool has_set_on(SimHome& home, const std::string& device) {
    for (const auto& m : home.mqtt.received())
        if (m.topic == "hearth/device/" + device + "/set" && m.payload.find("\"on\":true") != std::string::npos) return true;
    return false;
}

json suggestion_for(SimHome& home, const std::string& device) {
    const auto listed = home.get("/api/v1/suggestions").json();
    for (const auto& s : listed["suggestions"])
        if (s["evidence"]["device"] == device) return s;
    return nullptr;
}

}  // namespace

TEST_CASE("Routines mined from the change log are suggested with their evidence; accepted becomes a rule that fires, dismissed stays dismissed") {
    SimHome home;
    // The routine's time: two hours of hub time ahead, so the rule it becomes fires soon once the
    // hub's clock runs 300 times faster (24 s of real time at most).
    const auto local_now = floor<minutes>(system_clock::now() + kOffset) - floor<days>(system_clock::now() + kOffset);
    const int minute = static_cast<int>((local_now + hours(2)).count() % (24 * 60));
    home.hub.stop();
    write_history(home.data / "hearth.db", 21, minute);
    home.hub.config().clock_speed = 300;
    home.restart();

    home.announce("kitchen.light", {{"on", false}, {"brightness", 60}});
    home.announce("entrance.light", {{"on", true}, {"brightness", 80}});
    home.announce("study.light", {{"on", false}, {"brightness", 60}});
    REQUIRE(home.online("kitchen.light"));
    REQUIRE(home.online("entrance.light"));
    REQUIRE(home.online("study.light"));

    const auto mined = home.post("/api/v1/suggestions/mine");
    REQUIRE(mined.status == 200);
    const auto pass = mined.json()["last_pass"];
    CHECK(pass["changes_read"] == 21 * 5);
    CHECK(pass["routines"] == 2);

    const auto kitchen = suggestion_for(home, "kitchen.light");
    REQUIRE(kitchen != nullptr);
    CHECK(kitchen["state"] == "new");
    CHECK(kitchen["evidence"]["attribute"] == "on");
    CHECK(kitchen["evidence"]["value"] == true);
    CHECK(kitchen["evidence"]["days"] == "every_day");
    CHECK(kitchen["evidence"]["support"] == 21);
    CHECK(kitchen["evidence"]["occurrences"].size() == 21);
    CHECK(kitchen["explanation"]["zh"].get<std::string>().find("每天") == 0);
    // What a rule does is never a habit.
    CHECK(suggestion_for(home, "study.light") == nullptr);
    const auto entrance = suggestion_for(home, "entrance.light");
    REQUIRE(entrance != nullptr);

    // Dismissed: permanent, across a restart and another pass.
    const auto entrance_id = entrance["id"].get<std::string>();
    REQUIRE(home.post("/api/v1/suggestions/" + entrance_id + "/dismiss").status == 200);
    CHECK(home.post("/api/v1/suggestions/" + entrance_id + "/accept").status == 409);
    CHECK(home.post("/api/v1/suggestions/routine-0000000000000000/dismiss").status == 404);

    // Accepted: a normal rule at the routine's typical time, carrying the evidence.
    const auto kitchen_id = kitchen["id"].get<std::string>();
    const auto accepted = home.post("/api/v1/suggestions/" + kitchen_id + "/accept");
    REQUIRE(accepted.status == 201);
    const auto rule_id = accepted.json()["suggestion"]["rule"].get<std::string>();
    const auto rule = home.get("/api/v1/rules/" + rule_id).json();
    CHECK(rule["triggers"][0]["time"] == kitchen["evidence"]["typical"]);
    CHECK(rule["description"].get<std::string>().find(kitchen_id) != std::string::npos);
    CHECK(home.post("/api/v1/suggestions/" + kitchen_id + "/accept").status == 409);

    // The rule fires at its time and commands the kitchen light.
    CHECK(settle([&] { return has_set_on(home, "kitchen.light"); }, seconds(40)));

    home.restart();
    const auto again = home.post("/api/v1/suggestions/mine");
    REQUIRE(again.status == 200);
    CHECK(suggestion_for(home, "entrance.light")["state"] == "dismissed");
    CHECK(suggestion_for(home, "kitchen.light")["state"] == "accepted");
    CHECK(suggestion_for(home, "kitchen.light")["rule"] == rule_id);
}

TEST_CASE("Each history row shows its full cause: which token, which rule") {
    SimHome home;
    home.announce("kitchen.light", {{"on", false}, {"brightness", 60}});
    REQUIRE(home.online("kitchen.light"));
    REQUIRE(home.post("/api/v1/devices/kitchen.light/commands", {{"on", true}}).status < 300);
    // Played by hand: answer the command with its context id, as a device does.
    std::string context;
    REQUIRE(settle([&] {
        for (const auto& m : home.mqtt.received())
            if (m.topic == "hearth/device/kitchen.light/set") context = json::parse(m.payload).value("context_id", "");
        return !context.empty();
    }));
    home.report("kitchen.light", {{"on", true}, {"brightness", 60}, {"context_id", context}});
    REQUIRE(settle([&] {
        const auto history = home.get("/api/v1/devices/kitchen.light/history").json();
        for (const auto& p : history["points"])
            if (p["attribute"] == "on" && p["value"] == true) return p["cause"] == "app" && p["source"] == "owner";
        return false;
    }));
}
