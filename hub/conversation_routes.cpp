#include <nlohmann/json.hpp>

#include "hub/assistant.hpp"
#include "hub/automation.hpp"
#include "hub/automation_reply.hpp"
#include "hub/phrasebook.hpp"

namespace hearth::hub {

void add_conversation_routes(Router& router, Phrasebook& phrasebook, Assistant& assistant) {
    auto& a = assistant;
    auto& p = phrasebook;
    router.add("POST", "/api/v1/conversation", Scope::control, [&a](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request, nlohmann::json());
        if (!body) return reply(error_response(body.error()));
        reply_result(reply, a.converse(*body));
    });
    router.add("GET", "/api/v1/conversation/moods", Scope::read, [&p](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(p.moods_json()));
    });
    router.add("PUT", "/api/v1/conversation/moods", Scope::admin, [&p](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        p.put_moods(*body, reply_with(std::move(reply)));
    });
    router.add("GET", "/api/v1/conversation/sentences", Scope::read, [&p](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(p.sentences_json()));
    });
    router.add("POST", "/api/v1/conversation/sentences", Scope::admin,
               [&p](const HttpRequest& request, const PathParams&, Reply reply) {
                   auto body = body_json(request);
                   if (!body) return reply(error_response(body.error()));
                   p.add_sentence(*body, reply_with(std::move(reply), 201));
               });
    router.add("DELETE", "/api/v1/conversation/sentences/{id}", Scope::admin,
               [&p](const HttpRequest&, const PathParams& params, Reply reply) {
                   p.delete_sentence(params.at("id"), reply_with(std::move(reply)));
               });
}

}  // namespace hearth::hub
