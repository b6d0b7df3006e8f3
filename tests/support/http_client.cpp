#include "tests/support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/socket.h>

#include "tests/support/tls.hpp"

namespace hearth::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

template <class Stream>
HttpResult exchange(Stream& stream, const std::string& method, const std::string& target, const std::string& body,
                    const std::map<std::string, std::string>& headers) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream, buffer, parser);
    auto& res = parser.get();
    HttpResult out{static_cast<int>(res.result_int()), res.body(), {}};
    for (const auto& f : res) out.headers[std::string(f.name_string())] = std::string(f.value());
    return out;
}

}  // namespace

HttpResult http_request(int port, const std::string& method, const std::string& target, const std::string& body,
                        const std::map<std::string, std::string>& headers, const Transport& transport) {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                  static_cast<unsigned short>(port)));
    // Blocking calls ignore Beast's timer: bound them at the socket so a silent server fails the test.
    const timeval timeout{10, 0};
    ::setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (!transport.tls()) {
        auto out = exchange(stream, method, target, body, headers);
        beast::error_code ignored;
        stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        return out;
    }
    auto context = client_tls_context(transport.ca_file);
    beast::ssl_stream<beast::tcp_stream> tls(std::move(stream), context);
    prepare_client_tls(tls.native_handle(), tls, "127.0.0.1");
    tls.handshake(boost::asio::ssl::stream_base::client);
    auto out = exchange(tls, method, target, body, headers);
    beast::error_code ignored;
    tls.shutdown(ignored);
    return out;
}

}  // namespace hearth::testing
