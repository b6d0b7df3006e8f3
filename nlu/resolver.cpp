#include "nlu/resolver.hpp"

#include <algorithm>

namespace hearth::nlu {

Resolution Resolver::resolve(const std::function<bool(const devices::Device&)>& wanted, Scope scope) const {
    Resolution out;
    for (const auto* k : frame_.kinds)
        for (const auto* e : k->entries)
            if (e->kind == EntryKind::kind) out.kinds.insert(out.kinds.end(), e->kinds.begin(), e->kinds.end());

    // Named devices first. A name shared by several devices (or a sound-alike of several) is
    // a question, not a guess.
    for (const auto* m : frame_.devices) {
        std::vector<const devices::Device*> named;
        for (const auto* e : m->entries)
            if (e->kind == EntryKind::device)
                if (const auto* d = registry_.find(proto::DeviceId(e->target)); d && !contains(named, d)) named.push_back(d);
        if (named.size() > 1 && scope == Scope::any_number) {
            for (const auto* d : named)
                if (!contains(out.devices, d)) out.devices.push_back(d);
            continue;
        }
        if (named.size() > 1) {
            out.ambiguous = true;
            out.candidates = named;
            return out;
        }
        if (!named.empty() && !contains(out.devices, named.front())) out.devices.push_back(named.front());
    }
    // "把卧室灯打开然后调到五十": a part that names nothing is about what the previous part acted on.
    if (out.devices.empty() && frame_.kinds.empty() && frame_.areas.empty())
        for (const auto& id : request_.focus)
            if (const auto* d = registry_.find(id); d && wanted(*d) && !contains(out.devices, d)) out.devices.push_back(d);
    if (!out.devices.empty()) {
        out.named = true;
        return out;
    }
    out.area = area();
    std::vector<const devices::Device*> pool;
    for (const auto* d : registry_.list()) {
        const bool kind_ok = out.kinds.empty()
                                 ? wanted(*d)
                                 : std::find(out.kinds.begin(), out.kinds.end(), d->description.kind) != out.kinds.end();
        if (kind_ok) pool.push_back(d);
    }
    // A kind word may also be a device's own name ("TV"): prefer the kinds, fall back to it.
    if (pool.empty()) {
        for (const auto* m : frame_.kinds)
            for (const auto* e : m->entries)
                if (e->kind == EntryKind::device)
                    if (const auto* d = registry_.find(proto::DeviceId(e->target))) pool.push_back(d);
    }
    // "打开卧室和客厅的灯": every named area counts.
    std::vector<proto::AreaId> areas;
    for (const auto* m : frame_.areas) areas.emplace_back(m->entries.front()->target);
    if (areas.empty() && out.area) areas.push_back(*out.area);
    std::vector<const devices::Device*> in_area;
    for (const auto* d : pool)
        if (std::find(areas.begin(), areas.end(), d->description.area) != areas.end()) in_area.push_back(d);
    if (!in_area.empty()) {
        out.devices = in_area;
        return out;
    }
    if (out.area && area_named()) return out;  // "厨房的空调" but the kitchen has none
    out.area.reset();
    out.devices = pool;
    // Devices spread over several rooms, and nothing said which room or "all": ask.
    if (scope == Scope::one_or_area && pool.size() > 1 && !frame_.has(Cue::all) && !frame_.has(Cue::everywhere)) {
        out.ambiguous = true;
        out.candidates = pool;
        out.devices.clear();
    }
    return out;
}

std::optional<proto::AreaId> Resolver::area() const {
    for (const auto* m : frame_.areas) return proto::AreaId(m->entries.front()->target);
    if (frame_.has(Cue::everywhere)) return std::nullopt;
    return request_.area;
}

}  // namespace hearth::nlu
