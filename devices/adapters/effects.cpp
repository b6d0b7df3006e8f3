#include "devices/adapters/effects.hpp"

#include <cctype>

#include "devices/adapters/adapter.hpp"

#include <nlohmann/json.hpp>

namespace hearth::devices::adapters {

namespace {
template <class T>
void move_into(std::vector<T>& to, std::vector<T>& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}
}  // namespace

nlohmann::json to_json(const UnmappedEntity& u) {
    nlohmann::json j{{"source", u.source}, {"component", u.component}, {"reason", u.reason}};
    if (!u.unique_id.empty()) j["unique_id"] = u.unique_id;
    if (!u.device.empty()) j["device"] = u.device.value;
    if (!u.name.empty()) j["name"] = u.name;
    return j;
}

nlohmann::json to_json(const std::vector<UnmappedEntity>& list) {
    auto j = nlohmann::json::array();
    for (const auto& u : list) j.push_back(to_json(u));
    return j;
}

bool Effects::empty() const noexcept {
    return subscribe.empty() && unsubscribe.empty() && upserts.empty() && problems.empty() &&
           states.empty() && availability.empty() && events.empty() && removals.empty() &&
           errors.empty() && !unmapped_changed;
}

void Effects::append(Effects other) {
    move_into(subscribe, other.subscribe);
    move_into(unsubscribe, other.unsubscribe);
    move_into(upserts, other.upserts);
    move_into(suggested_areas, other.suggested_areas);
    move_into(problems, other.problems);
    move_into(states, other.states);
    move_into(availability, other.availability);
    move_into(events, other.events);
    move_into(removals, other.removals);
    move_into(errors, other.errors);
    unmapped_changed = unmapped_changed || other.unmapped_changed;
}

namespace {

bool same_words(std::string_view a, std::string_view b) {
    if (a.empty() || a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto fold = [](char c) {
            if (c == '_' || c == '-') return ' ';
            return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        };
        if (fold(a[i]) != fold(b[i])) return false;
    }
    return true;
}

/// The home's area whose id or Chinese or English name matches the suggestion, if any.
proto::AreaId suggested_area(const Registry& registry, const Effects& effects, const proto::DeviceId& device) {
    for (const auto& s : effects.suggested_areas) {
        if (s.device != device) continue;
        for (const auto* area : registry.areas()) {
            if (same_words(area->id.value, s.area) || area->name.zh == s.area || same_words(area->name.en, s.area)) {
                return area->id;
            }
        }
    }
    return {};
}

}  // namespace

Applied apply(Registry& registry, const Effects& effects) {
    Applied out;
    for (auto d : effects.upserts) {
        // Ecosystems know neither Hearth areas nor Chinese names: keep what the home set.
        if (const auto* known = registry.find(d.id)) {
            if (d.area.empty()) d.area = known->description.area;
            if (d.name.zh.empty()) d.name.zh = known->description.name.zh;
        }
        if (d.area.empty()) d.area = suggested_area(registry, effects, d.id);
        auto id = d.id;
        if (registry.upsert(std::move(d)) != Upsert::unchanged) out.upserted.push_back(std::move(id));
    }
    for (const auto& p : effects.problems) registry.set_problem(p.device, p.problem);
    for (const auto& s : effects.states) {
        auto r = registry.apply_state(s.device, s.attributes, s.context_id);
        if (!r) {
            out.rejected.push_back(r.error());
            continue;
        }
        move_into(out.changes, r->changes);
        move_into(out.rejected, r->rejected);
    }
    for (const auto& a : effects.availability) {
        const auto* device = registry.find(a.device);
        if (!device) continue;
        const auto before = device->availability;
        auto r = registry.set_availability(a.device, a.availability);
        if (r && *r) out.availability_changed.push_back({a.device, before, a.availability});
    }
    for (const auto& id : effects.removals) registry.remove(id);
    return out;
}

Effects Adapter::handle(std::string_view topic, std::string_view payload) {
    try {
        return dispatch(topic, payload);
    } catch (const nlohmann::json::exception& e) {
        Effects fx;
        fx.errors.push_back(proto::make_error(proto::Errc::bad_json,
                                              std::string(topic) + ": unexpected content: " + e.what()));
        return fx;
    }
}

}  // namespace hearth::devices::adapters
