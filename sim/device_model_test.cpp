#include "sim/device_model.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "devices/registry.hpp"

using namespace hearth;
using namespace hearth::sim;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const Instant kNoon = Instant(std::chrono::local_days{std::chrono::year{2026} / 6 / 1}) + 12h;

DeviceModel make(const char* kind, json capabilities, json sim = nullptr, Instant now = kNoon) {
    auto d = proto::description_from_json(
        json{{"id", std::string("test.") + kind}, {"kind", kind}, {"capabilities", std::move(capabilities)}});
    REQUIRE(d.has_value());
    auto s = settings_from_json(sim);
    REQUIRE(s.has_value());
    return DeviceModel(std::move(*d), std::move(*s), 42, now);
}

void command(DeviceModel& m, const char* text, Instant now) {
    auto c = proto::command_from_json(json::parse(text));
    REQUIRE(c.has_value());
    auto valid = devices::validate_command(m.description(), *c);
    REQUIRE(valid.has_value());
    m.apply(*valid, now);
}

double number(const DeviceModel& m, const char* attribute) { return *proto::as_number(m.state().at(attribute)); }
bool flag(const DeviceModel& m, const char* attribute) { return *proto::as_bool(m.state().at(attribute)); }
std::string text(const DeviceModel& m, const char* attribute) { return *proto::as_text(m.state().at(attribute)); }

/// Runs the model from `from` to `to`, waking it whenever it asks; returns how many state reports it made.
int run(DeviceModel& m, Instant from, Instant to) {
    int reports = 0;
    for (auto t = std::max(from, m.next_wake()); t <= to; t = std::max(t + 1ms, m.next_wake())) {
        reports += m.advance(t).state_changed;
    }
    return reports;
}

}  // namespace

TEST_CASE("A light starts off with readable attributes only") {
    const auto light = make("light", {"on", "brightness", "transition"});
    CHECK(light.state().size() == 2);
    CHECK_FALSE(flag(light, "on"));
    CHECK(light.state_payload() == R"({"brightness":100,"on":false})");
    CHECK(light.state_payload("ctx") == R"({"brightness":100,"context_id":"ctx","on":false})");
}

TEST_CASE("A light fades over its transition, reporting as it goes and ending exactly on the target") {
    auto light = make("light", {"on", "brightness", "transition"});
    command(light, R"({"on": true, "brightness": 40, "transition": 2, "context_id": "c1"})", kNoon);
    CHECK(flag(light, "on"));
    CHECK(number(light, "brightness") == 0);
    CHECK(light.next_wake() == kNoon + kMotionStep);

    auto step = light.advance(kNoon + 1s);
    CHECK(step.state_changed);
    CHECK(step.context_id == "c1");
    CHECK(number(light, "brightness") == 20);

    int reports = 0;
    for (auto t = light.next_wake(); t <= kNoon + 3s; t = light.next_wake()) reports += light.advance(t).state_changed;
    CHECK(reports == 4);  // 1.25 s, 1.5 s, 1.75 s and the exact end at 2 s
    CHECK(number(light, "brightness") == 40);
    CHECK(light.next_wake() == Instant::max());
}

TEST_CASE("A light without a transition changes at once") {
    auto light = make("light", {"on", "brightness", "color_temp"});
    command(light, R"({"on": true, "brightness": 30, "color_temp": 2700, "transition": 5})", kNoon);
    CHECK(flag(light, "on"));
    CHECK(number(light, "brightness") == 30);
    CHECK(number(light, "color_temp") == 2700);
    CHECK(light.next_wake() == Instant::max());
}

TEST_CASE("A light turned off with a transition dims, then switches off keeping its level") {
    auto light = make("light", {"on", "brightness", "transition"}, {{"initial", {{"on", true}, {"brightness", 80}}}});
    command(light, R"({"on": false, "transition": 1})", kNoon);
    CHECK(flag(light, "on"));
    light.advance(kNoon + 500ms);
    CHECK(flag(light, "on"));
    CHECK(number(light, "brightness") == 40);
    light.advance(kNoon + 1s);
    CHECK_FALSE(flag(light, "on"));
    CHECK(number(light, "brightness") == 80);
}

TEST_CASE("A new command takes over the attributes of a fade in progress") {
    auto light = make("light", {"on", "brightness", "color_temp", "transition"}, {{"initial", {{"on", true}}}});
    command(light, R"({"brightness": 0, "color_temp": 6500, "transition": 10})", kNoon);
    light.advance(kNoon + 5s);
    command(light, R"({"brightness": 70})", kNoon + 5s);
    CHECK(number(light, "brightness") == 70);
    run(light, kNoon + 5s, kNoon + 20s);
    CHECK(number(light, "brightness") == 70);
    CHECK(number(light, "color_temp") == 6500);
}

TEST_CASE("Curtains travel at their speed and report their position as they go") {
    auto curtain = make("curtain", {"position"}, {{"speed", 20}});
    command(curtain, R"({"position": 100, "context_id": "open"})", kNoon);
    CHECK(number(curtain, "position") == 0);
    curtain.advance(kNoon + 2500ms);
    CHECK(number(curtain, "position") == 50);
    const int reports = run(curtain, kNoon + 2500ms, kNoon + 10s);
    CHECK(reports == 10);  // every 250 ms until 5 s
    CHECK(number(curtain, "position") == 100);
}

TEST_CASE("An AC cools the room toward its target, and the room warms back once it is off") {
    auto ac = make("air_conditioner", {"on", "hvac_mode", "target_temperature", "temperature"},
                   {{"room_temperature", 30}, {"interval", 10}});
    const double start = number(ac, "temperature");
    CHECK(start == Approx(30).margin(1.6));  // the room, give or take the time of day
    CHECK(text(ac, "hvac_mode") == "cool");
    CHECK_FALSE(flag(ac, "on"));

    command(ac, R"({"on": true, "target_temperature": 24})", kNoon);
    CHECK(run(ac, kNoon, kNoon + 60min) > 10);
    const double cooled = number(ac, "temperature");
    CHECK(cooled < 25);
    CHECK(cooled >= 24);

    command(ac, R"({"hvac_mode": "off"})", kNoon + 60min);
    CHECK_FALSE(flag(ac, "on"));
    run(ac, kNoon + 60min, kNoon + 4h);
    CHECK(number(ac, "temperature") > 28.5);
}

TEST_CASE("Turning an AC on restores the mode it last ran in") {
    auto ac = make("air_conditioner", {"on", "hvac_mode", "target_temperature", "temperature"});
    command(ac, R"({"hvac_mode": "heat"})", kNoon);
    CHECK(flag(ac, "on"));
    command(ac, R"({"hvac_mode": "off"})", kNoon);
    CHECK_FALSE(flag(ac, "on"));
    command(ac, R"({"on": true})", kNoon);
    CHECK(text(ac, "hvac_mode") == "heat");
}

TEST_CASE("A climate sensor reports with noise at its interval") {
    auto sensor = make("climate_sensor", {"temperature", "humidity", "battery"}, {{"interval", 5}});
    sensor.set_followed_temperature(24.0);
    const int reports = run(sensor, kNoon, kNoon + 60s);
    CHECK(reports >= 11);
    CHECK(reports <= 13);
    CHECK(number(sensor, "temperature") == Approx(24).margin(1));
    CHECK(number(sensor, "humidity") == Approx(50).margin(10));
}

TEST_CASE("A presence sensor is mostly occupied inside its schedule and mostly empty outside it") {
    auto night = Instant(std::chrono::local_days{std::chrono::year{2026} / 6 / 1}) + 23h;
    auto sensor = make("presence_sensor", {"occupancy"}, {{"schedule", {{{"from", "22:00"}, {"to", "07:30"}}}}, {"interval", 30}},
                       night);
    int occupied = 0;
    int samples = 0;
    for (auto t = night; t < night + 6h; t += 30s, ++samples) {
        sensor.advance(t);
        occupied += flag(sensor, "occupancy");
    }
    CHECK(occupied > samples * 8 / 10);

    occupied = 0;
    samples = 0;
    const auto next_noon = night + 13h;
    for (auto t = next_noon; t < next_noon + 5h; t += 30s, ++samples) {
        sensor.advance(t);
        occupied += flag(sensor, "occupancy");
    }
    CHECK(occupied < samples / 5);
}

TEST_CASE("A speaker steps through its playlist while playing and holds its place when paused") {
    auto speaker = make("speaker",
                        {"playback", "volume",
                         {{"attribute", "media"}, {"type", "enum"}, {"options", {"jazz", "news"}}},
                         {{"attribute", "track"}, {"type", "text"}, {"access", {"read"}}}},
                        {{"playlists", {{"jazz", {"So What", "Blue in Green"}}}}, {"track_length", 60}});
    CHECK(text(speaker, "playback") == "stopped");
    command(speaker, R"({"playback": "playing", "media": "jazz", "volume": 20})", kNoon);
    CHECK(text(speaker, "track") == "So What");
    CHECK(speaker.advance(kNoon + 60s).state_changed);
    CHECK(text(speaker, "track") == "Blue in Green");
    command(speaker, R"({"playback": "paused"})", kNoon + 90s);
    CHECK_FALSE(speaker.advance(kNoon + 10min).state_changed);
    command(speaker, R"({"playback": "playing"})", kNoon + 10min);
    CHECK(speaker.next_wake() == kNoon + 10min + 30s);
    speaker.advance(kNoon + 10min + 30s);
    CHECK(text(speaker, "track") == "So What");
    command(speaker, R"({"media": "news"})", kNoon + 11min);
    CHECK(text(speaker, "track") == "news #1");
    command(speaker, R"({"playback": "stopped"})", kNoon + 12min);
    CHECK(text(speaker, "track").empty());
}

TEST_CASE("A speaker skips to the next or previous track on command, playing or paused") {
    auto speaker = make("speaker",
                        {"playback", "skip",
                         {{"attribute", "media"}, {"type", "enum"}, {"options", {"jazz"}}},
                         {{"attribute", "track"}, {"type", "text"}, {"access", {"read"}}}},
                        {{"playlists", {{"jazz", {"So What", "Blue in Green", "Freddie Freeloader"}}}}, {"track_length", 60}});
    command(speaker, R"({"playback": "playing", "media": "jazz"})", kNoon);
    command(speaker, R"({"skip": "next"})", kNoon + 10s);
    CHECK(text(speaker, "track") == "Blue in Green");
    CHECK(speaker.next_wake() == kNoon + 70s);  // the new track plays from its start
    CHECK_FALSE(speaker.state().contains("skip"));
    command(speaker, R"({"playback": "paused"})", kNoon + 20s);
    command(speaker, R"({"skip": "next"})", kNoon + 30s);
    CHECK(text(speaker, "track") == "Freddie Freeloader");
    CHECK(text(speaker, "playback") == "paused");
    command(speaker, R"({"skip": "previous"})", kNoon + 40s);
    command(speaker, R"({"skip": "previous"})", kNoon + 50s);
    command(speaker, R"({"skip": "previous"})", kNoon + 60s);
    CHECK(text(speaker, "track") == "So What");
}

TEST_CASE("Playing with nothing chosen picks the first playlist") {
    auto speaker = make("speaker", {"playback", {{"attribute", "media"}, {"type", "enum"}, {"options", {"sleep_music", "jazz"}}}});
    command(speaker, R"({"playback": "playing"})", kNoon);
    CHECK(text(speaker, "media") == "sleep_music");
}

TEST_CASE("A purifier lowers pm25 while it runs") {
    auto purifier = make("air_purifier", {"on", "fan_speed", "pm25"}, {{"initial", {{"pm25", 80}}}});
    command(purifier, R"({"on": true, "fan_speed": "high"})", kNoon);
    run(purifier, kNoon, kNoon + 20min);
    CHECK(number(purifier, "pm25") < 15);
    command(purifier, R"({"on": false})", kNoon + 20min);
    run(purifier, kNoon + 20min, kNoon + 3h);
    CHECK(number(purifier, "pm25") > 30);
}

TEST_CASE("A vacuum drains its battery while cleaning, docks when low and charges again") {
    auto vacuum = make("vacuum", {"cleaning", "battery"}, {{"initial", {{"battery", 50}}}});
    command(vacuum, R"({"cleaning": true})", kNoon);
    run(vacuum, kNoon, kNoon + 10min);
    CHECK(flag(vacuum, "cleaning"));
    CHECK(number(vacuum, "battery") == Approx(38).margin(1));
    run(vacuum, kNoon + 10min, kNoon + 40min);
    CHECK_FALSE(flag(vacuum, "cleaning"));
    const double docked = number(vacuum, "battery");
    run(vacuum, kNoon + 40min, kNoon + 60min);
    CHECK(number(vacuum, "battery") > docked + 20);
}

TEST_CASE("A lock locks itself again two minutes after being unlocked") {
    auto lock = make("lock", {"locked", "battery"});
    CHECK(flag(lock, "locked"));
    command(lock, R"({"locked": false})", kNoon);
    CHECK_FALSE(flag(lock, "locked"));
    lock.advance(kNoon + 119s);
    CHECK_FALSE(flag(lock, "locked"));
    CHECK(lock.advance(kNoon + 120s).state_changed);
    CHECK(flag(lock, "locked"));
}

TEST_CASE("A door contact opens now and then and closes again") {
    auto contact = make("contact_sensor", {"contact", "battery"}, {{"interval", 60}});
    int openings = 0;
    bool was_closed = true;
    for (auto t = kNoon; t < kNoon + 24h; t = std::max(t + 1s, contact.next_wake())) {
        contact.advance(t);
        if (was_closed && !flag(contact, "contact")) ++openings;
        was_closed = flag(contact, "contact");
    }
    CHECK(openings > 20);
    CHECK(openings < 200);
}

TEST_CASE("A button sends press events now and then") {
    auto button = make("button", {{{"attribute", "action"}, {"type", "text"}, {"access", {"event"}}}}, {{"interval", 10}});
    std::size_t events = 0;
    for (auto t = kNoon; t < kNoon + 1h; t += 10s) {
        for (const auto& e : button.advance(t).events) {
            CHECK(json::parse(e)["event"] == "press");
            ++events;
        }
    }
    CHECK(events > 50);
    CHECK(events < 170);
}

TEST_CASE("Initial settings override the default state, ignoring attributes the device lacks") {
    const auto light = make("light", {"on", "brightness"}, {{"initial", {{"on", true}, {"brightness", 12}, {"volume", 3}}}});
    CHECK(flag(light, "on"));
    CHECK(number(light, "brightness") == 12);
    CHECK_FALSE(light.state().contains("volume"));
}

TEST_CASE("A light that is off and stays off takes a new level at once, without a fade") {
    auto light = make("light", {"on", "brightness", "transition"});
    command(light, R"({"brightness": 20, "transition": 3})", kNoon);
    CHECK_FALSE(flag(light, "on"));
    CHECK(number(light, "brightness") == 20);
    CHECK(light.next_wake() == Instant::max());
}

TEST_CASE("A speaker shows what it was told to say") {
    auto speaker = make("speaker", {"playback", "say", {{"attribute", "said"}, {"type", "text"}, {"access", {"read"}}}});
    command(speaker, R"({"say": "已经很晚了，该休息了"})", kNoon);
    CHECK(text(speaker, "said") == "已经很晚了，该休息了");
}

TEST_CASE("A purifier left off sees pm25 rise in the evening") {
    auto purifier = make("air_purifier", {"on", "fan_speed", "pm25"}, {{"initial", {{"pm25", 40}}}});
    command(purifier, R"({"on": false})", kNoon);
    run(purifier, kNoon, kNoon + 4h);
    const double afternoon = number(purifier, "pm25");
    CHECK(afternoon < 60);
    run(purifier, kNoon + 4h, kNoon + 8h + 30min);
    CHECK(number(purifier, "pm25") > 75);
}
