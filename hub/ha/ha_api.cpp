#include "hub/ha/ha_api.hpp"

#include <algorithm>

#include "hub/log.hpp"
#include "proto/json.hpp"

namespace hearth::hub::ha {

using json = nlohmann::json;
using proto::Errc;

namespace {

constexpr auto kAuthDeadline = std::chrono::seconds(10);
constexpr std::size_t kMaxSubscriptions = 100;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

/// An IANA name for the home's zone: its own, or for a fixed whole-hour offset the Etc zone
/// (whose sign is inverted: UTC+08:00 is Etc/GMT-8), else UTC.
std::string iana_name(const scenes::TimeZone& zone) {
    const auto fixed = zone.fixed_offset();
    if (!fixed) return zone.name();
    const auto minutes = fixed->count();
    if (minutes == 0 || minutes % 60 != 0 || minutes < -12 * 60 || minutes > 14 * 60) return "UTC";
    const auto hours = minutes / 60;
    return "Etc/GMT" + std::string(hours > 0 ? "-" : "+") + std::to_string(std::abs(hours));
}

/// A target field: one id or a list of ids.
std::optional<std::vector<std::string>> ids_in(const json& object, const char* field, HaError& error) {
    std::vector<std::string> out;
    if (!object.is_object()) return out;
    const auto it = object.find(field);
    if (it == object.end() || it->is_null()) return out;
    if (it->is_string()) {
        out.push_back(it->get<std::string>());
        return out;
    }
    if (it->is_array()) {
        for (const auto& v : *it) {
            if (!v.is_string()) break;
            out.push_back(v.get<std::string>());
        }
        if (out.size() == it->size()) return out;
    }
    error = {"invalid_format", std::string(field) + " must be an entity id or a list of them"};
    return std::nullopt;
}

}  // namespace

HaError ha_error(const proto::Error& e, bool service) {
    switch (e.code) {
        case Errc::bad_json:
        case Errc::payload_too_large: return {"invalid_format", e.message};
        case Errc::invalid_field:
        case Errc::unknown_attribute:
        case Errc::wrong_type:
        case Errc::out_of_range:
        case Errc::read_only: return {service ? "service_validation_error" : "invalid_format", e.message};
        case Errc::unknown_device:
        case Errc::not_found: return {"not_found", e.message};
        case Errc::unauthorized:
        case Errc::forbidden: return {"unauthorized", e.message};
        default: return {"home_assistant_error", e.message};
    }
}

HaApi::HaApi(HaLinks links) : links_(std::move(links)), table_(links_.registry) {}

void HaApi::start() { table_.rebuild(links_.now(), {links_.new_context_id(), {}}); }

json HaApi::states() const {
    json out = json::array();
    for (const auto& [id, record] : table_.all()) out.push_back(state_json(record));
    return out;
}

json HaApi::config() const {
    const auto& place = links_.place();
    json components = json::array({"api", "websocket_api", "conversation", "homeassistant"});
    const auto services = services_json();
    for (const auto& [domain, service] : services.items()) {
        if (domain != "homeassistant" && domain != "conversation") components.push_back(domain);
    }
    return {{"latitude", place.latitude},
            {"longitude", place.longitude},
            {"elevation", 0},
            {"unit_system",
             {{"length", "km"}, {"accumulated_precipitation", "mm"}, {"area", "m²"}, {"mass", "g"}, {"pressure", "Pa"},
              {"temperature", "°C"}, {"volume", "L"}, {"wind_speed", "m/s"}}},
            {"location_name", "Hearth"},
            {"time_zone", iana_name(place.time_zone)},
            {"components", components},
            {"config_dir", "/config"},
            {"allowlist_external_dirs", json::array()},
            {"allowlist_external_urls", json::array()},
            {"version", kHaVersion},
            {"config_source", "storage"},
            {"recovery_mode", false},
            {"safe_mode", false},
            {"state", "RUNNING"},
            {"external_url", nullptr},
            {"internal_url", nullptr},
            {"currency", "CNY"},
            {"country", nullptr},
            {"language", "en"},
            {"radius", 100}};
}

std::optional<HaApi::Called> HaApi::call_service(const std::string& domain, const std::string& service, json data,
                                                 const json& target, const std::string& caller, HaError& error) {
    if (!data.is_object()) {
        error = {"invalid_format", "service_data must be an object"};
        return std::nullopt;
    }
    std::vector<std::string> entity_ids;
    for (const json* where : {&target, static_cast<const json*>(&data)}) {
        for (const auto* field : {"entity_id", "area_id", "device_id"}) {
            auto ids = ids_in(*where, field, error);
            if (!ids) return std::nullopt;
            for (auto& id : *ids) {
                if (std::string_view(field) == "entity_id") {
                    entity_ids.push_back(std::move(id));
                    continue;
                }
                // An area or a device: its entities of the service's domain.
                for (const auto& [eid, record] : table_.all()) {
                    if (record.ref.domain != domain && domain != "homeassistant") continue;
                    const auto* d = links_.registry.find(record.ref.device);
                    const bool in = std::string_view(field) == "area_id" ? d && d->description.area.value == id
                                                                         : record.ref.device.value == id;
                    if (in && record.ref.attribute.empty()) entity_ids.push_back(eid);
                }
            }
        }
    }
    for (const auto* field : {"entity_id", "area_id", "device_id"}) data.erase(field);
    if (entity_ids.empty()) {
        error = {"invalid_format", "the call names no entity: give target.entity_id (or area_id, device_id)"};
        return std::nullopt;
    }
    // Everything is checked before anything is sent: one bad entity sends nothing.
    std::vector<std::pair<proto::DeviceId, proto::Command>> commands;
    for (const auto& eid : entity_ids) {
        const auto* record = table_.find(eid);
        const auto* device = record ? links_.registry.find(record->ref.device) : nullptr;
        if (!device) {
            error = {"not_found", "Entity " + eid + " not found"};
            return std::nullopt;
        }
        auto command = command_for(record->ref, *device, domain, service, data);
        if (!command) {
            error = ha_error(command.error(), true);
            return std::nullopt;
        }
        if (auto valid = links_.registry.validate(device->description.id, *command); !valid) {
            error = ha_error(valid.error(), true);
            return std::nullopt;
        }
        commands.emplace_back(device->description.id, std::move(*command));
    }
    Called called{{links_.new_context_id(), {}}};
    // The first command carries the call's context id, so its state change shows it; others follow from it.
    bool first = true;
    for (auto& [device, command] : commands) {
        proto::Context cause{first ? called.context.id : std::string{}, first ? std::string{} : called.context.id,
                             proto::Cause::app, caller};
        first = false;
        auto sent = links_.send_command(device, std::move(command), cause);
        if (!sent) {
            error = ha_error(sent.error(), true);
            return std::nullopt;
        }
    }
    for (const auto& eid : entity_ids) called.states.push_back(state_json(*table_.find(eid)));
    return called;
}

std::optional<json> HaApi::converse(const json& request, HaError& error) {
    const auto text = proto::required_string(request, "text");
    const auto language = proto::optional_string(request, "language");
    const auto conversation = proto::optional_string(request, "conversation_id");
    for (const auto* r : {&language, &conversation}) {
        if (!*r) {
            error = ha_error(r->error());
            return std::nullopt;
        }
    }
    if (!text) {
        error = ha_error(text.error());
        return std::nullopt;
    }
    json hearth_request{{"text", *text}};
    // Home Assistant sends tags like "en-US" or "zh-Hans"; the assistant speaks zh and en.
    std::string lang = language->value_or("");
    if (lang.starts_with("zh")) hearth_request["language"] = "zh";
    if (lang.starts_with("en")) hearth_request["language"] = "en";
    auto answer = links_.converse(hearth_request);
    if (!answer) {
        error = ha_error(answer.error());
        return std::nullopt;
    }
    const bool understood = answer->value("understood", false);
    const auto* commands = answer->contains("commands") ? &(*answer)["commands"] : nullptr;
    const bool acted = commands && commands->is_array() && !commands->empty();
    json success = json::array();
    if (acted) {
        for (const auto& c : *commands) {
            const auto device = c.value("device", std::string{});
            const auto* d = links_.registry.find(proto::DeviceId{device});
            const auto ids = table_.of_device(proto::DeviceId{device});
            success.push_back({{"type", "entity"},
                               {"name", d ? (d->description.name.en.empty() ? device : d->description.name.en) : device},
                               {"id", ids.empty() ? device : ids.front()}});
        }
    }
    const auto speech = answer->value("speech", std::string{});
    json response{{"speech", {{"plain", {{"speech", speech}, {"extra_data", nullptr}}}}},
                  {"card", json::object()},
                  {"language", lang.empty() ? answer->value("language", std::string("en")) : lang},
                  {"response_type", !understood ? "error" : acted ? "action_done" : "query_answer"},
                  {"data", understood ? json{{"targets", json::array()}, {"success", success}, {"failed", json::array()}}
                                      : json{{"code", "no_intent_match"}}}};
    return json{{"response", std::move(response)},
                {"conversation_id", conversation->value_or(links_.new_context_id())},
                {"continue_conversation", false}};
}

// ---- facts ----

EntityContext HaApi::context_of(const proto::Context& cause, const std::string& reported) {
    if (!cause.id.empty()) return {cause.id, cause.parent};
    if (!reported.empty()) return {reported, {}};
    return {links_.new_context_id(), {}};
}

void HaApi::state_changed(const devices::StateChange& change, const proto::Context& cause, WallTime at) {
    const auto changes = table_.refresh(change.device, at, context_of(cause, change.context_id));
    if (!changes.empty()) fan_out(changes, {}, {}, at);
}

void HaApi::availability_changed(const devices::adapters::AvailabilityChange& change) {
    const auto at = links_.now();
    const auto changes = table_.refresh(change.device, at, {links_.new_context_id(), {}});
    if (!changes.empty()) fan_out(changes, {}, {}, at);
}

void HaApi::devices_changed() {
    const auto at = links_.now();
    const auto rebuilt = table_.rebuild(at, {links_.new_context_id(), {}});
    if (!rebuilt.added.empty() || !rebuilt.removed.empty() || !rebuilt.changed.empty()) {
        fan_out(rebuilt.changed, rebuilt.added, rebuilt.removed, at);
    }
}

class HaApi::FanOut {
public:
    explicit FanOut(HaApi& api) : api_(api) { ++api_.fan_outs_; }
    ~FanOut() {
        if (--api_.fan_outs_ > 0) return;
        for (const auto* client : api_.departed_) api_.clients_.erase(client);
        api_.departed_.clear();
    }
    FanOut(const FanOut&) = delete;
    FanOut& operator=(const FanOut&) = delete;

private:
    HaApi& api_;
};

void HaApi::fan_out(const std::vector<EntityChange>& changes, const std::vector<std::string>& added,
                    const std::vector<std::string>& removed, WallTime at) {
    if (clients_.empty()) return;
    const FanOut guard(*this);
    // state_changed events, each serialised once; the subscription id is spliced in per client.
    std::vector<std::pair<std::string, std::string>> events;  // entity id, event text without the id
    const auto event_of = [&](const std::string& entity_id, json old_state, json new_state, const EntityContext& context) {
        json event{{"event_type", "state_changed"},
                   {"data", {{"entity_id", entity_id}, {"old_state", std::move(old_state)}, {"new_state", std::move(new_state)}}},
                   {"origin", "LOCAL"},
                   {"time_fired", iso_time(at)},
                   {"context", context_json(context)}};
        events.emplace_back(entity_id, dump(event));
    };
    for (const auto& c : changes) event_of(c.after->ref.entity_id, state_json(c.before), state_json(*c.after), c.after->context);
    for (const auto& id : added) {
        const auto* r = table_.find(id);
        if (r) event_of(id, nullptr, state_json(*r), r->context);
    }
    for (const auto& id : removed) event_of(id, nullptr, nullptr, {links_.new_context_id(), {}});

    for (auto& [key, client] : clients_) {
        for (const auto& [sid, s] : client.subscriptions) {
            const auto head = "{\"id\":" + std::to_string(sid) + ",\"type\":\"event\",\"event\":";
            if (s.kind == Subscription::Kind::events) {
                if (!s.event_type.empty() && s.event_type != "state_changed") continue;
                for (const auto& [eid, text] : events) send_text(client, head + text + "}");
                continue;
            }
            const auto& only = s.entity_ids;  // clang 14 cannot capture a structured binding
            const auto wanted = [&only](const std::string& eid) { return only.empty() || only.contains(eid); };
            json diff = json::object();
            for (const auto& c : changes) {
                if (wanted(c.after->ref.entity_id)) diff["c"][c.after->ref.entity_id] = diff_json(c.before, *c.after);
            }
            for (const auto& id : added) {
                const auto* r = table_.find(id);
                if (r && wanted(id)) diff["a"][id] = compressed_json(*r);
            }
            for (const auto& id : removed) {
                if (wanted(id)) diff["r"].push_back(id);
            }
            if (!diff.empty()) send_text(client, head + dump(diff) + "}");
        }
    }
}

// ---- the WebSocket ----

void HaApi::opened(const std::shared_ptr<LiveClient>& socket) {
    auto& client = clients_[socket.get()];
    client = Client{};
    client.socket = socket;
    send(client, {{"type", "auth_required"}, {"ha_version", kHaVersion}});
    links_.defer(kAuthDeadline, [this, weak = std::weak_ptr<LiveClient>(socket)] {
        const auto s = weak.lock();
        if (!s) return;
        const auto it = clients_.find(s.get());
        if (it != clients_.end() && !it->second.scope) s->close("authentication timed out");
    });
}

void HaApi::closed(const LiveClient* client, bool) {
    if (fan_outs_ == 0) {
        clients_.erase(client);
        return;
    }
    const auto it = clients_.find(client);
    if (it == clients_.end()) return;
    it->second.socket.reset();
    departed_.push_back(client);
}

void HaApi::send(Client& client, const json& message) { send_text(client, dump(message)); }

void HaApi::send_text(Client& client, std::string text) {
    if (const auto socket = client.socket.lock()) socket->send(std::move(text));
}

void HaApi::result(Client& client, std::int64_t id, json value) {
    send(client, {{"id", id}, {"type", "result"}, {"success", true}, {"result", std::move(value)}});
}

void HaApi::fail(Client& client, const json& id, const HaError& error) {
    send(client, {{"id", id}, {"type", "result"}, {"success", false},
                  {"error", {{"code", error.code}, {"message", error.message}}}});
}

bool HaApi::admit(Client& client) {
    if (links_.messages_per_second <= 0) return true;
    const auto now = std::chrono::steady_clock::now();
    if (client.budget < 0) {
        client.budget = links_.burst;
        client.refilled = now;
    }
    const double elapsed = std::chrono::duration<double>(now - client.refilled).count();
    client.budget = std::min(links_.burst, client.budget + elapsed * links_.messages_per_second);
    client.refilled = now;
    if (client.budget < 1) return false;
    client.budget -= 1;
    return true;
}

void HaApi::message(const std::shared_ptr<LiveClient>& socket, std::string text) {
    const auto it = clients_.find(socket.get());
    if (it == clients_.end()) return;
    const FanOut guard(*this);
    auto& client = it->second;
    if (!admit(client)) {
        if (++client.refused_in_row > 100) return socket->close("over the message rate");
        return fail(client, nullptr, {"too_many_requests", "over the message rate; this message was not handled"});
    }
    client.refused_in_row = 0;
    auto request = proto::parse_json(text);
    if (!request || !request->is_object()) {
        const auto error = request ? proto::make_error(Errc::bad_json, "a message is a JSON object") : request.error();
        if (!client.scope) {
            send(client, {{"type", "auth_invalid"}, {"message", "Auth message incorrectly formatted: " + error.message}});
            return socket->close("authentication failed");
        }
        return fail(client, nullptr, ha_error(error));
    }
    if (!client.scope) return authenticate(client, socket, *request);
    const auto id = proto::optional_integer(*request, "id");
    if (!id || !*id) {
        return fail(client, nullptr, {"invalid_format", "Message incorrectly formatted: a message needs an integer id"});
    }
    try {
        handle(client, *request, **id);
    } catch (const std::exception& e) {
        ++internal_errors_;
        log::error("Home Assistant WebSocket message failed: {}", e.what());
        fail(client, **id, {"unknown_error", "the message could not be handled"});
    }
}

void HaApi::authenticate(Client& client, const std::shared_ptr<LiveClient>& socket, const json& request) {
    const auto now = std::chrono::steady_clock::now();
    const auto& address = socket->remote();
    if (const auto locked = links_.guard.locked_for(address, now); locked.count() > 0) {
        links_.guard.locked_refusal();
        const auto message = "too many bad tokens from " + address + "; try again in " + std::to_string(locked.count()) + " s";
        send(client, {{"type", "auth_invalid"}, {"message", message}});
        return socket->close(message, CloseCode::try_again_later);
    }
    const auto type = proto::optional_string(request, "type");
    const auto secret = proto::optional_string(request, "access_token");
    const bool is_auth = type && *type && **type == "auth";
    const auto* token = is_auth && secret && *secret ? links_.tokens.verify(**secret) : nullptr;
    if (!token) {
        // Only a token that was tried counts against the address.
        if (is_auth && secret && *secret) links_.guard.bad_token(address, now);
        send(client, {{"type", "auth_invalid"},
                      {"message", is_auth ? "Invalid access token or password" : "Auth message incorrectly formatted"}});
        return socket->close("authentication failed");
    }
    links_.guard.good_token(address);
    client.scope = token->scope;
    client.caller = token->name;
    send(client, {{"type", "auth_ok"}, {"ha_version", kHaVersion}});
}

void HaApi::handle(Client& client, const json& request, std::int64_t id) {
    const auto type_field = proto::required_string(request, "type");
    if (!type_field) return fail(client, id, ha_error(type_field.error()));
    const auto& type = *type_field;
    const auto needs = [&](Scope scope) {
        if (*client.scope >= scope) return true;
        fail(client, id, {"unauthorized", "'" + type + "' needs a token with the " + std::string(to_string(scope)) + " scope"});
        return false;
    };

    if (type == "ping") return send(client, {{"id", id}, {"type", "pong"}});
    if (type == "supported_features") return result(client, id, nullptr);
    if (type == "get_states") return result(client, id, states());
    if (type == "get_config") return result(client, id, config());
    if (type == "get_services") return result(client, id, services_json());
    if (type == "auth/current_user") {
        return result(client, id, {{"id", client.caller}, {"name", client.caller}, {"is_owner", *client.scope == Scope::admin},
                                   {"is_admin", *client.scope == Scope::admin}, {"credentials", json::array()},
                                   {"mfa_modules", json::array()}});
    }
    if (type == "subscribe_events" || type == "subscribe_entities") {
        if (client.subscriptions.size() >= kMaxSubscriptions) {
            return fail(client, id, {"invalid_format", "at most " + std::to_string(kMaxSubscriptions) +
                                                           " subscriptions per connection; unsubscribe one first"});
        }
        if (client.subscriptions.contains(id)) return fail(client, id, {"id_reuse", "Identifier values have to increase."});
        Subscription s;
        if (type == "subscribe_events") {
            const auto event_type = proto::optional_string(request, "event_type");
            if (!event_type) return fail(client, id, ha_error(event_type.error()));
            s.event_type = event_type->value_or("");
        } else {
            HaError error;
            const auto ids = ids_in(request, "entity_ids", error);
            if (!ids) return fail(client, id, error);
            s.kind = Subscription::Kind::entities;
            s.entity_ids = {ids->begin(), ids->end()};
        }
        const bool entities = s.kind == Subscription::Kind::entities;
        std::set<std::string> wanted = s.entity_ids;
        client.subscriptions.emplace(id, std::move(s));
        result(client, id, nullptr);
        if (!entities) return;
        json all = json::object();
        for (const auto& [eid, record] : table_.all()) {
            if (wanted.empty() || wanted.contains(eid)) all[eid] = compressed_json(record);
        }
        return send(client, {{"id", id}, {"type", "event"}, {"event", {{"a", std::move(all)}}}});
    }
    if (type == "unsubscribe_events") {
        const auto n = proto::optional_integer(request, "subscription");
        if (!n) return fail(client, id, ha_error(n.error()));
        if (!*n || !client.subscriptions.erase(**n)) return fail(client, id, {"not_found", "Subscription not found."});
        return result(client, id, nullptr);
    }
    if (type == "call_service") {
        if (!needs(Scope::control)) return;
        const auto domain = proto::required_string(request, "domain");
        const auto service = proto::required_string(request, "service");
        for (const auto* r : {&domain, &service}) {
            if (!*r) return fail(client, id, ha_error(r->error()));
        }
        const auto data = request.contains("service_data") && !request["service_data"].is_null() ? request["service_data"]
                                                                                                : json::object();
        const auto target = request.contains("target") ? request["target"] : json();
        if (!target.is_null() && !target.is_object()) return fail(client, id, {"invalid_format", "target must be an object"});
        HaError error;
        const auto called = call_service(*domain, *service, data, target, client.caller, error);
        if (!called) return fail(client, id, error);
        return result(client, id, {{"context", context_json(called->context)}, {"response", nullptr}});
    }
    if (type == "conversation/process") {
        if (!needs(Scope::control)) return;
        HaError error;
        auto answer = converse(request, error);
        if (!answer) return fail(client, id, error);
        return result(client, id, std::move(*answer));
    }
    if (type == "config/area_registry/list") {
        json out = json::array();
        for (const auto* area : links_.registry.areas()) {
            out.push_back({{"area_id", area->id.value}, {"name", area->name.en.empty() ? area->name.zh : area->name.en},
                           {"aliases", area->name.zh.empty() ? json::array() : json::array({area->name.zh})},
                           {"floor_id", nullptr}, {"icon", nullptr}, {"labels", json::array()}, {"picture", nullptr}});
        }
        return result(client, id, std::move(out));
    }
    if (type == "config/device_registry/list") {
        json out = json::array();
        for (const auto* d : links_.registry.list()) {
            const auto& desc = d->description;
            out.push_back({{"id", desc.id.value}, {"area_id", desc.area.value.empty() ? json() : json(desc.area.value)},
                           {"name", desc.name.en.empty() ? desc.id.value : desc.name.en}, {"name_by_user", nullptr},
                           {"manufacturer", desc.manufacturer.empty() ? json() : json(desc.manufacturer)},
                           {"model", desc.model.empty() ? json() : json(desc.model)},
                           {"identifiers", json::array({json::array({"hearth", desc.id.value})})},
                           {"connections", json::array()}, {"config_entries", json::array()}, {"disabled_by", nullptr},
                           {"entry_type", nullptr}, {"via_device_id", nullptr}, {"sw_version", nullptr},
                           {"hw_version", nullptr}, {"serial_number", nullptr}, {"configuration_url", nullptr},
                           {"labels", json::array()}});
        }
        return result(client, id, std::move(out));
    }
    if (type == "config/entity_registry/list") {
        json out = json::array();
        for (const auto& [eid, record] : table_.all()) {
            out.push_back({{"entity_id", eid}, {"id", eid}, {"unique_id", "hearth." + eid}, {"platform", "hearth"},
                           {"device_id", record.ref.device.value}, {"area_id", nullptr}, {"name", nullptr},
                           {"original_name", record.shown.attributes.value("friendly_name", eid)}, {"icon", nullptr},
                           {"disabled_by", nullptr}, {"hidden_by", nullptr}, {"entity_category", nullptr},
                           {"has_entity_name", false}, {"labels", json::array()}, {"options", json::object()},
                           {"translation_key", nullptr}, {"config_entry_id", nullptr}});
        }
        return result(client, id, std::move(out));
    }
    fail(client, id, {"unknown_command", "Unknown command."});
}

}  // namespace hearth::hub::ha
