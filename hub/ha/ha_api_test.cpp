#include "hub/ha/ha_api.hpp"

#include <catch2/catch.hpp>

#include "proto/device.hpp"

using namespace hearth;
using namespace hearth::hub;
using namespace hearth::hub::ha;
using nlohmann::json;

namespace {

class RecordingClient final : public LiveClient {
public:
    void send(std::string text) override { sent.push_back(json::parse(text)); }
    void close(std::string reason, CloseCode code) override {
        closed = reason;
        close_code = code;
    }
    const std::string& remote() const override { return remote_; }

    std::vector<json> sent;
    std::string closed;
    CloseCode close_code = CloseCode::policy_violation;

private:
    std::string remote_ = "192.0.2.7";
};

struct Home {
    Home() {
        auto light = proto::description_from_json({{"id", "bedroom.lamp"}, {"name", "lamp"}, {"area", "bedroom"},
                                                   {"kind", "light"}, {"capabilities", {"on", "brightness"}}});
        REQUIRE(light.has_value());
        registry.upsert(*light);
        REQUIRE(registry.set_availability(proto::DeviceId{"bedroom.lamp"}, devices::Availability::online).has_value());
        REQUIRE(registry.apply_state(proto::DeviceId{"bedroom.lamp"}, {{"on", false}, {"brightness", 50.0}}).has_value());
        tokens.add({"tok_owner", "owner", Scope::admin, sha256_hex("hth_owner"), {}});
        tokens.add({"tok_viewer", "viewer", Scope::read, sha256_hex("hth_viewer"), {}});
        api.start();
    }

    json say(RecordingClient& client, json message) {
        const auto before = client.sent.size();
        api.message(std::static_pointer_cast<LiveClient>(shared(client)), message.dump());
        REQUIRE(client.sent.size() > before);
        return client.sent[before];
    }
    std::shared_ptr<RecordingClient> connect(const std::string& secret) {
        auto client = std::make_shared<RecordingClient>();
        clients.push_back(client);
        api.opened(client);
        say(*client, {{"type", "auth"}, {"access_token", secret}});
        return client;
    }
    std::shared_ptr<RecordingClient> shared(RecordingClient& client) {
        for (auto& c : clients) {
            if (c.get() == &client) return c;
        }
        FAIL("unknown client");
        return nullptr;
    }

    devices::Registry registry;
    Tokens tokens;
    ClientGuard guard;
    scenes::Place place{31.23, 121.47, 480};
    std::vector<std::pair<proto::DeviceId, proto::Command>> sent;
    std::vector<proto::Context> causes;
    int next_context = 0;
    std::vector<std::shared_ptr<RecordingClient>> clients;
    HaApi api{HaLinks{tokens, guard, registry, [] { return WallTime(std::chrono::seconds(1'780'000'000)); },
                      [this]() -> const scenes::Place& { return place; },
                      [this](const proto::DeviceId& device, proto::Command command, const proto::Context& cause)
                          -> proto::Result<proto::Command> {
                          command.context_id = cause.id;
                          sent.emplace_back(device, command);
                          causes.push_back(cause);
                          return command;
                      },
                      [](const json& request) -> proto::Result<json> {
                          return proto::Result<json>(
                              boost::system::in_place_value,
                              json{{"understood", true}, {"speech", "OK: " + request.value("text", "")},
                                   {"commands", json::array({{{"device", "bedroom.lamp"}, {"set", {{"on", true}}}}})}});
                      },
                      [](std::chrono::milliseconds, std::function<void()>) {},
                      [this] { return "ctx" + std::to_string(++next_context); }, 0, 0}};
};

}  // namespace

TEST_CASE("The Home Assistant WebSocket asks for auth and takes a Hearth token as the access token") {
    Home home;
    const auto client = home.connect("hth_owner");
    REQUIRE(client->sent.size() == 2);
    CHECK(client->sent[0] == json{{"type", "auth_required"}, {"ha_version", kHaVersion}});
    CHECK(client->sent[1] == json{{"type", "auth_ok"}, {"ha_version", kHaVersion}});
    CHECK(client->closed.empty());
}

TEST_CASE("A bad access token gets auth_invalid, closes, and counts against the address") {
    Home home;
    const auto client = home.connect("hth_wrong");
    CHECK(client->sent.back()["type"] == "auth_invalid");
    CHECK_FALSE(client->closed.empty());
    CHECK(home.guard.stats().bad_tokens == 1);
}

TEST_CASE("A locked-out address gets auth_invalid and is told to try again later") {
    Home home;
    for (int i = 0; i < 10; ++i) home.connect("hth_wrong");
    const auto client = home.connect("hth_owner");
    CHECK(client->sent.back()["type"] == "auth_invalid");
    CHECK(client->close_code == CloseCode::try_again_later);
}

TEST_CASE("get_states, get_config and the registry lists answer with the result under the message's id") {
    Home home;
    const auto client = home.connect("hth_owner");
    auto r = home.say(*client, {{"id", 1}, {"type", "get_states"}});
    CHECK(r["id"] == 1);
    CHECK(r["success"] == true);
    REQUIRE(r["result"].size() == 1);
    CHECK(r["result"][0]["entity_id"] == "light.bedroom_lamp");
    CHECK(r["result"][0]["state"] == "off");
    CHECK(r["result"][0]["context"]["id"] == "ctx1");
    r = home.say(*client, {{"id", 2}, {"type", "get_config"}});
    CHECK(r["result"]["time_zone"] == "Etc/GMT-8");
    CHECK(r["result"]["latitude"] == 31.23);
    r = home.say(*client, {{"id", 3}, {"type", "config/entity_registry/list"}});
    CHECK(r["result"][0]["device_id"] == "bedroom.lamp");
    r = home.say(*client, {{"id", 4}, {"type", "config/device_registry/list"}});
    CHECK(r["result"][0]["area_id"] == "bedroom");
    r = home.say(*client, {{"id", 5}, {"type", "ping"}});
    CHECK(r == json{{"id", 5}, {"type", "pong"}});
}

TEST_CASE("An unknown command or a message without an integer id is refused in Home Assistant's shape") {
    Home home;
    const auto client = home.connect("hth_owner");
    auto r = home.say(*client, {{"id", 7}, {"type", "frontend/get_panels"}});
    CHECK(r["success"] == false);
    CHECK(r["error"]["code"] == "unknown_command");
    r = home.say(*client, {{"id", "seven"}, {"type", "get_states"}});
    CHECK(r["error"]["code"] == "invalid_format");
    CHECK(client->closed.empty());
}

TEST_CASE("call_service sends the command with the call's context and a read token cannot call") {
    Home home;
    const auto owner = home.connect("hth_owner");
    auto r = home.say(*owner, {{"id", 1}, {"type", "call_service"}, {"domain", "light"}, {"service", "turn_on"},
                               {"service_data", {{"brightness_pct", 40}}}, {"target", {{"entity_id", "light.bedroom_lamp"}}}});
    CHECK(r["success"] == true);
    REQUIRE(home.sent.size() == 1);
    CHECK(home.sent[0].first.value == "bedroom.lamp");
    CHECK(home.sent[0].second.set == proto::Attributes{{"on", true}, {"brightness", 40.0}});
    CHECK(r["result"]["context"]["id"] == home.causes[0].id);
    CHECK(home.causes[0].cause == proto::Cause::app);
    CHECK(home.causes[0].source == "owner");

    const auto viewer = home.connect("hth_viewer");
    r = home.say(*viewer, {{"id", 1}, {"type", "call_service"}, {"domain", "light"}, {"service", "turn_off"},
                           {"target", {{"entity_id", "light.bedroom_lamp"}}}});
    CHECK(r["success"] == false);
    CHECK(r["error"]["code"] == "unauthorized");
    CHECK(home.sent.size() == 1);
}

TEST_CASE("call_service with a bad field or an unknown entity sends nothing") {
    Home home;
    const auto owner = home.connect("hth_owner");
    auto r = home.say(*owner, {{"id", 1}, {"type", "call_service"}, {"domain", "light"}, {"service", "turn_on"},
                               {"service_data", {{"brightness_pct", 400}}}, {"target", {{"entity_id", "light.bedroom_lamp"}}}});
    CHECK(r["error"]["code"] == "service_validation_error");
    r = home.say(*owner, {{"id", 2}, {"type", "call_service"}, {"domain", "light"}, {"service", "turn_on"},
                          {"target", {{"entity_id", json::array({"light.bedroom_lamp", "light.nowhere"})}}}});
    CHECK(r["error"]["code"] == "not_found");
    CHECK(home.sent.empty());
}

TEST_CASE("subscribe_entities sends all entities, then compressed diffs; subscribe_events sends state_changed") {
    Home home;
    const auto client = home.connect("hth_owner");
    auto r = home.say(*client, {{"id", 1}, {"type", "subscribe_entities"}});
    CHECK(r["success"] == true);
    const auto initial = client->sent.back();
    CHECK(initial["id"] == 1);
    CHECK(initial["event"]["a"]["light.bedroom_lamp"]["s"] == "off");
    home.say(*client, {{"id", 2}, {"type", "subscribe_events"}, {"event_type", "state_changed"}});

    const auto lamp = proto::DeviceId{"bedroom.lamp"};
    const auto update = home.registry.apply_state(lamp, {{"on", true}}, "ctx_cmd");
    REQUIRE(update.has_value());
    const auto before = client->sent.size();
    home.api.state_changed(update->changes.at(0), proto::Context{"ctx_cmd", "", proto::Cause::app, "owner"},
                           WallTime(std::chrono::seconds(1'780'000'100)));
    REQUIRE(client->sent.size() == before + 2);
    const auto diff = client->sent[before];
    CHECK(diff["id"] == 1);
    CHECK(diff["event"]["c"]["light.bedroom_lamp"]["+"]["s"] == "on");
    CHECK(diff["event"]["c"]["light.bedroom_lamp"]["+"]["c"] == "ctx_cmd");
    const auto event = client->sent[before + 1];
    CHECK(event["id"] == 2);
    CHECK(event["event"]["event_type"] == "state_changed");
    CHECK(event["event"]["data"]["old_state"]["state"] == "off");
    CHECK(event["event"]["data"]["new_state"]["state"] == "on");
    CHECK(event["event"]["data"]["new_state"]["last_changed"] == "2026-05-28T20:28:20.000000+00:00");

    r = home.say(*client, {{"id", 3}, {"type", "unsubscribe_events"}, {"subscription", 1}});
    CHECK(r["success"] == true);
    r = home.say(*client, {{"id", 4}, {"type", "unsubscribe_events"}, {"subscription", 1}});
    CHECK(r["error"]["code"] == "not_found");
}

TEST_CASE("conversation/process answers in Home Assistant's conversation shape") {
    Home home;
    const auto client = home.connect("hth_owner");
    const auto r = home.say(*client, {{"id", 1}, {"type", "conversation/process"}, {"text", "turn on the lamp"}, {"language", "en-US"}});
    REQUIRE(r["success"] == true);
    CHECK(r["result"]["response"]["response_type"] == "action_done");
    CHECK(r["result"]["response"]["speech"]["plain"]["speech"] == "OK: turn on the lamp");
    CHECK(r["result"]["response"]["data"]["success"][0]["id"] == "light.bedroom_lamp");
    CHECK(r["result"]["continue_conversation"] == false);
}
