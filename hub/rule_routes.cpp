#include <nlohmann/json.hpp>

#include "hub/automation.hpp"
#include "hub/automation_reply.hpp"

namespace hearth::hub {

using proto::Errc;

void add_rule_routes(Router& router, Automation& automation) {
    auto& a = automation;
    router.add("GET", "/api/v1/rules", Scope::read, [&a](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(a.rules_json()));
    });
    router.add("POST", "/api/v1/rules", Scope::admin, [&a](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        a.put_rule(*body, std::nullopt, reply_with(std::move(reply), 201));
    });
    router.add("GET", "/api/v1/rules/{id}", Scope::read, [&a](const HttpRequest&, const PathParams& params, Reply reply) {
        reply_result(reply, a.rule_json(proto::RuleId{params.at("id")}));
    });
    router.add("PUT", "/api/v1/rules/{id}", Scope::admin, [&a](const HttpRequest& request, const PathParams& params, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        a.put_rule(*body, proto::RuleId{params.at("id")}, reply_with(std::move(reply)));
    });
    router.add("DELETE", "/api/v1/rules/{id}", Scope::admin, [&a](const HttpRequest&, const PathParams& params, Reply reply) {
        a.delete_rule(proto::RuleId{params.at("id")}, reply_with(std::move(reply)));
    });
    router.add("POST", "/api/v1/rules/{id}/enable", Scope::admin, [&a](const HttpRequest&, const PathParams& params, Reply reply) {
        a.set_rule_enabled(proto::RuleId{params.at("id")}, true, reply_with(std::move(reply)));
    });
    router.add("POST", "/api/v1/rules/{id}/disable", Scope::admin, [&a](const HttpRequest&, const PathParams& params, Reply reply) {
        a.set_rule_enabled(proto::RuleId{params.at("id")}, false, reply_with(std::move(reply)));
    });
    router.add("POST", "/api/v1/rules/{id}/run", Scope::control, [&a](const HttpRequest&, const PathParams& params, Reply reply) {
        reply_result(reply, a.run_rule(proto::RuleId{params.at("id")}), 202);
    });
    router.add("GET", "/api/v1/rules/{id}/traces", Scope::read,
               [&a](const HttpRequest& request, const PathParams& params, Reply reply) {
                   const auto limit = limit_param(request, 20, 500);
                   if (!limit) return reply(error_response(limit.error()));
                   reply_result(reply, a.rule_traces(proto::RuleId{params.at("id")}, *limit));
               });
    router.add("GET", "/api/v1/traces", Scope::read, [&a](const HttpRequest& request, const PathParams&, Reply reply) {
        const auto device = request.query.find("device");
        if (device == request.query.end() || device->second.empty()) {
            return reply(error_response(422, Errc::invalid_field, "device is the device to explain", "device"));
        }
        const auto limit = limit_param(request, 20, 500);
        if (!limit) return reply(error_response(limit.error()));
        reply_result(reply, a.device_traces(proto::DeviceId{device->second}, *limit));
    });
    router.add("POST", "/api/v1/webhooks/{id}", Scope::control, [&a](const HttpRequest&, const PathParams& params, Reply reply) {
        reply_result(reply, a.fire_webhook(params.at("id")), 202);
    });
}

}  // namespace hearth::hub
