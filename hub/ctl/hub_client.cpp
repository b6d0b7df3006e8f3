#include "hub/ctl/hub_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace hearth::hub::ctl {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

constexpr std::size_t kBodyLimit = 256 * 1024 * 1024;
constexpr const char* kUserAgent = "hearthctl/0.1";

Failure unreachable(const Url& url, const std::string& what, const beast::error_code& ec) {
    const std::string why = ec == beast::error::timeout ? "no answer in time" : ec.message();
    return Failure{Exit::unreachable,
                   "cannot reach the hub at " + url.text() + ": " + what + ": " + why};
}

/// Resolves and connects `stream` within its expiry; runs `io` until done.
beast::error_code connect(asio::io_context& io, beast::tcp_stream& stream, const Url& url,
                          std::chrono::milliseconds timeout, std::string& stage) {
    tcp::resolver resolver(io);
    beast::error_code failed;
    stage = "resolve " + url.host;
    resolver.async_resolve(
        url.host, std::to_string(url.port),
        [&](beast::error_code ec, tcp::resolver::results_type results) {
            if (ec) {
                failed = ec;
                return;
            }
            stage = "connect";
            stream.expires_after(timeout);
            stream.async_connect(
                results, [&](beast::error_code ec2, const tcp::endpoint&) { failed = ec2; });
        });
    io.run();
    io.restart();
    return failed;
}

class WebSocketStream final : public EventStream {
  public:
    explicit WebSocketStream(Url url) : url_(std::move(url)) {}

    ~WebSocketStream() override {
        if (!open_) return;
        // A polite close, bounded: the hub may already be gone.
        ws_.async_close(websocket::close_code::normal, [](beast::error_code) {});
        io_.restart();
        io_.run_for(std::chrono::seconds(1));
    }

    Result<void> open(std::chrono::milliseconds timeout) {
        std::string stage;
        auto& tcp_stream = beast::get_lowest_layer(ws_);
        if (auto ec = connect(io_, tcp_stream, url_, timeout, stage))
            return unreachable(url_, stage, ec);
        tcp_stream.expires_never();
        auto options = websocket::stream_base::timeout::suggested(beast::role_type::client);
        options.handshake_timeout = timeout;
        ws_.set_option(options);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::request_type& req) { req.set(http::field::user_agent, kUserAgent); }));
        websocket::response_type response;
        beast::error_code failed;
        ws_.async_handshake(response, url_.host_header(), url_.base_path + "/api/v1/ws",
                            [&](beast::error_code ec) { failed = ec; });
        io_.run();
        io_.restart();
        if (failed == websocket::error::upgrade_declined) {
            return Failure{
                response.result_int() == 401 || response.result_int() == 403 ? Exit::unauthorized
                                                                             : Exit::refused,
                "the hub refused the WebSocket: HTTP " + std::to_string(response.result_int())};
        }
        if (failed) return unreachable(url_, "WebSocket handshake", failed);
        ws_.text(true);
        open_ = true;
        return {};
    }

    Result<void> send(const std::string& text) override {
        beast::error_code failed;
        ws_.async_write(asio::buffer(text),
                        [&](beast::error_code ec, std::size_t) { failed = ec; });
        io_.run();
        io_.restart();
        if (failed) {
            open_ = false;
            return unreachable(url_, "WebSocket write", failed);
        }
        return {};
    }

    Result<std::optional<std::string>> receive(
        std::optional<std::chrono::steady_clock::time_point> deadline) override {
        if (!open_) return Failure{Exit::unreachable, "the WebSocket is closed"};
        bool done = false;
        beast::error_code failed;
        ws_.async_read(buffer_, [&](beast::error_code ec, std::size_t) {
            done = true;
            failed = ec;
        });
        if (deadline)
            io_.run_until(*deadline);
        else
            io_.run();
        if (!done) {
            // The deadline passed: cancel the read and let its handler finish; the stream is done.
            beast::get_lowest_layer(ws_).socket().cancel();
            io_.restart();
            io_.run();
            open_ = false;
            return std::optional<std::string>();
        }
        io_.restart();
        if (failed) {
            open_ = false;
            if (failed == websocket::error::closed) {
                return Failure{Exit::unreachable, "the hub closed the WebSocket: " +
                                                      std::string(ws_.reason().reason.data(),
                                                                  ws_.reason().reason.size())};
            }
            return unreachable(url_, "WebSocket read", failed);
        }
        std::string text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        return std::optional<std::string>(std::move(text));
    }

  private:
    Url url_;
    asio::io_context io_;
    websocket::stream<beast::tcp_stream> ws_{io_};
    beast::flat_buffer buffer_;
    bool open_ = false;
};

}  // namespace

HubClient::HubClient(Url url, std::string token, std::chrono::milliseconds timeout)
    : url_(std::move(url)), token_(std::move(token)), timeout_(timeout) {}

Result<HttpAnswer> HubClient::call(const HttpCall& call) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    std::string stage;
    if (auto ec = connect(io, stream, url_, timeout_, stage)) return unreachable(url_, stage, ec);

    http::request<http::string_body> request{http::string_to_verb(call.method),
                                             url_.base_path + call.target, 11};
    request.set(http::field::host, url_.host_header());
    request.set(http::field::user_agent, kUserAgent);
    if (!token_.empty()) request.set(http::field::authorization, "Bearer " + token_);
    if (!call.body.empty()) request.set(http::field::content_type, call.content_type);
    request.body() = call.body;
    request.prepare_payload();

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    beast::error_code failed;
    stage = "send the request";
    stream.expires_after(timeout_);
    http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
        if (ec) {
            failed = ec;
            return;
        }
        stage = "read the answer";
        http::async_read(stream, buffer, parser,
                         [&](beast::error_code ec2, std::size_t) { failed = ec2; });
    });
    io.run();
    if (failed) return unreachable(url_, stage, failed);

    auto& response = parser.get();
    HttpAnswer answer{static_cast<int>(response.result_int()), std::move(response.body()),
                      std::string(response[http::field::content_type])};
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return answer;
}

Result<std::unique_ptr<EventStream>> HubClient::open_events() {
    auto stream = std::make_unique<WebSocketStream>(url_);
    if (auto opened = stream->open(timeout_); !opened) return opened.error();
    return std::unique_ptr<EventStream>(std::move(stream));
}

}  // namespace hearth::hub::ctl
