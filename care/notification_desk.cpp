#include "care/notification_desk.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "proto/json.hpp"

namespace hearth::care {
namespace {

using proto::Errc;
using proto::make_error;

std::string dedup_key(const Notification& n) { return n.program + "\n" + n.key; }

proto::Result<std::chrono::minutes> window_from(const nlohmann::json& j, const std::string& field) {
    if (!j.is_number_integer() || j.get<std::int64_t>() < 0 || j.get<std::int64_t>() > 7 * 24 * 60) {
        return make_error(Errc::invalid_field, "a de-duplication window is 0–10080 minutes", field);
    }
    return std::chrono::minutes(j.get<std::int64_t>());
}

}  // namespace

std::string_view to_string(Urgency urgency) noexcept { return urgency == Urgency::safety ? "safety" : "comfort"; }

std::chrono::minutes NotificationSettings::window_of(std::string_view program) const {
    const auto it = dedup_windows.find(std::string(program));
    return it == dedup_windows.end() ? dedup_window : it->second;
}

proto::Result<NotificationSettings> notification_settings_from_json(const nlohmann::json& j,
                                                                    const NotificationSettings& base) {
    if (!j.is_object()) return make_error(Errc::invalid_field, "the notification settings are an object");
    NotificationSettings s = base;
    if (j.contains("quiet_hours")) {
        if (j["quiet_hours"].is_null()) {
            s.quiet_hours.reset();
        } else {
            auto quiet = quiet_hours_from_json(j["quiet_hours"]);
            if (!quiet) {
                auto e = quiet.error();
                e.field = "quiet_hours" + (e.field.empty() ? "" : "." + e.field);
                return e;
            }
            s.quiet_hours = *quiet;
        }
    }
    if (j.contains("dedup_minutes")) {
        auto w = window_from(j["dedup_minutes"], "dedup_minutes");
        if (!w) return w.error();
        s.dedup_window = *w;
    }
    if (j.contains("dedup")) {
        if (!j["dedup"].is_object() || j["dedup"].size() > 32) {
            return make_error(Errc::invalid_field, "dedup maps a program to minutes", "dedup");
        }
        s.dedup_windows.clear();
        for (const auto& [program, minutes] : j["dedup"].items()) {
            if (!proto::is_valid_id(program)) return make_error(Errc::invalid_field, "a program is an id", "dedup");
            auto w = window_from(minutes, "dedup." + program);
            if (!w) return w.error();
            s.dedup_windows[program] = *w;
        }
    }
    return s;
}

nlohmann::json to_json(const NotificationSettings& s) {
    nlohmann::json dedup = nlohmann::json::object();
    for (const auto& [program, window] : s.dedup_windows) dedup[program] = window.count();
    return {{"quiet_hours", s.quiet_hours ? to_json(*s.quiet_hours) : nlohmann::json()},
            {"dedup_minutes", s.dedup_window.count()},
            {"dedup", dedup}};
}

proto::Result<Notification> notification_from_json(const nlohmann::json& j, const Household& household) {
    if (!j.is_object()) return make_error(Errc::bad_json, "a notification is an object");
    Notification n;
    n.program = "app";
    if (!j.contains("text")) return make_error(Errc::invalid_field, "a notification needs a text", "text");
    const auto& text = j["text"];
    if (text.is_string()) {
        n.text_en = n.text_zh = text.get<std::string>();
    } else if (text.is_object()) {
        auto en = proto::optional_string(text, "en");
        auto zh = proto::optional_string(text, "zh");
        if (!en || !zh) return make_error(Errc::invalid_field, "text.en and text.zh are strings", "text");
        n.text_en = en->value_or(zh->value_or(""));
        n.text_zh = zh->value_or(n.text_en);
    } else {
        return make_error(Errc::invalid_field, "text is a string or {\"en\", \"zh\"}", "text");
    }
    if (n.text_en.empty() || n.text_en.size() > 1000 || n.text_zh.size() > 1000) {
        return make_error(Errc::invalid_field, "a notification's text is 1–1000 bytes", "text");
    }
    auto urgency = proto::optional_string(j, "urgency");
    if (!urgency) return urgency.error();
    if (*urgency) {
        if (**urgency == "safety") n.urgency = Urgency::safety;
        else if (**urgency != "comfort") return make_error(Errc::invalid_field, "urgency is safety or comfort", "urgency");
    }
    auto person = proto::optional_string(j, "person");
    if (!person) return person.error();
    if (*person) {
        if (!household.find(**person)) return make_error(Errc::invalid_field, "no one called " + **person + " lives here", "person");
        n.person = **person;
    }
    auto key = proto::optional_string(j, "key");
    if (!key) return key.error();
    if (*key && (*key)->size() > 200) return make_error(Errc::invalid_field, "a key is at most 200 bytes", "key");
    n.key = key->value_or(n.text_en);
    return n;
}

nlohmann::json to_json(const Notification& n) {
    nlohmann::json j{{"id", n.id},
                     {"program", n.program},
                     {"key", n.key},
                     {"urgency", to_string(n.urgency)},
                     {"text", {{"en", n.text_en}, {"zh", n.text_zh}}},
                     {"created_ms", std::chrono::duration_cast<std::chrono::milliseconds>(n.created.time_since_epoch()).count()}};
    if (!n.person.empty()) j["person"] = n.person;
    return j;
}

std::optional<std::chrono::minutes> quiet_for(const QuietHours& quiet, TimeOfDay local) {
    const auto day = std::chrono::minutes(24 * 60);
    const auto since_start = ((local - quiet.from) % day + day) % day;
    const auto length = ((quiet.to - quiet.from) % day + day) % day;
    if (since_start >= length) return std::nullopt;
    return length - since_start;
}

NotificationDesk::Outcome NotificationDesk::submit(Notification n, TimePoint now, TimeOfDay local,
                                                   const NotificationSettings& settings, const Household& household) {
    Outcome outcome;
    const auto key = dedup_key(n);
    const auto last = last_sent_.find(key);
    if (last != last_sent_.end() && now - last->second < settings.window_of(n.program)) {
        ++duplicates_;
        n.created = now;
        outcome.verdict = Verdict::duplicate;
        outcome.notification = std::move(n);
        return outcome;
    }
    n.id = next_id_++;
    n.created = now;
    last_sent_[key] = now;
    outcome.notification = n;
    if (n.urgency == Urgency::safety) return outcome;
    const auto* person = n.person.empty() ? nullptr : household.find(n.person);
    const auto quiet = person && person->quiet_hours ? person->quiet_hours : settings.quiet_hours;
    if (!quiet) return outcome;
    const auto wait = quiet_for(*quiet, local);
    if (!wait) return outcome;
    outcome.verdict = Verdict::held;
    // Whole minutes of local time: the seconds into the current minute are already past.
    outcome.release_at = now + *wait - std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()) % 60;
    held_.emplace_back(outcome.release_at, std::move(n));
    std::stable_sort(held_.begin(), held_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return outcome;
}

std::vector<Notification> NotificationDesk::release(TimePoint now) {
    std::vector<Notification> due;
    while (!held_.empty() && held_.front().first <= now) {
        due.push_back(std::move(held_.front().second));
        held_.pop_front();
    }
    return due;
}

std::optional<TimePoint> NotificationDesk::next_release() const {
    if (held_.empty()) return std::nullopt;
    return held_.front().first;
}

}  // namespace hearth::care
