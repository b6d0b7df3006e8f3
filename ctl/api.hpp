#pragma once
// What hearthctl needs from the hub's API: one HTTP exchange at a time and the WebSocket. The
// commands are written against this interface; HubClient speaks it over the network, the unit
// tests with a fake.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "ctl/failure.hpp"

namespace hearth::ctl {

struct HttpCall {
    std::string method = "GET";
    std::string target;  // path and query under the hub's URL: "/api/v1/devices?area=bedroom"
    std::string body;
    std::string content_type = "application/json";
};

struct HttpAnswer {
    int status = 0;
    std::string body;
    std::string content_type;
};

/// An open WebSocket; text messages only.
class EventStream {
  public:
    virtual ~EventStream() = default;
    virtual Result<void> send(const std::string& text) = 0;
    /// The next message; nothing when `deadline` passes first (the stream is unusable after
    /// that); a failure when the connection breaks or closes. No deadline waits for ever.
    virtual Result<std::optional<std::string>> receive(
        std::optional<std::chrono::steady_clock::time_point> deadline) = 0;
};

class Api {
  public:
    virtual ~Api() = default;
    /// One request with the bearer token. Only transport problems are failures (Exit::unreachable);
    /// an HTTP error status is an answer.
    virtual Result<HttpAnswer> call(const HttpCall& call) = 0;
    /// Opens /api/v1/ws; the caller authenticates with the first message.
    virtual Result<std::unique_ptr<EventStream>> open_events() = 0;
    /// The token the calls carry (for the WebSocket's auth message); may be empty.
    virtual std::string bearer_token() const = 0;
};

}  // namespace hearth::ctl
