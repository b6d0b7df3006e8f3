#include "ctl/views.hpp"

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace hearth::ctl {
namespace {

using nlohmann::json;

constexpr std::array kKeyAttributes = {
    "on",       "playback",   "media",  "hvac_mode", "target_temperature", "temperature",
    "humidity", "brightness", "volume", "position",  "occupancy",          "contact",
    "locked",   "cleaning",   "power",  "battery",
};

std::string text_of(const json& j, const char* key) {
    if (!j.is_object() || !j.contains(key)) return {};
    return display_value(j[key]);
}

std::string yes_no(const json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_boolean()) return "";
    return j[key].get<bool>() ? "yes" : "no";
}

std::size_t size_of(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_array() ? j[key].size() : 0;
}

// By value: callers pass temporaries (answer.value(...)) and iterate over the result.
json array_or_empty(const json& j) {
    return j.is_array() ? j : json::array();
}

std::string error_text(const json& error) {
    if (!error.is_object()) return display_value(error);
    std::string text =
        error.value("code", std::string("error")) + ": " + error.value("message", std::string());
    if (const auto field = error.value("field", std::string()); !field.empty())
        text += " [" + field + "]";
    return text;
}

std::string trigger_text(const json& trigger) {
    if (!trigger.is_object() || trigger.empty()) return "";
    if (!trigger.contains("kind")) return trigger.dump();
    std::string text = display_value(trigger["kind"]);
    if (trigger.contains("device")) {
        text += " " + display_value(trigger["device"]);
        if (trigger.contains("attribute")) text += " " + display_value(trigger["attribute"]);
    }
    if (trigger.contains("text"))
        text += " " + display_value(trigger["text"]);
    else if (trigger.contains("action"))
        text += " " + display_value(trigger["action"]);
    if (trigger.contains("id")) text += " (" + display_value(trigger["id"]) + ")";
    return text;
}

}  // namespace

std::string display_name(const json& name) {
    if (name.is_string()) return name.get<std::string>();
    if (!name.is_object()) return "";
    for (const char* language : {"en", "zh"})
        if (name.contains(language) && name[language].is_string())
            return name[language].get<std::string>();
    return "";
}

std::string display_value(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_null()) return "null";
    return value.dump();
}

std::string key_state(const json& state, std::size_t limit) {
    if (!state.is_object()) return "";
    std::string out;
    std::size_t shown = 0;
    for (const char* attribute : kKeyAttributes) {
        if (shown == limit) break;
        if (!state.contains(attribute)) continue;
        if (!out.empty()) out += " ";
        out += std::string(attribute) + "=" + display_value(state[attribute]);
        ++shown;
    }
    return out;
}

std::string format_time(std::int64_t time_ms, std::chrono::minutes utc_offset, bool with_date) {
    using namespace std::chrono;
    const auto local = sys_time<milliseconds>(milliseconds(time_ms)) + utc_offset;
    const auto day = floor<days>(local);
    const year_month_day date(day);
    const hh_mm_ss clock(local - day);
    char text[40];
    if (with_date) {
        std::snprintf(text, sizeof text, "%04d-%02u-%02u %02ld:%02ld:%02ld",
                      static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                      static_cast<unsigned>(date.day()), static_cast<long>(clock.hours().count()),
                      static_cast<long>(clock.minutes().count()),
                      static_cast<long>(clock.seconds().count()));
    } else {
        std::snprintf(
            text, sizeof text, "%02ld:%02ld:%02ld.%03ld", static_cast<long>(clock.hours().count()),
            static_cast<long>(clock.minutes().count()), static_cast<long>(clock.seconds().count()),
            static_cast<long>(clock.subseconds().count()));
    }
    return text;
}

Table devices_table(const json& devices) {
    Table table({"ID", "NAME", "AREA", "ONLINE", "STATE"});
    for (const auto& d : array_or_empty(devices)) {
        table.add_row({text_of(d, "id"), display_name(d.value("name", json())), text_of(d, "area"),
                       yes_no(d, "online"), key_state(d.value("state", json()))});
    }
    return table;
}

Table areas_table(const json& areas) {
    Table table({"ID", "NAME", "DEVICES"});
    for (const auto& a : array_or_empty(areas)) {
        table.add_row({text_of(a, "id"), display_name(a.value("name", json())),
                       std::to_string(size_of(a, "devices"))});
    }
    return table;
}

Table scenes_table(const json& scenes) {
    Table table({"ID", "NAME", "AREA", "TARGETS", "AVAILABLE"});
    for (const auto& s : array_or_empty(scenes)) {
        const auto status = s.value("status", json::object());
        std::string available = yes_no(status, "available");
        if (const auto problem = status.value("problem", std::string()); !problem.empty())
            available += ": " + problem;
        table.add_row({text_of(s, "id"), display_name(s.value("name", json())), text_of(s, "area"),
                       std::to_string(size_of(s, "targets")), available});
    }
    return table;
}

Table rules_table(const json& rules) {
    Table table({"ID", "NAME", "ENABLED", "STATUS", "RUNS"});
    for (const auto& r : array_or_empty(rules)) {
        const auto status = r.value("status", json::object());
        std::string state = status.value("available", true) ? "ok" : "unavailable";
        for (const char* why : {"problem", "disabled_reason"}) {
            if (const auto reason = status.value(why, std::string()); !reason.empty())
                state += ": " + reason;
        }
        const auto active = status.value("active_runs", 0);
        const auto queued = status.value("queued_runs", 0);
        const std::string runs =
            active == 0 && queued == 0
                ? ""
                : std::to_string(active) + " active, " + std::to_string(queued) + " queued";
        table.add_row({text_of(r, "id"), display_name(r.value("name", json())),
                       yes_no(status, "enabled"), state, runs});
    }
    return table;
}

Table tokens_table(const json& tokens, std::chrono::minutes utc_offset) {
    Table table({"ID", "NAME", "SCOPE", "CREATED"});
    for (const auto& t : array_or_empty(tokens)) {
        const auto created = t.value("created_ms", std::int64_t{0});
        table.add_row({text_of(t, "id"), text_of(t, "name"), text_of(t, "scope"),
                       created > 0 ? format_time(created, utc_offset, true) : ""});
    }
    return table;
}

Table traces_table(const json& traces, std::chrono::minutes utc_offset) {
    Table table({"STARTED", "RULE", "TRIGGER", "OUTCOME", "COMMANDS", "REASON"});
    for (const auto& t : array_or_empty(traces)) {
        const auto started = t.value("started", std::int64_t{0});
        std::size_t confirmed = 0;
        for (const auto& c : array_or_empty(t.value("commands", json())))
            if (c.contains("confirmed_at")) ++confirmed;
        const auto commands = size_of(t, "commands");
        table.add_row(
            {started > 0 ? format_time(started, utc_offset, true) : "", text_of(t, "rule"),
             trigger_text(t.value("trigger", json())), text_of(t, "outcome"),
             commands == 0
                 ? "0"
                 : std::to_string(commands) + " (" + std::to_string(confirmed) + " confirmed)",
             text_of(t, "reason")});
    }
    return table;
}

std::string commands_text(const json& answer) {
    std::string out;
    for (const auto& c : array_or_empty(answer.value("commands", json()))) {
        out += "  " + text_of(c, "device") + "  " + c.value("set", json::object()).dump();
        if (c.contains("transition")) out += " transition " + display_value(c["transition"]) + " s";
        out += "\n";
    }
    for (const char* kind : {"skipped", "refused"}) {
        for (const auto& e : array_or_empty(answer.value(kind, json())))
            out += "  " + std::string(kind) + ": " + error_text(e) + "\n";
    }
    return out;
}

std::string activation_text(const json& answer) {
    const auto count = size_of(answer, "commands");
    std::string head;
    if (answer.contains("scene")) {
        head = "activated " + text_of(answer, "scene");
    } else if (answer.contains("undone")) {
        head =
            answer.value("undone", false) ? "undid " + text_of(answer, "label") : "nothing undone";
    }
    head += ": " + std::to_string(count) + (count == 1 ? " command" : " commands");
    if (answer.contains("context_id")) head += " (context " + text_of(answer, "context_id") + ")";
    return head + "\n" + commands_text(answer);
}

std::string conversation_text(const json& answer) {
    std::string out;
    if (const auto speech = text_of(answer, "speech"); !speech.empty()) out += speech + "\n";
    std::string what = answer.value("understood", false) ? "understood" : "not understood";
    if (answer.contains("intent") && answer["intent"].is_object()) {
        const auto& intent = answer["intent"];
        what += ": " + text_of(intent, "name");
        const auto slots = intent.value("slots", json::object());
        for (const auto& [slot, value] : slots.items()) {
            what += " " + slot + "=" + display_value(value);
        }
    }
    if (const auto outcome = text_of(answer, "outcome"); !outcome.empty())
        what += "; outcome " + outcome;
    if (const auto scene = text_of(answer, "scene"); !scene.empty() && scene != "null")
        what += ", scene " + scene;
    if (answer.value("dry_run", false)) what += " (dry run: nothing sent)";
    out += what + "\n" + commands_text(answer);
    return out;
}

std::string event_line(const json& message, std::chrono::minutes utc_offset) {
    const auto type = text_of(message, "type");
    const auto time_ms = message.value("time_ms", std::int64_t{0});
    std::string line = time_ms > 0 ? format_time(time_ms, utc_offset, false) + " " : "";
    line += type;
    if (type == "state") {
        line += " " + text_of(message, "device") + " " + text_of(message, "attribute") + " " +
                text_of(message, "old_value") + " -> " + text_of(message, "value");
        return line;
    }
    if (type == "trace") {
        line += " " + text_of(message, "rule") + " " + text_of(message, "outcome");
        if (const auto commands = size_of(message, "commands"); commands > 0)
            line += " " + std::to_string(commands) + " commands";
        return line;
    }
    if (message.contains("device")) line += " " + text_of(message, "device");
    auto rest = message;
    for (const char* known : {"type", "time_ms", "device", "subscription"}) rest.erase(known);
    if (!rest.empty()) line += " " + rest.dump();
    return line;
}

std::string health_text(const json& health) {
    std::string text = text_of(health, "status") + ": mqtt " + text_of(health, "mqtt") + ", " +
                       text_of(health, "devices_online") + "/" + text_of(health, "devices") +
                       " devices online";
    if (health.contains("uptime_s")) text += ", up " + text_of(health, "uptime_s") + " s";
    return text;
}

}  // namespace hearth::ctl
