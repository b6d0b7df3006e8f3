#include "hub/router.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url_view.hpp>

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
        // Segment by segment, so an encoded '/' ("%2F") stays inside its segment.
        auto segment = decode_component(got[i]);
        if (!segment) return false;
        if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
            found.emplace(std::string(want[i].substr(1, want[i].size() - 2)), std::move(*segment));
        } else if (want[i] != *segment) {
            return false;
        }
    }
    params = std::move(found);
    return true;
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

void Router::set_fallback(std::string method, Handler handler) {
    fallback_ = Route{std::move(method), "*", std::nullopt, std::move(handler)};
}

void Router::dispatch(const HttpRequest& request, Reply reply) const {
    const auto start = [&](const Route& route, PathParams params) {
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
    };
    bool path_known = false;
    for (const auto& route : routes_) {
        PathParams params;
        if (!match(route.pattern, request.path, params)) continue;
        path_known = true;
        if (route.method != request.method) continue;
        return start(route, std::move(params));
    }
    if (path_known) {
        reply(error_response(405, proto::Errc::not_found, request.method + " is not allowed on " + request.path));
    } else if (fallback_ && fallback_->method == request.method) {
        start(*fallback_, {});
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

std::optional<std::string> decode_component(std::string_view text) {
    const auto encoded = boost::urls::make_pct_string_view(text);
    if (!encoded) return std::nullopt;
    return encoded->decode();
}

proto::Result<std::map<std::string, std::string>> parse_query(std::string_view query) {
    // Through a whole target: Boost 1.81's boost::urls::parse_query reads past the end of a view
    // that is not NUL-terminated (strlen; ASan caught it on a Beast buffer).
    auto target = parse_target("/?" + std::string(query));
    if (!target) return target.error();
    return std::move(target->query);
}

proto::Result<RequestTarget> parse_target(std::string_view target) {
    const auto url = boost::urls::parse_origin_form(target);
    if (!url) {
        const bool in_query = target.find('?') != std::string_view::npos &&
                              boost::urls::parse_origin_form(target.substr(0, target.find('?'))).has_value();
        return proto::make_error(proto::Errc::invalid_field,
                                 std::string(in_query ? "the query string" : "the request target") +
                                     " is not valid: " + url.error().message(),
                                 in_query ? "query" : "target");
    }
    RequestTarget out{std::string(url->encoded_path()), {}};
    // Form encoding: '+' is a space as sent, "%2B" a plus ("…T08:00:00+08:00").
    for (const auto& param : url->params(boost::urls::encoding_opts{true})) {
        if (param.key.empty()) continue;
        out.query[param.key] = param.has_value ? param.value : std::string{};
    }
    return out;
}

}  // namespace hearth::hub
