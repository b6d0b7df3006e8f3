#include "proto/broker_url.hpp"

#include <catch2/catch.hpp>

using namespace hearth::proto;

TEST_CASE("Plain broker URLs default to port 1883 and TLS ones to 8883") {
    for (const auto* text : {"tcp://broker.local", "mqtt://broker.local", "mqtt://broker.local/"}) {
        INFO(text);
        const auto url = parse_broker_url(text);
        REQUIRE(url.has_value());
        CHECK_FALSE(url->tls());
        CHECK(url->host == "broker.local");
        CHECK(url->port == 1883);
        CHECK(url->client_uri() == "tcp://broker.local:1883");
    }
    for (const auto* text : {"ssl://broker.local", "mqtts://broker.local"}) {
        INFO(text);
        const auto url = parse_broker_url(text);
        REQUIRE(url.has_value());
        CHECK(url->tls());
        CHECK(url->port == 8883);
        CHECK(url->client_uri() == "ssl://broker.local:8883");
    }
}

TEST_CASE("A broker URL keeps its port, an IPv6 host and its decoded credentials") {
    const auto url = parse_broker_url("mqtts://hub%40home:p%3Ass@[::1]:18883");
    REQUIRE(url.has_value());
    CHECK(url->host == "::1");
    CHECK(url->port == 18883);
    CHECK(url->username == "hub@home");
    CHECK(url->password == "p:ss");
    CHECK(url->client_uri() == "ssl://[::1]:18883");
}

TEST_CASE("A broker URL shown in logs never carries its password") {
    const auto url = parse_broker_url("mqtt://hearthd:s3cret@192.0.2.10:1884");
    REQUIRE(url.has_value());
    CHECK(url->redacted() == "mqtt://hearthd@192.0.2.10:1884");
    CHECK(url->client_uri().find("s3cret") == std::string::npos);
}

TEST_CASE("A bad broker URL is refused with what is wrong, naming the field and hiding the password") {
    const auto refused = [](std::string_view text, std::string_view why) {
        INFO(text);
        const auto url = parse_broker_url(text, "--mqtt");
        REQUIRE_FALSE(url.has_value());
        CHECK(url.error().code == Errc::invalid_field);
        CHECK(url.error().field == "--mqtt");
        CHECK_THAT(url.error().message, Catch::Contains(std::string(why)));
        CHECK_THAT(url.error().message, !Catch::Contains("s3cret"));
    };
    refused("broker.local:1883", "the scheme is");
    refused("broker.local", "scheme://host");
    refused("http://broker.local", "the scheme is");
    refused("mqtt://", "no host");
    refused("mqtt://u:s3cret@", "no host");
    refused("mqtt://broker.local:0", "the port is 1–65535");
    refused("mqtt://broker.local:65536", "the port is 1–65535");
    refused("mqtt://broker.local:", "the port is 1–65535");
    refused("mqtt://broker.local:1883/topic", "no path");
    refused("mqtt://broker.local?x=1", "no query");
    refused("mqtt://:s3cret@broker.local", "user name");
    refused("mqtt://u:s3cret@bro ker", "scheme://host");
    refused("mqtt://u:s3cret@bro%20ker", "only letters, digits");
    refused("mqtt://expr%cc.lan", "only letters, digits");  // a raw byte paho's URI would not carry
    refused("mqtt://客厅.lan", "scheme://host");
}

TEST_CASE("Credentials given apart join the URL's, and the same one given twice is an error") {
    const auto plain = parse_broker_url("mqtt://broker.local");
    REQUIRE(plain.has_value());
    const auto joined = with_credentials(*plain, "hearthd", "pw");
    REQUIRE(joined.has_value());
    CHECK(joined->username == "hearthd");
    CHECK(joined->password == "pw");

    const auto in_url = parse_broker_url("mqtt://hearthd:pw@broker.local");
    REQUIRE(in_url.has_value());
    CHECK(with_credentials(*in_url, "", "")->password == "pw");
    CHECK(with_credentials(*in_url, "other", "").error().field == "mqtt_user");
    CHECK(with_credentials(*in_url, "", "other").error().field == "mqtt_password_file");

    const auto lone_password = with_credentials(*plain, "", "pw");
    REQUIRE_FALSE(lone_password.has_value());
    CHECK_THAT(lone_password.error().message, Catch::Contains("needs a user name"));
}
