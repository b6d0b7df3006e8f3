#include "hub/definitions.hpp"

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>

#include "hub/automation_documents.hpp"
#include "hub/log.hpp"
#include "hub/request_bodies.hpp"
#include "hub/time_zone_database.hpp"
#include "proto/home.hpp"
#include "proto/json.hpp"
#include "proto/yaml.hpp"
#include "scenes/snapshot.hpp"

namespace hearth::hub {

using proto::Errc;
using nlohmann::json;
using namespace documents;

namespace {

proto::Error at_field(std::string prefix, proto::Error e) {
    e.field = prefix + (e.field.empty() ? "" : "." + e.field);
    return e;
}

proto::Result<void> check_rule(const json& definition) {
    auto rule = rules::rule_from_json(definition);
    if (!rule) return rule.error();
    return {};
}

/// Calls `done` once after `count` completions, with the first failure if any.
Completion barrier(std::size_t count, std::function<void(proto::Result<void>)> done) {
    struct State {
        std::size_t left;
        std::optional<proto::Error> error;
        std::function<void(proto::Result<void>)> done;
    };
    auto state = std::make_shared<State>(State{count, std::nullopt, std::move(done)});
    if (count == 0) {
        state->done({});
        return {};
    }
    return [state](proto::Result<void> r) {
        if (!r && !state->error) state->error = r.error();
        if (--state->left > 0) return;
        if (state->error) return state->done(*state->error);
        state->done({});
    };
}

}  // namespace

Definitions::Definitions(devices::Registry& registry, Store& store, RuleHost& host, std::function<void()> scenes_changed)
    : registry_(registry), store_(store), host_(host), scenes_changed_(std::move(scenes_changed)) {}

proto::Result<void> Definitions::read_home(const json& home, json& home_scenes, json& home_rules) {
    if (!home.is_object()) return {};
    if (home.contains("location")) {
        auto place = scenes::place_from_json(home["location"], load_time_zone);
        if (!place) return at_field("location", place.error());
        place_ = *place;
    }
    home_scenes = home.value("scenes", json::array());
    home_rules = home.value("rules", json::array());
    return {};
}

proto::Result<void> Definitions::load(const std::vector<Document>& documents, const json& home) {
    json home_scenes = json::array(), home_rules = json::array();
    if (auto read = read_home(home, home_scenes, home_rules); !read) return read;
    const auto t = host_.now();
    std::vector<const Document*> stored_scenes, stored_rules;
    bool seeded = false;
    for (const auto& d : documents) {
        if (d.collection == kScenes) stored_scenes.push_back(&d);
        if (d.collection == kRules) stored_rules.push_back(&d);
        if (d.collection == kAutomation && d.id == kSeeded) seeded = true;
    }

    // Scenes and rules: the stored ones, or the home file's while nothing is stored. Seeding is
    // remembered, so deleting every scene does not bring the home file's back at the next start.
    const bool seed = !seeded && stored_scenes.empty() && stored_rules.empty();
    if (seed && (!home_scenes.empty() || !home_rules.empty())) store_.put_document(kAutomation, kSeeded, json::object(), t);
    json scene_list = json::array();
    if (seed) {
        for (std::size_t i = 0; i < home_scenes.size(); ++i) {
            auto scene = scenes::scene_from_json(home_scenes[i]);
            if (!scene) {
                log::warning("home scenes[{}]: {} ({})", i, scene.error().message, scene.error().field);
                continue;
            }
            store_.put_document(kScenes, scene->id.value, scenes::to_json(*scene), t);
            scene_list.push_back(scenes::to_json(*scene));
        }
    } else {
        for (const auto* d : stored_scenes) {
            auto scene = scenes::scene_from_json(d->body);
            if (!scene) {
                broken_scenes_[proto::SceneId{d->id}] = scene.error().message + " (" + scene.error().field + ")";
                continue;
            }
            scene_list.push_back(d->body);
        }
    }
    scenes_ = scenes::load_scenes(scene_list, registry_).scenes;

    host_.create_engine(scenes_, place_);
    const auto install = [&](const json& definition, const std::string& id_hint) {
        if (auto installed = install_rule(definition); !installed) {
            const auto id = definition.is_object() && definition.value("id", json()).is_string()
                                ? definition["id"].get<std::string>()
                                : id_hint;
            broken_rules_[proto::RuleId{id}] = installed.error().message + (installed.error().field.empty() ? "" : " (" + installed.error().field + ")");
            if (definition.is_object()) rules_[proto::RuleId{id}] = definition;
            return false;
        }
        return true;
    };
    if (seed) {
        for (std::size_t i = 0; i < home_rules.size(); ++i) {
            if (!install(home_rules[i], "rules-" + std::to_string(i))) {
                log::warning("home rules[{}]: {}", i, broken_rules_.rbegin()->second);
                continue;
            }
            store_.put_document(kRules, home_rules[i]["id"].get<std::string>(), home_rules[i], t);
        }
    } else {
        for (const auto* d : stored_rules) install(d->body, d->id);
    }
    scenes_changed_();
    return {};
}

proto::Result<void> Definitions::install_rule(const json& definition) {
    auto status = host_.engine().upsert(definition, host_.now());
    if (!status) return status.error();
    rules_[status->id] = definition;
    broken_rules_.erase(status->id);
    return {};
}

void Definitions::resolve() {
    scenes::resolve_scenes(scenes_, registry_);
    host_.engine().resolve(host_.now());
    scenes_changed_();
    host_.after_engine();
}

// ---- scenes ----

json Definitions::scene_view(const proto::SceneId&, const scenes::SceneEntry& entry) const {
    auto j = scenes::to_json(entry.scene);
    j["status"] = {{"available", entry.problem.empty()}, {"problem", entry.problem}};
    return j;
}

json Definitions::scenes_json() const {
    auto out = json::array();
    for (const auto& [id, entry] : scenes_) out.push_back(scene_view(id, entry));
    for (const auto& [id, problem] : broken_scenes_) {
        out.push_back({{"id", id.value}, {"status", {{"available", false}, {"problem", "definition is invalid: " + problem}}}});
    }
    return {{"scenes", std::move(out)}};
}

proto::Result<json> Definitions::scene_json(const proto::SceneId& id) const {
    if (const auto it = scenes_.find(id); it != scenes_.end()) return ok(scene_view(id, it->second));
    if (const auto it = broken_scenes_.find(id); it != broken_scenes_.end()) {
        return ok(json{{"id", id.value}, {"status", {{"available", false}, {"problem", "definition is invalid: " + it->second}}}});
    }
    return proto::make_error(Errc::not_found, "no scene with id '" + id.value + "'", "id");
}

void Definitions::put_scene(const json& definition, std::optional<proto::SceneId> replace, Answer done) {
    auto body = definition;
    if (replace && body.is_object() && !body.contains("id")) body["id"] = replace->value;
    auto scene = scenes::scene_from_json(body);
    if (!scene) return done(scene.error());
    if (replace && scene->id != *replace) {
        return done(proto::make_error(Errc::invalid_field, "id does not match the path", "id"));
    }
    if (!replace && (scenes_.contains(scene->id) || broken_scenes_.contains(scene->id))) {
        return done(proto::make_error(Errc::conflict, "scene " + scene->id.value + " exists already", "id"));
    }
    const auto stored = scenes::to_json(*scene);
    const auto id = scene->id.value;
    store_.put_document(kScenes, id, stored, host_.now(),
                        [this, scene = std::move(*scene), done = std::move(done)](proto::Result<void> r) mutable {
                            if (!r) return done(r.error());
                            const auto id = scene.id;
                            auto problem = scenes::scene_problem(scene, registry_);
                            scenes_[id] = scenes::SceneEntry{std::move(scene), std::move(problem)};
                            broken_scenes_.erase(id);
                            resolve();
                            done(ok(scene_view(id, scenes_.at(id))));
                        });
}

void Definitions::delete_scene(const proto::SceneId& id, Answer done) {
    if (!scenes_.contains(id) && !broken_scenes_.contains(id)) {
        return done(proto::make_error(Errc::not_found, "no scene with id '" + id.value + "'", "id"));
    }
    store_.erase_document(kScenes, id.value, [this, id, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        scenes_.erase(id);
        broken_scenes_.erase(id);
        resolve();
        done(ok(json{{"id", id.value}, {"deleted", true}}));
    });
}

void Definitions::snapshot_scene(const json& request, Answer done) {
    if (!request.is_object()) return done(proto::make_error(Errc::bad_json, "the body is a JSON object"));
    const auto id = request.value("id", json());
    if (!id.is_string() || !proto::is_valid_id(id.get<std::string>())) {
        return done(proto::make_error(Errc::invalid_field, "id is 1–64 lowercase letters, digits, '_', '-' or '.'", "id"));
    }
    proto::LocalizedName name;
    if (request.contains("name")) {
        auto n = proto::name_from_json(request["name"]);
        if (!n) return done(at_field("name", n.error()));
        name = *n;
    }
    std::vector<proto::DeviceId> devices;
    proto::AreaId area;
    if (request.value("area", json()).is_string()) {
        area = proto::AreaId{request["area"].get<std::string>()};
        if (!registry_.find_area(area)) {
            return done(proto::make_error(Errc::invalid_field, "no area '" + area.value + "'", "area"));
        }
        for (const auto* d : registry_.list({.area = area})) devices.push_back(d->description.id);
    }
    if (request.contains("devices")) {
        const auto& list = request["devices"];
        if (!list.is_array()) return done(proto::make_error(Errc::invalid_field, "devices is a list of device ids", "devices"));
        for (std::size_t i = 0; i < list.size(); ++i) {
            const auto field = "devices[" + std::to_string(i) + "]";
            if (!list[i].is_string()) return done(proto::make_error(Errc::invalid_field, "a device id is text", field));
            proto::DeviceId d{list[i].get<std::string>()};
            if (!registry_.find(d)) return done(proto::make_error(Errc::unknown_device, "no device '" + d.value + "'", field));
            devices.push_back(std::move(d));
        }
    }
    if (devices.empty()) return done(proto::make_error(Errc::invalid_field, "give devices or an area with devices", "devices"));
    const auto snapshot = scenes::take_snapshot(registry_, devices, host_.now(), "snapshot");
    auto scene = scenes::scene_from_snapshot(snapshot, proto::SceneId{id.get<std::string>()}, name, area);
    put_scene(scenes::to_json(scene), std::nullopt, std::move(done));
}

// ---- rules ----

json Definitions::rule_view(const proto::RuleId& id) const {
    json j = rules_.contains(id) ? rules_.at(id) : json{{"id", id.value}};
    if (const auto it = broken_rules_.find(id); it != broken_rules_.end()) {
        j["status"] = {{"id", id.value}, {"enabled", false}, {"available", false}, {"problem", "definition is invalid: " + it->second}};
        return j;
    }
    if (const auto status = host_.engine().status(id)) j["status"] = rules::to_json(*status);
    return j;
}

json Definitions::rules_json() const {
    auto out = json::array();
    for (const auto& [id, definition] : rules_) out.push_back(rule_view(id));
    return {{"rules", std::move(out)}};
}

proto::Result<json> Definitions::rule_json(const proto::RuleId& id) const {
    if (!rules_.contains(id)) return proto::make_error(Errc::not_found, "no rule with id '" + id.value + "'", "id");
    return ok(rule_view(id));
}

void Definitions::put_rule(const json& definition, std::optional<proto::RuleId> replace, Answer done) {
    auto body = definition;
    if (replace && body.is_object() && !body.contains("id")) body["id"] = replace->value;
    auto checked = check_rule(body);
    if (!checked) return done(checked.error());
    const proto::RuleId id{body["id"].get<std::string>()};
    if (id.value.starts_with("_")) return done(proto::make_error(Errc::invalid_field, "rule ids starting with '_' are reserved", "id"));
    if (replace && id != *replace) return done(proto::make_error(Errc::invalid_field, "id does not match the path", "id"));
    if (!replace && rules_.contains(id)) return done(proto::make_error(Errc::conflict, "rule " + id.value + " exists already", "id"));
    store_.put_document(kRules, id.value, body, host_.now(), [this, id, body, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        if (auto installed = install_rule(body); !installed) return done(installed.error());
        host_.after_engine();
        done(ok(rule_view(id)));
    });
}

void Definitions::delete_rule(const proto::RuleId& id, Answer done) {
    if (!rules_.contains(id)) return done(proto::make_error(Errc::not_found, "no rule with id '" + id.value + "'", "id"));
    store_.erase_document(kRules, id.value, [this, id, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        host_.engine().remove(id, host_.now());
        rules_.erase(id);
        broken_rules_.erase(id);
        host_.after_engine();
        done(ok(json{{"id", id.value}, {"deleted", true}}));
    });
}

void Definitions::set_rule_enabled(const proto::RuleId& id, bool enabled, Answer done) {
    if (!rules_.contains(id)) return done(proto::make_error(Errc::not_found, "no rule with id '" + id.value + "'", "id"));
    if (broken_rules_.contains(id)) return done(proto::make_error(Errc::conflict, "rule " + id.value + " has an invalid definition"));
    auto body = rules_.at(id);
    body["enabled"] = enabled;
    store_.put_document(kRules, id.value, body, host_.now(), [this, id, body, enabled, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        rules_[id] = body;
        auto status = host_.engine().set_enabled(id, enabled, host_.now());
        if (!status) return done(status.error());
        host_.after_engine();
        done(ok(rule_view(id)));
    });
}

proto::Result<json> Definitions::run_rule(const proto::RuleId& id) {
    if (!rules_.contains(id)) return proto::make_error(Errc::not_found, "no rule with id '" + id.value + "'", "id");
    if (broken_rules_.contains(id)) return proto::make_error(Errc::conflict, "rule " + id.value + " has an invalid definition");
    const auto status = host_.engine().run_now(id, host_.now());
    if (!status) return status.error();
    host_.after_engine();
    return ok(json{{"rule", id.value}, {"started", true}});
}

proto::Result<json> Definitions::rule_traces(const proto::RuleId& id, std::size_t limit) const {
    if (!rules_.contains(id)) return proto::make_error(Errc::not_found, "no rule with id '" + id.value + "'", "id");
    return host_.rule_traces(id, limit);
}

// ---- export / import ----

std::string Definitions::export_yaml() const {
    json home{{"location", scenes::to_json(place_)}};
    auto areas = json::array();
    for (const auto* a : registry_.areas()) areas.push_back(proto::to_json(*a));
    auto devices = json::array();
    for (const auto* d : registry_.list()) devices.push_back(proto::to_json(d->description));
    auto scene_list = json::array();
    for (const auto& [id, entry] : scenes_) scene_list.push_back(scenes::to_json(entry.scene));
    auto rule_list = json::array();
    for (const auto& [id, definition] : rules_) rule_list.push_back(definition);
    home["areas"] = std::move(areas);
    home["devices"] = std::move(devices);
    home["scenes"] = std::move(scene_list);
    home["rules"] = std::move(rule_list);
    return proto::json_to_yaml(home);
}

void Definitions::import_yaml(const std::string& text, Answer done) {
    auto document = import_document_from_yaml(text);
    if (!document) return done(document.error());
    auto& home = document->home;
    auto& new_scenes = document->scenes;
    const auto t = host_.now();
    const auto writes = home.areas.size() + home.devices.size() + new_scenes.size() + home.rules.size();
    json summary{{"areas", home.areas.size()}, {"devices", home.devices.size()}, {"scenes", new_scenes.size()}, {"rules", home.rules.size()}};
    auto rules_list = home.rules;
    auto finish = barrier(writes, [this, new_scenes, rules_list, summary, done = std::move(done)](proto::Result<void> r) mutable {
        if (!r) return done(r.error());
        for (auto& scene : new_scenes) {
            auto problem = scenes::scene_problem(scene, registry_);
            const auto id = scene.id;
            scenes_[id] = scenes::SceneEntry{std::move(scene), std::move(problem)};
            broken_scenes_.erase(id);
        }
        resolve();
        const auto installed = host_.engine().upsert_all(rules_list, host_.now());
        for (std::size_t i = 0; i < installed.size(); ++i) {
            if (!installed[i]) return done(installed[i].error());
            rules_[installed[i]->id] = rules_list[i];
            broken_rules_.erase(installed[i]->id);
        }
        host_.after_engine();
        done(ok(json{{"imported", summary}}));
    });
    if (writes == 0) return;
    for (auto& area : home.areas) {
        registry_.upsert_area(area);
        store_.put_area(area, finish);
    }
    for (auto& device : home.devices) {
        registry_.upsert(device.description);
        store_.put_device(device.description, {}, finish);
    }
    for (const auto& scene : new_scenes) store_.put_document(kScenes, scene.id.value, scenes::to_json(scene), t, finish);
    for (const auto& rule : rules_list) store_.put_document(kRules, rule["id"].get<std::string>(), rule, t, finish);
}

}  // namespace hearth::hub
