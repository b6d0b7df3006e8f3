#include "scenes/snapshot.hpp"

#include <nlohmann/json.hpp>

namespace hearth::scenes {

using proto::Errc;
using proto::make_error;

Snapshot take_snapshot(const devices::Registry& registry, const std::vector<proto::DeviceId>& devices, TimePoint now,
                       std::string label, std::string context_id) {
    Snapshot s{std::move(label), std::move(context_id), now, {}};
    for (const auto& id : devices) {
        const auto* d = registry.find(id);
        if (!d) continue;
        const bool seen = std::any_of(s.devices.begin(), s.devices.end(), [&](const auto& x) { return x.device == id; });
        if (!seen) s.devices.push_back({id, d->state});
    }
    return s;
}

namespace {

/// Writable attributes only; every attribute when the device is no longer known.
Target target_from(const DeviceSnapshot& snap, const proto::DeviceDescription* description) {
    Target t{snap.device, {}, std::nullopt};
    for (const auto& [attribute, value] : snap.state) {
        if (proto::is_null(value)) continue;
        if (description) {
            const auto* c = description->find(attribute);
            if (!c || !proto::has(c->access, proto::Access::write)) continue;
        }
        t.state.emplace(attribute, value);
    }
    return t;
}

}  // namespace

Scene scene_from_snapshot(const Snapshot& snapshot, proto::SceneId id, proto::LocalizedName name, proto::AreaId area) {
    Scene scene{std::move(id), std::move(name), std::move(area), std::nullopt, {}};
    for (const auto& d : snapshot.devices) {
        auto t = target_from(d, nullptr);
        for (auto it = t.state.begin(); it != t.state.end();) {
            const auto* c = proto::canonical_capability(it->first);
            it = c && !proto::has(c->access, proto::Access::write) ? t.state.erase(it) : std::next(it);
        }
        if (!t.state.empty()) scene.targets.push_back(std::move(t));
    }
    return scene;
}

Plan plan_undo(const Snapshot& snapshot, const devices::Registry& registry, std::string_view context_id) {
    Scene scene{proto::SceneId{"undo"}, {}, {}, std::nullopt, {}};
    for (const auto& d : snapshot.devices) {
        const auto* device = registry.find(d.device);
        auto t = target_from(d, device ? &device->description : nullptr);
        if (!t.state.empty()) scene.targets.push_back(std::move(t));
    }
    return plan_scene(scene, registry, EvalContext{}, context_id);
}

Activation plan_activation(const Scene& scene, const devices::Registry& registry, const EvalContext& context,
                           std::string_view context_id) {
    std::vector<proto::DeviceId> devices;
    for (const auto& t : scene.targets) devices.push_back(t.device);
    return {take_snapshot(registry, devices, context.now, "scene " + scene.id.value, std::string(context_id)),
            plan_scene(scene, registry, context, context_id)};
}

nlohmann::json to_json(const Snapshot& snapshot) {
    auto devices = nlohmann::json::object();
    for (const auto& d : snapshot.devices) devices[d.device.value] = proto::to_json(d.state);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(snapshot.taken_at.time_since_epoch());
    return {{"label", snapshot.label},
            {"context_id", snapshot.context_id},
            {"taken_at", ms.count()},
            {"devices", std::move(devices)}};
}

proto::Result<Snapshot> snapshot_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::invalid_field, "a snapshot is an object");
    if (!j.contains("taken_at") || !j["taken_at"].is_number_integer()) {
        return make_error(Errc::invalid_field, "taken_at is milliseconds since the epoch", "taken_at");
    }
    if (!j.contains("devices") || !j["devices"].is_object()) {
        return make_error(Errc::invalid_field, "devices is an object of device states", "devices");
    }
    Snapshot s;
    s.label = j.value("label", "");
    s.context_id = j.value("context_id", "");
    s.taken_at = TimePoint{std::chrono::milliseconds(j["taken_at"].get<std::int64_t>())};
    for (const auto& [id, state] : j["devices"].items()) {
        if (!proto::is_valid_id(id) || !state.is_object()) {
            return make_error(Errc::invalid_field, "device states are objects keyed by device id", "devices." + id);
        }
        DeviceSnapshot d{proto::DeviceId{id}, {}};
        for (const auto& [attribute, value] : state.items()) {
            auto v = proto::value_from_json(value);
            if (!v) return make_error(Errc::invalid_field, "attribute values are scalars", "devices." + id + "." + attribute);
            d.state.emplace(attribute, std::move(*v));
        }
        s.devices.push_back(std::move(d));
    }
    return s;
}

void UndoStack::push(Snapshot snapshot) {
    entries_.push_back(std::move(snapshot));
    while (entries_.size() > capacity_) entries_.pop_front();
}

std::optional<Snapshot> UndoStack::pop() {
    if (entries_.empty()) return std::nullopt;
    auto s = std::move(entries_.back());
    entries_.pop_back();
    return s;
}

nlohmann::json UndoStack::to_json() const {
    auto j = nlohmann::json::array();
    for (const auto& s : entries_) j.push_back(scenes::to_json(s));
    return j;
}

proto::Result<void> UndoStack::load_json(const nlohmann::json& j) {
    if (!j.is_array()) return make_error(Errc::invalid_field, "an undo stack is a list of snapshots");
    std::deque<Snapshot> loaded;
    for (std::size_t i = 0; i < j.size(); ++i) {
        auto s = snapshot_from_json(j[i]);
        if (!s) {
            auto e = s.error();
            e.field = "[" + std::to_string(i) + "]" + (e.field.empty() ? "" : "." + e.field);
            return e;
        }
        loaded.push_back(std::move(*s));
    }
    while (loaded.size() > capacity_) loaded.pop_front();
    entries_ = std::move(loaded);
    return {};
}

}  // namespace hearth::scenes
