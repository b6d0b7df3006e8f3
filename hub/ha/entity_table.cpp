#include "hub/ha/entity_table.hpp"

#include <cstdio>
#include <ctime>
#include <set>

namespace hearth::hub::ha {

using json = nlohmann::json;

std::string iso_time(WallTime t) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(us / 1000000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[96];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us % 1000000));
    return text;
}

double epoch_seconds(WallTime t) {
    return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count()) / 1e6;
}

json context_json(const EntityContext& context) {
    return {{"id", context.id},
            {"parent_id", context.parent_id.empty() ? json() : json(context.parent_id)},
            {"user_id", nullptr}};
}

json state_json(const EntityRecord& r) {
    return {{"entity_id", r.ref.entity_id},
            {"state", r.shown.state},
            {"attributes", r.shown.attributes},
            {"last_changed", iso_time(r.last_changed)},
            {"last_reported", iso_time(r.last_updated)},
            {"last_updated", iso_time(r.last_updated)},
            {"context", context_json(r.context)}};
}

namespace {

/// A context as the compressed forms write it: the id alone when it has no parent.
json compressed_context(const EntityContext& c) {
    return c.parent_id.empty() ? json(c.id) : context_json(c);
}

}  // namespace

json compressed_json(const EntityRecord& r) {
    json out{{"s", r.shown.state}, {"a", r.shown.attributes}, {"c", compressed_context(r.context)},
             {"lc", epoch_seconds(r.last_changed)}};
    if (r.last_updated != r.last_changed) out["lu"] = epoch_seconds(r.last_updated);
    return out;
}

json diff_json(const EntityRecord& before, const EntityRecord& after) {
    json added = json::object();
    if (after.shown.state != before.shown.state) added["s"] = after.shown.state;
    json changed = json::object();
    json removed = json::array();
    for (const auto& [key, value] : after.shown.attributes.items()) {
        const auto old = before.shown.attributes.find(key);
        if (old == before.shown.attributes.end() || *old != value) changed[key] = value;
    }
    for (const auto& [key, value] : before.shown.attributes.items()) {
        if (!after.shown.attributes.contains(key)) removed.push_back(key);
    }
    if (!changed.empty()) added["a"] = std::move(changed);
    if (after.context.id != before.context.id || after.context.parent_id != before.context.parent_id) {
        added["c"] = compressed_context(after.context);
    }
    if (after.last_changed != before.last_changed) {
        added["lc"] = epoch_seconds(after.last_changed);
    } else {
        added["lu"] = epoch_seconds(after.last_updated);
    }
    json out{{"+", std::move(added)}};
    if (!removed.empty()) out["-"] = {{"a", std::move(removed)}};
    return out;
}

EntityTable::Rebuilt EntityTable::rebuild(WallTime now, const EntityContext& context) {
    Rebuilt out;
    std::set<std::string> seen;
    std::map<proto::DeviceId, std::vector<std::string>> by_device;
    for (const auto* device : registry_.list()) {
        for (auto& ref : entities_of(device->description)) {
            const auto id = ref.entity_id;
            // Two devices whose ids slug alike: the first keeps the entity id.
            if (!seen.insert(id).second) continue;
            by_device[device->description.id].push_back(id);
            auto shown = state_of(ref, *device);
            const auto it = records_.find(id);
            if (it == records_.end()) {
                records_.emplace(id, EntityRecord{std::move(ref), std::move(shown), now, now, context});
                out.added.push_back(id);
                continue;
            }
            it->second.ref = std::move(ref);
            if (it->second.shown == shown) continue;
            out.changed.push_back({it->second, &it->second});
            if (it->second.shown.state != shown.state) it->second.last_changed = now;
            it->second.last_updated = now;
            it->second.shown = std::move(shown);
            it->second.context = context;
        }
    }
    for (auto it = records_.begin(); it != records_.end();) {
        if (seen.contains(it->first)) {
            ++it;
            continue;
        }
        out.removed.push_back(it->first);
        it = records_.erase(it);
    }
    by_device_ = std::move(by_device);
    return out;
}

std::vector<EntityChange> EntityTable::refresh(const proto::DeviceId& device, WallTime now, const EntityContext& context) {
    std::vector<EntityChange> out;
    const auto* d = registry_.find(device);
    const auto ids = by_device_.find(device);
    if (!d || ids == by_device_.end()) return out;
    for (const auto& id : ids->second) {
        auto& record = records_.at(id);
        auto shown = state_of(record.ref, *d);
        if (shown == record.shown) continue;
        EntityChange change{record, &record};
        if (shown.state != record.shown.state) record.last_changed = now;
        record.last_updated = now;
        record.shown = std::move(shown);
        record.context = context;
        out.push_back(std::move(change));
    }
    return out;
}

const EntityRecord* EntityTable::find(std::string_view entity_id) const {
    const auto it = records_.find(entity_id);
    return it == records_.end() ? nullptr : &it->second;
}

std::vector<std::string> EntityTable::of_device(const proto::DeviceId& device) const {
    const auto it = by_device_.find(device);
    return it == by_device_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace hearth::hub::ha
