#include "devices/adapters/ha_discovery.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "devices/adapters/naming.hpp"
#include "proto/json.hpp"

namespace hearth::devices::adapters {

using proto::Errc;
using proto::make_error;

namespace {

/// Platforms whose main entity carries the device's canonical actuator attributes.
bool is_actuator(std::string_view component) {
    return component == "light" || component == "switch" || component == "fan" ||
           component == "lock" || component == "cover" || component == "climate";
}

std::vector<const HaEntity*> ordered(const std::map<std::string, HaEntity>& entities) {
    std::vector<const HaEntity*> out;
    for (const auto& [key, e] : entities) out.push_back(&e);
    std::stable_sort(out.begin(), out.end(), [](const HaEntity* a, const HaEntity* b) {
        return a->priority < b->priority;
    });
    return out;
}

proto::JsonLimits discovery_limits() {
    return proto::JsonLimits{256 * 1024, 16};
}

}  // namespace

HaDiscovery::HaDiscovery(std::string prefix) : prefix_(std::move(prefix)) {}

std::vector<std::string> HaDiscovery::subscriptions() const {
    std::vector<std::string> out{prefix_ + "/+/+/config", prefix_ + "/+/+/+/config"};
    out.insert(out.end(), subscribed_.begin(), subscribed_.end());
    return out;
}

Publish HaDiscovery::birth() const {
    return Publish{status_topic(), "online", false};
}

bool HaDiscovery::owns(const proto::DeviceId& id) const {
    return ids_.count(id) > 0 && find(id) != nullptr;
}

const proto::DeviceDescription* HaDiscovery::find(const proto::DeviceId& id) const {
    const auto it = ids_.find(id);
    if (it == ids_.end()) return nullptr;
    const auto d = devices_.find(it->second);
    return d == devices_.end() || !d->second.announced ? nullptr : &d->second.description;
}

Effects HaDiscovery::dispatch(std::string_view topic, std::string_view payload) {
    if (topic == status_topic()) return {};
    if (auto dt = parse_discovery_topic(prefix_, topic)) return handle_config(*dt, topic, payload);
    return handle_state(topic, payload);
}

Effects HaDiscovery::handle_config(const DiscoveryTopic& dt, std::string_view full_topic,
                                   std::string_view payload) {
    Effects fx;
    const std::string source(full_topic);
    const bool device_form = dt.component == "device" && dt.node_id.empty();
    if (payload.empty()) {
        if (device_form) {
            for (const auto& key : components_[source]) remove_entity(key, fx);
            components_.erase(source);
        } else {
            remove_entity(dt.key(), fx);
        }
        refresh_subscriptions(fx);
        return fx;
    }
    auto parsed = proto::parse_json(payload, discovery_limits());
    if (!parsed) {
        fx.errors.push_back(
            make_error(parsed.error().code, source + ": " + parsed.error().message));
        return fx;
    }
    if (!parsed->is_object()) {
        fx.errors.push_back(
            make_error(Errc::bad_json, source + ": a discovery config must be a JSON object"));
        return fx;
    }
    auto config = expand_config(*parsed);
    if (!device_form) {
        add_entity(map_entity(dt, source, config), fx);
        refresh_subscriptions(fx);
        return fx;
    }
    const auto components = config.find("components");
    if (components == config.end() || !components->is_object()) {
        fx.errors.push_back(make_error(Errc::invalid_field,
                                       source + ": a device discovery config needs components",
                                       "components"));
        return fx;
    }
    std::vector<std::string> keys;
    for (const auto& [id, raw] : components->items()) {
        if (!raw.is_object()) continue;
        const DiscoveryTopic ct{"device", dt.object_id, id};
        if (raw.size() == 1 && raw.contains("platform"))
            continue;  // a component announced for removal
        auto component = raw;
        for (const auto& [k, v] : config.items())
            if (k != "components" && k != "~" && !component.contains(k)) component[k] = v;
        keys.push_back(ct.key());
        add_entity(map_entity(ct, source + "#" + id, component), fx);
    }
    for (const auto& old : components_[source])
        if (std::find(keys.begin(), keys.end(), old) == keys.end()) remove_entity(old, fx);
    components_[source] = std::move(keys);
    refresh_subscriptions(fx);
    return fx;
}

void HaDiscovery::add_entity(HaEntity entity, Effects& fx) {
    const auto key = entity.topic.key();
    std::string identity = !entity.device.identifier.empty() ? "dev:" + entity.device.identifier
                           : !entity.unique_id.empty()       ? "uid:" + entity.unique_id
                                                             : "topic:" + key;
    if (auto it = entity_device_.find(key); it != entity_device_.end() && it->second != identity)
        remove_entity(key, fx);

    auto [it, created] = devices_.try_emplace(identity);
    auto& device = it->second;
    if (created) {
        device.identity = identity;
        const auto base = stable_device_id(identity.substr(identity.find(':') + 1));
        auto id = base;
        for (int n = 2; ids_.count(id); ++n) {
            const auto suffix = "_" + std::to_string(n);
            id = proto::DeviceId{base.value.substr(0, 64 - suffix.size()) + suffix};
        }
        device.id = id;
        ids_[id] = identity;
    }
    const auto display = entity.name.empty() ? entity.device.name : entity.name;
    std::vector<UnmappedEntity> unmapped;
    if (!entity.unmapped_reason.empty())
        unmapped.push_back({entity.source, entity.unique_id, device.id, entity.component, display,
                            entity.unmapped_reason});
    for (const auto& reason : entity.ignored)
        unmapped.push_back(
            {entity.source, entity.unique_id, device.id, entity.component, display, reason});
    if (set_unmapped(key, std::move(unmapped))) fx.unmapped_changed = true;
    device.entities.insert_or_assign(key, std::move(entity));
    entity_device_[key] = identity;
    rebuild(device, fx);
}

bool HaDiscovery::set_unmapped(const std::string& key, std::vector<UnmappedEntity> entries) {
    auto& slot = unmapped_[key];
    const bool changed = slot != entries;
    slot = std::move(entries);
    if (slot.empty()) unmapped_.erase(key);
    return changed;
}

void HaDiscovery::remove_entity(const std::string& key, Effects& fx) {
    if (set_unmapped(key, {})) fx.unmapped_changed = true;
    const auto owner = entity_device_.find(key);
    if (owner == entity_device_.end()) return;
    const auto identity = owner->second;
    entity_device_.erase(owner);
    auto it = devices_.find(identity);
    if (it == devices_.end()) return;
    auto& device = it->second;
    device.entities.erase(key);
    if (!device.entities.empty()) {
        rebuild(device, fx);
        return;
    }
    if (device.announced) fx.removals.push_back(device.id);
    ids_.erase(device.id);
    devices_.erase(it);
}

HaDiscovery::Layout HaDiscovery::layout(const Device& device) {
    const auto entities = ordered(device.entities);
    std::map<std::string, int> contenders;  // actuator platform → entities that may lead it
    for (const auto* e : entities)
        if (e->unmapped_reason.empty() && e->may_claim_canonical && is_actuator(e->component))
            ++contenders[e->component];

    Layout out;
    out.description.id = device.id;
    std::set<std::string> taken;
    std::optional<proto::DeviceKind> kind;
    std::string device_class, first_class;  // the leading entity's; the first main entity's with one
    for (const auto* e : entities) {
        if (!e->unmapped_reason.empty()) {
            const bool leads = is_actuator(e->component) && e->main_feature;
            if (e->template_problem && leads && out.problem.empty())
                out.problem = e->source + ": " + e->unmapped_reason;
            continue;
        }
        // An entity claims its canonical names together or not at all, so that a fan's light
        // becomes light_on + light_brightness rather than lending its brightness to the fan.
        const bool eligible =
            e->may_claim_canonical &&
            (!is_actuator(e->component) || e->main_feature || contenders[e->component] == 1) &&
            std::none_of(e->capabilities.begin(), e->capabilities.end(),
                         [&](const HaCapability& c) {
                             return c.naming == Naming::canonical &&
                                    c.capability.access != proto::Access::event &&
                                    c.capability.attribute != "transition" &&
                                    taken.count(c.capability.attribute);
                         });
        bool claimed = false;
        auto& renames = out.renames[e->topic.key()];
        for (const auto& hc : e->capabilities) {
            const auto& local = hc.capability.attribute;
            std::string name;
            if (local == "transition") {
                // Not a value but the declaration that the device fades: one per device, never
                // renamed.
                if (taken.count(local)) continue;
                name = local;
            } else if (hc.naming == Naming::canonical && eligible && !taken.count(local)) {
                name = local;
                claimed = true;
            } else if (hc.naming == Naming::canonical &&
                       hc.capability.access == proto::Access::event && taken.count(local)) {
                renames[local] =
                    local;  // one `action` event shared by all of the device's triggers
                continue;
            } else {
                name = hc.naming == Naming::canonical
                           ? (e->capabilities.size() == 1 ? e->key : e->key + "_" + local)
                           : local;
                if (proto::canonical_capability(name))
                    name = attribute_name(e->component) + "_" + name;
            }
            const auto stem = name;
            for (int n = 2; taken.count(name); ++n) name = stem + "_" + std::to_string(n);
            taken.insert(name);
            renames[local] = name;
            out.bindings[name] = Binding{e->topic.key(), local};
            auto cap = hc.capability;
            cap.attribute = name;
            out.description.capabilities.push_back(std::move(cap));
        }
        if (claimed && !kind && e->kind) {
            kind = e->kind;
            device_class = e->device_class;
        }
        if (!e->device_class.empty() && e->may_claim_canonical && e->entity_category.empty() && first_class.empty())
            first_class = e->device_class;
    }
    auto& d = out.description;
    if (out.problem.empty() && d.capabilities.empty())
        for (const auto* e : entities)
            if (e->template_problem) {
                out.problem = e->source + ": " + e->unmapped_reason;
                break;
            }
    // The class of the entity that gave the kind ("window" for a cover, "occupancy" for a
    // presence sensor); a device of plain readings takes its first main entity's ("moisture").
    if (!kind && std::any_of(d.capabilities.begin(), d.capabilities.end(),
                             [](const auto& c) { return c.access == proto::Access::read; })) {
        kind = proto::DeviceKind::sensor;
        device_class = first_class;
    }
    d.device_class = kind ? device_class : std::string();
    d.kind = kind.value_or(proto::DeviceKind::other);
    if (!entities.empty()) {
        const auto* first = entities.front();
        d.name.en = !first->device.name.empty() ? first->device.name
                    : !first->name.empty()      ? first->name
                                                : device.id.value;
        d.manufacturer = first->device.manufacturer;
        d.model = first->device.model;
    }
    return out;
}

void HaDiscovery::rebuild(Device& device, Effects& fx) {
    auto l = layout(device);
    device.renames = std::move(l.renames);
    device.bindings = std::move(l.bindings);
    if (l.description.capabilities.empty() && l.problem.empty()) {
        if (device.announced) fx.removals.push_back(device.id);
        device.announced = false;
        device.availability = Availability::unknown;
        device.description = std::move(l.description);
        return;
    }
    const bool changed = !device.announced || !(device.description == l.description);
    const bool problem_changed =
        device.announced ? l.problem != device.problem : !l.problem.empty();
    device.description = std::move(l.description);
    device.problem = std::move(l.problem);
    device.announced = true;
    if (changed) {
        fx.upserts.push_back(device.description);
        for (const auto& [key, entity] : device.entities) {
            if (entity.device.suggested_area.empty()) continue;
            fx.suggested_areas.push_back({device.id, entity.device.suggested_area});
            break;
        }
    }
    if (problem_changed) fx.problems.push_back({device.id, device.problem});
    if (changed) read_cached(device, fx);
    update_availability(device, fx);
}

void HaDiscovery::refresh_subscriptions(Effects& fx) {
    std::set<std::string> wanted;
    topic_devices_.clear();
    availability_topics_.clear();
    for (const auto& [identity, device] : devices_) {
        for (const auto& [key, e] : device.entities) {
            if (!e.unmapped_reason.empty()) continue;
            for (const auto& r : e.readers) {
                wanted.insert(r.topic);
                topic_devices_[r.topic].insert(identity);
            }
            for (const auto& s : e.availability.sources) {
                wanted.insert(s.topic);
                availability_topics_.insert(s.topic);
                topic_devices_[s.topic].insert(identity);
            }
        }
    }
    for (const auto& t : wanted)
        if (!subscribed_.count(t)) fx.subscribe.push_back(t);
    for (const auto& t : subscribed_)
        if (!wanted.count(t)) {
            fx.unsubscribe.push_back(t);
            topics_.erase(t);
        }
    subscribed_ = std::move(wanted);
}

Effects HaDiscovery::handle_state(std::string_view topic, std::string_view payload) {
    Effects fx;
    const auto followers = topic_devices_.find(topic);
    if (followers == topic_devices_.end()) return fx;
    auto& cached = topics_[std::string(topic)];
    cached.payload = std::string(payload);
    cached.sequence = ++sequence_;
    cached.seen = true;
    std::vector<Device*> devices;
    for (const auto& identity : followers->second)
        if (auto it = devices_.find(identity); it != devices_.end() && it->second.announced)
            devices.push_back(&it->second);
    read_message(topic, payload, devices, fx, true);
    if (availability_topics_.count(topic))
        for (auto* d : devices) update_availability(*d, fx);
    return fx;
}

void HaDiscovery::read_message(std::string_view topic, std::string_view payload,
                               const std::vector<Device*>& devices, Effects& fx, bool live) {
    auto parsed = proto::parse_json(payload);
    const nlohmann::json* json = parsed ? &*parsed : nullptr;
    const auto variables = value_template_variables(payload, json);
    const HaMessage message{topic, payload, json, &variables};
    for (auto* device : devices) {
        proto::Attributes attributes;
        for (const auto& [key, e] : device->entities) {
            if (!e.unmapped_reason.empty()) continue;
            const auto& renames = device->renames[key];
            for (const auto& reader : e.readers) {
                if (reader.topic != topic) continue;
                HaReading reading;
                reader.read(message, reading);
                for (auto& [local, value] : reading.attributes)
                    if (auto r = renames.find(local); r != renames.end())
                        attributes.insert_or_assign(r->second, std::move(value));
                for (auto& err : reading.errors) {
                    err.message = device->id.value + " (" + e.source + "): " + err.message;
                    fx.errors.push_back(std::move(err));
                }
                if (!live) continue;
                for (auto& [name, attrs] : reading.events)
                    fx.events.push_back({device->id, name, std::move(attrs)});
            }
        }
        if (!attributes.empty()) fx.states.push_back({device->id, std::move(attributes), {}});
    }
}

void HaDiscovery::read_cached(Device& device, Effects& fx) {
    std::set<std::string> topics;
    for (const auto& [key, e] : device.entities)
        for (const auto& r : e.readers) topics.insert(r.topic);
    for (const auto& t : topics)
        if (auto it = topics_.find(t); it != topics_.end() && it->second.seen)
            read_message(t, it->second.payload, {&device}, fx, false);
}

Availability HaDiscovery::entity_availability(const HaEntity& e) const {
    if (e.availability.sources.empty()) return Availability::online;
    std::vector<Availability> states;
    Availability latest = Availability::unknown;
    std::uint64_t latest_seq = 0;
    for (const auto& s : e.availability.sources) {
        Availability a = Availability::unknown;
        const auto it = topics_.find(s.topic);
        if (it != topics_.end() && it->second.seen) {
            std::string value = it->second.payload;
            if (s.value_template) {
                auto parsed = proto::parse_json(value);
                auto rendered = s.value_template->render(
                    value_template_variables(value, parsed ? &*parsed : nullptr));
                value = rendered ? *rendered : std::string{};
            }
            if (value == s.payload_available)
                a = Availability::online;
            else if (value == s.payload_not_available)
                a = Availability::offline;
            if (a != Availability::unknown && it->second.sequence > latest_seq) {
                latest = a;
                latest_seq = it->second.sequence;
            }
        }
        states.push_back(a);
    }
    const auto count = [&](Availability a) { return std::count(states.begin(), states.end(), a); };
    switch (e.availability.mode) {
        case HaAvailability::Mode::latest:
            return latest;
        case HaAvailability::Mode::all:
            if (count(Availability::offline)) return Availability::offline;
            return count(Availability::online) == static_cast<long>(states.size())
                       ? Availability::online
                       : Availability::unknown;
        case HaAvailability::Mode::any:
            if (count(Availability::online)) return Availability::online;
            return count(Availability::offline) == static_cast<long>(states.size())
                       ? Availability::offline
                       : Availability::unknown;
    }
    return Availability::unknown;
}

void HaDiscovery::update_availability(Device& device, Effects& fx) {
    if (!device.announced) return;
    bool any_online = false, any_offline = false;
    for (const auto& [key, e] : device.entities) {
        if (!e.unmapped_reason.empty()) continue;
        const auto a = entity_availability(e);
        any_online = any_online || a == Availability::online;
        any_offline = any_offline || a == Availability::offline;
    }
    const auto a = any_online    ? Availability::online
                   : any_offline ? Availability::offline
                                 : Availability::unknown;
    if (a == device.availability) return;
    device.availability = a;
    fx.availability.push_back({device.id, a});
}

proto::Result<std::vector<Publish>> HaDiscovery::command(const proto::DeviceId& id,
                                                         const proto::Command& command) const {
    const auto owner = ids_.find(id);
    const auto it = owner == ids_.end() ? devices_.end() : devices_.find(owner->second);
    if (it == devices_.end() || !it->second.announced)
        return make_error(Errc::unknown_device,
                          "device '" + id.value + "' is not a Home Assistant discovery device",
                          "device");
    const auto& device = it->second;
    std::map<std::string, proto::Attributes> per_entity;
    for (const auto& [attribute, value] : command.set) {
        const auto b = device.bindings.find(attribute);
        const auto* cap = device.description.find(attribute);
        if (b == device.bindings.end() || !cap)
            return make_error(Errc::unknown_attribute,
                              "device '" + id.value + "' has no attribute '" + attribute + "'",
                              attribute);
        if (!proto::has(cap->access, proto::Access::write))
            return make_error(Errc::read_only, attribute + " on '" + id.value + "' cannot be set",
                              attribute);
        per_entity[b->second.entity][b->second.local] = value;
    }
    std::vector<Publish> out;
    for (const auto* e : ordered(device.entities)) {
        const auto set = per_entity.find(e->topic.key());
        if (set == per_entity.end()) continue;
        if (!e->writer) return make_error(Errc::read_only, e->source + " takes no commands");
        const bool fades = std::any_of(
            e->capabilities.begin(), e->capabilities.end(),
            [](const HaCapability& c) { return c.capability.attribute == "transition"; });
        if (auto r = e->writer(set->second, fades ? command.transition : std::nullopt, out); !r)
            return r.error();
    }
    return out;
}

proto::Attributes HaDiscovery::optimistic_state(const proto::DeviceId& id,
                                                const proto::Command& command) const {
    proto::Attributes out;
    const auto owner = ids_.find(id);
    const auto it = owner == ids_.end() ? devices_.end() : devices_.find(owner->second);
    if (it == devices_.end()) return out;
    const auto& device = it->second;
    for (const auto& [attribute, value] : command.set) {
        const auto b = device.bindings.find(attribute);
        if (b == device.bindings.end()) continue;
        const auto e = device.entities.find(b->second.entity);
        if (e != device.entities.end() && e->second.optimistic.count(b->second.local))
            out[attribute] = value;
    }
    return out;
}

std::vector<UnmappedEntity> HaDiscovery::unmapped() const {
    std::vector<UnmappedEntity> out;
    for (const auto& [key, entries] : unmapped_)
        out.insert(out.end(), entries.begin(), entries.end());
    return out;
}

nlohmann::json HaDiscovery::unmapped_json() const {
    return to_json(unmapped());
}

}  // namespace hearth::devices::adapters
