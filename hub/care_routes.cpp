#include <nlohmann/json.hpp>

#include "hub/automation_reply.hpp"
#include "hub/care_host.hpp"

namespace hearth::hub {

void add_care_routes(Router& router, CareHost& care) {
    router.add("GET", "/api/v1/household", Scope::read, [&care](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(care.household_json()));
    });
    router.add("PUT", "/api/v1/household", Scope::admin, [&care](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        care.put_household(*body, reply_with(std::move(reply)));
    });
    router.add("GET", "/api/v1/care", Scope::read, [&care](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(care.status_json()));
    });
    router.add("PUT", "/api/v1/care", Scope::admin, [&care](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        care.put_settings(*body, reply_with(std::move(reply)));
    });
    router.add("POST", "/api/v1/care/ask", Scope::control, [&care](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        reply_result(reply, care.ask(*body), 202);
    });
    router.add("GET", "/api/v1/care/notifications", Scope::read, [&care](const HttpRequest& request, const PathParams&, Reply reply) {
        auto limit = limit_param(request, 50, 200);
        if (!limit) return reply(error_response(limit.error()));
        reply(json_response(care.notifications_json(*limit)));
    });
    router.add("POST", "/api/v1/care/notifications", Scope::control, [&care](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        reply_result(reply, care.notify_from_app(*body), 202);
    });
}

}  // namespace hearth::hub
