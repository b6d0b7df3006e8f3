#include "tests/support/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <variant>

#include "tests/support/tls.hpp"

namespace hearth::testing {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct WsClient::State {
    using Plain = websocket::stream<beast::tcp_stream>;
    using Tls = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

    boost::asio::io_context io;
    std::optional<boost::asio::ssl::context> tls;  // outlives the stream that uses it
    std::variant<std::monostate, Plain, Tls> ws;
    beast::flat_buffer buffer;
    bool open = false;

    template <class F>
    decltype(auto) with(F&& f) {
        if (auto* plain = std::get_if<Plain>(&ws)) return f(*plain);
        return f(std::get<Tls>(ws));
    }
};

WsClient::WsClient(int port, const std::string& path, const std::string& origin, int receive_buffer,
                   const Transport& transport)
    : state_(std::make_unique<State>()) {
    if (transport.tls()) {
        state_->tls.emplace(client_tls_context(transport.ca_file));
        state_->ws.emplace<State::Tls>(state_->io, *state_->tls);
    } else {
        state_->ws.emplace<State::Plain>(state_->io);
    }
    state_->with([&](auto& ws) {
        auto& tcp = beast::get_lowest_layer(ws);
        tcp.socket().open(boost::asio::ip::tcp::v4());
        if (receive_buffer > 0) tcp.socket().set_option(boost::asio::socket_base::receive_buffer_size(receive_buffer));
        tcp.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                   static_cast<unsigned short>(port)));
        if constexpr (std::is_same_v<std::decay_t<decltype(ws)>, State::Tls>) {
            prepare_client_tls(ws.next_layer().native_handle(), ws.next_layer(), "127.0.0.1");
            ws.next_layer().handshake(boost::asio::ssl::stream_base::client);
        }
        ws.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
            if (!origin.empty()) req.set(beast::http::field::origin, origin);
        }));
        ws.handshake("127.0.0.1:" + std::to_string(port), path);
    });
    state_->open = true;
}

WsClient::WsClient(WsClient&&) noexcept = default;

WsClient::~WsClient() {
    if (!state_ || !state_->open) return;
    beast::error_code ignored;
    state_->with([&](auto& ws) { beast::get_lowest_layer(ws).socket().close(ignored); });
}

void WsClient::send(const nlohmann::json& message) { send_text(message.dump()); }

void WsClient::send_text(const std::string& text) {
    state_->with([&](auto& ws) {
        ws.text(true);
        ws.write(boost::asio::buffer(text));
    });
}

std::optional<nlohmann::json> WsClient::receive(int timeout_ms) {
    if (!state_->open) return std::nullopt;
    std::optional<nlohmann::json> out;
    state_->with([&](auto& ws) {
        ws.async_read(state_->buffer, [&](beast::error_code ec, std::size_t) {
            if (ec) {
                state_->open = false;
                return;
            }
            out = nlohmann::json::parse(beast::buffers_to_string(state_->buffer.data()), nullptr, false);
            state_->buffer.consume(state_->buffer.size());
        });
        state_->io.restart();
        state_->io.run_for(std::chrono::milliseconds(timeout_ms));
        if (!state_->io.stopped()) {
            beast::get_lowest_layer(ws).cancel();
            state_->io.restart();
            state_->io.run();
        }
    });
    return out;
}

std::optional<nlohmann::json> WsClient::receive_until(const std::function<bool(const nlohmann::json&)>& match,
                                                      int timeout_ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < until) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        auto m = receive(static_cast<int>(std::max<long>(left.count(), 1)));
        if (!m) return std::nullopt;
        if (match(*m)) return m;
    }
    return std::nullopt;
}

bool WsClient::is_open() const { return state_->open; }

}  // namespace hearth::testing
