#include "hub/web_app.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

namespace hearth::hub {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

/// FNV-1a: the ETag only has to change when the file does.
std::string etag_of(std::string_view body) {
    std::uint64_t h = 1469598103934665603ull;
    for (const unsigned char c : body) h = (h ^ c) * 1099511628211ull;
    std::ostringstream out;
    out << '"' << std::hex << h << '"';
    return out.str();
}

bool accepts_gzip(const HttpRequest& request) {
    // Good enough for browsers: they send "gzip, deflate, br, zstd"; "gzip;q=0" is not sent by any.
    return request.header("accept-encoding").find("gzip") != std::string::npos;
}

HttpResponse not_found(std::string message) {
    return error_response(404, proto::Errc::not_found, std::move(message));
}

}  // namespace

std::string content_type_for(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kTypes{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
        {".webp", "image/webp"},
    }};
    for (const auto& [ext, type] : kTypes) {
        if (name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext) return std::string(type);
    }
    return "application/octet-stream";
}

WebApp WebApp::load(const std::filesystem::path& dir) {
    WebApp app;
    app.dir_ = dir;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return app;
    std::map<std::string, std::string, std::less<>> gzipped;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        const auto relative = std::filesystem::relative(it->path(), dir, ec).generic_string();
        if (ec || relative.empty()) continue;
        const auto url = "/" + relative;
        if (url.ends_with(".gz")) {
            gzipped.emplace(url.substr(0, url.size() - 3), read_file(it->path()));
            continue;
        }
        File file;
        file.content_type = content_type_for(relative);
        file.body = read_file(it->path());
        file.etag = etag_of(file.body);
        file.immutable = relative.starts_with("assets/");
        app.files_.emplace(url, std::move(file));
    }
    for (auto& [url, gz] : gzipped) {
        if (auto f = app.files_.find(url); f != app.files_.end()) f->second.gzip = std::move(gz);
    }
    return app;
}

HttpResponse WebApp::answer(const HttpRequest& request) const {
    const std::string_view path = request.path;
    if (path.starts_with("/api/") || path == "/api") return not_found("no such endpoint: " + request.path);
    if (!available()) {
        return not_found("the dashboard is not built: build the hearth-web target (cmake --build … --target hearth-web) "
                         "or start hearthd with --web DIR; looked in " + dir_.string());
    }
    if (const auto f = files_.find(path == "/" ? std::string_view("/index.html") : path); f != files_.end()) {
        return serve(f->second, request);
    }
    // A missing file is a 404, not the app: a stale script reference must fail loudly. Device ids have
    // dots too ("/devices/bedroom.ac"), so only the app's file types count as files.
    if (path.starts_with("/assets/") || content_type_for(path) != "application/octet-stream") {
        return not_found("no such file: " + request.path);
    }
    return serve(files_.find("/index.html")->second, request);
}

HttpResponse WebApp::serve(const File& file, const HttpRequest& request) const {
    HttpResponse response{200, {}, file.content_type, {}};
    // Hashed assets never change under their name; index.html is checked every time, so a new build
    // reaches the browser at the next load.
    response.headers.emplace_back("Cache-Control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    response.headers.emplace_back("ETag", file.etag);
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    if (file.content_type.starts_with("text/html")) {
        response.headers.emplace_back(
            "Content-Security-Policy",
            "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors 'none'");
    }
    if (!file.gzip.empty()) response.headers.emplace_back("Vary", "Accept-Encoding");
    if (request.header("if-none-match") == file.etag) {
        response.status = 304;
        return response;
    }
    if (!file.gzip.empty() && accepts_gzip(request)) {
        response.headers.emplace_back("Content-Encoding", "gzip");
        response.body = file.gzip;
    } else {
        response.body = file.body;
    }
    return response;
}

void add_web_routes(Router& router, const WebApp& app) {
    router.set_fallback("GET", [&app](const HttpRequest& request, const PathParams&, Reply reply) {
        reply(app.answer(request));
    });
}

}  // namespace hearth::hub
