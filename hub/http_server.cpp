#include "hub/http_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <deque>
#include <iostream>

namespace hearth::hub {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using proto::Errc;

void fail(beast::error_code ec, const char* what) {
    if (ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == http::error::end_of_stream ||
        ec == asio::error::connection_reset || ec == asio::error::eof || ec == websocket::error::closed ||
        ec == asio::error::broken_pipe) {
        return;
    }
    std::cerr << "hearthd: http " << what << ": " << ec.message() << "\n";
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

class WebSocketSession : public LiveClient, public std::enable_shared_from_this<WebSocketSession> {
public:
    WebSocketSession(beast::tcp_stream stream, const HttpServerConfig& config, LiveHandler& handler, std::string remote)
        : ws_(std::move(stream)), config_(config), handler_(handler), remote_(std::move(remote)) {}

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
        ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
    }

    void send(std::string text) override {
        if (closing_) return;
        if (queue_.size() >= config_.websocket_queue_limit) {
            // Its socket is full, so not even a close frame would get through: cut it off.
            closing_ = true;
            queue_.clear();
            finish();
            beast::error_code ignored;
            beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
            beast::get_lowest_layer(ws_).close();
            return;
        }
        queue_.push_back(std::move(text));
        if (queue_.size() == 1) do_write();
    }

    void close(std::string reason) override {
        if (closing_) return;
        closing_ = true;
        queue_.clear();
        finish();
        if (reason.size() > 120) reason.resize(120);
        ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, reason),
                        [self = shared_from_this()](beast::error_code) {});
    }

    const std::string& remote() const override { return remote_; }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return fail(ec, "websocket accept");
        open_ = true;
        handler_.opened(shared_from_this());
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == websocket::error::message_too_big) {
            return close("message over " + std::to_string(config_.max_websocket_message_bytes) + " bytes");
        }
        if (ec) {
            fail(ec, "websocket read");
            return finish();
        }
        auto text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        if (!closing_) handler_.message(shared_from_this(), std::move(text));
        if (!closing_) do_read();
    }

    void do_write() {
        ws_.text(true);
        ws_.async_write(asio::buffer(queue_.front()),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    }

    void on_write(beast::error_code ec) {
        if (ec) {
            fail(ec, "websocket write");
            return finish();
        }
        if (queue_.empty()) return;  // closed meanwhile
        queue_.pop_front();
        if (!queue_.empty()) do_write();
    }

    void finish() {
        if (!open_) return;
        open_ = false;
        closing_ = true;
        handler_.closed(this);
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    const HttpServerConfig& config_;
    LiveHandler& handler_;
    std::string remote_;
    std::deque<std::string> queue_;
    bool open_ = false;
    bool closing_ = false;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, const HttpServerConfig& config, const Router& router, LiveHandler* live)
        : stream_(std::move(socket)), config_(config), router_(router), live_(live) {}

    void run() {
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
    }

private:
    void do_read() {
        parser_.emplace();
        parser_->body_limit(config_.max_body_bytes);
        parser_->header_limit(static_cast<std::uint32_t>(config_.max_header_bytes));
        stream_.expires_after(config_.idle_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
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
        auto request = to_request(parser_->get());
        keep_alive_ = parser_->get().keep_alive();
        version_ = parser_->get().version();
        origin_ = request.header("origin");

        if (websocket::is_upgrade(parser_->get())) return upgrade(request);
        if (request.method == "OPTIONS" && !origin_.empty()) return preflight();
        // The reply may come later (after a commit); the session waits for it before reading on.
        router_.dispatch(request, [self = shared_from_this(), answered = false](HttpResponse response) mutable {
            if (answered) return;
            answered = true;
            self->send(std::move(response));
        });
    }

    HttpRequest to_request(const http::request<http::string_body>& msg) {
        HttpRequest request;
        request.method = std::string(msg.method_string());
        const std::string_view target = msg.target();
        const auto q = target.find('?');
        request.path = url_decode(target.substr(0, q));
        if (q != std::string_view::npos) request.query = parse_query(target.substr(q + 1));
        for (const auto& field : msg) {
            std::string name(field.name_string());
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            request.headers[name] = std::string(field.value());
        }
        request.body = msg.body();
        beast::error_code ignored;
        const auto endpoint = stream_.socket().remote_endpoint(ignored);
        request.remote = ignored ? std::string{} : endpoint.address().to_string();
        return request;
    }

    void upgrade(const HttpRequest& request) {
        if (!live_ || request.path != config_.websocket_path) {
            return send(error_response(404, Errc::not_found, "no WebSocket endpoint at " + request.path));
        }
        if (!origin_allowed(request, config_)) {
            keep_alive_ = false;
            return send(error_response(403, Errc::forbidden, "WebSocket from origin " + origin_ + " is not allowed"));
        }
        std::make_shared<WebSocketSession>(std::move(stream_), config_, *live_, request.remote)->run(parser_->release());
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
        http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
            self->on_write(ec, res->keep_alive());
        });
    }

    void on_write(beast::error_code ec, bool keep_alive) {
        if (ec) return fail(ec, "write");
        if (!keep_alive) {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            return;
        }
        do_read();
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    const HttpServerConfig& config_;
    const Router& router_;
    LiveHandler* live_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::string origin_;
    bool keep_alive_ = true;
    unsigned version_ = 11;
};

}  // namespace

class HttpServer::Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(asio::io_context& io, const HttpServerConfig& config, const Router& router, LiveHandler* live)
        : io_(io), acceptor_(io), config_(config), router_(router), live_(live) {}

    proto::Result<void> open() {
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
        } else {
            std::make_shared<Session>(std::move(socket), config_, router_, live_)->run();
        }
        do_accept();
    }

    asio::io_context& io_;
    tcp::acceptor acceptor_;
    const HttpServerConfig& config_;
    const Router& router_;
    LiveHandler* live_;
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
    : io_(io), config_(std::move(config)), router_(router), live_(live) {}

HttpServer::~HttpServer() { stop(); }

proto::Result<void> HttpServer::start() {
    listener_ = std::make_shared<Listener>(io_, config_, router_, live_);
    auto opened = listener_->open();
    if (!opened) listener_.reset();
    return opened;
}

void HttpServer::stop() {
    if (listener_) listener_->close();
    listener_.reset();
}

std::uint16_t HttpServer::port() const noexcept { return listener_ ? listener_->port() : 0; }

}  // namespace hearth::hub
