#include "nlu/action_plan.hpp"

#include "nlu/device_traits.hpp"
#include "nlu/lexicon.hpp"

namespace hearth::nlu {

using proto::DeviceKind;

std::optional<proto::Attributes> attributes_for(const ActionPlan& p, const devices::Device& d) {
    proto::Attributes set;
    const auto kind = d.description.kind;
    if (p.intent == "HassTurnOn" || p.intent == "HassTurnOff") {
        const bool on = p.intent == "HassTurnOn";
        if (kind == DeviceKind::lock && writable(d, "locked")) set["locked"] = on;
        else if (kind == DeviceKind::vacuum && writable(d, "cleaning")) set["cleaning"] = on;
        else if (writable(d, "on")) set["on"] = on;
        else if (writable(d, "position")) set["position"] = on ? 100.0 : 0.0;
        else if (writable(d, "playback")) set["playback"] = std::string(on ? "playing" : "paused");
        else return std::nullopt;
        if (on && !p.mode.empty() && writable(d, "hvac_mode")) set["hvac_mode"] = p.mode;
        return set;
    }
    if (p.intent == "HassMediaPause" || p.intent == "HassMediaUnpause") {
        if (!writable(d, "playback")) return std::nullopt;
        set["playback"] = std::string(p.intent == "HassMediaPause" ? "paused" : "playing");
        return set;
    }
    if (p.intent == "HassMediaNext" || p.intent == "HassMediaPrevious") {
        if (!writable(d, "skip")) return std::nullopt;
        set["skip"] = std::string(p.intent == "HassMediaNext" ? "next" : "previous");
        return set;
    }
    if (p.intent == "HassVacuumStart" || p.intent == "HassVacuumReturnToBase") {
        if (!writable(d, "cleaning")) return std::nullopt;
        set["cleaning"] = p.intent == "HassVacuumStart";
        return set;
    }
    if (p.intent == "HassLightSet" && p.color) {
        if (!writable(d, "color")) return std::nullopt;
        set["color"] = std::string(color_name(p.color));
        return set;
    }
    if (p.attribute.empty() || !writable(d, p.attribute)) return std::nullopt;
    double value = 0;
    const bool off = bool_state(d, "on") == false;
    if (p.absolute) {
        value = *p.absolute;
    } else if (p.change) {
        auto current = number_state(d, p.attribute);
        if (p.attribute == "brightness" && off) current = 0;
        const auto* c = d.description.find(p.attribute);
        const double fallback = c && c->min && c->max ? (*c->min + *c->max) / 2 : 0;
        value = clamp_to(d, p.attribute, current.value_or(fallback) + *p.change);
    } else {
        return std::nullopt;
    }
    set[p.attribute] = value;
    if (writable(d, "on") && off && (p.attribute != "brightness" || value > 0) && p.attribute != "volume")
        set["on"] = true;
    if (!p.mode.empty() && writable(d, "hvac_mode")) set["hvac_mode"] = p.mode;
    return set;
}

}  // namespace hearth::nlu
