#pragma once
// A plain HTTP/1.1 client for tests (Boost.Beast, one request per connection).
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace hearth::testing {

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

HttpResult http_request(int port, const std::string& method, const std::string& target, const std::string& body = {},
                        const std::map<std::string, std::string>& headers = {});

inline std::map<std::string, std::string> bearer(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", "Bearer " + token}};
}
inline HttpResult http_get(int port, const std::string& target, const std::string& token = {}) {
    return http_request(port, "GET", target, {}, bearer(token));
}
inline HttpResult http_post(int port, const std::string& target, const std::string& body, const std::string& token = {}) {
    auto headers = bearer(token);
    headers["Content-Type"] = "application/json";
    return http_request(port, "POST", target, body, headers);
}

}  // namespace hearth::testing
