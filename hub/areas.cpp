#include "hub/areas.hpp"

#include <nlohmann/json.hpp>

#include <set>

#include "devices/adapters/effects.hpp"
#include "devices/registry.hpp"
#include "hub/automation_reply.hpp"
#include "hub/store.hpp"
#include "proto/json.hpp"

namespace hearth::hub {
namespace {

using nlohmann::json;
using proto::Errc;

// Documents: the area a device was assigned to ({"area": id}, by device id), and the areas
// deleted through the API (by area id), which the home file must not bring back.
constexpr const char* kDeviceAreas = "device_areas";
constexpr const char* kDeletedAreas = "deleted_areas";

proto::Error no_area(const std::string& id, const std::string& field) {
    return proto::make_error(Errc::not_found, "no area with id '" + id + "'", field);
}

/// An area from a request body, with the id of the path when the body has none.
proto::Result<proto::Area> area_of(const json& body, const std::optional<proto::AreaId>& id) {
    if (!body.is_object()) return proto::make_error(Errc::bad_json, "an area is a JSON object {id, name: {zh, en}, floor?}");
    for (const auto& [key, value] : body.items()) {
        if (key != "id" && key != "name" && key != "floor") return proto::make_error(Errc::invalid_field, "unknown field " + key, key);
    }
    auto j = body;
    if (id) {
        if (j.contains("id") && j["id"] != id->value) return proto::make_error(Errc::invalid_field, "id does not match the path", "id");
        j["id"] = id->value;
    }
    auto area = proto::area_from_json(j);
    if (!area) return area.error();
    if (area->name.zh.empty() && area->name.en.empty()) {
        return proto::make_error(Errc::invalid_field, "an area needs a name in Chinese or English", "name");
    }
    return area;
}

/// The description as it is, in another area.
proto::DeviceDescription moved(proto::DeviceDescription description, const proto::AreaId& area) {
    description.area = area;
    return description;
}

json area_view(const devices::Registry& registry, const proto::Area& area) {
    auto j = proto::to_json(area);
    auto ids = json::array();
    for (const auto* d : registry.list({.area = area.id})) ids.push_back(d->description.id.value);
    j["devices"] = std::move(ids);
    return j;
}

}  // namespace

void Areas::load(const std::vector<Document>& documents) {
    for (const auto& doc : documents) {
        if (doc.collection != kDeviceAreas) continue;
        const auto area = doc.body.is_object() ? doc.body.value("area", json()) : json();
        if (!area.is_string()) continue;
        const proto::DeviceId device{doc.id};
        const proto::AreaId to{area.get<std::string>()};
        assigned_.insert_or_assign(device, to);
        if (const auto* d = links_.registry.find(device); d && d->description.area != to) {
            links_.registry.upsert(moved(d->description, to));
        }
    }
    deleted_.clear();
    for (const auto& doc : documents) {
        if (doc.collection == kDeletedAreas) deleted_.insert(doc.id);
    }
}

const proto::Area* Areas::find(const proto::AreaId& id) const {
    return deleted_.contains(id.value) ? nullptr : links_.registry.find_area(id);
}

std::vector<const proto::Area*> Areas::list() const {
    auto all = links_.registry.areas();
    std::erase_if(all, [this](const proto::Area* a) { return deleted_.contains(a->id.value); });
    return all;
}

void Areas::place(devices::adapters::Effects& effects) const {
    for (auto& description : effects.upserts) {
        if (const auto it = assigned_.find(description.id); it != assigned_.end()) description.area = it->second;
    }
}

void Areas::seed(const std::vector<proto::Area>& home_areas) {
    for (const auto& area : home_areas) {
        if (links_.registry.find_area(area.id) || deleted_.contains(area.id.value)) continue;
        links_.registry.upsert_area(area);
        links_.store.put_area(area);
    }
}

void Areas::create(const json& body, Answer done) {
    auto area = area_of(body, std::nullopt);
    if (!area) return done(area.error());
    if (find(area->id)) {
        return done(proto::make_error(Errc::conflict, "area " + area->id.value + " exists already", "id"));
    }
    links_.store.erase_document(kDeletedAreas, area->id.value);
    links_.store.put_area(*area, [this, area = *area, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        deleted_.erase(area.id.value);
        links_.registry.upsert_area(area);
        links_.changed();
        done(ok(area_view(links_.registry, area)));
    });
}

void Areas::rename(const proto::AreaId& id, const json& body, Answer done) {
    if (!find(id)) return done(no_area(id.value, "id"));
    auto area = area_of(body, id);
    if (!area) return done(area.error());
    links_.store.put_area(*area, [this, area = *area, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        links_.registry.upsert_area(area);
        links_.changed();
        done(ok(area_view(links_.registry, area)));
    });
}

void Areas::remove(const proto::AreaId& id, Answer done) {
    if (!find(id)) return done(no_area(id.value, "id"));
    const auto inside = links_.registry.list({.area = id});
    if (!inside.empty()) {
        std::string names;
        for (const auto* d : inside) names += (names.empty() ? "" : ", ") + d->description.id.value;
        return done(proto::make_error(Errc::conflict,
                                      "area " + id.value + " still has devices (" + names + "): assign them to another area first",
                                      "id"));
    }
    links_.store.put_document(kDeletedAreas, id.value, json::object(), links_.now());
    links_.store.remove_area(id, [this, id, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        deleted_.insert(id.value);
        links_.registry.remove_area(id);
        links_.changed();
        done(ok(json{{"id", id.value}, {"deleted", true}}));
    });
}

void Areas::assign(const proto::DeviceId& device, const json& body, Answer done) {
    const auto* known = links_.registry.find(device);
    if (!known) return done(proto::make_error(Errc::unknown_device, "no device with id '" + device.value + "'", "id"));
    if (!body.is_object()) return done(proto::make_error(Errc::bad_json, "the body is {\"area\": an area id}"));
    const auto area = proto::required_string(body, "area");
    if (!area) return done(area.error());
    if (!find(proto::AreaId{*area})) return done(no_area(*area, "area"));
    links_.store.put_document(kDeviceAreas, device.value, json{{"area", *area}}, links_.now(),
                              [this, device, area = proto::AreaId{*area}, done = std::move(done)](proto::Result<void> r) {
                                  if (!r) return done(r.error());
                                  assigned_.insert_or_assign(device, area);
                                  const auto* d = links_.registry.find(device);
                                  if (!d) return done(ok(json{{"id", device.value}, {"area", area.value}}));
                                  if (d->description.area != area) links_.registry.upsert(moved(d->description, area));
                                  links_.store.put_device(d->description, d->problem);
                                  links_.changed();
                                  done(ok(devices::to_json(*d)));
                              });
}

void add_area_routes(Router& router, Areas& areas, const devices::Registry& registry) {
    router.add("GET", "/api/v1/areas", Scope::read, [&areas, &registry](const HttpRequest&, const PathParams&, Reply reply) {
        auto list = json::array();
        for (const auto* area : areas.list()) list.push_back(area_view(registry, *area));
        reply(json_response({{"areas", std::move(list)}}));
    });
    router.add("POST", "/api/v1/areas", Scope::admin, [&areas](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        areas.create(*body, reply_with(std::move(reply), 201));
    });
    router.add("PUT", "/api/v1/areas/{id}", Scope::admin, [&areas](const HttpRequest& request, const PathParams& params, Reply reply) {
        auto body = body_json(request);
        if (!body) return reply(error_response(body.error()));
        areas.rename(proto::AreaId{params.at("id")}, *body, reply_with(std::move(reply)));
    });
    router.add("DELETE", "/api/v1/areas/{id}", Scope::admin, [&areas](const HttpRequest&, const PathParams& params, Reply reply) {
        areas.remove(proto::AreaId{params.at("id")}, reply_with(std::move(reply)));
    });
    router.add("PUT", "/api/v1/devices/{id}/area", Scope::admin,
               [&areas](const HttpRequest& request, const PathParams& params, Reply reply) {
                   auto body = body_json(request);
                   if (!body) return reply(error_response(body.error()));
                   areas.assign(proto::DeviceId{params.at("id")}, *body, reply_with(std::move(reply)));
               });
}

}  // namespace hearth::hub
