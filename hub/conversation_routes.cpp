#include <nlohmann/json.hpp>

#include "hub/automation.hpp"
#include "hub/automation_reply.hpp"

namespace hearth::hub {

using proto::Errc;

namespace {

proto::Result<ConversationRequest> conversation_request(const nlohmann::json& body) {
    if (!body.is_object()) return proto::make_error(Errc::bad_json, "the body is a JSON object");
    ConversationRequest r;
    if (!body.value("text", nlohmann::json()).is_string()) {
        return proto::make_error(Errc::invalid_field, "text is the utterance", "text");
    }
    r.text = body["text"].get<std::string>();
    if (body.contains("area") && !body["area"].is_null()) {
        if (!body["area"].is_string()) return proto::make_error(Errc::invalid_field, "area is an area id", "area");
        r.area = proto::AreaId{body["area"].get<std::string>()};
    }
    if (body.contains("language") && !body["language"].is_null()) {
        if (!body["language"].is_string()) return proto::make_error(Errc::invalid_field, "language is zh or en", "language");
        r.language = body["language"].get<std::string>();
    }
    if (body.contains("dry_run")) {
        if (!body["dry_run"].is_boolean()) return proto::make_error(Errc::invalid_field, "dry_run is true or false", "dry_run");
        r.dry_run = body["dry_run"].get<bool>();
    }
    return r;
}

}  // namespace

void add_conversation_routes(Router& router, Automation& automation) {
    auto& a = automation;
    router.add("POST", "/api/v1/conversation", Scope::control, [&a](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request, nlohmann::json());
        if (!body) return reply(error_response(body.error()));
        auto r = conversation_request(*body);
        if (!r) return reply(error_response(r.error()));
        reply_result(reply, a.converse(*r));
    });
    router.add("GET", "/api/v1/conversation/moods", Scope::read, [&a](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(a.moods_json()));
    });
    router.add("PUT", "/api/v1/conversation/moods", Scope::admin, [&a](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        a.put_moods(*body, reply_with(std::move(reply)));
    });
    router.add("GET", "/api/v1/conversation/sentences", Scope::read, [&a](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(a.sentences_json()));
    });
    router.add("POST", "/api/v1/conversation/sentences", Scope::admin,
               [&a](const HttpRequest& request, const PathParams&, Reply reply) {
                   auto body = body_json(request);
                   if (!body) return reply(error_response(body.error()));
                   a.add_sentence(*body, reply_with(std::move(reply), 201));
               });
    router.add("DELETE", "/api/v1/conversation/sentences/{id}", Scope::admin,
               [&a](const HttpRequest&, const PathParams& params, Reply reply) {
                   a.delete_sentence(params.at("id"), reply_with(std::move(reply)));
               });
}

}  // namespace hearth::hub
