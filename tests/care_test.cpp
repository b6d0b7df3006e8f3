// The care programs in the hub over real MQTT (Mosquitto), a real SQLite file and real HTTP and
// WebSocket clients: the purifier follows PM2.5 with hysteresis and steps up in pollen season for
// an allergic member; notifications reach the live feed, MQTT and a webhook receiver (a small HTTP
// server in this test), a failing webhook is retried and its failure shown; quiet hours hold a
// comfort message and let a safety alert through; bad configuration is refused naming the field.
#include <catch2/catch.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <mutex>

#include "tests/sim_home.hpp"
#include "tests/support/ws_client.hpp"

using namespace hearth::testing;
using nlohmann::json;

namespace {

constexpr const char* kPurifier = "living_room.air_purifier";

/// A webhook receiver: answers every POST with `status` and keeps the bodies.
class WebhookReceiver {
public:
    explicit WebhookReceiver(int status = 200) : status_(status), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { serve(); });
    }
    ~WebhookReceiver() {
        stop_ = true;
        boost::system::error_code ec;
        // Wakes the blocking accept with a last connection of our own.
        boost::asio::ip::tcp::socket poke(io_);
        poke.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
    }
    int port() const { return acceptor_.local_endpoint().port(); }
    std::vector<json> bodies() const {
        std::lock_guard lock(mutex_);
        return bodies_;
    }

private:
    void serve() {
        namespace http = boost::beast::http;
        while (!stop_) {
            boost::asio::ip::tcp::socket socket(io_);
            boost::system::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stop_) continue;
            boost::beast::flat_buffer buffer;
            http::request<http::string_body> request;
            http::read(socket, buffer, request, ec);
            if (ec) continue;
            {
                std::lock_guard lock(mutex_);
                bodies_.push_back(json::parse(request.body(), nullptr, false));
            }
            http::response<http::string_body> response{static_cast<http::status>(status_), 11};
            response.body() = "{}";
            response.prepare_payload();
            http::write(socket, response, ec);
        }
    }

    int status_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<json> bodies_;
};

std::vector<json> commands_to(const MqttClient& client, const std::string& device) {
    std::vector<json> out;
    for (const auto& m : client.received())
        if (m.topic == "hearth/device/" + device + "/set") out.push_back(json::parse(m.payload));
    return out;
}

/// Plays the purifier: reports `state` and waits until the hub holds it.
void report_purifier(SimHome& home, json state) {
    home.report(kPurifier, state);
    REQUIRE(home.state_becomes(kPurifier, [&](const json& s) { return s["pm25"] == state["pm25"]; }));
}

/// The local time of day at the demo home (UTC+8) in minutes, now.
int demo_local_minutes() {
    const auto now = std::chrono::system_clock::now();
    const auto since_midnight = (now - std::chrono::floor<std::chrono::days>(now)) + std::chrono::hours(8);
    return static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(since_midnight).count() % 1440);
}

std::string hh_mm(int minutes) {
    minutes = ((minutes % 1440) + 1440) % 1440;
    char text[6];
    std::snprintf(text, sizeof text, "%02d:%02d", minutes / 60, minutes % 60);
    return text;
}

}  // namespace

TEST_CASE("The simulated purifier follows the living room's PM2.5 and the trace says why") {
    SimHome home;
    SimFleet fleet(home.broker, {kPurifier}, 100);
    REQUIRE(home.online(kPurifier));
    // The demo's purifier starts at PM2.5 about 75 and off: the curve says low or medium, and the demo
    // household's dust allergy steps a running purifier up one more.
    REQUIRE(home.state_becomes(kPurifier, [](const json& s) {
        return s["on"] == true && (s["fan_speed"] == "medium" || s["fan_speed"] == "high");
    }));
    const auto status = home.get("/api/v1/care").json();
    const auto& purifier = status["programs"]["air"]["purifiers"][0];
    CHECK(purifier["device"] == kPurifier);
    CHECK(purifier["why"]["en"].get<std::string>().find("PM2.5") != std::string::npos);
    CHECK(purifier["why"]["en"].get<std::string>().find("dust allergy") != std::string::npos);
    CHECK(!purifier["why"]["zh"].get<std::string>().empty());
    // The command is traced with the reason, and confirmed by the purifier.
    CHECK(settle([&] {
        for (const auto& t : home.get(std::string("/api/v1/traces?device=") + kPurifier).json().value("traces", json::array()))
            if (t["rule"] == "_care_air" && t["steps"][0]["detail"]["why"]["en"].is_string() && t["commands"][0].contains("confirmed_at"))
                return true;
        return false;
    }));
    // Cleaned air: the purifier steps down as the reading falls, and stops once it is clean.
    CHECK(home.state_becomes(kPurifier, [](const json& s) { return s["on"] == false; }, std::chrono::seconds(40)));
}

TEST_CASE("The purifier level follows the curve with hysteresis and steps up in pollen season for an allergic member") {
    SimHome home;
    REQUIRE(home.put("/api/v1/household", {{"people", {{{"id", "mia"}, {"name", "Mia"}, {"allergies", {"pollen"}}}}}}).status == 200);
    home.announce(kPurifier, {{"on", false}, {"mode", "manual"}, {"fan_speed", "low"}, {"pm25", 20}});
    REQUIRE(home.online(kPurifier));
    REQUIRE(home.state_becomes(kPurifier, [](const json& s) { return s["pm25"] == 20; }));

    home.mqtt.clear();
    report_purifier(home, {{"on", false}, {"mode", "manual"}, {"fan_speed", "low"}, {"pm25", 76}});
    REQUIRE(settle([&] { return commands_to(home.mqtt, kPurifier).size() == 1; }));
    auto sent = commands_to(home.mqtt, kPurifier)[0];
    CHECK(sent["on"] == true);
    CHECK(sent["fan_speed"] == "medium");

    // The purifier does it; readings wobble around the 75 boundary: no command at all.
    for (const int pm25 : {74, 76, 72, 75, 71}) report_purifier(home, {{"on", true}, {"mode", "manual"}, {"fan_speed", "medium"}, {"pm25", pm25}});
    CHECK(commands_to(home.mqtt, kPurifier).size() == 1);
    // 5 below the boundary: down to low, once.
    report_purifier(home, {{"on", true}, {"mode", "manual"}, {"fan_speed", "medium"}, {"pm25", 69}});
    REQUIRE(settle([&] { return commands_to(home.mqtt, kPurifier).size() == 2; }));
    CHECK(commands_to(home.mqtt, kPurifier)[1] ["fan_speed"] == "low");
    report_purifier(home, {{"on", true}, {"mode", "manual"}, {"fan_speed", "low"}, {"pm25", 40}});

    // Pollen season now, and Mia is allergic to pollen: one step up.
    const auto month = static_cast<unsigned>(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(
                                                 std::chrono::system_clock::now() + std::chrono::hours(8))).month());
    REQUIRE(home.put("/api/v1/care", {{"air", {{"pollen_months", {month}}}}}).status == 200);
    report_purifier(home, {{"on", true}, {"mode", "manual"}, {"fan_speed", "low"}, {"pm25", 41}});
    REQUIRE(settle([&] { return commands_to(home.mqtt, kPurifier).size() == 3; }));
    CHECK(commands_to(home.mqtt, kPurifier)[2]["fan_speed"] == "medium");
    const auto why = home.get("/api/v1/care").json()["programs"]["air"]["purifiers"][0]["why"]["en"].get<std::string>();
    CHECK(why.find("pollen allergy") != std::string::npos);

    // Switched off for the home: readings change nothing.
    REQUIRE(home.put("/api/v1/care", {{"air", {{"enabled", false}}}}).status == 200);
    report_purifier(home, {{"on", true}, {"mode", "manual"}, {"fan_speed", "medium"}, {"pm25", 200}});
    report_purifier(home, {{"on", true}, {"mode", "manual"}, {"fan_speed", "medium"}, {"pm25", 201}});
    CHECK(commands_to(home.mqtt, kPurifier).size() == 3);
    // The settings were saved: they hold after a restart.
    home.restart();
    CHECK(home.get("/api/v1/care").json()["settings"]["air"]["enabled"] == false);
}

TEST_CASE("A notification reaches the live feed, MQTT and a webhook, and a failing webhook is retried and its failure shown") {
    SimHome home;
    WebhookReceiver receiver;
    const int closed_port = free_port();
    REQUIRE(home.put("/api/v1/care", {{"notifications", {{"quiet_hours", nullptr}}},
                                      {"webhooks", {{{"url", "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook"}},
                                                    {{"url", "http://127.0.0.1:" + std::to_string(closed_port) + "/down"},
                                                     {"attempts", 3}, {"backoff_ms", 50}}}}})
                .status == 200);
    WsClient ws(home.hub.port());
    ws.send({{"type", "auth"}, {"token", home.token()}});
    REQUIRE((*ws.receive())["type"] == "auth_ok");
    ws.send({{"id", 1}, {"type", "subscribe"}, {"events", {"notification"}}});
    REQUIRE(ws.receive_until([](const json& m) { return m["type"] == "result"; }));

    const auto sent = home.post("/api/v1/care/notifications", {{"text", {{"en", "Dinner is ready"}, {"zh", "开饭了"}}}});
    REQUIRE(sent.status == 202);
    CHECK(sent.json()["verdict"] == "delivered");
    const auto live = ws.receive_until([](const json& m) { return m["type"] == "notification"; });
    REQUIRE(live);
    CHECK((*live)["text"]["zh"] == "开饭了");
    CHECK(home.mqtt.wait_for("hearth/notify/household", "Dinner is ready"));
    REQUIRE(settle([&] { return receiver.bodies().size() == 1; }));
    CHECK(receiver.bodies()[0]["text"]["en"] == "Dinner is ready");

    // The failing receiver: three attempts, then failed, with the reason.
    json failed;
    REQUIRE(settle([&] {
        const auto latest = home.get("/api/v1/care/notifications").json()["notifications"][0];
        for (const auto& d : latest["deliveries"])
            if (d["channel"] == "webhook" && d["status"] == "failed") failed = d;
        return !failed.is_null();
    }));
    CHECK(failed["attempts"] == 3);
    CHECK(failed["error"].get<std::string>().find("connect") != std::string::npos);
    CHECK(home.get("/api/v1/care").json()["notifications"]["webhook_failures"] == 1);

    // The same again at once: a duplicate, delivered nowhere.
    CHECK(home.post("/api/v1/care/notifications", {{"text", {{"en", "Dinner is ready"}, {"zh", "开饭了"}}}}).json()["verdict"] == "duplicate");
    CHECK(receiver.bodies().size() == 1);
}

TEST_CASE("Quiet hours hold a comfort message until they end and let a safety alert through") {
    Broker broker;
    const auto data = make_temp_dir("hearth-care");
    RunningHub hub(broker, data, kDemoHome);
    hub.config().clock_speed = 120;  // two hub minutes a second
    hub.restart();
    const auto put = [&](const json& body) {
        return http_request(hub.port(), "PUT", "/api/v1/care", body.dump(),
                            {{"Authorization", "Bearer " + hub.token()}, {"Content-Type", "application/json"}});
    };
    const auto post = [&](const json& body) { return http_post(hub.port(), "/api/v1/care/notifications", body.dump(), hub.token()); };
    // Quiet from a few minutes ago to a few hub minutes from now (the hub's clock runs ahead).
    const int now = demo_local_minutes();
    REQUIRE(put({{"notifications", {{"quiet_hours", {{"from", hh_mm(now - 5)}, {"to", hh_mm(now + 8)}}}}}}).status == 200);

    const auto comfort = post({{"text", "The air is clean again"}});
    REQUIRE(comfort.status == 202);
    CHECK(comfort.json()["verdict"] == "held");
    const auto alarm = post({{"text", "The front door opened while no one is home"}, {"urgency", "safety"}});
    CHECK(alarm.json()["verdict"] == "delivered");

    const auto verdict_of = [&](const std::string& text) {
        const auto list = http_get(hub.port(), "/api/v1/care/notifications", hub.token()).json()["notifications"];
        for (const auto& n : list)
            if (n["text"]["en"] == text) return n["verdict"].get<std::string>();
        return std::string();
    };
    CHECK(verdict_of("The air is clean again") == "held");
    // The quiet hours end (a few seconds of real time): the held message goes out.
    CHECK(settle([&] { return verdict_of("The air is clean again") == "delivered"; }, std::chrono::seconds(20)));
    hub.stop();
    std::filesystem::remove_all(data);
}

TEST_CASE("Bad household and care settings are refused naming the field and change nothing") {
    SimHome home;
    const auto before = home.get("/api/v1/household").json();
    CHECK(before["people"].size() == 3);  // the demo household, seeded from the home file
    auto bad = home.put("/api/v1/household", {{"people", {{{"id", "mia"}, {"name", "Mia"}, {"role", "toddler"}}}}});
    CHECK(bad.status == 422);
    CHECK(bad.json()["error"]["field"] == "people[0].role");
    bad = home.put("/api/v1/household", {{"people", {{{"id", "mia"}, {"name", "Mia"}, {"presence", {"no.such_device"}}}}}});
    CHECK(bad.json()["error"]["field"] == "people[0].presence[0]");
    CHECK(home.get("/api/v1/household").json() == before);

    bad = home.put("/api/v1/care", {{"air", {{"curve", {{{"pm25", 80}, {"level", "low"}}, {{"pm25", 40}, {"level", "high"}}}}}}});
    CHECK(bad.status == 422);
    CHECK(bad.json()["error"]["field"] == "air.curve[1]");
    CHECK(home.put("/api/v1/care", {{"webhooks", {{{"url", "ftp://x/"}}}}}).json()["error"]["field"] == "webhooks[0].url");
    CHECK(home.post("/api/v1/care/notifications", {{"text", "hi"}, {"person", "nobody"}}).json()["error"]["field"] == "person");

    const json people{{"people", {{{"id", "bo"}, {"name", "Bo"}, {"role", "elder"}, {"allergies", {"dust"}}, {"bedtime", "21:30"}}}}};
    REQUIRE(home.put("/api/v1/household", people).status == 200);
    home.restart();
    const auto after = home.get("/api/v1/household").json();
    REQUIRE(after["people"].size() == 1);
    CHECK(after["people"][0]["role"] == "elder");
}

TEST_CASE("The hub asks through a speaker, and yes starts sleep music and dims the lights, no and silence change nothing") {
    SimHome home;
    SimFleet fleet(home.broker, {"bedroom.speaker", "bedroom.ceiling_light", "bedroom.bedside_lamp", "bedroom.ac", "bedroom.curtain"});
    for (const char* id : {"bedroom.speaker", "bedroom.ceiling_light", "bedroom.bedside_lamp", "bedroom.ac", "bedroom.curtain"})
        REQUIRE(home.online(id));
    REQUIRE(home.post("/api/v1/devices/bedroom.ceiling_light/commands", {{"on", true}, {"brightness", 80}}).status == 202);
    REQUIRE(home.state_becomes("bedroom.ceiling_light", [](const json& s) { return s["on"] == true; }));

    const std::string question = "已经很晚了，该休息了，要我放点助眠音乐吗？";
    const json ask{{"speaker", "bedroom.speaker"}, {"text", {{"zh", question}, {"en", "It is late. Shall I play some sleep music?"}}},
                   {"timeout_s", 60}, {"scene_on_yes", "sleep"}};
    const auto asked = home.post("/api/v1/care/ask", ask);
    REQUIRE(asked.status == 202);
    CHECK(asked.json()["question"]["outcome"] == "waiting");
    // The speaker says it (the simulator shows it in `said`); a second question on it must wait.
    CHECK(home.state_becomes("bedroom.speaker", [&](const json& s) { return s.value("said", "") == question; }));
    CHECK(home.post("/api/v1/care/ask", ask).json()["error"]["field"] == "speaker");

    // Something else said meanwhile is an ordinary request for the assistant, not the answer.
    home.mqtt.publish("hearth/assist/bedroom.speaker/text", "现在几点");
    CHECK(home.mqtt.wait_for("hearth/assist/bedroom.speaker/response"));
    CHECK(home.get("/api/v1/care").json()["questions"][0]["outcome"] == "waiting");

    home.mqtt.clear();
    home.mqtt.publish("hearth/assist/bedroom.speaker/text", "好");
    const auto reply = home.mqtt.wait_for("hearth/assist/bedroom.speaker/response", "\"answer\":\"yes\"");
    REQUIRE(reply);
    CHECK(home.get("/api/v1/care").json()["questions"][0]["outcome"] == "yes");
    CHECK(home.state_becomes("bedroom.speaker", [](const json& s) { return s["playback"] == "playing" && s["media"] == "sleep_music"; }));
    CHECK(home.state_becomes("bedroom.ceiling_light", [](const json& s) { return s["on"] == false; }));
    CHECK(home.state_becomes("bedroom.bedside_lamp", [](const json& s) { return s["on"] == true && s["brightness"] == 10; },
                             std::chrono::seconds(15)));

    // "不用了": no scene; the speaker keeps what it was doing.
    REQUIRE(home.post("/api/v1/devices/bedroom.speaker/commands", {{"playback", "paused"}}).status == 202);
    REQUIRE(home.state_becomes("bedroom.speaker", [](const json& s) { return s["playback"] == "paused"; }));
    REQUIRE(home.post("/api/v1/care/ask", ask).status == 202);
    home.mqtt.publish("hearth/assist/bedroom.speaker/text", "不用了");
    REQUIRE(home.mqtt.wait_for("hearth/assist/bedroom.speaker/response", "\"answer\":\"no\""));
    CHECK(home.get("/api/v1/care").json()["questions"][0]["outcome"] == "no");
    CHECK(home.state("bedroom.speaker")["playback"] == "paused");

    // No answer in time: the question times out.
    auto quick = ask;
    quick["timeout_s"] = 1;
    REQUIRE(home.post("/api/v1/care/ask", quick).status == 202);
    CHECK(settle([&] { return home.get("/api/v1/care").json()["questions"][0]["outcome"] == "timed_out"; }));

    // A device that cannot speak, and bad fields, are refused naming the field.
    CHECK(home.post("/api/v1/care/ask", {{"speaker", "bedroom.ac"}, {"text", "hi"}}).json()["error"]["field"] == "speaker");
    CHECK(home.post("/api/v1/care/ask", {{"speaker", "bedroom.speaker"}, {"text", "hi"}, {"timeout_s", 0}}).json()["error"]["field"] == "timeout_s");
}
