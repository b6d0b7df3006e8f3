#include "hub/router.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "proto/json.hpp"

namespace hearth::hub {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        const auto slash = path.find('/');
        parts.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash);
    }
    return parts;
}

bool match(std::string_view pattern, std::string_view path, PathParams& params) {
    const auto want = split_path(pattern);
    const auto got = split_path(path);
    if (want.size() != got.size()) return false;
    PathParams found;
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
            found.emplace(std::string(want[i].substr(1, want[i].size() - 2)), url_decode(got[i]));
        } else if (want[i] != got[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string HttpRequest::header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
}

void Router::add(std::string method, std::string pattern, Scope scope, Handler handler) {
    routes_.push_back({std::move(method), std::move(pattern), scope, std::move(handler)});
}

void Router::add_public(std::string method, std::string pattern, Handler handler) {
    routes_.push_back({std::move(method), std::move(pattern), std::nullopt, std::move(handler)});
}

void Router::dispatch(const HttpRequest& request, Reply reply) const {
    bool path_known = false;
    for (const auto& route : routes_) {
        PathParams params;
        if (!match(route.pattern, request.path, params)) continue;
        path_known = true;
        if (route.method != request.method) continue;
        auto run = [&route, request = HttpRequest(request), params = std::move(params)](std::string caller, Reply reply) mutable {
            request.caller = std::move(caller);
            try {
                route.handler(request, params, reply);
            } catch (const std::exception& e) {
                reply(error_response(500, proto::Errc::internal, std::string("internal error: ") + e.what()));
            }
        };
        if (gate_) {
            gate_(request, route, reply, std::move(run));
        } else {
            run({}, reply);
        }
        return;
    }
    if (path_known) {
        reply(error_response(405, proto::Errc::not_found, request.method + " is not allowed on " + request.path));
    } else {
        reply(error_response(404, proto::Errc::not_found, "no such endpoint: " + request.path));
    }
}

int http_status(proto::Errc code) noexcept {
    using proto::Errc;
    switch (code) {
        case Errc::bad_json: return 400;
        case Errc::payload_too_large: return 413;
        case Errc::invalid_field:
        case Errc::unknown_attribute:
        case Errc::wrong_type:
        case Errc::out_of_range:
        case Errc::read_only: return 422;
        case Errc::unknown_device:
        case Errc::not_found: return 404;
        case Errc::device_unavailable:
        case Errc::broker_unavailable: return 503;
        case Errc::conflict: return 409;
        case Errc::unauthorized: return 401;
        case Errc::forbidden: return 403;
        case Errc::rate_limited: return 429;
        case Errc::storage_full: return 507;
        case Errc::storage_failed:
        case Errc::internal: return 500;
    }
    return 500;
}

HttpResponse error_response(const proto::Error& error) {
    return error_response(http_status(error.code), error.code, error.message, error.field);
}

nlohmann::json error_json(const proto::Error& error) { return proto::to_json(error); }

HttpResponse error_response(int status, proto::Errc code, std::string message, std::string field) {
    return json_response({{"error", error_json({code, std::move(message), std::move(field)})}}, status);
}

HttpResponse json_response(const nlohmann::json& body, int status) {
    return HttpResponse{status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

std::string url_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
    std::map<std::string, std::string> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        // '+' means a space only as sent; an encoded "%2B" is a plus ("…T08:00:00+08:00").
        const auto form_decode = [](std::string_view part) {
            std::string spaced(part);
            std::replace(spaced.begin(), spaced.end(), '+', ' ');
            return url_decode(spaced);
        };
        std::string key = form_decode(pair.substr(0, eq));
        std::string value = eq == std::string_view::npos ? std::string{} : form_decode(pair.substr(eq + 1));
        if (!key.empty()) out[std::move(key)] = std::move(value);
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return out;
}

RequestTarget parse_target(std::string_view target) {
    const auto q = target.find('?');
    RequestTarget out{url_decode(target.substr(0, q)), {}};
    if (q != std::string_view::npos) out.query = parse_query(target.substr(q + 1));
    return out;
}

}  // namespace hearth::hub
