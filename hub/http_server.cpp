#include "hub/http_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/asio/ssl.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <filesystem>
#include <map>
#include <type_traits>

#include "hub/log.hpp"
#include "hub/repeat_limiter.hpp"

namespace hearth::hub {

/// Open connections, in total and per client address. Hub thread only. A session holds a Slot; the
/// place is given back when the last holder (the HTTP session, then its WebSocket) ends.
class HttpServer::Connections : public std::enable_shared_from_this<Connections> {
public:
    struct Slot {
        Slot(std::shared_ptr<Connections> owner, std::string address) : owner(std::move(owner)), address(std::move(address)) {}
        ~Slot() { owner->release(address); }
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        std::shared_ptr<Connections> owner;
        std::string address;
    };

    Connections(std::size_t max_total, std::size_t max_per_address) : max_total_(max_total), max_per_address_(max_per_address) {}

    /// A place for a new connection from `address`; null when a cap is reached (counted).
    std::shared_ptr<Slot> admit(const std::string& address) {
        const auto it = by_address_.find(address);
        const std::size_t from_address = it == by_address_.end() ? 0 : it->second;
        if (total_ >= max_total_ || from_address >= max_per_address_) {
            ++stats_.refused;
            return nullptr;
        }
        ++total_;
        ++by_address_[address];
        return std::make_shared<Slot>(shared_from_this(), address);
    }

    /// Why admit() refused: "…from ADDRESS" or the total.
    std::string refusal(const std::string& address) const {
        if (total_ >= max_total_) return "the hub has " + std::to_string(total_) + " connections open, its most";
        return "at most " + std::to_string(max_per_address_) + " connections from " + address;
    }

    void header_timed_out() noexcept { ++stats_.header_timeouts; }

    HttpServerStats stats() const {
        auto s = stats_;
        s.connections = total_;
        return s;
    }

private:
    void release(const std::string& address) {
        --total_;
        const auto it = by_address_.find(address);
        if (it != by_address_.end() && --it->second == 0) by_address_.erase(it);
    }

    const std::size_t max_total_;
    const std::size_t max_per_address_;
    std::size_t total_ = 0;
    std::map<std::string, std::size_t> by_address_;
    HttpServerStats stats_;
};

namespace {

using Slot = std::shared_ptr<HttpServer::Connections::Slot>;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using proto::Errc;

void fail(beast::error_code ec, const char* what) {
    if (ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == http::error::end_of_stream ||
        ec == asio::error::connection_reset || ec == asio::error::eof || ec == websocket::error::closed ||
        ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated) {
        return;
    }
    // A client can cause these at will: each kind at most once per 10 s, per hub thread.
    thread_local RepeatLimiter limiter(std::chrono::seconds(10), 100);
    const auto admitted = limiter.admit(std::string(what) + '|' + ec.message(), std::chrono::steady_clock::now());
    if (admitted) log::warning("http {}: {}{}", what, ec.message(), suppressed_note(*admitted));
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

/// A browser page may open a WebSocket only from the hub's own origin or an allowed one: this
/// stops other sites from riding on a user's session (cross-site WebSocket hijacking).
bool origin_allowed(const HttpRequest& request, const HttpServerConfig& config) {
    const auto origin = request.header("origin");
    if (origin.empty()) return true;  // not a browser
    if (contains(config.cors_origins, origin)) return true;
    const auto scheme_end = origin.find("://");
    return scheme_end != std::string::npos && origin.substr(scheme_end + 3) == request.header("host");
}

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

/// One implementation for ws:// and wss://: Stream is PlainStream or TlsStream.
template <class Stream>
class WebSocketSession : public LiveClient, public std::enable_shared_from_this<WebSocketSession<Stream>> {
public:
    WebSocketSession(Stream stream, const HttpServerConfig& config, LiveHandler& handler, std::string remote, Slot slot)
        : ws_(std::move(stream)), config_(config), handler_(handler), remote_(std::move(remote)), slot_(std::move(slot)) {}

    void run(http::request<http::string_body> request) {
        beast::get_lowest_layer(ws_).expires_never();
        // Server heartbeat: Beast pings an idle client and drops it when no pong comes back.
        auto timeout = websocket::stream_base::timeout::suggested(beast::role_type::server);
        timeout.idle_timeout = std::chrono::seconds(30);
        timeout.keep_alive_pings = true;
        ws_.set_option(timeout);
        ws_.read_message_max(config_.max_websocket_message_bytes);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "hearthd"); }));
        ws_.async_accept(request, [self = this->shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
    }

    void send(std::string text) override {
        if (closing_) return;
        if (queue_.size() >= config_.websocket_queue_limit) {
            // Its socket is full, so not even a close frame would get through: cut it off.
            closing_ = true;
            drop_queue();
            finish(true);
            beast::error_code ignored;
            beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
            beast::get_lowest_layer(ws_).close();
            return;
        }
        queue_.push_back(std::move(text));
        if (!writing_) do_write();
    }

    void close(std::string reason, CloseCode code) override {
        if (closing_) return;
        closing_ = true;
        drop_queue();
        finish();
        if (reason.size() > 120) reason.resize(120);
        ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                        [self = this->shared_from_this()](beast::error_code) {});
    }

    const std::string& remote() const override { return remote_; }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return fail(ec, "websocket accept");
        open_ = true;
        handler_.opened(this->shared_from_this());
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == websocket::error::message_too_big) {
            // Beast has sent the close frame (1009) already; this ends the session.
            return close("message over " + std::to_string(config_.max_websocket_message_bytes) + " bytes",
                         CloseCode::too_big);
        }
        if (ec) {
            fail(ec, "websocket read");
            return finish();
        }
        auto text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        if (!closing_) handler_.message(this->shared_from_this(), std::move(text));
        if (!closing_) do_read();
    }

    void do_write() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(asio::buffer(queue_.front()),
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    }

    void on_write(beast::error_code ec) {
        writing_ = false;
        if (ec) {
            fail(ec, "websocket write");
            queue_.clear();
            return finish();
        }
        if (closing_) {
            queue_.clear();
            return;
        }
        queue_.pop_front();
        if (!queue_.empty()) do_write();
    }

    /// The frame being written stays: the pending write still reads from it.
    void drop_queue() { queue_.erase(writing_ ? std::next(queue_.begin()) : queue_.begin(), queue_.end()); }

    void finish(bool too_slow = false) {
        if (!open_) return;
        open_ = false;
        closing_ = true;
        handler_.closed(this, too_slow);
    }

    websocket::stream<Stream> ws_;
    beast::flat_buffer buffer_;
    const HttpServerConfig& config_;
    LiveHandler& handler_;
    std::string remote_;
    Slot slot_;
    std::deque<std::string> queue_;
    bool open_ = false;
    bool closing_ = false;
    bool writing_ = false;
};

/// One implementation for http:// and https://: Stream is PlainStream or TlsStream. `buffer` holds
/// bytes already read from the connection (by the TLS detector).
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
public:
    Session(Stream stream, const HttpServerConfig& config, const Router& router, const WebSocketRoutes* live, Slot slot,
            beast::flat_buffer buffer = {})
        : stream_(std::move(stream)),
          buffer_(std::move(buffer)),
          config_(config),
          router_(router),
          live_(live),
          slot_(std::move(slot)) {}

    void run() {
        if constexpr (kIsTls<Stream>) {
            beast::get_lowest_layer(stream_).expires_after(config_.tls_handshake_timeout);
            // The default for `used` works around Boost 1.81's constraint on the buffered handshake,
            // which checks the handler against void(error_code) instead of void(error_code, size_t).
            stream_.async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                                    [self = this->shared_from_this()](beast::error_code ec, std::size_t used = 0) {
                                        self->on_handshake(ec, used);
                                    });
        } else {
            asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->do_read(); });
        }
    }

private:
    void on_handshake(beast::error_code ec, std::size_t used) {
        if (ec) return fail(ec, "tls handshake");
        buffer_.consume(used);
        do_read();
    }

    /// The first request's header must be complete within header_timeout of the connection's start;
    /// a kept-alive connection may wait idle_timeout for the next request's first byte.
    void do_read() {
        parser_.emplace();
        parser_->body_limit(config_.max_body_bytes);
        parser_->header_limit(static_cast<std::uint32_t>(config_.max_header_bytes));
        if (!kept_alive_ || buffer_.size() > 0) return read_header();
        beast::get_lowest_layer(stream_).expires_after(config_.idle_timeout);
        stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
            if (ec) return fail(ec, "read");
            self->buffer_.commit(n);
            self->read_header();
        });
    }

    void read_header() {
        beast::get_lowest_layer(stream_).expires_after(config_.header_timeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec == beast::error::timeout) slot_->owner->header_timed_out();
        if (ec) return on_read(ec);
        beast::get_lowest_layer(stream_).expires_after(config_.idle_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::body_limit) {
            return send_error(413, Errc::payload_too_large,
                              "request body is over " + std::to_string(config_.max_body_bytes) + " bytes");
        }
        if (ec == http::error::header_limit) {
            return send_error(431, Errc::payload_too_large, "request headers are too large");
        }
        if (ec) return fail(ec, "read");
        keep_alive_ = parser_->get().keep_alive();
        version_ = parser_->get().version();
        origin_ = std::string(parser_->get()[http::field::origin]);
        auto target = parse_target(parser_->get().target());
        if (!target) return send(error_response(400, target.error().code, target.error().message, target.error().field));
        auto request = to_request(parser_->get(), std::move(*target));

        if (websocket::is_upgrade(parser_->get())) return upgrade(request);
        if (request.method == "OPTIONS" && !origin_.empty()) return preflight();
        // The reply may come later (after a commit); the session waits for it before reading on.
        router_.dispatch(request, [self = this->shared_from_this(), answered = false](HttpResponse response) mutable {
            if (answered) return;
            answered = true;
            self->send(std::move(response));
        });
    }

    HttpRequest to_request(const http::request<http::string_body>& msg, RequestTarget target) {
        HttpRequest request;
        request.method = std::string(msg.method_string());
        request.path = std::move(target.path);
        request.query = std::move(target.query);
        for (const auto& field : msg) {
            std::string name(field.name_string());
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            request.headers[name] = std::string(field.value());
        }
        request.body = msg.body();
        beast::error_code ignored;
        const auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ignored);
        request.remote = ignored ? std::string{} : endpoint.address().to_string();
        return request;
    }

    void upgrade(const HttpRequest& request) {
        const auto endpoint = live_->find(request.path);
        if (endpoint == live_->end()) {
            return send(error_response(404, Errc::not_found, "no WebSocket endpoint at " + request.path));
        }
        if (!origin_allowed(request, config_)) {
            keep_alive_ = false;
            return send(error_response(403, Errc::forbidden, "WebSocket from origin " + origin_ + " is not allowed"));
        }
        std::make_shared<WebSocketSession<Stream>>(std::move(stream_), config_, *endpoint->second, request.remote, slot_)
            ->run(parser_->release());
    }

    void preflight() {
        HttpResponse response{204, {}, "text/plain", {}};
        if (contains(config_.cors_origins, origin_)) {
            response.headers = {{"Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE"},
                                {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
                                {"Access-Control-Max-Age", "600"}};
        }
        send(std::move(response));
    }

    void send_error(int status, Errc code, std::string message) {
        keep_alive_ = false;
        send(error_response(status, code, std::move(message)));
    }

    void send(HttpResponse response) {
        auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status),
                                                                       version_ ? version_ : 11);
        res->set(http::field::server, "hearthd");
        if (!response.body.empty() || response.status != 204) res->set(http::field::content_type, response.content_type);
        for (const auto& [name, value] : response.headers) res->set(name, value);
        if (!origin_.empty() && contains(config_.cors_origins, origin_)) {
            res->set(http::field::access_control_allow_origin, origin_);
            res->set(http::field::vary, "Origin");
        }
        res->body() = std::move(response.body);
        res->keep_alive(keep_alive_);
        res->prepare_payload();
        http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
            self->on_write(ec, res->keep_alive());
        });
    }

    void on_write(beast::error_code ec, bool keep_alive) {
        if (ec) return fail(ec, "write");
        kept_alive_ = true;
        if (keep_alive) return do_read();
        if constexpr (kIsTls<Stream>) {
            beast::get_lowest_layer(stream_).expires_after(config_.tls_handshake_timeout);
            stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
        } else {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
    }

    Stream stream_;
    beast::flat_buffer buffer_;
    const HttpServerConfig& config_;
    const Router& router_;
    const WebSocketRoutes* live_;
    Slot slot_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::string origin_;
    bool keep_alive_ = true;
    bool kept_alive_ = false;  // a request was answered on this connection already
    unsigned version_ = 11;
};

/// On a TLS port: looks at the first bytes; a TLS client gets a TLS session, a plain HTTP one a
/// 400 that names the right scheme (instead of a connection that just breaks).
class TlsDetector : public std::enable_shared_from_this<TlsDetector> {
public:
    TlsDetector(tcp::socket socket, asio::ssl::context& tls, const HttpServerConfig& config, const Router& router,
                const WebSocketRoutes* live, Slot slot)
        : stream_(std::move(socket)), tls_(tls), config_(config), router_(router), live_(live), slot_(std::move(slot)) {}

    void run() {
        stream_.expires_after(config_.tls_handshake_timeout);
        beast::async_detect_ssl(stream_, buffer_, [self = shared_from_this()](beast::error_code ec, bool is_tls) {
            self->on_detect(ec, is_tls);
        });
    }

private:
    void on_detect(beast::error_code ec, bool is_tls) {
        if (ec) return fail(ec, "tls detect");
        if (is_tls) {
            std::make_shared<Session<TlsStream>>(TlsStream(std::move(stream_), tls_), config_, router_, live_,
                                                 std::move(slot_), std::move(buffer_))
                ->run();
            return;
        }
        auto res = std::make_shared<http::response<http::string_body>>(http::status::bad_request, 11);
        const auto error = error_response(400, Errc::invalid_field, "this port speaks HTTPS only; use https:// or wss://");
        res->set(http::field::server, "hearthd");
        res->set(http::field::content_type, error.content_type);
        res->body() = error.body;
        res->keep_alive(false);
        res->prepare_payload();
        http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    asio::ssl::context& tls_;
    const HttpServerConfig& config_;
    const Router& router_;
    const WebSocketRoutes* live_;
    Slot slot_;
};

proto::Result<std::unique_ptr<asio::ssl::context>> make_tls_context(const HttpServerConfig& config) {
    const auto tls_error = [](std::string message) { return proto::make_error(Errc::invalid_field, std::move(message), "tls"); };
    if (config.tls_cert_file.empty() || config.tls_key_file.empty()) {
        return tls_error("TLS needs both a certificate (--tls-cert) and a private key (--tls-key)");
    }
    for (const auto& file : {config.tls_cert_file, config.tls_key_file}) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec)) return tls_error("cannot read the TLS file " + file.string());
    }
    auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                     asio::ssl::context::single_dh_use);
    beast::error_code ec;
    tls->use_certificate_chain_file(config.tls_cert_file.string(), ec);
    if (ec) return tls_error("cannot load the TLS certificate " + config.tls_cert_file.string() + ": " + ec.message());
    tls->use_private_key_file(config.tls_key_file.string(), asio::ssl::context::pem, ec);
    if (ec) return tls_error("cannot load the TLS private key " + config.tls_key_file.string() + ": " + ec.message());
    if (SSL_CTX_check_private_key(tls->native_handle()) != 1) {
        return tls_error("the TLS private key " + config.tls_key_file.string() + " does not match the certificate " +
                         config.tls_cert_file.string());
    }
    return tls;
}

}  // namespace

class HttpServer::Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(asio::io_context& io, const HttpServerConfig& config, const Router& router, const WebSocketRoutes* live,
             std::shared_ptr<Connections> connections)
        : io_(io), acceptor_(io), config_(config), router_(router), live_(live), connections_(std::move(connections)) {}

    proto::Result<void> open() {
        if (config_.tls()) {
            auto tls = make_tls_context(config_);
            if (!tls) return tls.error();
            tls_ = std::move(*tls);
        }
        beast::error_code ec;
        const auto address = asio::ip::make_address(config_.address, ec);
        if (ec) return proto::make_error(Errc::invalid_field, "bad listen address " + config_.address, "http");
        const tcp::endpoint endpoint(address, config_.port);
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acceptor_.bind(endpoint, ec);
        if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            return proto::make_error(Errc::internal, "cannot listen on " + config_.address + ":" +
                                                         std::to_string(config_.port) + ": " + ec.message(),
                                     "http");
        }
        do_accept();
        return {};
    }

    void close() {
        beast::error_code ignored;
        acceptor_.close(ignored);
    }

    std::uint16_t port() const {
        beast::error_code ec;
        const auto endpoint = acceptor_.local_endpoint(ec);
        return ec ? 0 : endpoint.port();
    }

private:
    void do_accept() {
        acceptor_.async_accept(io_, [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
            self->on_accept(ec, std::move(s));
        });
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (ec) {
            fail(ec, "accept");
            do_accept();
            return;
        }
        // Answers and WebSocket frames are small and go out at once, not held back by Nagle.
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        const auto endpoint = socket.remote_endpoint(ignored);
        const auto address = ignored ? std::string{} : endpoint.address().to_string();
        auto slot = connections_->admit(address);
        if (!slot) {
            refuse(std::move(socket), address);
        } else if (tls_) {
            std::make_shared<TlsDetector>(std::move(socket), *tls_, config_, router_, live_, std::move(slot))->run();
        } else {
            std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)), config_, router_, live_, std::move(slot))
                ->run();
        }
        do_accept();
    }

    /// Over a cap: a plain HTTP client gets a 429 it can read (one non-blocking write of a few
    /// hundred bytes to a fresh socket, which its buffer always takes), then the connection closes.
    /// What the client sent already is read first: closing a socket with unread input resets it,
    /// and the reset would discard the answer.
    void refuse(tcp::socket socket, const std::string& address) {
        beast::error_code ignored;
        socket.non_blocking(true, ignored);
        std::array<char, 4096> sink{};
        for (int i = 0; i < 16 && !ignored; ++i) socket.read_some(asio::buffer(sink), ignored);
        if (!tls_) {
            const auto error = error_response(429, Errc::rate_limited, connections_->refusal(address) + "; try again later");
            const auto text = "HTTP/1.1 429 Too Many Requests\r\nServer: hearthd\r\nContent-Type: " + error.content_type +
                              "\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: " + std::to_string(error.body.size()) +
                              "\r\n\r\n" + error.body;
            socket.write_some(asio::buffer(text), ignored);
        }
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
    }

    asio::io_context& io_;
    tcp::acceptor acceptor_;
    const HttpServerConfig& config_;
    const Router& router_;
    const WebSocketRoutes* live_;
    std::shared_ptr<Connections> connections_;
    // Shared by every TLS connection; OpenSSL keeps it alive for the ones that outlive the listener.
    std::unique_ptr<asio::ssl::context> tls_;
};

proto::Result<HttpServerConfig> parse_listen_address(const std::string& text, HttpServerConfig base) {
    const auto colon = text.rfind(':');
    const std::string host = colon == std::string::npos ? std::string{} : text.substr(0, colon);
    const std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
    try {
        std::size_t used = 0;
        const int p = std::stoi(port, &used);
        if (used != port.size() || p < 0 || p > 65535) throw std::out_of_range("port");
        base.port = static_cast<std::uint16_t>(p);
    } catch (const std::exception&) {
        return proto::make_error(Errc::invalid_field, "'" + text + "' is not host:port", "http");
    }
    if (!host.empty()) base.address = host;
    return base;
}

HttpServer::HttpServer(asio::io_context& io, HttpServerConfig config, const Router& router, LiveHandler* live)
    : io_(io),
      config_(std::move(config)),
      router_(router),
      connections_(std::make_shared<Connections>(config_.max_connections, config_.max_connections_per_address)) {
    if (live) websockets_.emplace(config_.websocket_path, live);
}

void HttpServer::add_websocket(std::string path, LiveHandler& handler) { websockets_[std::move(path)] = &handler; }

HttpServer::~HttpServer() { stop(); }

proto::Result<void> HttpServer::start() {
    listener_ = std::make_shared<Listener>(io_, config_, router_, &websockets_, connections_);
    auto opened = listener_->open();
    if (!opened) listener_.reset();
    return opened;
}

void HttpServer::stop() {
    if (listener_) listener_->close();
    listener_.reset();
}

std::uint16_t HttpServer::port() const noexcept { return listener_ ? listener_->port() : 0; }

HttpServerStats HttpServer::stats() const { return connections_->stats(); }

}  // namespace hearth::hub
