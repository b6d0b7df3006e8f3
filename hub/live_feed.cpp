#include "hub/live_feed.hpp"

#include <algorithm>

#include "hub/log.hpp"
#include "hub/router.hpp"
#include "proto/json.hpp"
#include "proto/value.hpp"

namespace hearth::hub {

using proto::Errc;

namespace {

constexpr auto kAuthDeadline = std::chrono::seconds(10);

/// An optional list of names ("events", "devices", "areas"); absent or null is the empty set (all).
proto::Result<std::set<std::string>> string_set(const nlohmann::json& request, const char* field) {
    std::set<std::string> out;
    const auto it = request.find(field);
    if (it == request.end() || it->is_null()) return out;
    if (!it->is_array()) {
        return proto::make_error(Errc::invalid_field, std::string(field) + " must be a list of strings", field);
    }
    for (const auto& v : *it) {
        if (!v.is_string()) {
            return proto::make_error(Errc::invalid_field, std::string(field) + " must be a list of strings", field);
        }
        out.insert(v.get<std::string>());
    }
    return out;
}

}  // namespace

LiveFeed::LiveFeed(const Tokens& tokens, ClientGuard& guard, const devices::Registry& registry, Defer defer,
                   LiveLimits limits)
    : tokens_(tokens), guard_(guard), registry_(registry), defer_(std::move(defer)), limits_(limits) {}

void LiveFeed::add_request(std::string type, Scope scope, RequestHandler handler) {
    requests_[std::move(type)] = {scope, std::move(handler)};
}

void LiveFeed::opened(const std::shared_ptr<LiveClient>& client) {
    auto& state = clients_[client.get()];
    state = Client{};
    state.socket = client;
    defer_(kAuthDeadline, [this, weak = std::weak_ptr<LiveClient>(client)] {
        const auto socket = weak.lock();
        if (!socket) return;
        const auto it = clients_.find(socket.get());
        if (it != clients_.end() && !it->second.scope) socket->close("authentication timed out");
    });
}

class LiveFeed::FanOut {
public:
    explicit FanOut(LiveFeed& feed) : feed_(feed) { ++feed_.fan_outs_; }
    ~FanOut() {
        if (--feed_.fan_outs_ > 0) return;
        for (const auto* client : feed_.departed_) feed_.clients_.erase(client);
        feed_.departed_.clear();
    }
    FanOut(const FanOut&) = delete;
    FanOut& operator=(const FanOut&) = delete;

private:
    LiveFeed& feed_;
};

void LiveFeed::closed(const LiveClient* client, bool too_slow) {
    if (too_slow) ++slow_clients_dropped_;
    if (fan_outs_ == 0) {
        clients_.erase(client);
        return;
    }
    const auto it = clients_.find(client);
    if (it == clients_.end()) return;
    it->second.socket.reset();  // sends to it are no-ops from now on
    departed_.push_back(client);
}

std::string LiveFeed::serialise(const nlohmann::json& message) {
    return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string LiveFeed::with_subscription(const std::string& text, std::int64_t subscription) {
    // `text` is an object's serialisation: "{…}". The number goes in front of its first member.
    auto out = "{\"subscription\":" + std::to_string(subscription);
    if (text.size() > 2) out += ',';
    out.append(text, 1, std::string::npos);
    return out;
}

void LiveFeed::send(Client& client, const nlohmann::json& message) { send_text(client, serialise(message)); }

void LiveFeed::send_text(Client& client, std::string text) {
    const auto socket = client.socket.lock();
    if (!socket) return;
    ++messages_sent_;
    socket->send(std::move(text));
}

void LiveFeed::message(const std::shared_ptr<LiveClient>& socket, std::string text) {
    const auto it = clients_.find(socket.get());
    if (it == clients_.end()) return;
    const FanOut guard(*this);  // `client` stays valid even if an answer drops it
    auto& client = it->second;
    if (!admit(client, std::chrono::steady_clock::now())) {
        ++rate_limited_;
        const auto rate = std::to_string(static_cast<long>(limits_.messages_per_second));
        if (++client.refused_in_row > limits_.refused_before_close) {
            ++clients_dropped_;
            return socket->close("over " + rate + " messages per second");
        }
        return send(client, {{"type", "result"}, {"success", false},
                             {"error", error_json(proto::make_error(Errc::rate_limited, "over " + rate +
                                                                        " messages per second; this one was not handled"))}});
    }
    client.refused_in_row = 0;
    auto request = proto::parse_json(text);
    if (!request || !request->is_object()) {
        const auto error = request ? proto::make_error(Errc::bad_json, "a message is a JSON object") : request.error();
        return send(client, {{"type", "result"}, {"success", false}, {"error", error_json(error)}});
    }
    try {
        handle(client, socket, *request);
    } catch (const std::exception& e) {
        // A broken invariant in one message's handling ends that message, never the hub.
        ++internal_errors_;
        log::error("websocket message failed: {}", e.what());
        send(client, {{"id", request->value("id", nlohmann::json())}, {"type", "result"}, {"success", false},
                      {"error", error_json(proto::make_error(Errc::internal, "the message could not be handled"))}});
    }
}

void LiveFeed::handle(Client& client, const std::shared_ptr<LiveClient>& socket, const nlohmann::json& request) {
    const auto type = proto::required_string(request, "type");
    const auto id = request.value("id", nlohmann::json());
    const auto fail = [&](const proto::Error& e) {
        send(client, {{"id", id}, {"type", "result"}, {"success", false}, {"error", error_json(e)}});
    };

    if (!client.scope) return authenticate(client, socket, request);

    if (!type) return fail(type.error());
    if (*type == "ping") return send(client, {{"id", id}, {"type", "pong"}});
    if (*type == "subscribe") {
        auto kinds = string_set(request, "events");
        auto devices = string_set(request, "devices");
        auto areas = string_set(request, "areas");
        for (const auto* list : {&kinds, &devices, &areas}) {
            if (!*list) return fail(list->error());
        }
        if (client.subscriptions.size() >= limits_.max_subscriptions) {
            return fail(proto::make_error(Errc::payload_too_large,
                                          "at most " + std::to_string(limits_.max_subscriptions) +
                                              " subscriptions per connection; unsubscribe one first"));
        }
        Subscription s{std::move(*kinds), std::move(*devices), std::move(*areas)};
        for (const auto& kind : s.kinds) {
            if (kind != "state" && kind != "availability" && kind != "event" && kind != "trace" && kind != "notification" &&
                kind != "confirmation") {
                return fail(proto::make_error(Errc::invalid_field, "unknown event kind '" + kind + "'", "events"));
            }
        }
        const auto n = client.next_subscription++;
        client.subscriptions.emplace(n, std::move(s));
        return send(client, {{"id", id}, {"type", "result"}, {"success", true}, {"subscription", n}});
    }
    if (*type == "unsubscribe") {
        const auto n = proto::optional_integer(request, "subscription");
        if (!n) return fail(n.error());
        if (!*n) return fail(proto::make_error(Errc::invalid_field, "subscription is required", "subscription"));
        const auto found = client.subscriptions.find(**n);
        if (found == client.subscriptions.end()) {
            return fail(proto::make_error(Errc::not_found, "no subscription " + std::to_string(**n), "subscription"));
        }
        client.subscriptions.erase(found);
        return send(client, {{"id", id}, {"type", "result"}, {"success", true}});
    }
    const auto handler = requests_.find(*type);
    if (handler == requests_.end()) {
        return fail(proto::make_error(Errc::invalid_field, "unknown message type '" + *type + "'", "type"));
    }
    if (*client.scope < handler->second.first) {
        return fail(proto::make_error(Errc::forbidden, "'" + *type + "' needs the " +
                                                           std::string(to_string(handler->second.first)) + " scope"));
    }
    handler->second.second(request, client.caller, [this, weak = std::weak_ptr<LiveClient>(socket), id](nlohmann::json result) {
        const auto s = weak.lock();
        if (!s) return;
        const auto it = clients_.find(s.get());
        if (it == clients_.end()) return;
        result["id"] = id;
        result["type"] = "result";
        if (!result.contains("success")) result["success"] = !result.contains("error");
        send(it->second, result);
    });
}

bool LiveFeed::admit(Client& client, std::chrono::steady_clock::time_point now) {
    if (limits_.messages_per_second <= 0) return true;
    if (client.budget < 0) {
        client.budget = limits_.burst;
        client.refilled = now;
    }
    const double elapsed = std::chrono::duration<double>(now - client.refilled).count();
    client.budget = std::min(limits_.burst, client.budget + elapsed * limits_.messages_per_second);
    client.refilled = now;
    if (client.budget < 1) return false;
    client.budget -= 1;
    return true;
}

void LiveFeed::authenticate(Client& client, const std::shared_ptr<LiveClient>& socket, const nlohmann::json& request) {
    const auto now = std::chrono::steady_clock::now();
    const auto& address = socket->remote();
    if (const auto locked = guard_.locked_for(address, now); locked.count() > 0) {
        guard_.locked_refusal();
        ++clients_dropped_;
        const auto message = "too many bad tokens from " + address + "; try again in " + std::to_string(locked.count()) + " s";
        send(client, {{"type", "auth_failed"}, {"message", message}, {"retry_after", locked.count()}});
        return socket->close(message, CloseCode::try_again_later);
    }
    const auto type = proto::optional_string(request, "type");
    const auto secret = proto::optional_string(request, "token");
    const bool is_auth = type && *type == "auth";
    const auto* token = is_auth && secret && *secret ? tokens_.verify(**secret) : nullptr;
    if (!token) {
        // Only a token that was tried counts against the address; a wrong first message does not.
        if (is_auth) guard_.bad_token(address, now);
        send(client, {{"type", "auth_failed"}, {"message", "the first message must be {\"type\":\"auth\",\"token\":…} with a valid token"}});
        ++clients_dropped_;
        return socket->close("authentication failed");
    }
    guard_.good_token(address);
    client.scope = token->scope;
    client.caller = token->name;
    send(client, {{"type", "auth_ok"}, {"scope", to_string(token->scope)}});
}

bool LiveFeed::wants(const Subscription& s, const std::string& kind, const std::string& device) const {
    if (!s.kinds.empty() && !s.kinds.contains(kind)) return false;
    if (!s.devices.empty() && !s.devices.contains(device)) return false;
    if (!s.areas.empty()) {
        const auto* d = device.empty() ? nullptr : registry_.find(proto::DeviceId{device});
        if (!d || !s.areas.contains(d->description.area.value)) return false;
    }
    return true;
}

void LiveFeed::availability_changed(const devices::adapters::AvailabilityChange& change) {
    publish("availability", change.device.value, {{"availability", devices::to_string(change.after)}});
}

void LiveFeed::device_event(const devices::adapters::DeviceEvent& event) {
    auto body = proto::to_json(event.attributes);
    body["event"] = event.name;
    publish("event", event.device.value, {{"event", std::move(body)}});
}

void LiveFeed::command_confirmed(const proto::DeviceId& device, const std::string& context_id,
                                 std::chrono::nanoseconds latency) {
    publish("confirmation", device.value,
            {{"context_id", context_id}, {"latency_ms", std::chrono::duration<double, std::milli>(latency).count()}});
}

void LiveFeed::state_changed(const devices::StateChange& change, const proto::Context& cause,
                             std::chrono::system_clock::time_point at) {
    const auto time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    if (clients_.empty()) return;
    const FanOut fan_out(*this);
    std::optional<std::string> text;  // serialised once, for the first subscriber
    for (auto& [key, client] : clients_) {
        for (const auto& [n, subscription] : client.subscriptions) {
            if (!wants(subscription, "state", change.device.value)) continue;
            if (!text) {
                const auto* d = registry_.find(change.device);
                nlohmann::json message{{"type", "state"},
                                       {"device", change.device.value},
                                       {"area", d ? d->description.area.value : ""},
                                       {"attribute", change.attribute},
                                       {"value", proto::to_json(change.new_value)},
                                       {"old_value", proto::to_json(change.old_value)},
                                       {"version", change.version},
                                       {"time_ms", time_ms}};
                if (!change.context_id.empty()) message["context_id"] = change.context_id;
                message["context"] = proto::to_json(cause);
                text = serialise(message);
            }
            send_text(client, with_subscription(*text, n));
        }
    }
}

void LiveFeed::publish(const std::string& kind, const std::string& device, nlohmann::json body) {
    const FanOut fan_out(*this);
    std::optional<std::string> text;
    for (auto& [key, client] : clients_) {
        for (const auto& [n, subscription] : client.subscriptions) {
            if (!wants(subscription, kind, device)) continue;
            if (!text) {
                body["type"] = kind;
                if (!device.empty()) body["device"] = device;
                text = serialise(body);
            }
            send_text(client, with_subscription(*text, n));
        }
    }
}

}  // namespace hearth::hub
