#include "ctl/connection.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hearth::ctl {
namespace {

std::string first_line_trimmed(const std::string& text) {
    const auto end_of_line = text.find_first_of("\r\n");
    std::string line = text.substr(0, end_of_line);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    const auto last = line.find_last_not_of(" \t");
    return line.substr(first, last - first + 1);
}

Failure bad_url(std::string_view text, std::string_view why) {
    return usage_error("bad hub URL '" + std::string(text) + "': " + std::string(why));
}

}  // namespace

std::string Url::host_header() const {
    const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return h + ":" + std::to_string(port);
}

std::string Url::text() const {
    return (scheme == Scheme::https ? "https://" : "http://") + host_header() + base_path;
}

Result<Url> parse_url(std::string_view text) {
    Url url;
    std::string_view rest = text;
    if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
        const auto name = rest.substr(0, scheme);
        if (name != "http" && name != "https") return bad_url(text, "the scheme must be http:// or https://");
        url.scheme = name == "https" ? Scheme::https : Scheme::http;
        rest.remove_prefix(scheme + 3);
    }
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string path =
        slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash));
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.ends_with("/api/v1")) path.resize(path.size() - 7);
    while (!path.empty() && path.back() == '/') path.pop_back();
    url.base_path = path;

    std::string_view port_text;
    if (authority.starts_with("[")) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return bad_url(text, "unclosed [ in the host");
        url.host = std::string(authority.substr(1, close - 1));
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (!after.starts_with(":")) return bad_url(text, "expected :PORT after ]");
            port_text = after.substr(1);
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        url.host = std::string(authority.substr(0, colon));
        port_text = authority.substr(colon + 1);
    } else {
        url.host = std::string(authority);
    }
    if (url.host.empty()) return bad_url(text, "no host");
    if (!port_text.empty() || authority.ends_with(":")) {
        unsigned port = 0;
        const auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
            port > 65535) {
            return bad_url(text, "the port must be 1–65535");
        }
        url.port = static_cast<std::uint16_t>(port);
    }
    return url;
}

Result<Connection> resolve_connection(const GlobalOptions& options, const Environment& env,
                                      const FileReader& read) {
    Connection c;
    std::string url_text = "http://127.0.0.1:8480";
    if (options.url)
        url_text = *options.url;
    else if (auto v = env("HEARTH_URL"))
        url_text = *v;
    else if (auto h = env("HEARTH_HTTP"))
        url_text = "http://" + *h;
    auto url = parse_url(url_text);
    if (!url) return url.error();
    c.url = std::move(*url);

    if (options.insecure && options.ca_file)
        return usage_error("give --ca-file or --insecure, not both");
    c.trust.insecure = options.insecure;
    if (options.ca_file)
        c.trust.ca_file = *options.ca_file;
    else if (auto v = env("HEARTH_CA_FILE"); v && !options.insecure)
        c.trust.ca_file = *v;
    if (!c.trust.ca_file.empty() && !read(c.trust.ca_file))
        return usage_error("cannot read the CA file " + c.trust.ca_file);

    if (options.token) {
        c.token = *options.token;
        c.token_source = "--token";
        return c;
    }
    if (options.token_file) {
        const auto text = read(*options.token_file);
        if (!text) return usage_error("cannot read the token file " + *options.token_file);
        c.token = first_line_trimmed(*text);
        c.token_source = *options.token_file;
        if (c.token.empty())
            return usage_error("the token file " + *options.token_file + " is empty");
        return c;
    }
    if (auto v = env("HEARTH_TOKEN")) {
        c.token = first_line_trimmed(*v);
        c.token_source = "HEARTH_TOKEN";
        return c;
    }
    std::string data = "var";
    if (options.data_dir)
        data = *options.data_dir;
    else if (auto v = env("HEARTH_DATA"))
        data = *v;
    while (data.size() > 1 && data.back() == '/') data.pop_back();
    const std::string path = data + "/owner.token";
    c.token_source = path;
    if (const auto text = read(path)) c.token = first_line_trimmed(*text);
    return c;
}

Environment process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v || !*v) return std::nullopt;
        return std::string(v);
    };
}

FileReader file_reader() {
    return [](const std::string& path) -> std::optional<std::string> {
        std::ifstream in(path, std::ios::binary);
        if (!in) return std::nullopt;
        std::ostringstream text;
        text << in.rdbuf();
        if (in.bad()) return std::nullopt;
        return text.str();
    };
}

}  // namespace hearth::ctl
