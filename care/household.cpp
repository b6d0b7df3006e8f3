#include "care/household.hpp"

#include <algorithm>
#include <array>
#include <set>

#include <nlohmann/json.hpp>

#include "proto/json.hpp"

namespace hearth::care {
namespace {

using proto::Errc;
using proto::make_error;

constexpr std::array kRoles = {std::pair{Role::adult, "adult"}, std::pair{Role::child, "child"},
                               std::pair{Role::elder, "elder"}};
constexpr std::array kAllergens = {std::pair{Allergen::pollen, "pollen"}, std::pair{Allergen::dust, "dust"},
                                   std::pair{Allergen::mold, "mold"}, std::pair{Allergen::pet, "pet"}};

proto::Error nested(std::string prefix, proto::Error e) {
    e.field = prefix + (e.field.empty() || e.field.front() == '[' ? "" : ".") + e.field;
    return e;
}

template <class Table>
auto lookup(const Table& table, std::string_view text) -> std::optional<typename Table::value_type::first_type> {
    for (const auto& [value, name] : table)
        if (text == name) return value;
    return std::nullopt;
}

template <class Table>
std::string names(const Table& table) {
    std::string out;
    for (const auto& [value, name] : table) out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

proto::Result<std::optional<TimeOfDay>> optional_time(const nlohmann::json& j, std::string_view field) {
    auto text = proto::optional_string(j, field);
    if (!text) return text.error();
    if (!*text) return std::optional<TimeOfDay>{};
    const auto t = parse_time_of_day(**text);
    if (!t) return make_error(Errc::invalid_field, std::string(field) + " is a local time HH:MM, got '" + **text + "'",
                              std::string(field));
    return std::optional<TimeOfDay>{*t};
}

}  // namespace

std::string_view to_string(Role role) noexcept {
    for (const auto& [value, name] : kRoles)
        if (value == role) return name;
    return "adult";
}

std::string_view to_string(Allergen allergen) noexcept {
    for (const auto& [value, name] : kAllergens)
        if (value == allergen) return name;
    return "dust";
}

bool Person::allergic_to(Allergen a) const noexcept {
    return std::find(allergies.begin(), allergies.end(), a) != allergies.end();
}

const Person* Household::find(std::string_view id) const noexcept {
    const auto it = std::find_if(people.begin(), people.end(), [&](const Person& p) { return p.id == id; });
    return it == people.end() ? nullptr : &*it;
}

bool Household::anyone_allergic_to(Allergen a) const noexcept {
    return std::any_of(people.begin(), people.end(), [&](const Person& p) { return p.allergic_to(a); });
}

std::optional<TimeOfDay> parse_time_of_day(std::string_view text) noexcept {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    for (const auto i : {0, 1, 3, 4})
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
    const int hours = (text[0] - '0') * 10 + (text[1] - '0');
    const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
    if (hours > 23 || minutes > 59) return std::nullopt;
    return TimeOfDay(hours * 60 + minutes);
}

std::string format_time_of_day(TimeOfDay t) {
    const auto m = ((t.count() % 1440) + 1440) % 1440;
    std::string out = "00:00";
    out[0] = static_cast<char>('0' + m / 600);
    out[1] = static_cast<char>('0' + m / 60 % 10);
    out[3] = static_cast<char>('0' + m % 60 / 10);
    out[4] = static_cast<char>('0' + m % 10);
    return out;
}

proto::Result<QuietHours> quiet_hours_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::invalid_field, "quiet hours are {\"from\": \"HH:MM\", \"to\": \"HH:MM\"}");
    auto from = optional_time(j, "from");
    if (!from) return from.error();
    auto to = optional_time(j, "to");
    if (!to) return to.error();
    if (!*from) return make_error(Errc::invalid_field, "quiet hours need a start (from)", "from");
    if (!*to) return make_error(Errc::invalid_field, "quiet hours need an end (to)", "to");
    if (**from == **to) return make_error(Errc::invalid_field, "quiet hours must not start and end at the same time", "to");
    return QuietHours{**from, **to};
}

proto::Result<Person> person_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::invalid_field, "a person is an object with an id and a name");
    Person person;
    auto id = proto::required_string(j, "id");
    if (!id) return id.error();
    if (!proto::is_valid_id(*id)) {
        return make_error(Errc::invalid_field, "a person's id is 1–64 lowercase letters, digits, '_', '-' or '.'", "id");
    }
    person.id = std::move(*id);
    auto name = proto::required_string(j, "name");
    if (!name) return name.error();
    if (name->empty() || name->size() > 64) return make_error(Errc::invalid_field, "a name is 1–64 bytes", "name");
    person.name = std::move(*name);
    auto role = proto::optional_string(j, "role");
    if (!role) return role.error();
    if (*role) {
        const auto r = lookup(kRoles, **role);
        if (!r) return make_error(Errc::invalid_field, "role '" + **role + "' is not one of: " + names(kRoles), "role");
        person.role = *r;
    }
    if (j.contains("allergies") && !j["allergies"].is_null()) {
        const auto& list = j["allergies"];
        if (!list.is_array()) return make_error(Errc::invalid_field, "allergies is a list", "allergies");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string field = "allergies[" + std::to_string(i) + "]";
            const auto a = list[i].is_string() ? lookup(kAllergens, list[i].get_ref<const std::string&>()) : std::nullopt;
            if (!a) return make_error(Errc::invalid_field, "an allergy is one of: " + names(kAllergens), field);
            if (!person.allergic_to(*a)) person.allergies.push_back(*a);
        }
    }
    auto bedtime = optional_time(j, "bedtime");
    if (!bedtime) return bedtime.error();
    person.bedtime = *bedtime;
    auto wake = optional_time(j, "wake_time");
    if (!wake) return wake.error();
    person.wake_time = *wake;
    if (j.contains("presence") && !j["presence"].is_null()) {
        const auto& list = j["presence"];
        if (!list.is_array()) return make_error(Errc::invalid_field, "presence is a list of device ids", "presence");
        if (list.size() > 32) return make_error(Errc::payload_too_large, "at most 32 presence devices", "presence");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string field = "presence[" + std::to_string(i) + "]";
            if (!list[i].is_string() || !proto::is_valid_id(list[i].get_ref<const std::string&>())) {
                return make_error(Errc::invalid_field, "a presence device is a device id", field);
            }
            person.presence.emplace_back(list[i].get_ref<const std::string&>());
        }
    }
    if (j.contains("quiet_hours") && !j["quiet_hours"].is_null()) {
        auto quiet = quiet_hours_from_json(j["quiet_hours"]);
        if (!quiet) return nested("quiet_hours", quiet.error());
        person.quiet_hours = *quiet;
    }
    return person;
}

proto::Result<Household> household_from_json(const nlohmann::json& j) {
    if (!j.is_array()) return make_error(Errc::invalid_field, "the household is a list of people");
    if (j.size() > 32) return make_error(Errc::payload_too_large, "a household has at most 32 people");
    Household household;
    std::set<std::string> ids;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string at = "[" + std::to_string(i) + "]";
        auto person = person_from_json(j[i]);
        if (!person) return nested(at, person.error());
        if (!ids.insert(person->id).second) {
            return make_error(Errc::conflict, "person " + person->id + " appears twice", at + ".id");
        }
        household.people.push_back(std::move(*person));
    }
    return household;
}

nlohmann::json to_json(const QuietHours& quiet) {
    return {{"from", format_time_of_day(quiet.from)}, {"to", format_time_of_day(quiet.to)}};
}

nlohmann::json to_json(const Person& person) {
    nlohmann::json j{{"id", person.id}, {"name", person.name}, {"role", to_string(person.role)}};
    auto allergies = nlohmann::json::array();
    for (const auto a : person.allergies) allergies.push_back(to_string(a));
    j["allergies"] = std::move(allergies);
    if (person.bedtime) j["bedtime"] = format_time_of_day(*person.bedtime);
    if (person.wake_time) j["wake_time"] = format_time_of_day(*person.wake_time);
    auto presence = nlohmann::json::array();
    for (const auto& d : person.presence) presence.push_back(d.value);
    j["presence"] = std::move(presence);
    if (person.quiet_hours) j["quiet_hours"] = to_json(*person.quiet_hours);
    return j;
}

nlohmann::json to_json(const Household& household) {
    auto j = nlohmann::json::array();
    for (const auto& p : household.people) j.push_back(to_json(p));
    return j;
}

}  // namespace hearth::care
