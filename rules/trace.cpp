#include "rules/trace.hpp"

#include <array>

namespace hearth::rules {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 9> kOutcomes{"running",   "ran",       "stopped", "condition_false", "hold_reset",
                                                    "dropped",   "cancelled", "missed",  "loop_stopped"};

json attributes_json(const proto::Attributes& a) { return proto::to_json(a); }

proto::Attributes attributes_from(const json& j) {
    proto::Attributes out;
    if (!j.is_object()) return out;
    for (const auto& [k, v] : j.items()) {
        if (auto value = proto::value_from_json(v)) out.emplace(k, std::move(*value));
    }
    return out;
}

}  // namespace

std::string_view to_string(Outcome o) noexcept { return kOutcomes[static_cast<std::size_t>(o)]; }

std::optional<Outcome> outcome_from(std::string_view s) noexcept {
    for (std::size_t i = 0; i < kOutcomes.size(); ++i)
        if (kOutcomes[i] == s) return static_cast<Outcome>(i);
    return std::nullopt;
}

std::int64_t to_millis(scenes::TimePoint t) noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

scenes::TimePoint from_millis(std::int64_t ms) noexcept {
    return scenes::TimePoint{std::chrono::duration_cast<scenes::Clock::duration>(std::chrono::milliseconds(ms))};
}

json to_json(const Trace& t) {
    auto conditions = json::array();
    for (const auto& c : t.conditions) conditions.push_back({{"path", c.path}, {"passed", c.passed}, {"detail", c.detail}});
    auto steps = json::array();
    for (const auto& s : t.steps) {
        json step{{"at", to_millis(s.at)}, {"path", s.path}, {"kind", s.kind}, {"detail", s.detail}};
        if (!s.error.empty()) step["error"] = s.error;
        steps.push_back(std::move(step));
    }
    auto commands = json::array();
    for (const auto& c : t.commands) {
        json command{{"device", c.device.value}, {"command", proto::to_json(c.command)}, {"context_id", c.command.context_id}};
        if (c.confirmed_at) {
            command["confirmed_at"] = to_millis(*c.confirmed_at);
            command["confirmed"] = attributes_json(c.confirmed);
        }
        if (!c.error.empty()) command["error"] = c.error;
        if (!c.error_code.empty()) command["error_code"] = c.error_code;
        if (c.held) command["held_ms"] = c.held->count();
        commands.push_back(std::move(command));
    }
    json j{{"id", t.id},
           {"rule", t.rule.value},
           {"parent_context", t.parent_context},
           {"chain", t.chain},
           {"started", to_millis(t.started)},
           {"trigger", t.trigger},
           {"conditions", std::move(conditions)},
           {"steps", std::move(steps)},
           {"commands", std::move(commands)},
           {"outcome", to_string(t.outcome)},
           {"reason", t.reason}};
    if (t.finished) j["finished"] = to_millis(*t.finished);
    return j;
}

proto::Result<Trace> trace_from_json(const json& j) {
    const auto bad = [](const char* field) {
        return proto::make_error(proto::Errc::invalid_field, std::string("trace field ") + field + " is missing or malformed", field);
    };
    if (!j.is_object()) return bad("trace");
    if (!j.contains("id") || !j["id"].is_string()) return bad("id");
    if (!j.contains("rule") || !j["rule"].is_string()) return bad("rule");
    if (!j.contains("started") || !j["started"].is_number_integer()) return bad("started");
    const auto outcome = j.contains("outcome") && j["outcome"].is_string() ? outcome_from(j["outcome"].get<std::string>())
                                                                           : std::nullopt;
    if (!outcome) return bad("outcome");
    Trace t;
    t.id = j["id"].get<std::string>();
    t.rule = proto::RuleId{j["rule"].get<std::string>()};
    t.parent_context = j.value("parent_context", "");
    if (j.contains("chain") && j["chain"].is_array()) {
        for (const auto& c : j["chain"])
            if (c.is_string()) t.chain.push_back(c.get<std::string>());
    }
    t.started = from_millis(j["started"].get<std::int64_t>());
    if (j.contains("finished") && j["finished"].is_number_integer()) t.finished = from_millis(j["finished"].get<std::int64_t>());
    t.trigger = j.value("trigger", json::object());
    t.outcome = *outcome;
    t.reason = j.value("reason", "");
    for (const auto& c : j.value("conditions", json::array())) {
        t.conditions.push_back({c.value("path", ""), c.value("passed", false), c.value("detail", "")});
    }
    for (const auto& s : j.value("steps", json::array())) {
        t.steps.push_back({from_millis(s.value("at", std::int64_t{0})), s.value("path", ""), s.value("kind", ""),
                           s.value("detail", json()), s.value("error", "")});
    }
    for (const auto& c : j.value("commands", json::array())) {
        CommandRecord r;
        r.device = proto::DeviceId{c.value("device", "")};
        if (auto command = proto::command_from_json(c.value("command", json::object()))) r.command = std::move(*command);
        if (c.contains("confirmed_at") && c["confirmed_at"].is_number_integer()) {
            r.confirmed_at = from_millis(c["confirmed_at"].get<std::int64_t>());
            r.confirmed = attributes_from(c.value("confirmed", json::object()));
        }
        if (c.contains("error") && c["error"].is_string()) r.error = c["error"].get<std::string>();
        if (c.contains("error_code") && c["error_code"].is_string()) r.error_code = c["error_code"].get<std::string>();
        if (c.contains("held_ms") && c["held_ms"].is_number_integer()) r.held = std::chrono::milliseconds(c["held_ms"].get<std::int64_t>());
        t.commands.push_back(std::move(r));
    }
    return t;
}

}  // namespace hearth::rules
