#include <nlohmann/json.hpp>

#include "hub/automation.hpp"
#include "hub/automation_reply.hpp"

namespace hearth::hub {

using proto::Errc;

void add_scene_routes(Router& router, Definitions& definitions, Actions& actions) {
    auto& d = definitions;
    router.add("GET", "/api/v1/scenes", Scope::read, [&d](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(d.scenes_json()));
    });
    router.add("POST", "/api/v1/scenes", Scope::admin, [&d](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        d.put_scene(*body, std::nullopt, reply_with(std::move(reply), 201));
    });
    // Before /scenes/{id}, which would otherwise take "snapshot" for an id.
    router.add("POST", "/api/v1/scenes/snapshot", Scope::admin, [&d](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        d.snapshot_scene(*body, reply_with(std::move(reply), 201));
    });
    router.add("GET", "/api/v1/scenes/{id}", Scope::read, [&d](const HttpRequest&, const PathParams& params, Reply reply) {
        reply_result(reply, d.scene_json(proto::SceneId{params.at("id")}));
    });
    router.add("PUT", "/api/v1/scenes/{id}", Scope::admin, [&d](const HttpRequest& request, const PathParams& params, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        d.put_scene(*body, proto::SceneId{params.at("id")}, reply_with(std::move(reply)));
    });
    router.add("DELETE", "/api/v1/scenes/{id}", Scope::admin, [&d](const HttpRequest&, const PathParams& params, Reply reply) {
        d.delete_scene(proto::SceneId{params.at("id")}, reply_with(std::move(reply)));
    });
    router.add("POST", "/api/v1/scenes/{id}/activate", Scope::control,
               [&actions](const HttpRequest& request, const PathParams& params, Reply reply) {
                   auto body = body_json(request);
                   if (!body) return reply(error_response(body.error()));
                   std::optional<double> transition;
                   if (body->is_object() && body->contains("transition")) {
                       if (!(*body)["transition"].is_number()) {
                           return reply(error_response(422, Errc::invalid_field, "transition is a number of seconds", "transition"));
                       }
                       transition = (*body)["transition"].get<double>();
                   }
                   reply_result(reply, actions.activate_scene(proto::SceneId{params.at("id")}, transition));
               });
    router.add("POST", "/api/v1/undo", Scope::control, [&actions](const HttpRequest&, const PathParams&, Reply reply) {
        reply_result(reply, actions.undo());
    });
    router.add("GET", "/api/v1/export", Scope::read, [&d](const HttpRequest&, const PathParams&, Reply reply) {
        HttpResponse response;
        response.body = d.export_yaml();
        response.content_type = "application/yaml; charset=utf-8";
        reply(std::move(response));
    });
    router.add("POST", "/api/v1/import", Scope::admin, [&d](const HttpRequest& request, const PathParams&, Reply reply) {
        d.import_yaml(request.body, reply_with(std::move(reply)));
    });
}

}  // namespace hearth::hub
