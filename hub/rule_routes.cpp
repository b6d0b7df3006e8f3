#include <nlohmann/json.hpp>

#include "hub/automation.hpp"
#include "hub/automation_reply.hpp"
#include "proto/yaml.hpp"

namespace hearth::hub {

using proto::Errc;

namespace {

bool is_yaml(const std::string& media_type) {
    for (const char* yaml : {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}) {
        if (media_type.starts_with(yaml)) return true;
    }
    return false;
}

HttpResponse error_at(const proto::Error& error, const proto::TextPosition& at) {
    auto response = error_response(error);
    auto body = nlohmann::json::parse(response.body);
    body["error"]["line"] = at.line;
    body["error"]["column"] = at.column;
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

/// Saves a rule sent as JSON or, with a YAML content type, as YAML; then an error about a field
/// also says where that field is in the text (its line and column; a field the text lacks, where
/// the map that should hold it starts).
void put_rule(Definitions& d, const HttpRequest& request, std::optional<proto::RuleId> replace, Reply reply, int status) {
    if (!is_yaml(request.header("content-type"))) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        return d.put_rule(*body, std::move(replace), reply_with(std::move(reply), status));
    }
    auto document = std::make_shared<proto::YamlDocument>(proto::read_yaml_document(request.body));
    if (document->error) return reply(error_at(*document->error, document->error_position));
    d.put_rule(document->value, std::move(replace), [reply = std::move(reply), document, status](proto::Result<nlohmann::json> r) {
        if (r) return reply(json_response(*r, status));
        if (r.error().field.empty()) return reply(error_response(r.error()));
        reply(error_at(r.error(), document->position_of(r.error().field)));
    });
}

}  // namespace

void add_rule_routes(Router& router, Definitions& definitions, RuleHost& host) {
    auto& d = definitions;
    router.add("GET", "/api/v1/rules", Scope::read, [&d](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(d.rules_json()));
    });
    router.add("POST", "/api/v1/rules", Scope::admin, [&d](const HttpRequest& request, const PathParams&, Reply reply) {
        put_rule(d, request, std::nullopt, std::move(reply), 201);
    });
    // With `Accept: application/yaml`: the definition alone (no status) as YAML, to edit and PUT back.
    router.add("GET", "/api/v1/rules/{id}", Scope::read, [&d](const HttpRequest& request, const PathParams& params, Reply reply) {
        auto rule = d.rule_json(proto::RuleId{params.at("id")});
        if (!rule || !is_yaml(request.header("accept"))) return reply_result(reply, rule);
        rule->erase("status");
        HttpResponse response;
        response.body = proto::json_to_yaml(*rule);
        response.content_type = "application/yaml; charset=utf-8";
        reply(std::move(response));
    });
    router.add("PUT", "/api/v1/rules/{id}", Scope::admin, [&d](const HttpRequest& request, const PathParams& params, Reply reply) {
        put_rule(d, request, proto::RuleId{params.at("id")}, std::move(reply), 200);
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
