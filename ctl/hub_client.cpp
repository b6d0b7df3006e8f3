#include "ctl/hub_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <optional>
#include <type_traits>

namespace hearth::ctl {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

constexpr std::size_t kBodyLimit = 256 * 1024 * 1024;
constexpr const char* kUserAgent = "hearthctl/0.1";

Failure unreachable(const Url& url, const std::string& what, const beast::error_code& ec) {
    std::string why = ec == beast::error::timeout ? "no answer in time" : ec.message();
    if (ec.category() == asio::error::get_ssl_category() &&
        ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
        why += " (for a hub with its own self-signed certificate, give it with --ca-file FILE)";
    }
    return Failure{Exit::unreachable,
                   "cannot reach the hub at " + url.text() + ": " + what + ": " + why};
}

/// The client side of TLS: the system's CAs, or only the given file, or no check at all.
Result<std::unique_ptr<asio::ssl::context>> tls_context(const Trust& trust) {
    auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    tls->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    if (trust.insecure) {
        tls->set_verify_mode(asio::ssl::verify_none);
        return tls;
    }
    if (trust.ca_file.empty())
        tls->set_default_verify_paths(ec);
    else
        tls->load_verify_file(trust.ca_file, ec);
    if (ec) {
        return usage_error("cannot load the CA certificates" +
                           (trust.ca_file.empty() ? std::string() : " from " + trust.ca_file) + ": " +
                           ec.message());
    }
    tls->set_verify_mode(asio::ssl::verify_peer);
    return tls;
}

/// Plain TCP: nothing to do. TLS: server name, certificate check against the URL's host, handshake.
template <class Stream>
beast::error_code secure(asio::io_context& io, Stream& stream, const Url& url, const Trust& trust,
                         std::chrono::milliseconds timeout, std::string& stage) {
    if constexpr (kIsTls<Stream>) {
        beast::error_code ec;
        asio::ip::make_address(url.host, ec);
        if (ec && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str()))
            return beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
        if (!trust.insecure) stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
        beast::error_code failed;
        stage = "TLS handshake";
        beast::get_lowest_layer(stream).expires_after(timeout);
        stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) { failed = e; });
        io.run();
        io.restart();
        return failed;
    } else {
        return {};
    }
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

template <class Stream>
class WebSocketStream final : public EventStream {
  public:
    /// `tls` is needed for TlsStream and ignored for PlainStream.
    WebSocketStream(Url url, Trust trust, std::unique_ptr<asio::ssl::context> tls)
        : url_(std::move(url)), trust_(std::move(trust)), tls_(std::move(tls)) {
        if constexpr (kIsTls<Stream>)
            ws_.emplace(io_, *tls_);
        else
            ws_.emplace(io_);
    }

    ~WebSocketStream() override {
        if (!open_) return;
        // A polite close, bounded: the hub may already be gone.
        ws_->async_close(websocket::close_code::normal, [](beast::error_code) {});
        io_.restart();
        io_.run_for(std::chrono::seconds(1));
    }

    Result<void> open(std::chrono::milliseconds timeout) {
        std::string stage;
        auto& tcp_stream = beast::get_lowest_layer(*ws_);
        if (auto ec = connect(io_, tcp_stream, url_, timeout, stage))
            return unreachable(url_, stage, ec);
        if (auto ec = secure(io_, ws_->next_layer(), url_, trust_, timeout, stage))
            return unreachable(url_, stage, ec);
        tcp_stream.expires_never();
        auto options = websocket::stream_base::timeout::suggested(beast::role_type::client);
        options.handshake_timeout = timeout;
        ws_->set_option(options);
        ws_->set_option(websocket::stream_base::decorator(
            [](websocket::request_type& req) { req.set(http::field::user_agent, kUserAgent); }));
        websocket::response_type response;
        beast::error_code failed;
        ws_->async_handshake(response, url_.host_header(), url_.base_path + "/api/v1/ws",
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
        ws_->text(true);
        open_ = true;
        return {};
    }

    Result<void> send(const std::string& text) override {
        beast::error_code failed;
        ws_->async_write(asio::buffer(text),
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
        ws_->async_read(buffer_, [&](beast::error_code ec, std::size_t) {
            done = true;
            failed = ec;
        });
        if (deadline)
            io_.run_until(*deadline);
        else
            io_.run();
        if (!done) {
            // The deadline passed: cancel the read and let its handler finish; the stream is done.
            beast::get_lowest_layer(*ws_).socket().cancel();
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
                                                      std::string(ws_->reason().reason.data(),
                                                                  ws_->reason().reason.size())};
            }
            return unreachable(url_, "WebSocket read", failed);
        }
        std::string text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        return std::optional<std::string>(std::move(text));
    }

  private:
    Url url_;
    Trust trust_;
    std::unique_ptr<asio::ssl::context> tls_;  // outlives the stream that uses it
    asio::io_context io_;
    std::optional<websocket::stream<Stream>> ws_;
    beast::flat_buffer buffer_;
    bool open_ = false;
};

template <class Stream>
Result<HttpAnswer> exchange(asio::io_context& io, Stream& stream, const HttpCall& call, const Url& url,
                            const Trust& trust, const std::string& token, std::chrono::milliseconds timeout) {
    std::string stage;
    if (auto ec = connect(io, beast::get_lowest_layer(stream), url, timeout, stage))
        return unreachable(url, stage, ec);
    if (auto ec = secure(io, stream, url, trust, timeout, stage)) return unreachable(url, stage, ec);

    http::request<http::string_body> request{http::string_to_verb(call.method),
                                             url.base_path + call.target, 11};
    request.set(http::field::host, url.host_header());
    request.set(http::field::user_agent, kUserAgent);
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    if (!call.body.empty()) request.set(http::field::content_type, call.content_type);
    request.body() = call.body;
    request.prepare_payload();

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    beast::error_code failed;
    stage = "send the request";
    beast::get_lowest_layer(stream).expires_after(timeout);
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
    if (failed) return unreachable(url, stage, failed);

    auto& response = parser.get();
    HttpAnswer answer{static_cast<int>(response.result_int()), std::move(response.body()),
                      std::string(response[http::field::content_type])};
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    return answer;
}

}  // namespace

HubClient::HubClient(Url url, std::string token, std::chrono::milliseconds timeout, Trust trust)
    : url_(std::move(url)), token_(std::move(token)), timeout_(timeout), trust_(std::move(trust)) {}

Result<HttpAnswer> HubClient::call(const HttpCall& call) {
    asio::io_context io;
    if (url_.scheme == Scheme::http) {
        PlainStream stream(io);
        return exchange(io, stream, call, url_, trust_, token_, timeout_);
    }
    auto tls = tls_context(trust_);
    if (!tls) return tls.error();
    TlsStream stream(io, **tls);
    return exchange(io, stream, call, url_, trust_, token_, timeout_);
}

Result<std::unique_ptr<EventStream>> HubClient::open_events() {
    if (url_.scheme == Scheme::http) {
        auto stream = std::make_unique<WebSocketStream<PlainStream>>(url_, trust_, nullptr);
        if (auto opened = stream->open(timeout_); !opened) return opened.error();
        return std::unique_ptr<EventStream>(std::move(stream));
    }
    auto tls = tls_context(trust_);
    if (!tls) return tls.error();
    auto stream = std::make_unique<WebSocketStream<TlsStream>>(url_, trust_, std::move(*tls));
    if (auto opened = stream->open(timeout_); !opened) return opened.error();
    return std::unique_ptr<EventStream>(std::move(stream));
}

}  // namespace hearth::ctl
