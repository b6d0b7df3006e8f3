// Broker URLs (--mqtt, HEARTH_MQTT_URL, the config file; Boost.URL underneath), then credentials
// given apart. Input: the URL, a NUL, a user name, a NUL, a password. Invariants: a refusal names
// its field and never quotes the password; an accepted URL has a host and a port in 1–65535, its
// redacted form carries no password, and its paho form parses back to the same broker.
#include <algorithm>
#include <cctype>

#include "fuzz/support.hpp"
#include "proto/broker_url.hpp"

using namespace hearth;

namespace {

void check_accepted(const proto::BrokerUrl& url) {
    fuzz::require(!url.host.empty(), "an accepted URL has a host");
    fuzz::require(url.port >= 1 && url.port <= 65535, "an accepted URL's port is 1–65535");
    fuzz::require(url.password.empty() || !url.username.empty(), "a password only with a user name");
    auto without = url;
    without.password.clear();
    fuzz::require(url.redacted() == without.redacted(), "the redacted URL carries no password");
    const auto again = proto::parse_broker_url(url.client_uri());
    fuzz::require(again.has_value(), "the paho form of an accepted URL parses");
    fuzz::require(again->host == url.host && again->port == url.port && again->transport == url.transport,
                  "the paho form names the same broker");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto [text, rest] = fuzz::split_at_nul(fuzz::as_text(data, size));
    const auto [user, password] = fuzz::split_at_nul(rest);
    const auto url = proto::parse_broker_url(text);
    if (!url) {
        fuzz::require(url.error().field == "mqtt_url" && !url.error().message.empty(), "a refusal names its field");
        const auto at = text.rfind('@');
        const auto colon = text.find(':', text.find("://") == std::string_view::npos ? 0 : text.find("://") + 3);
        if (at != std::string_view::npos && colon != std::string_view::npos && colon + 1 < at) {
            const auto secret = text.substr(colon + 1, at - colon - 1);
            // Only a password that cannot be one of the message's own words (8+ letters and digits,
            // both) and is found nowhere else in the URL (the rest of the URL is quoted).
            const bool only_there = text.find(secret) == colon + 1 && text.find(secret, colon + 2) == std::string_view::npos;
            const auto is = [&](auto pred) { return std::any_of(secret.begin(), secret.end(), [&](char c) { return pred(static_cast<unsigned char>(c)); }); };
            const bool word_like = secret.size() >= 8 && !is([](unsigned char c) { return !std::isalnum(c); }) &&
                                   is([](unsigned char c) { return std::isdigit(c); }) && is([](unsigned char c) { return std::isalpha(c); });
            if (only_there && word_like) {
                fuzz::require(url.error().message.find(secret) == std::string::npos, "a refusal never quotes the password");
            }
        }
        return 0;
    }
    check_accepted(*url);
    const auto joined = proto::with_credentials(*url, std::string(user), std::string(password));
    if (joined) {
        check_accepted(*joined);
    } else {
        fuzz::require(!joined.error().field.empty(), "a credentials refusal names its field");
    }
    return 0;
}
