#include "hub/device_routes.hpp"

#include <nlohmann/json.hpp>

#include <ctime>

#include "devices/adapters/adapter.hpp"
#include "devices/adapters/effects.hpp"
#include "devices/registry.hpp"
#include "hub/clock.hpp"
#include "hub/live_feed.hpp"
#include "hub/request_bodies.hpp"
#include "hub/store.hpp"
#include "proto/json.hpp"
#include "scenes/timestamp.hpp"

namespace hearth::hub {
namespace {

using proto::Errc;

constexpr std::size_t kDefaultPage = 500;
constexpr std::size_t kMaxPage = 5000;

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

proto::Result<std::size_t> count_param(const HttpRequest& request, const std::string& name, std::size_t fallback,
                                       std::size_t max) {
    const auto it = request.query.find(name);
    if (it == request.query.end()) return fallback;
    try {
        std::size_t used = 0;
        const auto v = std::stoull(it->second, &used);
        if (used == it->second.size() && v <= max) return static_cast<std::size_t>(v);
    } catch (const std::exception&) {
    }
    return proto::make_error(Errc::invalid_field, name + " must be a whole number from 0 to " + std::to_string(max), name);
}

/// Milliseconds since the epoch, or ISO 8601 with an offset ("2026-11-21T08:00:00+08:00", "…Z").
proto::Result<TimePoint> time_param(const HttpRequest& request, const std::string& name, TimePoint fallback) {
    const auto it = request.query.find(name);
    if (it == request.query.end() || it->second.empty()) return fallback;
    const auto& text = it->second;
    // Up to the year 2200, well inside what the clock's nanoseconds can hold.
    constexpr std::int64_t kLatestMs = 7'258'118'400'000;
    const auto invalid = [&] {
        return proto::make_error(Errc::invalid_field,
                                 name + " is milliseconds since 1970 or ISO 8601 like 2026-11-21T08:00:00+08:00 or "
                                        "2026-11-21T00:00:00Z, before 2200",
                                 name);
    };
    std::int64_t ms = 0;
    if (text.find_first_not_of("0123456789") == std::string::npos && text.size() < 16) {
        ms = std::stoll(text);
    } else {
        const auto t = scenes::parse_iso8601(text);
        if (!t) return invalid();
        ms = std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
    }
    if (ms < 0 || ms > kLatestMs) return invalid();
    return TimePoint(std::chrono::milliseconds(ms));
}

HttpResponse unknown_device(const std::string& id) {
    return error_response(404, Errc::unknown_device, "no device with id '" + id + "'", "id");
}

}  // namespace

void add_device_routes(Router& router, DeviceRouteLinks links) {
    router.add("GET", "/api/v1/devices", Scope::read, [links](const HttpRequest& request, const PathParams&, Reply reply) {
        const auto filter = filter_from(request);
        if (!filter) return reply(error_response(filter.error()));
        const auto limit = count_param(request, "limit", kDefaultPage, kMaxPage);
        if (!limit) return reply(error_response(limit.error()));
        const auto offset = count_param(request, "offset", 0, SIZE_MAX);
        if (!offset) return reply(error_response(offset.error()));
        const auto all = links.registry.list(*filter);
        auto page = nlohmann::json::array();
        for (std::size_t i = *offset; i < all.size() && page.size() < *limit; ++i) page.push_back(devices::to_json(*all[i]));
        reply(json_response({{"devices", std::move(page)}, {"total", all.size()}, {"offset", *offset}, {"limit", *limit}}));
    });

    router.add("GET", "/api/v1/devices/{id}", Scope::read, [links](const HttpRequest&, const PathParams& params, Reply reply) {
        const auto* device = links.registry.find(proto::DeviceId{params.at("id")});
        if (!device) return reply(unknown_device(params.at("id")));
        reply(json_response(devices::to_json(*device)));
    });

    router.add("GET", "/api/v1/devices/{id}/history", Scope::read,
               [links](const HttpRequest& request, const PathParams& params, Reply reply) {
                   const proto::DeviceId id{params.at("id")};
                   if (!links.registry.find(id)) return reply(unknown_device(id.value));
                   const auto now = links.clock.now();
                   const auto from = time_param(request, "from", now - std::chrono::hours(24));
                   if (!from) return reply(error_response(from.error()));
                   const auto to = time_param(request, "to", now + std::chrono::seconds(1));
                   if (!to) return reply(error_response(to.error()));
                   const auto limit = count_param(request, "limit", 1000, 100'000);
                   if (!limit) return reply(error_response(limit.error()));
                   const auto attribute = request.query.count("attribute") ? request.query.at("attribute") : "";
                   auto points = links.store.history(id, attribute, *from, *to, *limit);
                   if (!points) return reply(error_response(points.error()));
                   auto out = nlohmann::json::array();
                   for (const auto& p : *points) {
                       out.push_back({{"attribute", p.attribute},
                                      {"value", proto::to_json(p.value)},
                                      {"time_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      p.at.time_since_epoch()).count()},
                                      {"cause", proto::to_string(p.cause)}});
                       if (!p.context_id.empty()) out.back()["context_id"] = p.context_id;
                       if (!p.source.empty()) out.back()["source"] = p.source;
                       if (!p.parent.empty()) out.back()["parent"] = p.parent;
                   }
                   reply(json_response({{"device", id.value}, {"points", std::move(out)}}));
               });

    router.add("GET", "/api/v1/adapters", Scope::read, [links](const HttpRequest&, const PathParams&, Reply reply) {
        auto list = nlohmann::json::array();
        for (const auto& adapter : links.adapters) {
            std::size_t devices = 0;
            for (const auto* d : links.registry.list()) devices += adapter->owns(d->description.id);
            list.push_back({{"name", adapter->name()},
                            {"devices", devices},
                            {"unmapped", devices::adapters::to_json(adapter->unmapped())}});
        }
        reply(json_response({{"adapters", std::move(list)}}));
    });

    router.add("POST", "/api/v1/devices/{id}/commands", Scope::control,
               [links](const HttpRequest& request, const PathParams& params, Reply reply) {
                   auto body = proto::parse_json(request.body);
                   if (!body) return reply(error_response(body.error()));
                   auto command = proto::command_from_json(*body);
                   if (!command) return reply(error_response(command.error()));
                   const proto::DeviceId id{params.at("id")};
                   auto sent = links.send_command(id, std::move(*command), proto::Context{{}, {}, proto::Cause::app, request.caller});
                   if (!sent) return reply(error_response(sent.error()));
                   // Held for the broker: the answer waits until the command is sent or refused.
                   const auto answer = [reply, id, sent = *sent](const rules::Settlement& settlement) {
                       reply(json_response(command_answer(id, sent, &settlement), settlement.error.empty() ? 202 : 503));
                   };
                   if (links.when_settled && links.when_settled(sent->context_id, answer)) return;
                   reply(json_response(command_answer(id, *sent), 202));
               });
}

nlohmann::json command_answer(const proto::DeviceId& device, const proto::Command& sent, const rules::Settlement* settlement) {
    nlohmann::json answer{{"device", device.value}, {"set", proto::to_json(sent.set)}, {"context_id", sent.context_id}};
    if (!settlement) {
        answer["status"] = "sent";
        return answer;
    }
    answer["held_ms"] = settlement->held.count();
    if (settlement->error.empty()) {
        answer["status"] = "sent";
        return answer;
    }
    answer["status"] = "refused";
    answer["error"] = {{"code", settlement->error_code}, {"message", settlement->error}};
    return answer;
}

void add_device_requests(LiveFeed& live, DeviceRouteLinks links) {
    live.add_request("command", Scope::control, [links](const nlohmann::json& request, const std::string& caller,
                                                        LiveFeed::Respond respond) {
        auto wanted = command_request_from_json(request);
        if (!wanted) return respond({{"error", error_json(wanted.error())}});
        const auto id = wanted->device;
        auto sent = links.send_command(id, std::move(wanted->command), proto::Context{{}, {}, proto::Cause::app, caller});
        if (!sent) return respond({{"error", error_json(sent.error())}});
        const auto answer = [respond, id, sent = *sent](const rules::Settlement& settlement) {
            respond(command_answer(id, sent, &settlement));
        };
        if (links.when_settled(sent->context_id, answer)) return;
        respond(command_answer(id, *sent));
    });
}

}  // namespace hearth::hub
