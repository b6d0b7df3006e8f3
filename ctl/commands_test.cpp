#include "ctl/commands.hpp"

#include <catch2/catch.hpp>
#include <deque>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace hearth::ctl;
using nlohmann::json;

namespace {

/// Answers calls from a script and remembers them; its WebSocket plays back queued messages.
class FakeApi final : public Api {
  public:
    std::vector<HttpCall> calls;
    std::deque<HttpAnswer> answers;
    std::vector<std::string> sent;
    std::deque<std::string> incoming;

    Result<HttpAnswer> call(const HttpCall& call) override {
        calls.push_back(call);
        if (answers.empty()) return Failure{Exit::unreachable, "no answer scripted"};
        auto answer = answers.front();
        answers.pop_front();
        return answer;
    }

    Result<std::unique_ptr<EventStream>> open_events() override {
        return std::unique_ptr<EventStream>(std::make_unique<Stream>(*this));
    }

    std::string bearer_token() const override { return "hth_test"; }

  private:
    struct Stream final : EventStream {
        explicit Stream(FakeApi& api) : api(api) {}
        FakeApi& api;
        Result<void> send(const std::string& text) override {
            api.sent.push_back(text);
            return {};
        }
        Result<std::optional<std::string>> receive(
            std::optional<std::chrono::steady_clock::time_point>) override {
            if (api.incoming.empty()) return std::optional<std::string>();
            auto next = api.incoming.front();
            api.incoming.pop_front();
            return std::optional<std::string>(next);
        }
    };
};

struct Run {
    Exit exit;
    std::string out;
    std::string err;
};

Run run(FakeApi& api, const std::vector<std::string>& words, const std::string& input = {}) {
    auto line = parse_command_line(words);
    REQUIRE(line.has_value());
    std::ostringstream out, err;
    std::istringstream in(input);
    const Console console{out, err, in, std::chrono::minutes(0)};
    const auto exit = run_command(*line, api, console);
    return {exit, out.str(), err.str()};
}

HttpAnswer ok(const json& body, int status = 200) {
    return {status, body.dump(), "application/json"};
}

}  // namespace

TEST_CASE("set posts the key=value words as the command body, transition included") {
    FakeApi api;
    api.answers.push_back(ok(
        {{"device", "bedroom.ceiling_light"}, {"set", {{"on", true}}}, {"context_id", "c"}}, 202));
    const auto r =
        run(api, {"set", "bedroom.ceiling_light", "on", "brightness=30", "--transition", "2"});
    CHECK(r.exit == Exit::ok);
    REQUIRE(api.calls.size() == 1);
    CHECK(api.calls[0].method == "POST");
    CHECK(api.calls[0].target == "/api/v1/devices/bedroom.ceiling_light/commands");
    CHECK(json::parse(api.calls[0].body) ==
          json{{"on", true}, {"brightness", 30}, {"transition", 2.0}});
    CHECK(r.out.find("sent to bedroom.ceiling_light") != std::string::npos);
}

TEST_CASE(
    "An API error is printed with its code, message and field, and the exit code follows the "
    "status") {
    FakeApi api;
    const json error{{"error",
                      {{"code", "out_of_range"},
                       {"message", "brightness 150 is outside 0–100 %"},
                       {"field", "brightness"}}}};
    api.answers.push_back({422, error.dump(), "application/json"});
    auto r = run(api, {"command", "bedroom.ceiling_light", "{\"brightness\":150}"});
    CHECK(r.exit == Exit::refused);
    CHECK(r.err ==
          "hearthctl: the hub answered HTTP 422 out_of_range: brightness 150 is outside 0–100 % "
          "(field brightness)\n");
    api.answers.push_back(
        {404, json{{"error", {{"code", "unknown_device"}, {"message", "no device x"}}}}.dump(),
         ""});
    CHECK(run(api, {"device", "x"}).exit == Exit::not_found);
    api.answers.push_back(
        {401, json{{"error", {{"code", "unauthorized"}, {"message", "bad token"}}}}.dump(), ""});
    CHECK(run(api, {"tokens"}).exit == Exit::unauthorized);
}

TEST_CASE("A connection failure is printed and ends with the unreachable exit code") {
    FakeApi api;
    const auto r = run(api, {"devices"});
    CHECK(r.exit == Exit::unreachable);
    CHECK(r.err == "hearthctl: no answer scripted\n");
}

TEST_CASE("devices pages through the whole list and passes the filters on, encoded") {
    FakeApi api;
    api.answers.push_back(ok({{"devices", json::array({{{"id", "a"}}})}, {"total", 2}}));
    api.answers.push_back(ok({{"devices", json::array({{{"id", "b"}}})}, {"total", 2}}));
    const auto r = run(api, {"devices", "--area", "living room", "--json"});
    CHECK(r.exit == Exit::ok);
    REQUIRE(api.calls.size() == 2);
    CHECK(api.calls[0].target == "/api/v1/devices?limit=5000&offset=0&area=living%20room");
    CHECK(api.calls[1].target == "/api/v1/devices?limit=5000&offset=1&area=living%20room");
    CHECK(json::parse(r.out)["devices"].size() == 2);
}

TEST_CASE("rule create reads YAML from standard input and posts it as JSON") {
    FakeApi api;
    api.answers.push_back(ok({{"id", "night"}}, 201));
    const auto r = run(api, {"rule", "create", "-"},
                       "id: night\ntriggers:\n  - {webhook: w}\nactions:\n  - {notify: hi}\n");
    CHECK(r.exit == Exit::ok);
    CHECK(r.out == "created rule night\n");
    const auto body = json::parse(api.calls.at(0).body);
    CHECK(body["id"] == "night");
    CHECK(body["triggers"][0]["webhook"] == "w");
}

TEST_CASE("A rule file that is not one object is refused before anything is sent") {
    FakeApi api;
    const auto r = run(api, {"rule", "create", "-"}, "- a\n- b\n");
    CHECK(r.exit == Exit::usage);
    CHECK(api.calls.empty());
}

TEST_CASE("say sends the words as one text with the area and dry-run flag") {
    FakeApi api;
    api.answers.push_back(
        ok({{"understood", true}, {"speech", "好的，晚安"}, {"commands", json::array()}}));
    const auto r = run(api, {"say", "我困了", "--area", "bedroom", "--dry-run"});
    CHECK(r.exit == Exit::ok);
    CHECK(json::parse(api.calls.at(0).body) ==
          json{{"text", "我困了"}, {"area", "bedroom"}, {"dry_run", true}});
    CHECK(r.out.starts_with("好的，晚安\n"));
}

TEST_CASE(
    "token create prints the secret alone on standard output and the note on standard error") {
    FakeApi api;
    api.answers.push_back(
        ok({{"id", "t9"}, {"name", "ci"}, {"scope", "read"}, {"secret", "hth_secret"}}, 201));
    const auto r = run(api, {"token", "create", "ci", "--scope", "read"});
    CHECK(r.exit == Exit::ok);
    CHECK(r.out == "hth_secret\n");
    CHECK(r.err.find("shown only this once") != std::string::npos);
    CHECK(run(api, {"token", "create", "x", "--scope", "root"}).exit == Exit::usage);
}

TEST_CASE("tail authenticates, subscribes with the filters and stops after --count messages") {
    FakeApi api;
    api.incoming = {
        R"({"type":"auth_ok","scope":"admin"})",
        R"({"id":1,"type":"result","success":true,"subscription":1})",
        R"({"type":"state","device":"d","attribute":"on","value":true,"old_value":false})",
        R"({"type":"state","device":"d","attribute":"brightness","value":30,"old_value":10})",
        R"({"type":"state","device":"d","attribute":"never","value":1,"old_value":0})"};
    const auto r =
        run(api, {"tail", "--device", "d", "--events", "state", "--count", "2", "--timeout", "5"});
    CHECK(r.exit == Exit::ok);
    REQUIRE(api.sent.size() == 2);
    CHECK(json::parse(api.sent[0]) == json{{"type", "auth"}, {"token", "hth_test"}});
    CHECK(json::parse(api.sent[1]) ==
          json{{"id", 1}, {"type", "subscribe"}, {"events", {"state"}}, {"devices", {"d"}}});
    CHECK(r.out == "state d on false -> true\nstate d brightness 10 -> 30\n");
    CHECK(api.incoming.size() == 1);
}

TEST_CASE(
    "tail ends with the timed-out code when fewer than --count messages came, and refuses a bad "
    "token") {
    FakeApi api;
    api.incoming = {R"({"type":"auth_ok"})", R"({"id":1,"type":"result","success":true})"};
    const auto r = run(api, {"tail", "--count", "3", "--timeout", "1"});
    CHECK(r.exit == Exit::timed_out);
    CHECK(r.err.find("0 of 3 messages") != std::string::npos);
    api.incoming = {R"({"type":"auth_failed","message":"bad token"})"};
    CHECK(run(api, {"tail"}).exit == Exit::unauthorized);
    CHECK(run(api, {"tail", "--events", "weather"}).exit == Exit::usage);
}

TEST_CASE("set --wait subscribes to the device's confirmations before sending, then waits for its context") {
    FakeApi api;
    api.incoming = {
        json{{"type", "auth_ok"}}.dump(),
        json{{"type", "result"}, {"id", 1}, {"success", true}, {"subscription", 1}}.dump(),
        json{{"type", "confirmation"}, {"device", "bedroom.ceiling_light"}, {"context_id", "other"}}.dump(),
        json{{"type", "confirmation"}, {"device", "bedroom.ceiling_light"}, {"context_id", "c7"}, {"latency_ms", 12.34}}.dump(),
    };
    api.answers.push_back(ok({{"device", "bedroom.ceiling_light"}, {"set", {{"on", true}}}, {"context_id", "c7"}}, 202));
    const auto r = run(api, {"set", "bedroom.ceiling_light", "on", "--wait", "--timeout", "5"});
    CHECK(r.exit == Exit::ok);
    REQUIRE(api.sent.size() == 2);
    const auto subscribe = json::parse(api.sent[1]);
    CHECK(subscribe["events"] == json{"confirmation"});
    CHECK(subscribe["devices"] == json{"bedroom.ceiling_light"});
    REQUIRE(api.calls.size() == 1);
    CHECK(api.calls[0].target == "/api/v1/devices/bedroom.ceiling_light/commands");
    CHECK(r.out.find("sent to bedroom.ceiling_light") != std::string::npos);
    CHECK(r.out.find("confirmed by bedroom.ceiling_light in 12.3 ms") != std::string::npos);
}

TEST_CASE("command --wait ends with the timed-out exit code when no confirmation comes") {
    FakeApi api;
    api.incoming = {
        json{{"type", "auth_ok"}}.dump(),
        json{{"type", "result"}, {"id", 1}, {"success", true}, {"subscription", 1}}.dump(),
    };
    api.answers.push_back(ok({{"device", "hall.light"}, {"set", {{"on", true}}}, {"context_id", "c8"}}, 202));
    const auto r = run(api, {"command", "hall.light", "{\"on\":true}", "--wait", "--timeout", "0.5"});
    CHECK(r.exit == Exit::timed_out);
    CHECK(r.err == "hearthctl: hall.light did not confirm the command (context c8) within 0.5 s\n");
}

TEST_CASE("set --wait with --json prints the answer once, marked confirmed") {
    FakeApi api;
    api.incoming = {
        json{{"type", "auth_ok"}}.dump(),
        json{{"type", "result"}, {"id", 1}, {"success", true}, {"subscription", 1}}.dump(),
        json{{"type", "confirmation"}, {"device", "hall.light"}, {"context_id", "c9"}, {"latency_ms", 3}}.dump(),
    };
    api.answers.push_back(ok({{"device", "hall.light"}, {"set", {{"on", false}}}, {"context_id", "c9"}}, 202));
    const auto r = run(api, {"--json", "set", "hall.light", "off", "--wait"});
    CHECK(r.exit == Exit::ok);
    const auto printed = json::parse(r.out);
    CHECK(printed["confirmed"] == true);
    CHECK(printed["latency_ms"] == 3.0);
    CHECK(printed["context_id"] == "c9");
}

TEST_CASE("A refused command with --wait is a refusal, not a wait") {
    FakeApi api;
    api.incoming = {
        json{{"type", "auth_ok"}}.dump(),
        json{{"type", "result"}, {"id", 1}, {"success", true}, {"subscription", 1}}.dump(),
    };
    api.answers.push_back({503, json{{"status", "refused"}, {"error", {{"code", "broker_unavailable"}, {"message", "held 5 s"}}}}.dump(), ""});
    CHECK(run(api, {"set", "hall.light", "on", "--wait"}).exit == Exit::refused);
}

TEST_CASE("A timeout without --wait is a usage error") {
    FakeApi api;
    CHECK(run(api, {"set", "hall.light", "on", "--timeout", "3"}).exit == Exit::usage);
    CHECK(api.calls.empty());
}
