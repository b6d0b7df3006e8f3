#pragma once
// The seam between WebSocket connections (Beast, in http_server.cpp) and the hub: the server
// owns the sockets, the hub sees each connection as a LiveClient. Hub thread only.
#include <cstdint>
#include <memory>
#include <string>

namespace hearth::hub {

/// WebSocket close codes the hub uses (RFC 6455, 7.4.1).
enum class CloseCode : std::uint16_t {
    policy_violation = 1008,  // failed or late authentication, a client over its message rate
    too_big = 1009,           // a message over the size limit
    try_again_later = 1013,   // the client's address is locked out for a while
};

class LiveClient {
public:
    virtual ~LiveClient() = default;
    /// Queues a text frame. A client whose queue is full is disconnected instead of slowing the hub.
    virtual void send(std::string text) = 0;
    virtual void close(std::string reason, CloseCode code = CloseCode::policy_violation) = 0;
    virtual const std::string& remote() const = 0;
};

class LiveHandler {
public:
    virtual ~LiveHandler() = default;
    virtual void opened(const std::shared_ptr<LiveClient>& client) = 0;
    virtual void message(const std::shared_ptr<LiveClient>& client, std::string text) = 0;
    /// `too_slow`: the server cut the client off because its queue was full.
    virtual void closed(const LiveClient* client, bool too_slow) = 0;
};

}  // namespace hearth::hub
