#pragma once
// Which notifications go out now, which wait for morning and which are repeats — pure, with the
// time passed in. Safety alerts (intrusion, no sign of life, a sensor gone silent) always go out at
// once; comfort messages wait out the quiet hours of the person they are for (or the home's); a
// message whose program and key went out within the program's de-duplication window is dropped.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "care/household.hpp"
#include "proto/errc.hpp"

namespace hearth::care {

using TimePoint = std::chrono::system_clock::time_point;

enum class Urgency { safety, comfort };
std::string_view to_string(Urgency urgency) noexcept;

struct Notification {
    std::uint64_t id = 0;  // given by the desk
    std::string program;   // "air", "watch", "app", …
    std::string key;       // what it is about; the same program and key de-duplicate
    Urgency urgency = Urgency::comfort;
    std::string person;    // a person's id, or empty for the household
    std::string text_en;
    std::string text_zh;
    TimePoint created{};
};

struct NotificationSettings {
    std::optional<QuietHours> quiet_hours = QuietHours{};  // the home's; none = never quiet
    std::chrono::minutes dedup_window{30};                 // for programs not named below
    std::map<std::string, std::chrono::minutes> dedup_windows;  // per program
    friend bool operator==(const NotificationSettings&, const NotificationSettings&) = default;

    std::chrono::minutes window_of(std::string_view program) const;
};

/// {"quiet_hours": {"from", "to"} | null, "dedup_minutes": 30, "dedup": {"air": 60}}; every field optional.
proto::Result<NotificationSettings> notification_settings_from_json(const nlohmann::json& j,
                                                                    const NotificationSettings& base = {});
nlohmann::json to_json(const NotificationSettings& settings);

/// A notification from outside (the API): {"text": {"en", "zh"} | "…", "urgency", "person", "key"}.
/// Errors name the field; `person` must be in the household.
proto::Result<Notification> notification_from_json(const nlohmann::json& j, const Household& household);
nlohmann::json to_json(const Notification& n);

class NotificationDesk {
public:
    enum class Verdict { deliver, held, duplicate };
    struct Outcome {
        Verdict verdict = Verdict::deliver;
        Notification notification;  // with its id
        TimePoint release_at{};     // when held
    };

    /// `local` is the local time of day at `now`.
    Outcome submit(Notification n, TimePoint now, TimeOfDay local, const NotificationSettings& settings,
                   const Household& household);
    /// The held notifications due at `now`, oldest first, removed from the desk.
    std::vector<Notification> release(TimePoint now);
    std::optional<TimePoint> next_release() const;
    const std::deque<std::pair<TimePoint, Notification>>& held() const noexcept { return held_; }
    std::uint64_t duplicates() const noexcept { return duplicates_; }

private:
    std::uint64_t next_id_ = 1;
    std::deque<std::pair<TimePoint, Notification>> held_;  // release time, notification
    std::map<std::string, TimePoint> last_sent_;           // program + key → when it last went out (or was held)
    std::uint64_t duplicates_ = 0;
};

/// Whether `local` lies in the quiet window, and if so how long until it ends.
std::optional<std::chrono::minutes> quiet_for(const QuietHours& quiet, TimeOfDay local);

}  // namespace hearth::care
