#include "hub/web_app.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <random>

namespace fs = std::filesystem;
using namespace hearth::hub;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("hearth-web-" + std::to_string(std::random_device{}()));
    TempDir() { fs::create_directories(path / "assets"); }
    ~TempDir() { fs::remove_all(path); }
    void write(const std::string& name, const std::string& body) const { std::ofstream(path / name, std::ios::binary) << body; }
};

HttpRequest get(std::string path, std::map<std::string, std::string> headers = {}) {
    HttpRequest request;
    request.method = "GET";
    request.path = std::move(path);
    request.headers = std::move(headers);
    return request;
}

std::string header(const HttpResponse& response, const std::string& name) {
    for (const auto& [n, v] : response.headers) {
        if (n == name) return v;
    }
    return {};
}

}  // namespace

TEST_CASE("The dashboard's index is served at / with its type and no-cache, its hashed assets as immutable") {
    TempDir dir;
    dir.write("index.html", "<!doctype html><title>Hearth</title>");
    dir.write("assets/index-abc123.js", "console.log(1)");
    const auto app = WebApp::load(dir.path);
    REQUIRE(app.available());

    const auto index = app.answer(get("/"));
    CHECK(index.status == 200);
    CHECK(index.body == "<!doctype html><title>Hearth</title>");
    CHECK(index.content_type == "text/html; charset=utf-8");
    CHECK(header(index, "Cache-Control") == "no-cache");
    CHECK(header(index, "Content-Security-Policy").find("default-src 'self'") != std::string::npos);

    const auto script = app.answer(get("/assets/index-abc123.js"));
    CHECK(script.status == 200);
    CHECK(script.content_type == "text/javascript; charset=utf-8");
    CHECK(header(script, "Cache-Control") == "public, max-age=31536000, immutable");
}

TEST_CASE("A file with a built .gz is sent gzip-encoded only to a client that accepts gzip") {
    TempDir dir;
    dir.write("index.html", "<p>x</p>");
    dir.write("assets/app.css", "body{}");
    dir.write("assets/app.css.gz", "GZIPPED");
    const auto app = WebApp::load(dir.path);

    const auto zipped = app.answer(get("/assets/app.css", {{"accept-encoding", "gzip, deflate, br"}}));
    CHECK(zipped.body == "GZIPPED");
    CHECK(header(zipped, "Content-Encoding") == "gzip");
    CHECK(header(zipped, "Vary") == "Accept-Encoding");

    const auto plain = app.answer(get("/assets/app.css"));
    CHECK(plain.body == "body{}");
    CHECK(header(plain, "Content-Encoding").empty());
    CHECK(app.answer(get("/assets/app.css.gz")).status == 404);
}

TEST_CASE("The app's own pages get index.html; missing files and unknown API paths are 404") {
    TempDir dir;
    dir.write("index.html", "INDEX");
    const auto app = WebApp::load(dir.path);
    CHECK(app.answer(get("/devices/bedroom.ac")).body == "INDEX");
    CHECK(app.answer(get("/rules")).body == "INDEX");
    CHECK(app.answer(get("/assets/missing-123.js")).status == 404);
    CHECK(app.answer(get("/old-build.css")).status == 404);
    const auto api = app.answer(get("/api/v1/nothing"));
    CHECK(api.status == 404);
    CHECK(api.body.find("no such endpoint") != std::string::npos);
}

TEST_CASE("A matching If-None-Match is answered 304 without a body") {
    TempDir dir;
    dir.write("index.html", "INDEX");
    const auto app = WebApp::load(dir.path);
    const auto first = app.answer(get("/"));
    const auto again = app.answer(get("/", {{"if-none-match", header(first, "ETag")}}));
    CHECK(again.status == 304);
    CHECK(again.body.empty());
}

TEST_CASE("Without a built dashboard / says how to build it, and paths outside the directory are never read") {
    const auto app = WebApp::load("/nonexistent/hearth-web");
    CHECK_FALSE(app.available());
    const auto response = app.answer(get("/"));
    CHECK(response.status == 404);
    CHECK(response.body.find("hearth-web") != std::string::npos);

    TempDir dir;
    dir.write("index.html", "INDEX");
    const auto loaded = WebApp::load(dir.path);
    CHECK(loaded.answer(get("/../../etc/passwd")).body == "INDEX");
    CHECK(loaded.answer(get("/../index.html")).status == 404);
}

TEST_CASE("Content types follow the file extension") {
    CHECK(content_type_for("a.svg") == "image/svg+xml");
    CHECK(content_type_for("x.woff2") == "font/woff2");
    CHECK(content_type_for("noext") == "application/octet-stream");
}
