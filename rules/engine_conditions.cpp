#include "rules/engine.hpp"

#include <algorithm>
#include <sstream>
#include <type_traits>
#include <variant>

#include "rules/engine_internal.hpp"
#include "rules/sun.hpp"

namespace hearth::rules {

using internal::indexed;

bool Engine::check_all(const std::vector<Condition>& cs, const std::string& path, Trace& trace,
                       const std::string& trigger_id, TimePoint now) const {
    for (std::size_t i = 0; i < cs.size(); ++i) {
        if (!check(cs[i], indexed(path, i), trace, trigger_id, now)) return false;
    }
    return true;
}

bool Engine::check(const Condition& c, const std::string& path, Trace& trace, const std::string& trigger_id,
                   TimePoint now) const {
    std::string detail;
    const bool passed = std::visit(
        [&](const auto& w) -> bool {
            using T = std::decay_t<decltype(w)>;
            if constexpr (std::is_same_v<T, StateCondition>) {
                const auto* d = registry_.find(w.device);
                proto::Value v;
                if (d) {
                    if (const auto it = d->state.find(w.attribute); it != d->state.end()) v = it->second;
                }
                detail = w.device.value + "." + w.attribute + " is " + proto::to_display(v);
                const bool in = w.in.empty() || std::find(w.in.begin(), w.in.end(), v) != w.in.end();
                const auto* n = proto::as_number(v);
                const bool above = !w.above || (n && *n > *w.above);
                const bool below = !w.below || (n && *n < *w.below);
                return in && above && below;
            } else if constexpr (std::is_same_v<T, TimeCondition>) {
                const auto local = scenes::to_local(now, config_.place);
                const auto t = local.time_of_day;
                bool ok = true;
                if (w.after && w.before) ok = scenes::in_window(t, *w.after, *w.before);
                else if (w.after) ok = t >= *w.after;
                else if (w.before) ok = t < *w.before;
                const auto day = scenes::iso_weekday(local.weekday);
                if (!w.weekdays.empty()) ok = ok && std::find(w.weekdays.begin(), w.weekdays.end(), day) != w.weekdays.end();
                const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(t).count();
                std::ostringstream text;
                text << "local time " << minutes / 60 << ":" << (minutes % 60 < 10 ? "0" : "") << minutes % 60
                     << ", weekday " << day;
                detail = text.str();
                return ok;
            } else if constexpr (std::is_same_v<T, SunCondition>) {
                // -0.833°: the sun's upper limb on the horizon with refraction, as sunrise and sunset use.
                const double elevation = sun_elevation(now, config_.place);
                detail = "sun elevation " + std::to_string(elevation);
                return (elevation > -0.833) == w.above_horizon;
            } else if constexpr (std::is_same_v<T, SomeoneHomeCondition>) {
                std::vector<const devices::Device*> sensors;
                if (w.sensors.empty()) {
                    sensors = registry_.list({std::nullopt, std::nullopt, "occupancy"});
                } else {
                    for (const auto& id : w.sensors)
                        if (const auto* d = registry_.find(id)) sensors.push_back(d);
                }
                std::string occupied;
                for (const auto* d : sensors) {
                    const auto it = d->state.find("occupancy");
                    if (it != d->state.end() && it->second == proto::Value{true}) occupied = d->description.id.value;
                }
                detail = occupied.empty() ? "no presence sensor reports occupancy" : occupied + " reports occupancy";
                return !occupied.empty() == w.expected;
            } else if constexpr (std::is_same_v<T, AndCondition>) {
                return check_all(w.all, path + ".and", trace, trigger_id, now);
            } else if constexpr (std::is_same_v<T, OrCondition>) {
                for (std::size_t i = 0; i < w.any.size(); ++i) {
                    if (check(w.any[i], indexed(path + ".or", i), trace, trigger_id, now)) return true;
                }
                return false;
            } else if constexpr (std::is_same_v<T, NotCondition>) {
                for (std::size_t i = 0; i < w.none.size(); ++i) {
                    if (check(w.none[i], indexed(path + ".not", i), trace, trigger_id, now)) return false;
                }
                return true;
            } else if constexpr (std::is_same_v<T, ExpressionCondition>) {
                const auto r = w.expression.test(eval_context(now));
                detail = r ? w.expression.source() : w.expression.source() + ": " + r.error().message;
                return r && *r;
            } else {
                detail = "trigger " + (trigger_id.empty() ? std::string("(no id)") : trigger_id);
                return trigger_id == w.id;
            }
        },
        c.what);
    trace.conditions.push_back({path, passed, std::move(detail)});
    return passed;
}

}  // namespace hearth::rules
