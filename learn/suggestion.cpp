#include "learn/suggestion.hpp"

#include <algorithm>
#include <string>

#include "proto/json.hpp"

namespace hearth::learn {

using proto::Errc;
using proto::make_error;

namespace {

std::int64_t millis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_millis(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

std::string padded(long n, std::size_t width) {
    auto text = std::to_string(n);
    return std::string(text.size() < width ? width - text.size() : 0, '0') + text;
}

std::string hh_mm(std::chrono::minutes m) { return padded(m.count() / 60, 2) + ":" + padded(m.count() % 60, 2); }

std::optional<std::chrono::minutes> minutes_of(std::string_view text) {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1; };
    const int h = digit(0) * 10 + digit(1);
    const int m = digit(3) * 10 + digit(4);
    if (digit(0) < 0 || digit(1) < 0 || digit(3) < 0 || digit(4) < 0 || h > 23 || m > 59) return std::nullopt;
    return std::chrono::minutes(h * 60 + m);
}

std::string local_iso(TimePoint t, const scenes::TimeZone& zone) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
    const auto offset = zone.offset_at(seconds);
    const auto local = seconds + offset;
    const auto day = std::chrono::floor<std::chrono::days>(local);
    const std::chrono::year_month_day date{day};
    const std::chrono::hh_mm_ss time{local - day};
    return padded(static_cast<int>(date.year()), 4) + "-" + padded(static_cast<unsigned>(date.month()), 2) + "-" +
           padded(static_cast<unsigned>(date.day()), 2) + "T" + padded(time.hours().count(), 2) + ":" +
           padded(time.minutes().count(), 2) + ":" + padded(time.seconds().count(), 2) + scenes::format_offset(offset);
}

std::string value_text(const proto::Value& value) { return proto::to_json(value).dump(); }

std::string_view days_en(DayType days) {
    switch (days) {
        case DayType::every_day: return "Every day";
        case DayType::weekdays: return "On weekdays";
        case DayType::weekends: return "At weekends";
    }
    return "Every day";
}

std::string_view days_zh(DayType days) {
    switch (days) {
        case DayType::every_day: return "每天";
        case DayType::weekdays: return "工作日";
        case DayType::weekends: return "周末";
    }
    return "每天";
}

std::optional<DayType> day_type_from(std::string_view text) {
    for (const auto d : {DayType::every_day, DayType::weekdays, DayType::weekends})
        if (to_string(d) == text) return d;
    return std::nullopt;
}

std::optional<SuggestionState> state_from(std::string_view text) {
    for (const auto s : {SuggestionState::fresh, SuggestionState::accepted, SuggestionState::snoozed,
                         SuggestionState::dismissed})
        if (to_string(s) == text) return s;
    return std::nullopt;
}

// FNV-1a: stable across builds and platforms, unlike std::hash.
std::string hex_digest(std::string_view text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    constexpr char kDigits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kDigits[h & 0xf];
    return out;
}

proto::Error bad(std::string field, std::string message) {
    return make_error(Errc::invalid_field, std::move(message), std::move(field));
}

}  // namespace

std::string_view to_string(SuggestionState state) noexcept {
    switch (state) {
        case SuggestionState::fresh: return "new";
        case SuggestionState::accepted: return "accepted";
        case SuggestionState::snoozed: return "snoozed";
        case SuggestionState::dismissed: return "dismissed";
    }
    return "new";
}

std::string suggestion_id(const Routine& routine) {
    const auto& t = routine.target;
    return "routine-" + hex_digest(t.device.value + '\n' + t.attribute + '\n' + value_text(t.value) + '\n' +
                                   std::string(to_string(routine.days)));
}

std::string explain_en(const Routine& r) {
    return std::string(days_en(r.days)) + ", " + r.target.device.value + " is set to " + r.target.attribute + " = " +
           value_text(r.target.value) + " around " + hh_mm(r.typical) + " (" + std::to_string(r.support) + " of " +
           std::to_string(r.eligible_days) + " days, " + hh_mm(r.window_start) + "–" + hh_mm(r.window_end) + ").";
}

std::string explain_zh(const Routine& r) {
    return std::string(days_zh(r.days)) + " " + hh_mm(r.typical) + " 左右，" + r.target.device.value + " 的 " +
           r.target.attribute + " 常被设为 " + value_text(r.target.value) + "（" + std::to_string(r.eligible_days) +
           " 天中有 " + std::to_string(r.support) + " 天，" + hh_mm(r.window_start) + "–" + hh_mm(r.window_end) + "）。";
}

nlohmann::json rule_for(const Suggestion& s) {
    const auto& r = s.routine;
    nlohmann::json trigger = {{"time", hh_mm(r.typical)}};
    if (r.days == DayType::weekdays) trigger["weekdays"] = {"mon", "tue", "wed", "thu", "fri"};
    if (r.days == DayType::weekends) trigger["weekdays"] = {"sat", "sun"};
    return {{"id", "learned-" + s.id.substr(s.id.find('-') + 1)},
            {"name", explain_en(r)},
            {"description", "Learned from suggestion " + s.id + ": " + explain_en(r) + " / " + explain_zh(r)},
            {"triggers", nlohmann::json::array({trigger})},
            {"actions", nlohmann::json::array({{{"command", r.target.device.value},
                                                {"set", {{r.target.attribute, proto::to_json(r.target.value)}}}}})}};
}

nlohmann::json to_json(const Suggestion& s, const scenes::TimeZone& zone) {
    const auto& r = s.routine;
    auto times = nlohmann::json::array();
    auto times_ms = nlohmann::json::array();
    for (const auto t : r.occurrences) {
        times.push_back(local_iso(t, zone));
        times_ms.push_back(millis(t));
    }
    nlohmann::json j = {
        {"id", s.id},
        {"kind", "routine"},
        {"state", to_string(s.state)},
        {"explanation", {{"en", explain_en(r)}, {"zh", explain_zh(r)}}},
        {"evidence",
         {{"device", r.target.device.value},
          {"attribute", r.target.attribute},
          {"value", proto::to_json(r.target.value)},
          {"days", to_string(r.days)},
          {"window", {{"from", hh_mm(r.window_start)}, {"to", hh_mm(r.window_end)}}},
          {"typical", hh_mm(r.typical)},
          {"support", r.support},
          {"eligible_days", r.eligible_days},
          {"consistency", r.consistency},
          {"occurrences", std::move(times)},
          {"occurrences_ms", std::move(times_ms)}}},
        {"first_found_ms", millis(s.first_found)},
        {"last_found_ms", millis(s.last_found)},
    };
    if (s.snoozed_until) j["snoozed_until_ms"] = millis(*s.snoozed_until);
    if (!s.rule.empty()) j["rule"] = s.rule;
    return j;
}

proto::Result<Suggestion> suggestion_from_json(const nlohmann::json& j) {
    Suggestion s;
    auto id = proto::required_string(j, "id");
    if (!id) return id.error();
    s.id = *id;
    auto state_text = proto::required_string(j, "state");
    if (!state_text) return state_text.error();
    const auto state = state_from(*state_text);
    if (!state) return bad("state", "state must be new, accepted, snoozed or dismissed");
    s.state = *state;
    for (const auto& [field, target] : {std::pair{"first_found_ms", &s.first_found}, {"last_found_ms", &s.last_found}}) {
        auto ms = proto::optional_integer(j, field);
        if (!ms) return ms.error();
        if (!*ms) return bad(field, std::string(field) + " is required");
        *target = from_millis(**ms);
    }
    auto snoozed = proto::optional_integer(j, "snoozed_until_ms");
    if (!snoozed) return snoozed.error();
    if (*snoozed) s.snoozed_until = from_millis(**snoozed);
    auto rule = proto::optional_string(j, "rule");
    if (!rule) return rule.error();
    s.rule = rule->value_or("");

    if (!j.contains("evidence") || !j["evidence"].is_object()) return bad("evidence", "evidence must be an object");
    const auto& e = j["evidence"];
    auto& r = s.routine;
    auto device = proto::required_string(e, "device");
    if (!device) return device.error();
    r.target.device = proto::DeviceId{*device};
    auto attribute = proto::required_string(e, "attribute");
    if (!attribute) return attribute.error();
    r.target.attribute = *attribute;
    const auto value = e.contains("value") ? proto::value_from_json(e["value"]) : std::nullopt;
    if (!value) return bad("evidence.value", "value must be a boolean, number or text");
    r.target.value = *value;
    auto days_text = proto::required_string(e, "days");
    if (!days_text) return days_text.error();
    const auto days = day_type_from(*days_text);
    if (!days) return bad("evidence.days", "days must be every_day, weekdays or weekends");
    r.days = *days;
    auto typical = proto::required_string(e, "typical");
    if (!typical) return typical.error();
    const auto typical_minutes = minutes_of(*typical);
    if (!typical_minutes) return bad("evidence.typical", "typical must be HH:MM");
    r.typical = *typical_minutes;
    if (!e.contains("window") || !e["window"].is_object()) return bad("evidence.window", "window must be an object");
    auto from = proto::required_string(e["window"], "from");
    auto to = proto::required_string(e["window"], "to");
    if (!from) return from.error();
    if (!to) return to.error();
    const auto from_minutes = minutes_of(*from);
    const auto to_minutes = minutes_of(*to);
    if (!from_minutes || !to_minutes) return bad("evidence.window", "the window's ends must be HH:MM");
    r.window_start = *from_minutes;
    r.window_end = *to_minutes;
    for (const auto& [field, target] : {std::pair{"support", &r.support}, {"eligible_days", &r.eligible_days}}) {
        auto n = proto::optional_integer(e, field);
        if (!n) return n.error();
        if (!*n || **n < 0 || **n > 100'000) return bad(std::string("evidence.") + field, "a count of days is required");
        *target = static_cast<int>(**n);
    }
    auto consistency = proto::optional_number(e, "consistency");
    if (!consistency) return consistency.error();
    r.consistency = consistency->value_or(0);
    if (e.contains("occurrences_ms")) {
        if (!e["occurrences_ms"].is_array()) return bad("evidence.occurrences_ms", "occurrences_ms must be a list");
        for (const auto& t : e["occurrences_ms"]) {
            if (!t.is_number_integer()) return bad("evidence.occurrences_ms", "occurrences_ms must hold integers");
            r.occurrences.push_back(from_millis(t.get<std::int64_t>()));
        }
    }
    return s;
}

void SuggestionBook::add(Suggestion suggestion) {
    auto id = suggestion.id;
    suggestions_.insert_or_assign(std::move(id), std::move(suggestion));
}

SuggestionBook::Merged SuggestionBook::merge(const std::vector<Routine>& found, TimePoint now) {
    Merged merged;
    std::map<std::string, const Routine*> by_id;
    for (const auto& r : found) by_id.emplace(suggestion_id(r), &r);
    for (const auto& [id, routine] : by_id) {
        auto [it, inserted] = suggestions_.try_emplace(id);
        auto& s = it->second;
        if (inserted) {
            s.id = id;
            s.first_found = now;
        }
        // What was answered stays answered; its evidence is what was shown when it was answered.
        if (s.state == SuggestionState::accepted || s.state == SuggestionState::dismissed) continue;
        s.routine = *routine;
        s.last_found = now;
        merged.changed.push_back(id);
    }
    for (auto it = suggestions_.begin(); it != suggestions_.end();) {
        auto& s = it->second;
        if (s.state == SuggestionState::snoozed && s.snoozed_until && *s.snoozed_until <= now) {
            s.state = SuggestionState::fresh;
            s.snoozed_until.reset();
            merged.changed.push_back(s.id);
        }
        if (s.state == SuggestionState::fresh && !by_id.contains(s.id) && now - s.first_found >= options_.expire_after) {
            merged.dropped.push_back(s.id);
            it = suggestions_.erase(it);
            continue;
        }
        ++it;
    }
    std::ranges::sort(merged.changed);
    merged.changed.erase(std::ranges::unique(merged.changed).begin(), merged.changed.end());
    return merged;
}

proto::Result<Suggestion*> SuggestionBook::answerable(const std::string& id) {
    const auto it = suggestions_.find(id);
    if (it == suggestions_.end()) return make_error(Errc::not_found, "no suggestion '" + id + "'", "id");
    auto& s = it->second;
    if (s.state == SuggestionState::accepted || s.state == SuggestionState::dismissed)
        return make_error(Errc::conflict, "suggestion '" + id + "' was already " + std::string(to_string(s.state)));
    return &s;
}

proto::Result<const Suggestion*> SuggestionBook::accept(const std::string& id, std::string rule) {
    auto s = answerable(id);
    if (!s) return s.error();
    (*s)->state = SuggestionState::accepted;
    (*s)->snoozed_until.reset();
    (*s)->rule = std::move(rule);
    return *s;
}

proto::Result<const Suggestion*> SuggestionBook::dismiss(const std::string& id) {
    auto s = answerable(id);
    if (!s) return s.error();
    (*s)->state = SuggestionState::dismissed;
    (*s)->snoozed_until.reset();
    return *s;
}

proto::Result<const Suggestion*> SuggestionBook::snooze(const std::string& id, TimePoint until) {
    auto s = answerable(id);
    if (!s) return s.error();
    (*s)->state = SuggestionState::snoozed;
    (*s)->snoozed_until = until;
    return *s;
}

const Suggestion* SuggestionBook::find(const std::string& id) const {
    const auto it = suggestions_.find(id);
    return it == suggestions_.end() ? nullptr : &it->second;
}

}  // namespace hearth::learn
