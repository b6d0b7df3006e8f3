#pragma once
// The household: the people the home looks after — their role, allergies, bedtime and wake time,
// and the devices that tell that they are home or in a room. Read from the home file's `household`
// list and from the REST API with the same parser; every error names its field
// ("household[1].allergies[0]").
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "proto/errc.hpp"
#include "proto/ids.hpp"

namespace hearth::care {

enum class Role { adult, child, elder };
enum class Allergen { pollen, dust, mold, pet };

std::string_view to_string(Role role) noexcept;
std::string_view to_string(Allergen allergen) noexcept;

/// Local time of day, since midnight.
using TimeOfDay = std::chrono::minutes;

/// A quiet window of the local day, [from, to); it wraps past midnight when `to` is before `from`.
struct QuietHours {
    TimeOfDay from{22 * 60};
    TimeOfDay to{7 * 60};
    friend bool operator==(const QuietHours&, const QuietHours&) = default;
};

struct Person {
    std::string id;    // an id (proto::is_valid_id): "mia"
    std::string name;  // as people call them: "米娅"
    Role role = Role::adult;
    std::vector<Allergen> allergies;
    std::optional<TimeOfDay> bedtime;
    std::optional<TimeOfDay> wake_time;
    std::vector<proto::DeviceId> presence;  // devices that tell this person is home or in a room
    std::optional<QuietHours> quiet_hours;  // their own, besides the home's

    bool allergic_to(Allergen a) const noexcept;
    friend bool operator==(const Person&, const Person&) = default;
};

struct Household {
    std::vector<Person> people;

    const Person* find(std::string_view id) const noexcept;
    /// Whether anyone in the household has this allergy.
    bool anyone_allergic_to(Allergen a) const noexcept;
    friend bool operator==(const Household&, const Household&) = default;
};

/// {"id", "name", "role", "allergies": [...], "bedtime": "HH:MM", "wake_time": "HH:MM",
///  "presence": [device ids], "quiet_hours": {"from", "to"}}. Only id and name are required.
proto::Result<Person> person_from_json(const nlohmann::json& j);
/// A list of people; ids must be unique. Errors name "[i].field".
proto::Result<Household> household_from_json(const nlohmann::json& j);
proto::Result<QuietHours> quiet_hours_from_json(const nlohmann::json& j);

nlohmann::json to_json(const Person& person);
nlohmann::json to_json(const Household& household);
nlohmann::json to_json(const QuietHours& quiet);
/// "HH:MM"
std::string format_time_of_day(TimeOfDay t);
/// "HH:MM" 00:00–23:59; nullopt otherwise.
std::optional<TimeOfDay> parse_time_of_day(std::string_view text) noexcept;

}  // namespace hearth::care
