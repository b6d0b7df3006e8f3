#include <nlohmann/json.hpp>

#include "hub/automation.hpp"
#include "hub/automation_reply.hpp"

namespace hearth::hub {

using proto::Errc;

void add_rule_routes(Router& router, Definitions& definitions, RuleHost& host) {
    auto& d = definitions;
    router.add("GET", "/api/v1/rules", Scope::read, [&d](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(d.rules_json()));
    });
    router.add("POST", "/api/v1/rules", Scope::admin, [&d](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        d.put_rule(*body, std::nullopt, reply_with(std::move(reply), 201));
    });
    router.add("GET", "/api/v1/rules/{id}", Scope::read, [&d](const HttpRequest&, const PathParams& params, Reply reply) {
        reply_result(reply, d.rule_json(proto::RuleId{params.at("id")}));
    });
    router.add("PUT", "/api/v1/rules/{id}", Scope::admin, [&d](const HttpRequest& request, const PathParams& params, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        d.put_rule(*body, proto::RuleId{params.at("id")}, reply_with(std::move(reply)));
    });
    router.add("DELETE", "/api/v1/rules/{id}", Scope::admin, [&d](const HttpRequest&, const PathParams& params, Reply reply) {
        d.delete_rule(proto::RuleId{params.at("id")}, reply_with(std::move(reply)));
    });
    router.add("POST", "/api/v1/rules/{id}/enable", Scope::admin, [&d](const HttpRequest&, const PathParams& params, Reply reply) {
        d.set_rule_enabled(proto::RuleId{params.at("id")}, true, reply_with(std::move(reply)));
    });
    router.add("POST", "/api/v1/rules/{id}/disable", Scope::admin, [&d](const HttpRequest&, const PathParams& params, Reply reply) {
        d.set_rule_enabled(proto::RuleId{params.at("id")}, false, reply_with(std::move(reply)));
    });
    router.add("POST", "/api/v1/rules/{id}/run", Scope::control, [&d](const HttpRequest&, const PathParams& params, Reply reply) {
        reply_result(reply, d.run_rule(proto::RuleId{params.at("id")}), 202);
    });
    router.add("GET", "/api/v1/rules/{id}/traces", Scope::read,
               [&d](const HttpRequest& request, const PathParams& params, Reply reply) {
                   const auto limit = limit_param(request, 20, 500);
                   if (!limit) return reply(error_response(limit.error()));
                   reply_result(reply, d.rule_traces(proto::RuleId{params.at("id")}, *limit));
               });
    router.add("GET", "/api/v1/traces", Scope::read, [&host](const HttpRequest& request, const PathParams&, Reply reply) {
        const auto device = request.query.find("device");
        if (device == request.query.end() || device->second.empty()) {
            return reply(error_response(422, Errc::invalid_field, "device is the device to explain", "device"));
        }
        const auto limit = limit_param(request, 20, 500);
        if (!limit) return reply(error_response(limit.error()));
        reply_result(reply, host.device_traces(proto::DeviceId{device->second}, *limit));
    });
    router.add("POST", "/api/v1/webhooks/{id}", Scope::control, [&host](const HttpRequest&, const PathParams& params, Reply reply) {
        reply_result(reply, host.fire_webhook(params.at("id")), 202);
    });
}

}  // namespace hearth::hub
