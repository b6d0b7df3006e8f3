#include "proto/broker_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace hearth::proto {
namespace {

/// The URL as it may appear in a message: what lies between `user:` and `@` is hidden.
std::string without_password(std::string_view text) {
    const auto start = text.find("://") == std::string_view::npos ? 0 : text.find("://") + 3;
    const auto at = text.rfind('@');
    if (at == std::string_view::npos || at < start) return std::string(text);
    const auto colon = text.find(':', start);
    if (colon == std::string_view::npos || colon > at) return std::string(text);
    return std::string(text.substr(0, colon)) + ":***" + std::string(text.substr(at));
}

std::string bracketed(const BrokerUrl& url) {
    return url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
}

}  // namespace

std::string BrokerUrl::client_uri() const {
    return std::string(tls() ? "ssl://" : "tcp://") + bracketed(*this) + ":" + std::to_string(port);
}

std::string BrokerUrl::redacted() const {
    return std::string(tls() ? "mqtts://" : "mqtt://") + (username.empty() ? "" : username + "@") + bracketed(*this) +
           ":" + std::to_string(port);
}

Result<BrokerUrl> parse_broker_url(std::string_view text, std::string_view field) {
    const auto bad = [&](const std::string& why) {
        return make_error(Errc::invalid_field, "'" + without_password(text) + "' is not a broker URL: " + why,
                          std::string(field));
    };
    const auto parsed = boost::urls::parse_uri(text);
    if (!parsed) return bad("expected scheme://host[:port], e.g. mqtt://192.0.2.10:1883");
    const auto& u = *parsed;
    BrokerUrl url;
    const auto scheme = u.scheme();
    if (scheme == "tcp" || scheme == "mqtt") {
        url.transport = BrokerTransport::tcp;
        url.port = 1883;
    } else if (scheme == "ssl" || scheme == "mqtts") {
        url.transport = BrokerTransport::tls;
        url.port = 8883;
    } else {
        return bad("the scheme is mqtt, tcp (plain) or mqtts, ssl (TLS), not '" + std::string(scheme) + "'");
    }
    if (!u.has_authority() || u.encoded_host().empty()) return bad("it names no host");
    if (u.host_type() == boost::urls::host_type::ipvfuture) return bad("the host is not a name or an IP address");
    url.host = u.host_address();
    // A name is what resolvers take: letters, digits, '-', '.', '_' (percent-decoded, so "%CC"
    // cannot smuggle a byte that paho's own URI would not carry).
    if (u.host_type() == boost::urls::host_type::name &&
        url.host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") != std::string::npos) {
        return bad("a host name has only letters, digits, '-', '.' and '_'");
    }
    if (u.has_port()) {
        const auto digits = u.port();
        if (digits.empty() || digits.size() > 5 || u.port_number() == 0) return bad("the port is 1–65535");
        url.port = u.port_number();
    }
    if (!u.encoded_path().empty() && u.encoded_path() != "/") return bad("a broker URL has no path");
    if (u.has_query() || u.has_fragment()) return bad("a broker URL has no query or fragment");
    if (u.has_userinfo()) {
        url.username = u.user();
        url.password = u.has_password() ? u.password() : std::string{};
        if (url.username.empty()) return bad("the user name before '@' is empty");
    }
    return url;
}

Result<BrokerUrl> with_credentials(BrokerUrl url, std::string username, std::string password,
                                   std::string_view user_field, std::string_view password_field) {
    if (!username.empty()) {
        if (!url.username.empty()) {
            return make_error(Errc::invalid_field,
                              "the broker user name is given twice, in the URL and in " + std::string(user_field),
                              std::string(user_field));
        }
        url.username = std::move(username);
    }
    if (!password.empty()) {
        if (!url.password.empty()) {
            return make_error(Errc::invalid_field,
                              "the broker password is given twice, in the URL and in " + std::string(password_field),
                              std::string(password_field));
        }
        url.password = std::move(password);
    }
    if (!url.password.empty() && url.username.empty()) {
        return make_error(Errc::invalid_field, "a broker password needs a user name (" + std::string(user_field) + ")",
                          std::string(user_field));
    }
    return url;
}

}  // namespace hearth::proto
