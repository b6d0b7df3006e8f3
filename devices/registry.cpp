#include "devices/registry.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace hearth::devices {

using proto::Errc;
using proto::make_error;

std::string_view to_string(Availability a) noexcept {
    switch (a) {
        case Availability::online: return "online";
        case Availability::offline: return "offline";
        case Availability::unknown: return "unknown";
    }
    return "unknown";
}

namespace {

proto::Error unknown_device(const proto::DeviceId& id) {
    return make_error(Errc::unknown_device, "no device with id '" + id.value + "'", "device");
}

}  // namespace

Upsert Registry::upsert_area(proto::Area area) {
    const auto [it, inserted] = areas_.try_emplace(area.id, area);
    if (inserted) return Upsert::added;
    if (it->second == area) return Upsert::unchanged;
    it->second = std::move(area);
    return Upsert::updated;
}

bool Registry::remove_area(const proto::AreaId& id) { return areas_.erase(id) > 0; }

const proto::Area* Registry::find_area(const proto::AreaId& id) const {
    const auto it = areas_.find(id);
    return it == areas_.end() ? nullptr : &it->second;
}

std::vector<const proto::Area*> Registry::areas() const {
    std::vector<const proto::Area*> out;
    out.reserve(areas_.size());
    for (const auto& [id, area] : areas_) out.push_back(&area);
    return out;
}

Upsert Registry::upsert(proto::DeviceDescription description) {
    const auto id = description.id;
    const auto [it, inserted] = devices_.try_emplace(id);
    auto& device = it->second;
    if (!inserted && device.description == description) return Upsert::unchanged;
    std::erase_if(device.state, [&](const auto& entry) { return !description.find(entry.first); });
    device.description = std::move(description);
    return inserted ? Upsert::added : Upsert::updated;
}

bool Registry::remove(const proto::DeviceId& id) { return devices_.erase(id) > 0; }

const Device* Registry::find(const proto::DeviceId& id) const {
    const auto it = devices_.find(id);
    return it == devices_.end() ? nullptr : &it->second;
}

std::vector<const Device*> Registry::list(const DeviceFilter& filter) const {
    std::vector<const Device*> out;
    for (const auto& [id, device] : devices_) {
        const auto& d = device.description;
        if (filter.area && d.area != *filter.area) continue;
        if (filter.kind && d.kind != *filter.kind) continue;
        if (!filter.capability.empty() && !d.find(filter.capability)) continue;
        out.push_back(&device);
    }
    return out;
}

void Registry::set_problem(const proto::DeviceId& id, std::string problem) {
    if (const auto it = devices_.find(id); it != devices_.end()) it->second.problem = std::move(problem);
}

proto::Result<StateUpdate> Registry::apply_state(const proto::DeviceId& id, const proto::Attributes& reported,
                                                 std::string_view context_id) {
    const auto it = devices_.find(id);
    if (it == devices_.end()) return unknown_device(id);
    auto& device = it->second;
    StateUpdate update;
    for (const auto& [attribute, value] : reported) {
        const auto* capability = device.description.find(attribute);
        if (!capability) {
            update.rejected.push_back(make_error(Errc::unknown_attribute,
                                                 id.value + " has no attribute " + attribute, attribute));
            continue;
        }
        // A report is held to the device's own description, as a command is: the right type,
        // inside its range, one of its options. Null says "unknown" and is always taken.
        if (!proto::is_null(value)) {
            if (auto checked = proto::check_value(*capability, value); !checked) {
                update.rejected.push_back(make_error(checked.error().code, id.value + ": " + checked.error().message,
                                                     attribute));
                continue;
            }
        }
        const auto [slot, inserted] = device.state.try_emplace(attribute, value);
        if (!inserted && slot->second == value) continue;
        update.changes.push_back({id, attribute, inserted ? proto::Value{} : slot->second, value, 0,
                                  std::string(context_id)});
        slot->second = value;
    }
    if (!update.changes.empty()) {
        ++device.version;
        for (auto& change : update.changes) change.version = device.version;
        if (!context_id.empty()) device.last_context_id = context_id;
    }
    return update;
}

void Registry::restore(const proto::DeviceId& id, proto::Attributes state, std::uint64_t version,
                       Availability availability) {
    const auto it = devices_.find(id);
    if (it == devices_.end()) return;
    auto& device = it->second;
    std::erase_if(state, [&](const auto& entry) { return !device.description.find(entry.first); });
    device.state = std::move(state);
    device.version = version;
    device.availability = availability;
}

proto::Result<bool> Registry::set_availability(const proto::DeviceId& id, Availability availability) {
    const auto it = devices_.find(id);
    if (it == devices_.end()) return unknown_device(id);
    const bool changed = it->second.availability != availability;
    it->second.availability = availability;
    return changed;
}

proto::Result<proto::Command> Registry::validate(const proto::DeviceId& id, const proto::Command& command) const {
    const auto* device = find(id);
    if (!device) return unknown_device(id);
    if (!device->problem.empty()) {
        return make_error(Errc::device_unavailable, id.value + " is unavailable: " + device->problem, "device");
    }
    if (device->availability == Availability::offline) {
        return make_error(Errc::device_unavailable, id.value + " is offline", "device");
    }
    return validate_command(device->description, command);
}

nlohmann::json to_json(const Device& device) {
    auto j = proto::to_json(device.description);
    j["availability"] = to_string(device.availability);
    j["online"] = device.availability == Availability::online && device.problem.empty();
    j["state"] = proto::to_json(device.state);
    j["version"] = device.version;
    if (!device.problem.empty()) j["problem"] = device.problem;
    return j;
}

proto::Result<proto::Command> validate_command(const proto::DeviceDescription& device, const proto::Command& command) {
    proto::Command out;
    out.context_id = command.context_id;
    for (const auto& [attribute, value] : command.set) {
        const auto* capability = device.find(attribute);
        if (!capability) {
            return make_error(Errc::unknown_attribute, device.id.value + " has no attribute " + attribute, attribute);
        }
        if (!proto::has(capability->access, proto::Access::write)) {
            return make_error(Errc::read_only, attribute + " of " + device.id.value + " is read-only", attribute);
        }
        auto checked = proto::check_value(*capability, value);
        if (!checked) return checked.error();
        out.set.emplace(attribute, std::move(*checked));
    }
    if (command.transition && device.find(proto::kTransitionKey)) out.transition = command.transition;
    return out;
}

}  // namespace hearth::devices
