#pragma once
// The seam between WebSocket connections (Beast, in http_server.cpp) and the hub: the server
// owns the sockets, the hub sees each connection as a LiveClient. Hub thread only.
#include <memory>
#include <string>

namespace hearth::hub {

class LiveClient {
public:
    virtual ~LiveClient() = default;
    /// Queues a text frame. A client whose queue is full is disconnected instead of slowing the hub.
    virtual void send(std::string text) = 0;
    virtual void close(std::string reason) = 0;
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
