#include <nlohmann/json.hpp>

#include "hub/automation_reply.hpp"
#include "hub/learning.hpp"

namespace hearth::hub {

void add_suggestion_routes(Router& router, Learning& learning) {
    auto& l = learning;
    router.add("GET", "/api/v1/suggestions", Scope::read, [&l](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(l.suggestions_json()));
    });
    router.add("GET", "/api/v1/suggestions/{id}", Scope::read, [&l](const HttpRequest&, const PathParams& params, Reply reply) {
        reply_result(reply, l.suggestion_json(params.at("id")));
    });
    router.add("POST", "/api/v1/suggestions/{id}/accept", Scope::admin,
               [&l](const HttpRequest&, const PathParams& params, Reply reply) {
                   l.accept(params.at("id"), reply_with(std::move(reply), 201));
               });
    router.add("POST", "/api/v1/suggestions/{id}/dismiss", Scope::control,
               [&l](const HttpRequest&, const PathParams& params, Reply reply) {
                   l.dismiss(params.at("id"), reply_with(std::move(reply)));
               });
    router.add("POST", "/api/v1/suggestions/{id}/snooze", Scope::control,
               [&l](const HttpRequest& request, const PathParams& params, Reply reply) {
                   auto body = body_json(request);
                   if (!body) return reply(error_response(body.error()));
                   auto hours = proto::optional_integer(*body, "hours");
                   if (!hours) return reply(error_response(hours.error()));
                   const auto h = hours->value_or(24 * 7);
                   if (h < 1 || h > 24 * 365)
                       return reply(error_response(
                           proto::make_error(proto::Errc::invalid_field, "hours must be from 1 to 8760", "hours")));
                   l.snooze(params.at("id"), std::chrono::hours(h), reply_with(std::move(reply)));
               });
    // Mines now; answers when the pass is merged (202 with nothing when one is already running).
    router.add("POST", "/api/v1/suggestions/mine", Scope::admin, [&l](const HttpRequest&, const PathParams&, Reply reply) {
        auto shared = std::make_shared<Reply>(std::move(reply));
        const bool started = l.mine([shared, &l](const MiningPass&) { (*shared)(json_response(l.suggestions_json())); });
        if (!started) (*shared)(json_response({{"mining", true}}, 202));
    });
}

}  // namespace hearth::hub
