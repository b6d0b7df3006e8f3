#pragma once
// Small glue between the automation's answers and HTTP replies, shared by its route files.
#include <nlohmann/json.hpp>

#include "hub/answer.hpp"
#include "hub/router.hpp"
#include "proto/json.hpp"

namespace hearth::hub {

/// An Answer that replies with `status` on success and the error shape otherwise.
inline Answer reply_with(Reply reply, int status = 200) {
    return [reply = std::move(reply), status](proto::Result<nlohmann::json> r) {
        if (!r) return reply(error_response(r.error()));
        reply(json_response(*r, status));
    };
}

inline void reply_result(const Reply& reply, const proto::Result<nlohmann::json>& r, int status = 200) {
    if (!r) return reply(error_response(r.error()));
    reply(json_response(*r, status));
}

/// The request body as JSON; an empty body reads as `empty`.
inline proto::Result<nlohmann::json> body_json(const HttpRequest& request, nlohmann::json empty = nlohmann::json::object()) {
    if (request.body.empty()) return ok(std::move(empty));
    return proto::parse_json(request.body);
}

/// `name` from the query string as a count from 1 to `max`.
inline proto::Result<std::size_t> limit_param(const HttpRequest& request, std::size_t fallback, std::size_t max) {
    const auto it = request.query.find("limit");
    if (it == request.query.end()) return fallback;
    try {
        std::size_t used = 0;
        const auto v = std::stoull(it->second, &used);
        if (used == it->second.size() && v >= 1 && v <= max) return static_cast<std::size_t>(v);
    } catch (const std::exception&) {
    }
    return proto::make_error(proto::Errc::invalid_field, "limit must be a whole number from 1 to " + std::to_string(max), "limit");
}

}  // namespace hearth::hub
