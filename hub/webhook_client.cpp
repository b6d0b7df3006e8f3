#include "hub/webhook_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <memory>

namespace hearth::hub {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

class Exchange : public std::enable_shared_from_this<Exchange> {
public:
    Exchange(boost::asio::io_context& io, WebhookTarget to, std::string body, std::chrono::milliseconds deadline,
             std::function<void(proto::Result<int>)> done)
        : resolver_(io), stream_(io), to_(std::move(to)), deadline_(deadline), done_(std::move(done)) {
        request_.method(http::verb::post);
        request_.target(to_.target);
        request_.set(http::field::host, to_.host + ":" + to_.port);
        request_.set(http::field::user_agent, "hearthd");
        request_.set(http::field::content_type, "application/json");
        request_.body() = std::move(body);
        request_.prepare_payload();
        response_.body_limit(64 * 1024);  // the answer is only looked at for its status
    }

    void do_resolve() {
        stream_.expires_after(deadline_);
        resolver_.async_resolve(to_.host, to_.port, [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
            self->on_resolve(ec, std::move(r));
        });
    }

private:
    void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return fail("resolve", ec);
        stream_.async_connect(results, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) { self->on_connect(ec); });
    }
    void on_connect(beast::error_code ec) {
        if (ec) return fail("connect", ec);
        http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    }
    void on_write(beast::error_code ec) {
        if (ec) return fail("write", ec);
        http::async_read(stream_, buffer_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }
    void on_read(beast::error_code ec) {
        if (ec) return fail("read", ec);
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        done_(static_cast<int>(response_.get().result_int()));
    }
    void fail(const char* what, beast::error_code ec) {
        const auto message = ec == beast::error::timeout ? std::string("timed out") : ec.message();
        done_(proto::make_error(proto::Errc::internal, std::string(what) + ": " + message));
    }

    tcp::resolver resolver_;
    beast::tcp_stream stream_;
    WebhookTarget to_;
    std::chrono::milliseconds deadline_;
    std::function<void(proto::Result<int>)> done_;
    http::request<http::string_body> request_;
    beast::flat_buffer buffer_;
    http::response_parser<http::string_body> response_;
};

}  // namespace

void post_webhook(boost::asio::io_context& io, const WebhookTarget& to, std::string body, std::chrono::milliseconds deadline,
                  std::function<void(proto::Result<int>)> done) {
    auto exchange = std::make_shared<Exchange>(io, to, std::move(body), deadline, std::move(done));
    exchange->do_resolve();
}

}  // namespace hearth::hub
