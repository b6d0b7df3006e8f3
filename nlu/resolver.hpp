#pragma once
// Narrows the home to the devices one utterance is about: named devices first, then the devices of
// the named kinds (or those an intent wants) in the named or the speaker's area. Several equally
// good candidates make a question back instead of a guess. Pure; reads the registry only.
#include <algorithm>
#include <functional>
#include <optional>
#include <vector>

#include "devices/registry.hpp"
#include "nlu/frame.hpp"

namespace hearth::nlu {

/// The devices a request is about, or the candidates to ask about.
struct Resolution {
    std::vector<const devices::Device*> devices;
    std::optional<proto::AreaId> area;  // the area the request was narrowed to
    std::optional<std::string> floor;   // the floor it was narrowed to
    bool named = false;                 // a device was named
    bool ambiguous = false;             // several equally good candidates: ask
    std::vector<const devices::Device*> candidates;
    std::vector<proto::DeviceKind> kinds;      // the kinds the utterance named
    /// The words that matched nothing in the home ("窗户" where there are only curtains, "电视"
    /// asked for in a room without one), as said; empty otherwise.
    std::string missing;
};

/// Whether a request may be about several devices across areas (questions) or not (actions).
enum class Scope { one_or_area, any_number };

class Resolver {
public:
    Resolver(const Frame& frame, const devices::Registry& registry, const Request& request)
        : frame_(frame), registry_(registry), request_(request) {}

    /// The devices the utterance is about. `scope` says whether several devices across areas are
    /// fine (questions) or call for a question back (actions).
    Resolution resolve(const std::function<bool(const devices::Device&)>& wanted, Scope scope) const;

    /// The first named area; none for the whole home ("everywhere", "所有的灯" without a room); else
    /// the speaker's.
    std::optional<proto::AreaId> area() const;
    bool area_named() const { return !frame_.areas.empty(); }

    /// The areas on the floors the utterance names ("一楼", "first floor", a floor's own name;
    /// "楼上"/"upstairs" are the floors above the speaker's, or the top one), with the floor's id;
    /// nothing when it names no floor. An empty list when the home has no such floor.

    struct Floors {
        std::vector<proto::AreaId> areas;
        std::string id;
    };
    std::optional<Floors> floor_areas() const;

private:
    static bool contains(const std::vector<const devices::Device*>& v, const devices::Device* d) {
        return std::find(v.begin(), v.end(), d) != v.end();
    }

    const Frame& frame_;
    const devices::Registry& registry_;
    const Request& request_;
};

}  // namespace hearth::nlu
