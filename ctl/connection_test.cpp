#include "ctl/connection.hpp"

#include <catch2/catch.hpp>
#include <map>

using namespace hearth::ctl;

namespace {
Environment env_of(std::map<std::string, std::string> values) {
    return [values](const std::string& name) -> std::optional<std::string> {
        const auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}
FileReader files_of(std::map<std::string, std::string> files) {
    return [files](const std::string& path) -> std::optional<std::string> {
        const auto it = files.find(path);
        if (it == files.end()) return std::nullopt;
        return it->second;
    };
}
Url url_of(std::string_view text) {
    auto url = parse_url(text);
    if (!url) FAIL(url.error().message);
    return *url;
}
}  // namespace

TEST_CASE("A URL gives host, port and base path, and the scheme and the port may be left out") {
    CHECK(url_of("http://127.0.0.1:8480") == Url{"127.0.0.1", 8480, ""});
    CHECK(url_of("hub.local:9000") == Url{"hub.local", 9000, ""});
    CHECK(url_of("http://hub") == Url{"hub", 8480, ""});
    CHECK(url_of("http://hub:80/hearth/api/v1/") == Url{"hub", 80, "/hearth"});
    CHECK(url_of("http://[::1]:8480").host == "::1");
    CHECK(url_of("http://[::1]:8480").host_header() == "[::1]:8480");
    CHECK(url_of("http://hub:9000/x").text() == "http://hub:9000/x");
}

TEST_CASE("An https URL keeps its scheme, host, port and base path") {
    CHECK(url_of("https://hub.local:8443") == Url{"hub.local", 8443, "", Scheme::https});
    CHECK(url_of("https://hub") == Url{"hub", 8480, "", Scheme::https});
    CHECK(url_of("https://[::1]:9443/hearth/api/v1").base_path == "/hearth");
    CHECK(url_of("https://hub:9443/x").text() == "https://hub:9443/x");
    CHECK(url_of("hub:9000").scheme == Scheme::http);
}

TEST_CASE("Other schemes, bad ports and empty hosts are usage failures") {
    CHECK(parse_url("ftp://hub").error().exit == Exit::usage);
    CHECK(parse_url("ftp://hub").error().message.find("https://") != std::string::npos);
    CHECK_FALSE(parse_url("https://hub:0").has_value());
    CHECK_FALSE(parse_url("http://hub:0").has_value());
    CHECK_FALSE(parse_url("http://hub:99999").has_value());
    CHECK_FALSE(parse_url("http://hub:8x").has_value());
    CHECK_FALSE(parse_url("http://:8480").has_value());
}

TEST_CASE("The URL comes from --url, else HEARTH_URL, else HEARTH_HTTP, else the default") {
    const auto read = files_of({});
    GlobalOptions flags;
    CHECK(resolve_connection(flags, env_of({}), read)->url == Url{"127.0.0.1", 8480, ""});
    CHECK(resolve_connection(flags, env_of({{"HEARTH_HTTP", "0.0.0.0:9100"}}), read)->url ==
          Url{"0.0.0.0", 9100, ""});
    const auto both = env_of({{"HEARTH_HTTP", "0.0.0.0:9100"}, {"HEARTH_URL", "http://a:1"}});
    CHECK(resolve_connection(flags, both, read)->url == Url{"a", 1, ""});
    flags.url = "http://b:2";
    CHECK(resolve_connection(flags, both, read)->url == Url{"b", 2, ""});
}

TEST_CASE(
    "The token comes from --token, else --token-file, else HEARTH_TOKEN, else the data dir's "
    "owner.token") {
    const auto read = files_of({{"var/owner.token", "hth_var\n"},
                                {"/d/owner.token", "  hth_d  \n"},
                                {"/e/owner.token", "hth_e"},
                                {"my.token", "hth_file\r\nsecond line"}});
    GlobalOptions flags;
    auto c = resolve_connection(flags, env_of({}), read);
    CHECK(c->token == "hth_var");
    CHECK(c->token_source == "var/owner.token");
    CHECK(resolve_connection(flags, env_of({{"HEARTH_DATA", "/e/"}}), read)->token == "hth_e");
    flags.data_dir = "/d";
    CHECK(resolve_connection(flags, env_of({{"HEARTH_DATA", "/e"}}), read)->token == "hth_d");
    CHECK(resolve_connection(flags, env_of({{"HEARTH_TOKEN", "hth_env"}}), read)->token ==
          "hth_env");
    flags.token_file = "my.token";
    CHECK(resolve_connection(flags, env_of({{"HEARTH_TOKEN", "hth_env"}}), read)->token ==
          "hth_file");
    flags.token_file.reset();
    flags.token = "hth_flag";
    CHECK(resolve_connection(flags, env_of({{"HEARTH_TOKEN", "hth_env"}}), read)->token ==
          "hth_flag");
}

TEST_CASE(
    "A missing owner.token leaves the token empty, an unreadable --token-file is a usage failure") {
    GlobalOptions flags;
    flags.data_dir = "/nowhere";
    const auto c = resolve_connection(flags, env_of({}), files_of({}));
    REQUIRE(c.has_value());
    CHECK(c->token.empty());
    CHECK(c->token_source == "/nowhere/owner.token");
    flags.token_file = "/missing.token";
    const auto failed = resolve_connection(flags, env_of({}), files_of({}));
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().exit == Exit::usage);
    CHECK(failed.error().message.find("/missing.token") != std::string::npos);
}

TEST_CASE("The CA file comes from --ca-file, else HEARTH_CA_FILE, and must be readable") {
    const auto read = files_of({{"/etc/hub.pem", "PEM"}, {"/tmp/other.pem", "PEM"}});
    GlobalOptions flags;
    CHECK(resolve_connection(flags, env_of({}), read)->trust == Trust{});
    const auto env = env_of({{"HEARTH_CA_FILE", "/etc/hub.pem"}});
    CHECK(resolve_connection(flags, env, read)->trust == Trust{"/etc/hub.pem", false});
    flags.ca_file = "/tmp/other.pem";
    CHECK(resolve_connection(flags, env, read)->trust == Trust{"/tmp/other.pem", false});
    flags.ca_file = "/nowhere.pem";
    const auto unreadable = resolve_connection(flags, env, read);
    REQUIRE_FALSE(unreadable.has_value());
    CHECK(unreadable.error().exit == Exit::usage);
    CHECK(unreadable.error().message.find("/nowhere.pem") != std::string::npos);
}

TEST_CASE("Insecure mode skips the certificate check, ignores HEARTH_CA_FILE and excludes --ca-file") {
    const auto read = files_of({{"/etc/hub.pem", "PEM"}});
    GlobalOptions flags;
    flags.insecure = true;
    CHECK(resolve_connection(flags, env_of({{"HEARTH_CA_FILE", "/etc/hub.pem"}}), read)->trust == Trust{"", true});
    flags.ca_file = "/etc/hub.pem";
    const auto both = resolve_connection(flags, env_of({}), read);
    REQUIRE_FALSE(both.has_value());
    CHECK(both.error().exit == Exit::usage);
}
