#pragma once
// The HTTP listener (Boost.Beast): accepts connections on the hub thread and hands each parsed
// request to the Router. Limits: body and header size, idle timeout. Beast stays inside the .cpp.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "hub/router.hpp"
#include "proto/errc.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::hub {

struct HttpServerConfig {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8480;
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::chrono::seconds idle_timeout{60};
};

/// "127.0.0.1:8480", ":8480" or "8480" → address and port.
proto::Result<HttpServerConfig> parse_listen_address(const std::string& text, HttpServerConfig base = {});

class HttpServer {
public:
    HttpServer(boost::asio::io_context& io, HttpServerConfig config, const Router& router);
    ~HttpServer();

    /// Binds and listens; a taken port or a bad address is an error, not an exception.
    proto::Result<void> start();
    void stop();
    /// The bound port (useful when configured with port 0).
    std::uint16_t port() const noexcept;

private:
    class Listener;
    boost::asio::io_context& io_;
    HttpServerConfig config_;
    const Router& router_;
    std::shared_ptr<Listener> listener_;
};

}  // namespace hearth::hub
