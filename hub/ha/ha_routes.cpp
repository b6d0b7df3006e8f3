#include "hub/ha/ha_routes.hpp"

#include <nlohmann/json.hpp>

#include "hub/ha/ha_api.hpp"
#include "hub/router.hpp"
#include "proto/json.hpp"

namespace hearth::hub::ha {

using json = nlohmann::json;

namespace {

int status_of(const HaError& error) {
    if (error.code == "not_found") return 404;
    if (error.code == "unauthorized") return 403;
    if (error.code == "home_assistant_error") return 500;
    return 400;
}

HttpResponse message(int status, std::string text) { return json_response({{"message", std::move(text)}}, status); }

/// A POST body: empty is {}, anything else must be a JSON object.
std::optional<json> body_of(const HttpRequest& request, Reply& reply) {
    if (request.body.empty()) return json::object();
    auto body = proto::parse_json(request.body);
    if (!body || !body->is_object()) {
        reply(message(400, "Data should be valid JSON."));
        return std::nullopt;
    }
    return std::move(*body);
}

}  // namespace

void add_ha_routes(Router& router, HaApi& api) {
    router.add("GET", "/api/", Scope::read, [](const HttpRequest&, const PathParams&, Reply reply) {
        reply(message(200, "API running."));
    });
    router.add("GET", "/api/config", Scope::read, [&api](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(api.config()));
    });
    router.add("GET", "/api/states", Scope::read, [&api](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(api.states()));
    });
    router.add("GET", "/api/states/{entity_id}", Scope::read, [&api](const HttpRequest&, const PathParams& p, Reply reply) {
        const auto* record = api.entities().find(p.at("entity_id"));
        if (!record) return reply(message(404, "Entity not found."));
        reply(json_response(state_json(*record)));
    });
    router.add("GET", "/api/services", Scope::read, [](const HttpRequest&, const PathParams&, Reply reply) {
        json out = json::array();
        const auto all = services_json();
        for (const auto& [domain, services] : all.items()) out.push_back({{"domain", domain}, {"services", services}});
        reply(json_response(out));
    });
    router.add("POST", "/api/services/{domain}/{service}", Scope::control,
               [&api](const HttpRequest& request, const PathParams& p, Reply reply) {
                   auto body = body_of(request, reply);
                   if (!body) return;
                   HaError error;
                   const auto called = api.call_service(p.at("domain"), p.at("service"), std::move(*body), json(),
                                                        request.caller, error);
                   if (!called) return reply(message(status_of(error), error.message));
                   reply(json_response(called->states));
               });
    router.add("POST", "/api/conversation/process", Scope::control,
               [&api](const HttpRequest& request, const PathParams&, Reply reply) {
                   auto body = body_of(request, reply);
                   if (!body) return;
                   HaError error;
                   auto answer = api.converse(*body, error);
                   if (!answer) return reply(message(status_of(error), error.message));
                   reply(json_response(*answer));
               });
}

}  // namespace hearth::hub::ha
