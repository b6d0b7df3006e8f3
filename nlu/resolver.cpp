#include "nlu/resolver.hpp"

#include <algorithm>

namespace hearth::nlu {

namespace {

std::string said(const Frame& f, const Mention& m) { return TextNormalizer::join(f.text->units, m.begin, m.end); }

}  // namespace

Resolution Resolver::resolve(const std::function<bool(const devices::Device&)>& wanted, Scope scope) const {
    Resolution out;
    std::vector<const Entry*> kind_entries;
    for (const auto* k : frame_.kinds)
        for (const auto* e : k->entries)
            if (e->kind == EntryKind::kind) {
                out.kinds.insert(out.kinds.end(), e->kinds.begin(), e->kinds.end());
                kind_entries.push_back(e);
            }
    // "smoke sensors": the class word says which sensors; "sensors" adds nothing.
    if (std::any_of(kind_entries.begin(), kind_entries.end(), [](const Entry* e) { return !e->device_class.empty(); }))
        std::erase_if(kind_entries, [](const Entry* e) {
            return e->device_class.empty() &&
                   std::find(e->kinds.begin(), e->kinds.end(), proto::DeviceKind::sensor) != e->kinds.end();
        });

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
    // "关掉卧室的电视" when the only TV is in the living room: that room has none. A name that says
    // its own room ("living room light") is meant wherever another named room is.
    const auto names_its_room = [&](const devices::Device* d) {
        const auto* area = registry_.find_area(d->description.area);
        const auto& n = d->description.name;
        return area && ((!area->name.zh.empty() && n.zh.find(area->name.zh) != std::string::npos) ||
                        (!area->name.en.empty() && n.en.find(area->name.en) != std::string::npos));
    };
    if (!out.devices.empty() && !frame_.areas.empty() && frame_.kinds.empty() &&
        std::none_of(out.devices.begin(), out.devices.end(), names_its_room)) {
        const bool any_in_named_area = std::any_of(out.devices.begin(), out.devices.end(), [&](const auto* d) {
            return std::any_of(frame_.areas.begin(), frame_.areas.end(), [&](const Mention* a) {
                return a->entries.front()->target == d->description.area.value;
            });
        });
        if (!any_in_named_area) {
            out.area = proto::AreaId(frame_.areas.front()->entries.front()->target);
            out.missing = said(frame_, *frame_.devices.front());
            out.devices.clear();
            return out;
        }
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
    const auto floors = area_named() ? std::nullopt : floor_areas();
    if (floors) {
        out.area.reset();
        if (floors->areas.empty()) {
            out.missing = frame_.floors.empty() ? said(frame_, frame_.mentions[frame_.first(Cue::floor)->mention])
                                                : said(frame_, *frame_.floors.front());
            return out;
        }
        out.floor = floors->id;
    }
    std::vector<const devices::Device*> pool;
    for (const auto* d : registry_.list()) {
        const bool kind_ok = kind_entries.empty() ? wanted(*d) : std::any_of(kind_entries.begin(), kind_entries.end(), [&](const Entry* e) {
            return kind_word_matches(*e, *d);
        });
        if (kind_ok) pool.push_back(d);
    }
    // A kind word may also be a device's own name ("TV"): prefer the kinds, fall back to it.
    if (pool.empty()) {
        for (const auto* m : frame_.kinds)
            for (const auto* e : m->entries)
                if (e->kind == EntryKind::device)
                    if (const auto* d = registry_.find(proto::DeviceId(e->target))) pool.push_back(d);
    }
    if (pool.empty() && !frame_.kinds.empty()) out.missing = said(frame_, *frame_.kinds.front());
    // "打开卧室和客厅的灯": every named area counts.
    std::vector<proto::AreaId> areas;
    for (const auto* m : frame_.areas) areas.emplace_back(m->entries.front()->target);
    if (areas.empty() && out.area) areas.push_back(*out.area);
    if (floors) {  // the whole floor: no question which room
        for (const auto* d : pool)
            if (std::find(floors->areas.begin(), floors->areas.end(), d->description.area) != floors->areas.end())
                out.devices.push_back(d);
        if (out.devices.empty() && !frame_.kinds.empty()) out.missing = said(frame_, *frame_.kinds.front());
        return out;
    }
    std::vector<const devices::Device*> in_area;
    for (const auto* d : pool)
        if (std::find(areas.begin(), areas.end(), d->description.area) != areas.end()) in_area.push_back(d);
    if (!in_area.empty()) {
        out.devices = in_area;
        return out;
    }
    if (out.area && area_named()) {  // "厨房的空调" but the kitchen has none
        if (out.missing.empty() && !frame_.kinds.empty()) out.missing = said(frame_, *frame_.kinds.front());
        return out;
    }
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

std::optional<Resolver::Floors> Resolver::floor_areas() const {
    const auto* cue = frame_.first(Cue::floor);
    if (frame_.floors.empty() && !cue) return std::nullopt;
    Floors out;
    const auto add = [&](const proto::Area& a) {
        out.areas.push_back(a.id);
        if (out.id.empty()) out.id = a.floor->id;
    };
    const auto areas = registry_.areas();
    if (!frame_.floors.empty()) {
        for (const auto* m : frame_.floors)
            for (const auto* a : areas)
                if (a->floor && a->floor->id == m->entries.front()->target) add(*a);
        return out;
    }
    // A floor said by its level: "一楼", "second floor"; "楼上" is above the speaker.
    const int level = cue->detail;
    std::optional<int> here, top, bottom;
    for (const auto* a : areas) {
        if (!a->floor || !a->floor->level) continue;
        const int l = *a->floor->level;
        top = std::max(top.value_or(l), l);
        bottom = std::min(bottom.value_or(l), l);
        if (request_.area && a->id == *request_.area) here = l;
    }
    for (const auto* a : areas) {
        if (!a->floor || !a->floor->level) continue;
        const int l = *a->floor->level;
        const bool wanted = level == kUpstairs     ? (here ? l > *here : l == top && top != bottom)
                            : level == kDownstairs ? (here ? l < *here : l == bottom && top != bottom)
                                                   : l == level;
        if (wanted) add(*a);
    }
    return out;
}

std::optional<proto::AreaId> Resolver::area() const {
    for (const auto* m : frame_.areas) return proto::AreaId(m->entries.front()->target);
    if (whole_home(frame_)) return std::nullopt;
    return request_.area;
}

}  // namespace hearth::nlu
