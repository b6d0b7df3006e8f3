#pragma once
// The HTTP listener (Boost.Beast): accepts connections on the hub thread and hands each parsed
// request to the Router. Limits: body and header size; a request's header must be complete within
// header_timeout (from the connection's start, or from the first byte of a later request on a
// kept-alive one), so half-open (slowloris) connections are closed; open connections are capped in
// total and per client address — one over a cap is answered 429 at once and closed. With a certificate and key it
// speaks only HTTPS and WSS (OpenSSL); a plain HTTP request on that port gets a 400 and is closed.
// Beast and OpenSSL stay inside the .cpp.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hub/live.hpp"
#include "hub/router.hpp"
#include "proto/errc.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::hub {

/// WebSocket endpoints: request path → the handler of its connections.
using WebSocketRoutes = std::map<std::string, LiveHandler*, std::less<>>;

struct HttpServerConfig {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8480;
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::chrono::seconds idle_timeout{60};             // a kept-alive connection waiting for its next request
    std::chrono::seconds header_timeout{10};           // to receive a whole request header
    std::size_t max_connections = 1000;                // open HTTP and WebSocket connections
    std::size_t max_connections_per_address = 64;      // from one client address (loopback included)
    std::string websocket_path = "/api/v1/ws";
    std::size_t max_websocket_message_bytes = 64 * 1024;
    std::size_t websocket_queue_limit = 1024;  // frames waiting for a slow client before it is dropped
    std::vector<std::string> cors_origins;     // allowed cross-site origins; empty = CORS off
    std::filesystem::path tls_cert_file;       // PEM certificate chain; empty (with the key) = plain HTTP
    std::filesystem::path tls_key_file;        // PEM private key matching the certificate
    std::chrono::seconds tls_handshake_timeout{10};

    bool tls() const noexcept { return !tls_cert_file.empty() || !tls_key_file.empty(); }
};

struct HttpServerStats {
    std::size_t connections = 0;             // open now (HTTP and WebSocket)
    std::uint64_t refused = 0;               // connections closed at once: a cap was reached
    std::uint64_t header_timeouts = 0;       // connections closed because a header did not arrive in time
};

/// "127.0.0.1:8480", ":8480" or "8480" → address and port.
proto::Result<HttpServerConfig> parse_listen_address(const std::string& text, HttpServerConfig base = {});

class HttpServer {
public:
    /// `live` receives WebSocket connections; without it upgrades are refused.
    HttpServer(boost::asio::io_context& io, HttpServerConfig config, const Router& router, LiveHandler* live = nullptr);
    ~HttpServer();

    /// Loads the TLS certificate and key (when configured), binds and listens; a missing or bad
    /// certificate or key, a taken port or a bad address is an error, not an exception.
    /// Serves WebSocket connections to `path` with `handler` too (before start).
    void add_websocket(std::string path, LiveHandler& handler);
    proto::Result<void> start();
    void stop();
    /// The bound port (useful when configured with port 0).
    std::uint16_t port() const noexcept;
    HttpServerStats stats() const;

    class Connections;

private:
    class Listener;
    boost::asio::io_context& io_;
    HttpServerConfig config_;
    const Router& router_;
    WebSocketRoutes websockets_;
    std::shared_ptr<Listener> listener_;
    std::shared_ptr<Connections> connections_;
};

}  // namespace hearth::hub
