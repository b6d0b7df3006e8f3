#include "rules/rule.hpp"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

namespace hearth::rules {

using nlohmann::json;
using proto::Errc;
using proto::make_error;

namespace {

proto::Error prefixed(const std::string& prefix, proto::Error e) {
    e.field = e.field.empty() ? prefix : (e.field.front() == '[' ? prefix + e.field : prefix + "." + e.field);
    return e;
}

proto::Error bad(std::string field, std::string message) {
    return make_error(Errc::invalid_field, std::move(message), std::move(field));
}

std::string indexed(const std::string& name, std::size_t i) { return name + "[" + std::to_string(i) + "]"; }

proto::Result<proto::DeviceId> device_of(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_string() || !proto::is_valid_id(j[key].get<std::string>())) {
        return bad(key, std::string(key) + " must be a device id");
    }
    return proto::DeviceId{j[key].get<std::string>()};
}

proto::Result<std::string> text_of(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty()) {
        return bad(key, std::string(key) + " must be non-empty text");
    }
    return j[key].get<std::string>();
}

proto::Result<std::optional<double>> number_of(const json& j, const char* key) {
    if (!j.contains(key)) return std::optional<double>{};
    if (!j[key].is_number()) return bad(key, std::string(key) + " must be a number");
    return std::optional<double>{j[key].get<double>()};
}

proto::Result<std::optional<proto::Value>> scalar_of(const json& j, const char* key) {
    if (!j.contains(key)) return std::optional<proto::Value>{};
    auto v = proto::value_from_json(j[key]);
    if (!v) return bad(key, std::string(key) + " must be a bool, number, text or null");
    return std::optional<proto::Value>{std::move(*v)};
}

/// Refuses keys the kind does not know, so a typo does not silently change meaning.
proto::Result<void> only_keys(const json& j, std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : j.items()) {
        bool known = false;
        for (const auto a : allowed) known = known || key == a;
        if (!known) return bad(key, "unknown field " + key);
    }
    return {};
}

constexpr std::array<std::string_view, 7> kWeekdays{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

proto::Result<std::vector<unsigned>> weekdays_of(const json& j) {
    if (!j.contains("weekdays")) return std::vector<unsigned>{};
    const auto& w = j["weekdays"];
    if (!w.is_array() || w.empty()) return bad("weekdays", "weekdays is a list like [mon, tue]");
    std::vector<unsigned> out;
    for (std::size_t i = 0; i < w.size(); ++i) {
        const auto name = w[i].is_string() ? w[i].get<std::string>() : std::string();
        unsigned found = 0;
        for (unsigned d = 0; d < kWeekdays.size(); ++d)
            if (kWeekdays[d] == name) found = d + 1;
        if (found == 0) return bad(indexed("weekdays", i), "a weekday is one of mon tue wed thu fri sat sun");
        out.push_back(found);
    }
    return out;
}

proto::Result<std::optional<Seconds>> time_of(const json& j, const char* key) {
    if (!j.contains(key)) return std::optional<Seconds>{};
    const auto t = j[key].is_string() ? scenes::parse_time_of_day(j[key].get<std::string>()) : std::nullopt;
    if (!t) return bad(key, std::string(key) + " is a time of day like \"22:30\"");
    return std::optional<Seconds>{*t};
}

// ---- triggers ----

constexpr std::array<std::string_view, 10> kTriggerKinds{"state",    "numeric", "event", "availability", "time",
                                                         "schedule", "sun",     "start", "intent",       "webhook"};

proto::Result<Trigger> trigger_from(const json& j) {
    if (!j.is_object()) return bad("", "a trigger is an object");
    std::string kind;
    for (const auto k : kTriggerKinds) {
        if (!j.contains(k)) continue;
        if (!kind.empty()) return bad(std::string(k), "a trigger has one kind, not " + kind + " and " + std::string(k));
        kind = k;
    }
    if (kind.empty()) {
        return bad("", "a trigger is one of state, numeric, event, availability, time, schedule, sun, start, intent, webhook");
    }
    Trigger t;
    if (j.contains("id")) {
        if (!j["id"].is_string()) return bad("id", "id must be text");
        t.id = j["id"].get<std::string>();
    }
    if (j.contains("for")) {
        if (kind != "state" && kind != "numeric" && kind != "availability") {
            return bad("for", "for applies to state, numeric and availability triggers only");
        }
        const auto d = duration_from_json(j["for"]);
        if (!d || *d <= Seconds{0}) return bad("for", "for is a positive duration like \"40m\"");
        t.hold = *d;
    }
    if (kind == "state") {
        if (auto k = only_keys(j, {"state", "attribute", "from", "to", "for", "id"}); !k) return k.error();
        auto device = device_of(j, "state");
        if (!device) return device.error();
        auto attribute = text_of(j, "attribute");
        if (!attribute) return attribute.error();
        auto from = scalar_of(j, "from");
        if (!from) return from.error();
        auto to = scalar_of(j, "to");
        if (!to) return to.error();
        t.what = StateTrigger{*device, *attribute, *from, *to};
    } else if (kind == "numeric") {
        if (auto k = only_keys(j, {"numeric", "attribute", "above", "below", "for", "id"}); !k) return k.error();
        auto device = device_of(j, "numeric");
        if (!device) return device.error();
        auto attribute = text_of(j, "attribute");
        if (!attribute) return attribute.error();
        auto above = number_of(j, "above");
        if (!above) return above.error();
        auto below = number_of(j, "below");
        if (!below) return below.error();
        if (!*above && !*below) return bad("above", "a numeric trigger needs above, below or both");
        if (*above && *below && **above >= **below) return bad("below", "below must be greater than above");
        t.what = NumericTrigger{*device, *attribute, *above, *below};
    } else if (kind == "event") {
        if (auto k = only_keys(j, {"event", "name", "data", "id"}); !k) return k.error();
        auto device = device_of(j, "event");
        if (!device) return device.error();
        auto name = text_of(j, "name");
        if (!name) return name.error();
        EventTrigger e{*device, *name, {}};
        if (j.contains("data")) {
            if (!j["data"].is_object()) return bad("data", "data is an object of values to match");
            for (const auto& [key, value] : j["data"].items()) {
                auto v = proto::value_from_json(value);
                if (!v) return bad("data." + key, "data values are scalars");
                e.data.emplace(key, std::move(*v));
            }
        }
        t.what = std::move(e);
    } else if (kind == "availability") {
        if (auto k = only_keys(j, {"availability", "to", "for", "id"}); !k) return k.error();
        auto device = device_of(j, "availability");
        if (!device) return device.error();
        AvailabilityTrigger a{*device, std::nullopt};
        if (j.contains("to")) {
            const auto to = j["to"].is_string() ? j["to"].get<std::string>() : std::string();
            if (to != "online" && to != "offline") return bad("to", "to is online or offline");
            a.to = to == "online" ? devices::Availability::online : devices::Availability::offline;
        }
        t.what = a;
    } else if (kind == "time") {
        if (auto k = only_keys(j, {"time", "weekdays", "id"}); !k) return k.error();
        auto at = time_of(j, "time");
        if (!at) return at.error();
        auto weekdays = weekdays_of(j);
        if (!weekdays) return weekdays.error();
        t.what = TimeTrigger{**at, *weekdays};
    } else if (kind == "schedule") {
        if (auto k = only_keys(j, {"schedule", "id"}); !k) return k.error();
        if (!j["schedule"].is_string()) return bad("schedule", "schedule is a cron line like \"*/15 * * * *\"");
        auto s = Schedule::parse(j["schedule"].get<std::string>());
        if (!s) return prefixed("schedule", s.error());
        t.what = ScheduleTrigger{std::move(*s)};
    } else if (kind == "sun") {
        if (auto k = only_keys(j, {"sun", "offset", "id"}); !k) return k.error();
        const auto e = j["sun"].is_string() ? sun_event_from(j["sun"].get<std::string>()) : std::nullopt;
        if (!e) return bad("sun", "sun is sunrise or sunset");
        SunTrigger s{*e, Seconds{0}};
        if (j.contains("offset")) {
            const auto d = duration_from_json(j["offset"]);
            if (!d || std::chrono::abs(*d) > std::chrono::hours(6)) return bad("offset", "offset is a duration like \"-15m\", within 6 hours");
            s.offset = *d;
        }
        t.what = s;
    } else if (kind == "start") {
        if (auto k = only_keys(j, {"start", "id"}); !k) return k.error();
        t.what = StartTrigger{};
    } else if (kind == "intent") {
        if (auto k = only_keys(j, {"intent", "id"}); !k) return k.error();
        auto name = text_of(j, "intent");
        if (!name) return name.error();
        t.what = IntentTrigger{*name};
    } else {
        if (auto k = only_keys(j, {"webhook", "id"}); !k) return k.error();
        auto id = text_of(j, "webhook");
        if (!id) return id.error();
        t.what = WebhookTrigger{*id};
    }
    return t;
}

// ---- conditions ----

proto::Result<Condition> condition_from(const json& j, int depth);

proto::Result<std::vector<Condition>> conditions_from(const json& j, const std::string& field, int depth) {
    if (depth > 16) return bad(field, "conditions nested too deeply");
    std::vector<Condition> out;
    const auto one = [&](const json& c, const std::string& f) -> proto::Result<void> {
        auto parsed = condition_from(c, depth + 1);
        if (!parsed) return prefixed(f, parsed.error());
        out.push_back(std::move(*parsed));
        return {};
    };
    if (!j.is_array()) {
        if (auto r = one(j, field); !r) return r.error();
        return out;
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
        if (auto r = one(j[i], indexed(field, i)); !r) return r.error();
    }
    return out;
}

proto::Result<Condition> condition_from(const json& j, int depth) {
    if (j.is_string()) {
        auto e = scenes::Expression::parse(j.get<std::string>());
        if (!e) return e.error();
        return Condition{ExpressionCondition{std::move(*e)}};
    }
    if (!j.is_object()) return bad("", "a condition is an object or an expression");
    if (j.contains("state")) {
        if (auto k = only_keys(j, {"state", "attribute", "is", "in", "above", "below"}); !k) return k.error();
        auto device = device_of(j, "state");
        if (!device) return device.error();
        auto attribute = text_of(j, "attribute");
        if (!attribute) return attribute.error();
        StateCondition s{*device, *attribute, {}, {}, {}};
        if (j.contains("is")) {
            auto v = proto::value_from_json(j["is"]);
            if (!v) return bad("is", "is must be a bool, number, text or null");
            s.in.push_back(std::move(*v));
        }
        if (j.contains("in")) {
            if (!j["in"].is_array() || j["in"].empty()) return bad("in", "in is a non-empty list of values");
            for (std::size_t i = 0; i < j["in"].size(); ++i) {
                auto v = proto::value_from_json(j["in"][i]);
                if (!v) return bad(indexed("in", i), "values are scalars");
                s.in.push_back(std::move(*v));
            }
        }
        auto above = number_of(j, "above");
        if (!above) return above.error();
        auto below = number_of(j, "below");
        if (!below) return below.error();
        s.above = *above;
        s.below = *below;
        if (s.in.empty() && !s.above && !s.below) return bad("is", "a state condition needs is, in, above or below");
        return Condition{std::move(s)};
    }
    if (j.contains("time")) {
        if (auto k = only_keys(j, {"time"}); !k) return k.error();
        const auto& t = j["time"];
        if (!t.is_object()) return bad("time", "time is an object with after, before and/or weekdays");
        if (auto k = only_keys(t, {"after", "before", "weekdays"}); !k) return prefixed("time", k.error());
        auto after = time_of(t, "after");
        if (!after) return prefixed("time", after.error());
        auto before = time_of(t, "before");
        if (!before) return prefixed("time", before.error());
        auto weekdays = weekdays_of(t);
        if (!weekdays) return prefixed("time", weekdays.error());
        if (!*after && !*before && weekdays->empty()) return bad("time", "time needs after, before or weekdays");
        return Condition{TimeCondition{*after, *before, *weekdays}};
    }
    if (j.contains("sun")) {
        if (auto k = only_keys(j, {"sun"}); !k) return k.error();
        const auto s = j["sun"].is_string() ? j["sun"].get<std::string>() : std::string();
        if (s != "above_horizon" && s != "below_horizon") return bad("sun", "sun is above_horizon or below_horizon");
        return Condition{SunCondition{s == "above_horizon"}};
    }
    if (j.contains("someone_home")) {
        if (auto k = only_keys(j, {"someone_home", "sensors"}); !k) return k.error();
        if (!j["someone_home"].is_boolean()) return bad("someone_home", "someone_home is true or false");
        SomeoneHomeCondition s{{}, j["someone_home"].get<bool>()};
        if (j.contains("sensors")) {
            if (!j["sensors"].is_array() || j["sensors"].empty()) return bad("sensors", "sensors is a list of device ids");
            for (std::size_t i = 0; i < j["sensors"].size(); ++i) {
                const auto& id = j["sensors"][i];
                if (!id.is_string() || !proto::is_valid_id(id.get<std::string>())) {
                    return bad(indexed("sensors", i), "a sensor is a device id");
                }
                s.sensors.emplace_back(id.get<std::string>());
            }
        }
        return Condition{std::move(s)};
    }
    for (const char* group : {"and", "or", "not"}) {
        if (!j.contains(group)) continue;
        if (auto k = only_keys(j, {group}); !k) return k.error();
        auto list = conditions_from(j[group], group, depth);
        if (!list) return list.error();
        if (list->empty()) return bad(group, std::string(group) + " needs at least one condition");
        if (group == std::string_view("and")) return Condition{AndCondition{std::move(*list)}};
        if (group == std::string_view("or")) return Condition{OrCondition{std::move(*list)}};
        return Condition{NotCondition{std::move(*list)}};
    }
    if (j.contains("expr")) {
        if (auto k = only_keys(j, {"expr"}); !k) return k.error();
        if (!j["expr"].is_string()) return bad("expr", "expr is an expression");
        auto e = scenes::Expression::parse(j["expr"].get<std::string>());
        if (!e) return prefixed("expr", e.error());
        return Condition{ExpressionCondition{std::move(*e)}};
    }
    if (j.contains("trigger")) {
        if (auto k = only_keys(j, {"trigger"}); !k) return k.error();
        auto id = text_of(j, "trigger");
        if (!id) return id.error();
        return Condition{TriggerCondition{*id}};
    }
    return bad("", "a condition is one of state, time, sun, someone_home, and, or, not, expr, trigger");
}

// ---- actions ----

proto::Result<std::vector<Action>> actions_from(const json& j, const std::string& field, int depth);

proto::Result<Action> action_from(const json& j, int depth) {
    if (!j.is_object()) return bad("", "an action is an object");
    if (j.contains("command")) {
        if (auto k = only_keys(j, {"command", "set", "transition"}); !k) return k.error();
        CommandAction c;
        const auto& target = j["command"];
        if (target.is_string()) {
            if (!proto::is_valid_id(target.get<std::string>())) return bad("command", "command names a device id");
            c.target.device = proto::DeviceId{target.get<std::string>()};
        } else if (target.is_object()) {
            if (auto k = only_keys(target, {"area", "kind"}); !k) return prefixed("command", k.error());
            if (target.contains("area")) {
                if (!target["area"].is_string() || !proto::is_valid_id(target["area"].get<std::string>())) {
                    return bad("command.area", "area must be an area id");
                }
                c.target.area = proto::AreaId{target["area"].get<std::string>()};
            }
            if (target.contains("kind")) {
                const auto kind = target["kind"].is_string() ? proto::device_kind_from(target["kind"].get<std::string>())
                                                             : std::nullopt;
                if (!kind) return bad("command.kind", "kind must be a device kind such as light");
                c.target.kind = kind;
            }
            if (!c.target.area && !c.target.kind) return bad("command", "command needs an area, a kind or both");
        } else {
            return bad("command", "command is a device id or {area, kind}");
        }
        if (!j.contains("set") || !j["set"].is_object() || j["set"].empty()) {
            return bad("set", "set is an object of attribute values");
        }
        for (const auto& [attribute, value] : j["set"].items()) {
            if (value.is_object()) {
                if (!value.contains("expr") || !value["expr"].is_string() || value.size() != 1) {
                    return bad("set." + attribute, "a value is a scalar or {\"expr\": \"…\"}");
                }
                auto e = scenes::Expression::parse(value["expr"].get<std::string>());
                if (!e) return prefixed("set." + attribute + ".expr", e.error());
                c.set.emplace(attribute, std::move(*e));
                continue;
            }
            auto v = proto::value_from_json(value);
            if (!v || proto::is_null(*v)) return bad("set." + attribute, "a value is a bool, number or text");
            c.set.emplace(attribute, std::move(*v));
        }
        auto transition = number_of(j, "transition");
        if (!transition) return transition.error();
        if (*transition && (**transition < 0 || **transition > 3600)) {
            return bad("transition", "transition is a number of seconds, 0–3600");
        }
        c.transition = *transition;
        return Action{std::move(c)};
    }
    if (j.contains("scene")) {
        if (auto k = only_keys(j, {"scene"}); !k) return k.error();
        if (!j["scene"].is_string() || !proto::is_valid_id(j["scene"].get<std::string>())) {
            return bad("scene", "scene must be a scene id");
        }
        return Action{SceneAction{proto::SceneId{j["scene"].get<std::string>()}}};
    }
    if (j.contains("delay")) {
        if (auto k = only_keys(j, {"delay"}); !k) return k.error();
        const auto d = duration_from_json(j["delay"]);
        if (!d || *d < Seconds{0}) return bad("delay", "delay is a duration like \"5m\"");
        return Action{DelayAction{*d}};
    }
    if (j.contains("wait")) {
        if (auto k = only_keys(j, {"wait", "timeout", "continue_on_timeout"}); !k) return k.error();
        auto t = trigger_from(j["wait"]);
        if (!t) return prefixed("wait", t.error());
        if (t->hold || std::holds_alternative<TimeTrigger>(t->what) || std::holds_alternative<ScheduleTrigger>(t->what) ||
            std::holds_alternative<SunTrigger>(t->what) || std::holds_alternative<StartTrigger>(t->what)) {
            return bad("wait", "wait takes a state, numeric, event, availability, intent or webhook trigger without for");
        }
        const auto timeout = j.contains("timeout") ? duration_from_json(j["timeout"]) : std::nullopt;
        if (!timeout || *timeout <= Seconds{0}) return bad("timeout", "wait needs a positive timeout like \"10m\"");
        bool go_on = true;
        if (j.contains("continue_on_timeout")) {
            if (!j["continue_on_timeout"].is_boolean()) return bad("continue_on_timeout", "continue_on_timeout is true or false");
            go_on = j["continue_on_timeout"].get<bool>();
        }
        return Action{WaitAction{std::move(*t), *timeout, go_on}};
    }
    if (j.contains("choose")) {
        if (auto k = only_keys(j, {"choose", "else"}); !k) return k.error();
        if (!j["choose"].is_array() || j["choose"].empty()) return bad("choose", "choose is a list of {if, then}");
        ChooseAction c;
        for (std::size_t i = 0; i < j["choose"].size(); ++i) {
            const auto field = indexed("choose", i);
            const auto& b = j["choose"][i];
            if (!b.is_object() || !b.contains("if") || !b.contains("then")) return bad(field, "a branch is {if, then}");
            if (auto k = only_keys(b, {"if", "then"}); !k) return prefixed(field, k.error());
            auto conditions = conditions_from(b["if"], field + ".if", depth);
            if (!conditions) return conditions.error();
            auto actions = actions_from(b["then"], field + ".then", depth + 1);
            if (!actions) return actions.error();
            c.branches.push_back({std::move(*conditions), std::move(*actions)});
        }
        if (j.contains("else")) {
            auto otherwise = actions_from(j["else"], "else", depth + 1);
            if (!otherwise) return otherwise.error();
            c.otherwise = std::move(*otherwise);
        }
        return Action{std::move(c)};
    }
    if (j.contains("notify")) {
        if (auto k = only_keys(j, {"notify", "title"}); !k) return k.error();
        auto message = text_of(j, "notify");
        if (!message) return message.error();
        NotifyAction n{*message, {}};
        if (j.contains("title")) {
            if (!j["title"].is_string()) return bad("title", "title must be text");
            n.title = j["title"].get<std::string>();
        }
        return Action{std::move(n)};
    }
    if (j.contains("stop")) {
        if (auto k = only_keys(j, {"stop"}); !k) return k.error();
        if (!j["stop"].is_string()) return bad("stop", "stop is the reason, as text");
        return Action{StopAction{j["stop"].get<std::string>()}};
    }
    return bad("", "an action is one of command, scene, delay, wait, choose, notify, stop");
}

proto::Result<std::vector<Action>> actions_from(const json& j, const std::string& field, int depth) {
    if (depth > 8) return bad(field, "actions nested too deeply");
    if (!j.is_array() || j.empty()) return bad(field, field + " is a non-empty list of actions");
    std::vector<Action> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        auto a = action_from(j[i], depth);
        if (!a) return prefixed(indexed(field, i), a.error());
        out.push_back(std::move(*a));
    }
    return out;
}

}  // namespace

bool NumericTrigger::in_range(const proto::Value& v) const noexcept {
    const auto* d = proto::as_number(v);
    return d && (!above || *d > *above) && (!below || *d < *below);
}

std::string_view kind_name(const Trigger& t) noexcept { return kTriggerKinds[t.what.index()]; }

std::string_view kind_name(const Action& a) noexcept {
    static constexpr std::array<std::string_view, 7> kNames{"command", "scene", "delay", "wait", "choose", "notify", "stop"};
    return kNames[a.what.index()];
}

std::string_view to_string(RunMode m) noexcept {
    switch (m) {
        case RunMode::single: return "single";
        case RunMode::restart: return "restart";
        case RunMode::queued: return "queued";
        case RunMode::parallel: return "parallel";
    }
    return "single";
}

std::string_view to_string(Missed m) noexcept { return m == Missed::skip ? "skip" : "run_late"; }

std::optional<Seconds> duration_from_json(const json& j) {
    if (j.is_number()) {
        const double s = j.get<double>();
        if (s < -1e7 || s > 1e7) return std::nullopt;
        return Seconds{static_cast<long long>(s)};
    }
    if (!j.is_string()) return std::nullopt;
    std::string_view s = j.get_ref<const std::string&>();
    if (s.empty()) return std::nullopt;
    bool negative = false;
    if (s.front() == '-') {
        negative = true;
        s.remove_prefix(1);
    }
    Seconds total{0};
    if (s.find(':') != std::string_view::npos) {
        const auto t = scenes::parse_time_of_day(s);
        if (!t) return std::nullopt;
        total = *t;
    } else {
        while (!s.empty()) {
            long long n = 0;
            const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
            if (ec != std::errc{} || end == s.data() + s.size()) return std::nullopt;
            s.remove_prefix(static_cast<std::size_t>(end - s.data()));
            const auto unit = s.starts_with("min") ? std::string_view("min") : s.substr(0, 1);
            if (unit == "h") total += std::chrono::hours(n);
            else if (unit == "m" || unit == "min") total += std::chrono::minutes(n);
            else if (unit == "s") total += Seconds(n);
            else if (unit == "d") total += std::chrono::days(n);
            else return std::nullopt;
            s.remove_prefix(unit.size());
        }
    }
    return negative ? -total : total;
}

proto::Result<Rule> rule_from_json(const json& j) {
    if (!j.is_object()) return bad("", "a rule is an object");
    if (auto k = only_keys(j, {"id", "name", "enabled", "triggers", "conditions", "actions", "mode", "max", "missed",
                               "description"});
        !k) {
        return k.error();
    }
    if (!j.contains("id") || !j["id"].is_string() || !proto::is_valid_id(j["id"].get<std::string>())) {
        return bad("id", "id must be 1–64 characters of a-z 0-9 _ - .");
    }
    Rule r;
    r.id = proto::RuleId{j["id"].get<std::string>()};
    if (j.contains("name")) {
        auto name = proto::name_from_json(j["name"]);
        if (!name) return name.error();
        r.name = std::move(*name);
    }
    if (j.contains("enabled")) {
        if (!j["enabled"].is_boolean()) return bad("enabled", "enabled is true or false");
        r.enabled = j["enabled"].get<bool>();
    }
    if (j.contains("mode")) {
        const auto m = j["mode"].is_string() ? j["mode"].get<std::string>() : std::string();
        if (m == "single") r.mode = RunMode::single;
        else if (m == "restart") r.mode = RunMode::restart;
        else if (m == "queued") r.mode = RunMode::queued;
        else if (m == "parallel") r.mode = RunMode::parallel;
        else return bad("mode", "mode is single, restart, queued or parallel");
    }
    if (j.contains("max")) {
        if (!j["max"].is_number_integer() || j["max"].get<long long>() < 1 || j["max"].get<long long>() > 1000) {
            return bad("max", "max is a whole number, 1–1000");
        }
        r.max = j["max"].get<std::size_t>();
    }
    if (j.contains("missed")) {
        const auto m = j["missed"].is_string() ? j["missed"].get<std::string>() : std::string();
        if (m != "run_late" && m != "skip") return bad("missed", "missed is run_late or skip");
        r.missed = m == "skip" ? Missed::skip : Missed::run_late;
    }
    if (!j.contains("triggers") || !j["triggers"].is_array() || j["triggers"].empty()) {
        return bad("triggers", "triggers is a non-empty list");
    }
    std::set<std::string> trigger_ids;
    for (std::size_t i = 0; i < j["triggers"].size(); ++i) {
        auto t = trigger_from(j["triggers"][i]);
        if (!t) return prefixed(indexed("triggers", i), t.error());
        if (!t->id.empty() && !trigger_ids.insert(t->id).second) {
            return bad(indexed("triggers", i) + ".id", "trigger id " + t->id + " appears twice");
        }
        r.triggers.push_back(std::move(*t));
    }
    if (j.contains("conditions")) {
        auto c = conditions_from(j["conditions"], "conditions", 0);
        if (!c) return c.error();
        r.conditions = std::move(*c);
    }
    if (!j.contains("actions")) return bad("actions", "actions is a non-empty list of actions");
    auto a = actions_from(j["actions"], "actions", 0);
    if (!a) return a.error();
    r.actions = std::move(*a);
    return r;
}

}  // namespace hearth::rules
