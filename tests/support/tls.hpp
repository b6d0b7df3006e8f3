#pragma once
// The TLS side of the test clients (http_client.cpp, ws_client.cpp): trust one CA file and check
// the certificate names the host. Includes Asio's SSL; keep it out of test files.
#include <boost/asio/ssl.hpp>

#include <string>

namespace hearth::testing {

inline boost::asio::ssl::context client_tls_context(const std::string& ca_file) {
    boost::asio::ssl::context context(boost::asio::ssl::context::tls_client);
    context.load_verify_file(ca_file);
    context.set_verify_mode(boost::asio::ssl::verify_peer);
    return context;
}

template <class SslStream>
void prepare_client_tls(SSL* ssl, SslStream& stream, const std::string& host) {
    // SNI takes names only; for an address the certificate's IP entry is checked instead.
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (ec) SSL_set_tlsext_host_name(ssl, host.c_str());
    stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
}

}  // namespace hearth::testing
