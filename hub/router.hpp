#pragma once
// HTTP routing without Beast: plain request/response values, path patterns with {params}, and
// asynchronous replies (a handler may answer later, e.g. after a database commit). Hub thread only.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hub/access.hpp"
#include "proto/errc.hpp"

namespace hearth::hub {

struct HttpRequest {
    std::string method;  // "GET", "POST", …
    std::string path;    // without the query string, percent-encoded as sent (route parameters are decoded)
    std::map<std::string, std::string> query;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string remote;  // client address
    std::string caller;  // the name of the token the gate let through; empty on public routes

    std::string header(const std::string& lower_name) const;
};

struct HttpResponse {
    int status = 200;
    std::string body = {};
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers = {};
};

using PathParams = std::map<std::string, std::string, std::less<>>;
/// Sends the reply. Call exactly once, on the hub thread.
using Reply = std::function<void(HttpResponse)>;
using Handler = std::function<void(const HttpRequest&, const PathParams&, Reply)>;

struct Route {
    std::string method;
    std::string pattern;          // "/api/v1/devices/{id}"
    std::optional<Scope> scope;   // the token scope it needs; none = public
    Handler handler;
};

/// Lets a request through to its handler with the caller's token name; the handler answers through
/// `reply`, which the gate may have wrapped (to measure and count every answer).
using Proceed = std::function<void(std::string caller, Reply reply)>;
/// Runs before a route's handler: calls `proceed` to let the request through, or replies itself.
using Gate = std::function<void(const HttpRequest&, const Route&, Reply, Proceed proceed)>;

class Router {
public:
    void add(std::string method, std::string pattern, Scope scope, Handler handler);
    void add_public(std::string method, std::string pattern, Handler handler);
    void set_gate(Gate gate) { gate_ = std::move(gate); }
    /// A public handler for `method` requests to paths no route knows (the dashboard's files and its
    /// client-side pages); without one they get 404. It goes through the gate like any route.
    void set_fallback(std::string method, Handler handler);
    /// Dispatches to the matching route; 404 for an unknown path, 405 for a known path with
    /// another method. A handler that throws gets a 500 with the error shape.
    void dispatch(const HttpRequest& request, Reply reply) const;
    const std::vector<Route>& routes() const noexcept { return routes_; }

private:
    std::vector<Route> routes_;
    std::optional<Route> fallback_;
    Gate gate_;
};

/// Maps an error code to its HTTP status (invalid_field → 422, unknown_device → 404, …).
int http_status(proto::Errc code) noexcept;

/// The inner error object: {"code": "...", "message": "...", "field": "..."}.
nlohmann::json error_json(const proto::Error& error);

/// The API's one error shape: {"error": {"code": "...", "message": "...", "field": "..."}}.
HttpResponse error_response(const proto::Error& error);
HttpResponse error_response(int status, proto::Errc code, std::string message, std::string field = {});
HttpResponse json_response(const nlohmann::json& body, int status = 200);

/// Percent-decodes one URL component ('+' stays a plus, as in paths); nothing when an escape is malformed.
std::optional<std::string> decode_component(std::string_view text);

/// A query string as form fields, decoded by Boost.URL: '+' is a space and "%2B" a plus. Empty
/// keys are skipped; a key given twice keeps its last value. A malformed escape is `invalid_field`.
proto::Result<std::map<std::string, std::string>> parse_query(std::string_view query);

/// A request target ("/api/v1/devices?area=bedroom") in origin form: its path as sent and its
/// decoded query. Anything that is not a valid RFC 3986 path and query is `invalid_field`.
struct RequestTarget {
    std::string path;
    std::map<std::string, std::string> query;
};
proto::Result<RequestTarget> parse_target(std::string_view target);

}  // namespace hearth::hub
