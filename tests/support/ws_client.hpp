#pragma once
// A WebSocket client for tests (Boost.Beast, blocking), plain (ws://) or over TLS (wss://).
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/http_client.hpp"

namespace hearth::testing {

class WsClient {
public:
    /// Connects and upgrades; `origin` is sent as the Origin header when not empty.
    /// `receive_buffer` shrinks the socket's receive buffer (to play a slow client). Throws when
    /// the connection, the TLS handshake or the upgrade fails.
    WsClient(int port, const std::string& path = "/api/v1/ws", const std::string& origin = {}, int receive_buffer = 0,
             const Transport& transport = {});
    WsClient(WsClient&&) noexcept;
    ~WsClient();

    void send(const nlohmann::json& message);
    /// Sends a text frame as given (it need not be JSON).
    void send_text(const std::string& text);
    /// The next message, or nullopt on timeout or close.
    std::optional<nlohmann::json> receive(int timeout_ms = 5000);
    /// Reads until a message satisfies `match` (others are skipped).
    std::optional<nlohmann::json> receive_until(const std::function<bool(const nlohmann::json&)>& match,
                                                int timeout_ms = 10000);
    bool is_open() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace hearth::testing
