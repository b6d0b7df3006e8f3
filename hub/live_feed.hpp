#pragma once
// The WebSocket API (/api/v1/ws): authentication in the first message, subscriptions to state
// changes (all, by device, by area), events, rule traces and notifications, and requests over the
// socket (commands, pings, and any type the hub adds, such as conversation). Hub thread only.
//
// Limits per connection (LiveLimits): a message rate (over it, a message is answered rate_limited
// and not handled; a client that keeps on is closed, 1008), a number of subscriptions (over it,
// payload_too_large). Bad tokens count against the client's address in the same ClientGuard as
// REST; a locked-out address is refused with auth_failed and close code 1013 (try again later).
//
// Client → hub:  {"type":"auth","token":"hth_…"}
//                {"id":1,"type":"subscribe","events":["state","availability","event","trace","notification"],
//                 "devices":["bedroom.ac"],"areas":["bedroom"]}      (lists optional: all)
//                {"id":2,"type":"unsubscribe","subscription":1}
//                {"id":3,"type":"command","device":"…","set":{…},"transition":2}
//                {"id":4,"type":"ping"}
// Hub → client:  {"type":"auth_ok","scope":"…"} | {"type":"auth_failed","message":"…"}
//                {"id":…,"type":"result","success":true,…} | {…,"success":false,"error":{…}}
//                {"type":"state","subscription":1,"device":…,"area":…,"attribute":…,"value":…,…}
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "devices/registry.hpp"
#include "hub/access.hpp"
#include "hub/fact_listener.hpp"
#include "hub/live.hpp"

namespace hearth::hub {

struct LiveLimits {
    double messages_per_second = 50;     // per connection, sustained; 0 = no limit
    double burst = 100;                  // messages at once
    int refused_before_close = 100;      // messages refused in a row before the client is closed
    std::size_t max_subscriptions = 100; // per connection
};

class LiveFeed final : public LiveHandler, public FactListener {
public:
    using Respond = std::function<void(nlohmann::json result)>;
    /// Handles one request type from the client whose token is named `caller`; `respond` takes
    /// the result fields (or an "error" object).
    using RequestHandler =
        std::function<void(const nlohmann::json& request, const std::string& caller, Respond respond)>;
    using Defer = std::function<void(std::chrono::milliseconds, std::function<void()>)>;

    LiveFeed(const Tokens& tokens, ClientGuard& guard, const devices::Registry& registry, Defer defer,
             LiveLimits limits = {});

    /// Adds a request type ("command", "conversation", …) callable with at least `scope`.
    void add_request(std::string type, Scope scope, RequestHandler handler);

    // ---- FactListener: state, availability, event and confirmation messages to the subscribers ----
    void state_changed(const devices::StateChange& change, const proto::Context& cause,
                       std::chrono::system_clock::time_point at) override;
    void availability_changed(const devices::adapters::AvailabilityChange& change) override;
    void device_event(const devices::adapters::DeviceEvent& event) override;
    /// {"type":"confirmation","device":…,"context_id":…,"latency_ms":…}
    void command_confirmed(const proto::DeviceId& device, const std::string& context_id,
                           std::chrono::nanoseconds latency) override;

    /// kind is "trace", "notification" or "rule"; device may be empty.
    void publish(const std::string& kind, const std::string& device, nlohmann::json body);

    std::size_t client_count() const noexcept { return clients_.size(); }
    std::uint64_t messages_sent() const noexcept { return messages_sent_; }
    std::uint64_t slow_clients_dropped() const noexcept { return slow_clients_dropped_; }
    std::uint64_t clients_dropped() const noexcept { return clients_dropped_; }
    /// Messages whose handling threw (answered with an internal error; the hub kept running).
    std::uint64_t internal_errors() const noexcept { return internal_errors_; }
    /// Messages refused because their connection was over its message rate.
    std::uint64_t rate_limited() const noexcept { return rate_limited_; }
    const LiveLimits& limits() const noexcept { return limits_; }

    void opened(const std::shared_ptr<LiveClient>& client) override;
    void message(const std::shared_ptr<LiveClient>& client, std::string text) override;
    void closed(const LiveClient* client, bool too_slow) override;

private:
    struct Subscription {
        std::set<std::string> kinds;    // empty = all
        std::set<std::string> devices;  // empty = all
        std::set<std::string> areas;    // empty = all
    };
    struct Client {
        std::weak_ptr<LiveClient> socket;
        std::optional<Scope> scope;  // set once authenticated
        std::string caller;          // the token's name, once authenticated
        std::map<std::int64_t, Subscription> subscriptions;
        std::int64_t next_subscription = 1;
        double budget = -1;  // messages the client may send now; -1 = not yet started
        std::chrono::steady_clock::time_point refilled;
        int refused_in_row = 0;
    };

    /// Marks a fan-out over clients_: a client that closes meanwhile (a slow one dropped by the send)
    /// is only detached then, and erased when the outermost fan-out ends.
    class FanOut;

    /// Takes one message from the client's budget; false when it is over its rate.
    bool admit(Client& client, std::chrono::steady_clock::time_point now);
    void authenticate(Client& client, const std::shared_ptr<LiveClient>& socket, const nlohmann::json& request);
    void handle(Client& client, const std::shared_ptr<LiveClient>& socket, const nlohmann::json& request);
    void send(Client& client, const nlohmann::json& message);
    void send_text(Client& client, std::string text);
    /// A fan-out message is serialised once; each subscriber gets it with its subscription number.
    static std::string serialise(const nlohmann::json& message);
    static std::string with_subscription(const std::string& text, std::int64_t subscription);
    bool wants(const Subscription& s, const std::string& kind, const std::string& device) const;

    const Tokens& tokens_;
    ClientGuard& guard_;
    const devices::Registry& registry_;
    Defer defer_;
    LiveLimits limits_;
    std::map<const LiveClient*, Client> clients_;
    std::map<std::string, std::pair<Scope, RequestHandler>> requests_;
    int fan_outs_ = 0;
    std::vector<const LiveClient*> departed_;
    std::uint64_t messages_sent_ = 0;
    std::uint64_t slow_clients_dropped_ = 0;
    std::uint64_t clients_dropped_ = 0;
    std::uint64_t internal_errors_ = 0;
    std::uint64_t rate_limited_ = 0;
};

}  // namespace hearth::hub
