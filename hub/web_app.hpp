#pragma once
// The dashboard's static files, served by hearthd at `/`: loaded once at start from the directory
// the web/ build wrote (index.html, assets/…, each with an optional pre-compressed `.gz` sibling).
// Hub thread only (answer() is const and touches no disk).
#include <filesystem>
#include <map>
#include <string>

#include "hub/router.hpp"

namespace hearth::hub {

class WebApp {
public:
    /// Loads every file under `dir`. A missing or empty directory gives an app that is not
    /// `available()`: `/` then answers 404 saying how to build it; the hub still starts.
    static WebApp load(const std::filesystem::path& dir);

    bool available() const noexcept { return files_.contains("/index.html"); }
    const std::filesystem::path& dir() const noexcept { return dir_; }
    std::size_t file_count() const noexcept { return files_.size(); }

    /// A GET for a path no API route knows. A file is served as it is (gzip when the client
    /// accepts it and a `.gz` was built); any other path is one of the app's own pages and gets
    /// index.html (the app routes on the client), except `/api/…`, `/assets/…` and names with a
    /// file type the app uses (`.js`, `.css`, `.png`, …), which are 404.
    HttpResponse answer(const HttpRequest& request) const;

private:
    struct File {
        std::string content_type;
        std::string body;
        std::string gzip;  // empty when no .gz was built
        std::string etag;
        bool immutable = false;  // under assets/: the name carries a content hash
    };
    HttpResponse serve(const File& file, const HttpRequest& request) const;

    std::filesystem::path dir_;
    std::map<std::string, File, std::less<>> files_;  // by URL path: "/index.html", "/assets/index-3f2a.js"
};

/// Serves `app` for every GET no API route knows (Router::set_fallback).
void add_web_routes(Router& router, const WebApp& app);

/// The content type for a file name's extension ("application/octet-stream" when unknown).
std::string content_type_for(std::string_view file_name);

}  // namespace hearth::hub
