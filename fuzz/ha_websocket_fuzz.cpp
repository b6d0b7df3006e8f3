// Home Assistant WebSocket messages (/api/websocket) through the hub's HaApi, before and after
// authentication, over the demo home: every message type (get_states, get_config, get_services,
// subscribe_events, subscribe_entities, unsubscribe_events, call_service, conversation/process,
// the registry lists, ping), and service calls on every entity the demo projects.
// Input: messages, one per line; {"type":"auth","access_token":"hth_fuzz"} authenticates.
// Invariants: no message's handling throws, an authenticated client gets at least one answer per
// message and the first one carries the message's id (or null when it had none), and a refused
// call_service sends no command.
#include <memory>
#include <nlohmann/json.hpp>

#include "fuzz/support.hpp"
#include "hub/ha/ha_api.hpp"
#include "proto/json.hpp"

namespace {

using namespace hearth;
using nlohmann::json;

class RecordingClient final : public hub::LiveClient {
public:
    void send(std::string text) override { sent.push_back(std::move(text)); }
    void close(std::string, hub::CloseCode) override { closed = true; }
    const std::string& remote() const override { return remote_; }

    std::vector<std::string> sent;
    bool closed = false;

private:
    std::string remote_ = "192.0.2.1";
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto registry = fuzz::demo_registry();
    static const scenes::Place place(31.23, 121.47, 480);
    hub::Tokens tokens;
    tokens.add({"tok_fuzz", "fuzz", hub::Scope::admin, hub::sha256_hex("hth_fuzz"), {}});
    hub::ClientGuard guard;
    std::size_t commands = 0;
    int contexts = 0;
    hub::ha::HaApi api(hub::ha::HaLinks{
        tokens, guard, registry, [] { return hub::ha::WallTime(std::chrono::seconds(1'780'000'000)); },
        []() -> const scenes::Place& { return place; },
        [&](const proto::DeviceId& device, proto::Command command, const proto::Context&) -> proto::Result<proto::Command> {
            // As the hub does: the registry checks the command before it is sent.
            auto valid = registry.validate(device, command);
            if (valid) ++commands;
            return valid;
        },
        [](const json& request) -> proto::Result<json> {
            return proto::Result<json>(boost::system::in_place_value,
                                       json{{"understood", false}, {"speech", request.value("text", "")}});
        },
        [](std::chrono::milliseconds, std::function<void()>) {}, [&] { return "ctx" + std::to_string(++contexts); }, 0, 0});
    api.start();

    auto client = std::make_shared<RecordingClient>();
    api.opened(client);
    bool authenticated = false;
    for (const auto line : fuzz::lines(fuzz::as_text(data, size))) {
        const auto before = client->sent.size();
        const auto commands_before = commands;
        api.message(client, std::string(line));
        fuzz::require(api.internal_errors() == 0, "no Home Assistant WebSocket message's handling throws");
        if (authenticated && !client->closed) {
            fuzz::require(client->sent.size() > before, "an answer to every message");
            const auto answer = json::parse(client->sent[before]);
            const auto request = proto::parse_json(line);
            if (request && request->is_object()) {
                const auto id = proto::optional_integer(*request, "id");
                if (id && *id) fuzz::require(answer["id"] == **id, "the answer carries the message's id");
            }
            if (answer.value("success", true) == false) fuzz::require(commands == commands_before, "a refused message sends no command");
        }
        if (client->closed) {
            api.closed(client.get(), false);
            client = std::make_shared<RecordingClient>();
            api.opened(client);
            authenticated = false;
        } else if (!authenticated && client->sent.size() > before) {
            authenticated = json::parse(client->sent.back()).value("type", "") == "auth_ok";
        }
    }
    api.closed(client.get(), false);
    return 0;
}
