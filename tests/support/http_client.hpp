#pragma once
// An HTTP/1.1 client for tests (Boost.Beast, one request per connection), plain or over TLS.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace hearth::testing {

/// How a test client reaches the hub: plain TCP, or TLS that trusts only `ca_file` (a PEM
/// certificate, such as the hub's self-signed one) and checks that it names 127.0.0.1.
struct Transport {
    std::string ca_file;  // empty = plain
    bool tls() const noexcept { return !ca_file.empty(); }
};

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

/// Throws when the connection, the TLS handshake or the exchange fails.
HttpResult http_request(int port, const std::string& method, const std::string& target, const std::string& body = {},
                        const std::map<std::string, std::string>& headers = {}, const Transport& transport = {});

inline std::map<std::string, std::string> bearer(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", "Bearer " + token}};
}
inline HttpResult http_get(int port, const std::string& target, const std::string& token = {},
                           const Transport& transport = {}) {
    return http_request(port, "GET", target, {}, bearer(token), transport);
}
inline HttpResult http_post(int port, const std::string& target, const std::string& body, const std::string& token = {},
                            const Transport& transport = {}) {
    auto headers = bearer(token);
    headers["Content-Type"] = "application/json";
    return http_request(port, "POST", target, body, headers, transport);
}

}  // namespace hearth::testing
