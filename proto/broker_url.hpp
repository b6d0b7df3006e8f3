#pragma once
// Broker URLs, one parser for the hub and the fleet (Boost.URL underneath):
//   tcp://host[:port]   mqtt://host[:port]    plain MQTT, port 1883 by default
//   ssl://host[:port]   mqtts://host[:port]   MQTT over TLS, port 8883 by default
// with optional credentials, `mqtt://user:pass@host` (percent-encoded where needed: `p%40ss`).
// The host may be a name, an IPv4 address or a bracketed IPv6 address. A path other than `/`, a
// query or a fragment is refused, so nothing in the text is silently ignored.
#include <string>
#include <string_view>

#include "proto/errc.hpp"

namespace hearth::proto {

enum class BrokerTransport { tcp, tls };

struct BrokerUrl {
    BrokerTransport transport = BrokerTransport::tcp;
    std::string host{};    // without brackets for IPv6
    int port = 1883;
    std::string username{};  // decoded; empty = anonymous
    std::string password{};  // decoded; only with a username

    bool tls() const noexcept { return transport == BrokerTransport::tls; }
    /// `tcp://host:port` or `ssl://host:port`, as paho wants it: no credentials.
    std::string client_uri() const;
    /// For logs and messages: `mqtts://user@host:8883`, never the password.
    std::string redacted() const;
};

/// Parses a broker URL. A bad URL is `invalid_field` naming `field`, with a message that says what
/// is wrong (it quotes the URL without its password).
Result<BrokerUrl> parse_broker_url(std::string_view text, std::string_view field = "mqtt_url");

/// Adds credentials given apart from the URL (`--mqtt-user`, a password file). A user name or a
/// password given both in the URL and apart is an error naming `user_field`/`password_field`; so
/// is a password without a user name.
Result<BrokerUrl> with_credentials(BrokerUrl url, std::string username, std::string password,
                                   std::string_view user_field = "mqtt_user",
                                   std::string_view password_field = "mqtt_password_file");

}  // namespace hearth::proto
