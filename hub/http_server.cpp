#include "hub/http_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <iostream>

namespace hearth::hub {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using proto::Errc;

void fail(beast::error_code ec, const char* what) {
    if (ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == http::error::end_of_stream ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
        return;
    }
    std::cerr << "hearthd: http " << what << ": " << ec.message() << "\n";
}

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, const HttpServerConfig& config, const Router& router)
        : stream_(std::move(socket)), config_(config), router_(router) {}

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
                              "request body is over " + std::to_string(config_.max_body_bytes) + " bytes", false);
        }
        if (ec == http::error::header_limit) {
            return send_error(431, Errc::payload_too_large, "request headers are too large", false);
        }
        if (ec) return fail(ec, "read");
        auto& msg = parser_->get();
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
        request.body = std::move(msg.body());
        beast::error_code ignored;
        const auto endpoint = stream_.socket().remote_endpoint(ignored);
        request.remote = ignored ? std::string{} : endpoint.address().to_string();
        keep_alive_ = msg.keep_alive();
        version_ = msg.version();
        // The reply may come later (after a commit); the session waits for it before reading on.
        router_.dispatch(request, [self = shared_from_this(), answered = false](HttpResponse response) mutable {
            if (answered) return;
            answered = true;
            self->send(std::move(response));
        });
    }

    void send_error(int status, Errc code, std::string message, bool keep_alive) {
        keep_alive_ = keep_alive;
        send(error_response(status, code, std::move(message)));
    }

    void send(HttpResponse response) {
        auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status),
                                                                       version_ ? version_ : 11);
        res->set(http::field::server, "hearthd");
        res->set(http::field::content_type, response.content_type);
        for (const auto& [name, value] : response.headers) res->set(name, value);
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
    std::optional<http::request_parser<http::string_body>> parser_;
    bool keep_alive_ = true;
    unsigned version_ = 11;
};

}  // namespace

class HttpServer::Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(asio::io_context& io, const HttpServerConfig& config, const Router& router)
        : io_(io), acceptor_(io), config_(config), router_(router) {}

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
        acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
            self->on_accept(ec, std::move(s));
        });
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (ec) {
            fail(ec, "accept");
        } else {
            std::make_shared<Session>(std::move(socket), config_, router_)->run();
        }
        do_accept();
    }

    asio::io_context& io_;
    tcp::acceptor acceptor_;
    const HttpServerConfig& config_;
    const Router& router_;
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

HttpServer::HttpServer(asio::io_context& io, HttpServerConfig config, const Router& router)
    : io_(io), config_(std::move(config)), router_(router) {}

HttpServer::~HttpServer() { stop(); }

proto::Result<void> HttpServer::start() {
    listener_ = std::make_shared<Listener>(io_, config_, router_);
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
