#include "hub/device_routes.hpp"

#include <nlohmann/json.hpp>

#include "hub/hub.hpp"
#include "proto/json.hpp"

namespace hearth::hub {
namespace {

using proto::Errc;

proto::Result<devices::DeviceFilter> filter_from(const HttpRequest& request) {
    devices::DeviceFilter filter;
    if (const auto it = request.query.find("area"); it != request.query.end()) filter.area = proto::AreaId{it->second};
    if (const auto it = request.query.find("kind"); it != request.query.end()) {
        filter.kind = proto::device_kind_from(it->second);
        if (!filter.kind) return proto::make_error(Errc::invalid_field, "unknown kind '" + it->second + "'", "kind");
    }
    if (const auto it = request.query.find("capability"); it != request.query.end()) filter.capability = it->second;
    return filter;
}

}  // namespace

void add_device_routes(Router& router, Hub& hub) {
    router.add("GET", "/api/v1/health", [&hub](const HttpRequest&, const PathParams&, Reply reply) {
        const auto& registry = hub.registry();
        std::size_t online = 0;
        for (const auto* d : registry.list()) online += d->availability == devices::Availability::online;
        const bool mqtt = hub.mqtt_connected();
        reply(json_response({{"status", mqtt ? "ok" : "degraded"},
                             {"mqtt", mqtt ? "connected" : "disconnected"},
                             {"devices", registry.size()},
                             {"devices_online", online},
                             {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(hub.uptime()).count()}}));
    });

    router.add("GET", "/api/v1/areas", [&hub](const HttpRequest&, const PathParams&, Reply reply) {
        auto areas = nlohmann::json::array();
        for (const auto* area : hub.registry().areas()) {
            auto j = proto::to_json(*area);
            auto ids = nlohmann::json::array();
            for (const auto* d : hub.registry().list({.area = area->id})) ids.push_back(d->description.id.value);
            j["devices"] = std::move(ids);
            areas.push_back(std::move(j));
        }
        reply(json_response({{"areas", std::move(areas)}}));
    });

    router.add("GET", "/api/v1/devices", [&hub](const HttpRequest& request, const PathParams&, Reply reply) {
        const auto filter = filter_from(request);
        if (!filter) return reply(error_response(filter.error()));
        auto list = nlohmann::json::array();
        for (const auto* d : hub.registry().list(*filter)) list.push_back(devices::to_json(*d));
        reply(json_response({{"devices", std::move(list)}}));
    });

    router.add("GET", "/api/v1/devices/{id}", [&hub](const HttpRequest&, const PathParams& params, Reply reply) {
        const auto* device = hub.registry().find(proto::DeviceId{params.at("id")});
        if (!device) {
            return reply(error_response(404, Errc::unknown_device, "no device with id '" + params.at("id") + "'", "id"));
        }
        reply(json_response(devices::to_json(*device)));
    });

    router.add("POST", "/api/v1/devices/{id}/commands",
               [&hub](const HttpRequest& request, const PathParams& params, Reply reply) {
                   auto body = proto::parse_json(request.body);
                   if (!body) return reply(error_response(body.error()));
                   auto command = proto::command_from_json(*body);
                   if (!command) return reply(error_response(command.error()));
                   const proto::DeviceId id{params.at("id")};
                   auto sent = hub.send_command(id, std::move(*command));
                   if (!sent) return reply(error_response(sent.error()));
                   reply(json_response({{"device", id.value}, {"set", proto::to_json(sent->set)},
                                        {"context_id", sent->context_id}, {"status", "sent"}},
                                       202));
               });
}

}  // namespace hearth::hub
