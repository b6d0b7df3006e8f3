// WebSocket messages (/api/v1/ws) through the hub's LiveFeed, before and after authentication, with
// the request types the hub adds (command, conversation, activate) reading their bodies as it does.
// Input: messages, one per line; {"type":"auth","token":"hth_fuzz"} authenticates.
// Invariants: no message's handling throws (LiveFeed counts those as internal errors), and an
// authenticated client gets exactly one answer per message.
#include <memory>
#include <nlohmann/json.hpp>

#include "assist/conversation_request.hpp"
#include "fuzz/support.hpp"
#include "hub/live_feed.hpp"
#include "hub/request_bodies.hpp"
#include "hub/router.hpp"
#include "proto/json.hpp"

namespace {

using namespace hearth;

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

nlohmann::json answer(const proto::Error& error) { return {{"error", hub::error_json(error)}}; }

void add_hub_requests(hub::LiveFeed& feed) {
    feed.add_request("command", hub::Scope::control, [](const nlohmann::json& request, const std::string&, hub::LiveFeed::Respond respond) {
        const auto wanted = hub::command_request_from_json(request);
        if (!wanted) return respond(answer(wanted.error()));
        respond({{"device", wanted->device.value}, {"set", proto::to_json(wanted->command.set)}});
    });
    feed.add_request("conversation", hub::Scope::control, [](const nlohmann::json& request, const std::string&, hub::LiveFeed::Respond respond) {
        const auto wanted = assist::conversation_request_from_json(request);
        if (!wanted) return respond(answer(wanted.error()));
        respond({{"text", wanted->text}});
    });
    feed.add_request("activate", hub::Scope::control, [](const nlohmann::json& request, const std::string&, hub::LiveFeed::Respond respond) {
        const auto scene = proto::required_string(request, "scene");
        if (!scene) return respond(answer(scene.error()));
        const auto transition = proto::optional_number(request, "transition");
        if (!transition) return respond(answer(transition.error()));
        respond({{"scene", *scene}});
    });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto registry = fuzz::demo_registry();
    hub::Tokens tokens;
    tokens.add({"tok_fuzz", "fuzz", hub::Scope::admin, hub::sha256_hex("hth_fuzz"), {}});
    hub::ClientGuard guard;
    // No message rate: a fuzz input is a burst, and every message should reach the handlers.
    hub::LiveFeed feed(tokens, guard, registry, [](std::chrono::milliseconds, std::function<void()>) {},
                       hub::LiveLimits{.messages_per_second = 0});
    add_hub_requests(feed);

    auto client = std::make_shared<RecordingClient>();
    feed.opened(client);
    bool authenticated = false;
    for (const auto line : fuzz::lines(fuzz::as_text(data, size))) {
        const auto before = client->sent.size();
        feed.message(client, std::string(line));
        fuzz::require(feed.internal_errors() == 0, "no WebSocket message's handling throws");
        if (authenticated) fuzz::require(client->sent.size() == before + 1, "one answer per message");
        if (client->closed) {
            // The server drops a closed connection; the next line comes on a new one.
            feed.closed(client.get(), false);
            client = std::make_shared<RecordingClient>();
            feed.opened(client);
            authenticated = false;
        } else if (!authenticated && client->sent.size() > before) {
            authenticated = true;
        }
    }
    feed.closed(client.get(), false);
    return 0;
}
