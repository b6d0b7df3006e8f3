#include "learn/household.hpp"

#include <algorithm>
#include <array>
#include <random>

namespace hearth::learn {

namespace {

using std::chrono::minutes;

constexpr std::int64_t kMsPerMinute = 60'000;

struct Habit {
    Target target;
    DayType days;
    int minute;        // typical local time
    int jitter;        // ± minutes, uniform
    double skip;       // share of days it does not happen
    proto::Cause cause;
};

Target set(const char* device, const char* attribute, proto::Value value) {
    return Target{proto::DeviceId{device}, attribute, std::move(value)};
}

// The two residents' habits: eight, on every kind of day and at both ends of the day (one runs
// past midnight).
std::vector<Habit> resident_habits() {
    return {
        {set("kitchen.light", "on", true), DayType::weekdays, 6 * 60 + 50, 12, 0.1, proto::Cause::device},
        {set("kitchen.coffee_machine", "on", true), DayType::weekdays, 7 * 60 + 5, 10, 0.1, proto::Cause::app},
        {set("living_room.curtains", "position", 100.0), DayType::weekends, 9 * 60 + 30, 15, 0.1, proto::Cause::app},
        {set("bathroom.heater", "on", true), DayType::weekends, 10 * 60, 15, 0.1, proto::Cause::device},
        {set("living_room.light", "on", true), DayType::weekdays, 18 * 60 + 40, 15, 0.15, proto::Cause::device},
        {set("bedroom.ac", "target_temperature", 26.0), DayType::every_day, 22 * 60 + 15, 15, 0.15, proto::Cause::voice},
        {set("bedroom.lamp", "on", true), DayType::every_day, 22 * 60 + 40, 12, 0.1, proto::Cause::device},
        {set("entrance.light", "on", false), DayType::every_day, 23 * 60 + 50, 15, 0.1, proto::Cause::app},
    };
}

// What the home's automations do: a rule switches the hall light on at 18:00 (and a resident
// sometimes does it by hand first), the good-night scene switches the living room off at 23:00.
std::vector<Habit> automations() {
    return {
        {set("hall.light", "on", true), DayType::every_day, 18 * 60, 1, 0.0, proto::Cause::rule},
        {set("hall.light", "on", true), DayType::every_day, 17 * 60 + 58, 3, 0.5, proto::Cause::device},
        {set("living_room.light", "on", false), DayType::every_day, 23 * 60, 1, 0.0, proto::Cause::scene},
        {set("living_room.tv", "on", false), DayType::every_day, 23 * 60, 1, 0.0, proto::Cause::scene},
    };
}

// The devices random actions pick from, with the values each can take.
std::vector<Target> random_targets() {
    std::vector<Target> out;
    for (const char* d : {"kitchen.light", "living_room.light", "bedroom.lamp", "entrance.light", "hall.light",
                          "study.lamp", "living_room.tv", "bathroom.heater", "kitchen.coffee_machine",
                          "balcony.light"}) {
        out.push_back(set(d, "on", true));
        out.push_back(set(d, "on", false));
    }
    for (const double b : {20.0, 50.0, 80.0, 100.0}) {
        out.push_back(set("study.lamp", "brightness", b));
        out.push_back(set("bedroom.lamp", "brightness", b));
    }
    for (const double t : {24.0, 25.0, 26.0, 27.0}) out.push_back(set("bedroom.ac", "target_temperature", t));
    for (const double p : {0.0, 50.0, 100.0}) out.push_back(set("living_room.curtains", "position", p));
    return out;
}

bool is_weekend_day(TimePoint noon, const scenes::TimeZone& zone) {
    const auto local = noon + zone.offset_at(std::chrono::floor<std::chrono::seconds>(noon));
    const std::chrono::weekday w{std::chrono::floor<std::chrono::days>(local)};
    return w == std::chrono::Saturday || w == std::chrono::Sunday;
}

}  // namespace

Household generate_household(const HouseholdOptions& options, const scenes::TimeZone& zone) {
    std::mt19937_64 random(options.seed);
    const auto uniform = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(random); };
    const auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(random) < p; };

    Household home;
    std::vector<Habit> habits;
    if (options.planted) {
        habits = resident_habits();
        for (const auto& h : habits) home.planted.push_back(PlantedRoutine{h.target, h.days, minutes(h.minute)});
        const auto automated = automations();
        habits.insert(habits.end(), automated.begin(), automated.end());
    }
    const auto noise = random_targets();
    std::vector<std::uint32_t> noise_index;
    for (const auto& t : noise) noise_index.push_back(home.history.target_of(t));
    std::vector<std::uint32_t> habit_index;
    for (const auto& h : habits) habit_index.push_back(home.history.target_of(h.target));

    // A few days away (the residents travel): no habits, little else.
    const int away_from = options.days > 10 ? uniform(3, options.days - 4) : options.days;
    const auto start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options.start.time_since_epoch()).count();
    for (int day = 0; day < options.days; ++day) {
        // Local midnight of the day (a day of 24 hours: a daylight-saving change moves it by an hour).
        const auto midnight_ms = start_ms + static_cast<std::int64_t>(day) * 24 * 60 * kMsPerMinute;
        const auto utc_of_local = [&](int minute) { return midnight_ms + minute * kMsPerMinute; };
        const bool weekend = is_weekend_day(TimePoint(std::chrono::milliseconds(midnight_ms + 12 * 60 * kMsPerMinute)), zone);
        const bool away = day >= away_from && day < away_from + 2;
        for (std::size_t i = 0; i < habits.size(); ++i) {
            const auto& h = habits[i];
            const bool home_rule = h.cause == proto::Cause::rule || h.cause == proto::Cause::scene;
            if (away && !home_rule) continue;
            if (h.days == DayType::weekdays && weekend) continue;
            if (h.days == DayType::weekends && !weekend) continue;
            if (chance(h.skip)) continue;
            const int minute = h.minute + uniform(-h.jitter, h.jitter);
            home.history.actions.push_back(Action{utc_of_local(minute) + uniform(0, 59'999), habit_index[i], h.cause});
        }
        const int randoms = away ? options.random_actions_per_day / 10 : options.random_actions_per_day;
        for (int n = 0; n < randoms; ++n) {
            const auto target = noise_index[static_cast<std::size_t>(uniform(0, static_cast<int>(noise.size()) - 1))];
            const auto cause = chance(0.6) ? proto::Cause::device : (chance(0.8) ? proto::Cause::app : proto::Cause::voice);
            home.history.actions.push_back(Action{utc_of_local(uniform(0, 24 * 60 - 1)) + uniform(0, 59'999), target, cause});
        }
    }
    std::ranges::stable_sort(home.history.actions, {}, &Action::at_ms);
    return home;
}

bool matches(const Routine& found, const PlantedRoutine& planted) {
    if (!(found.target == planted.target) || found.days != planted.days) return false;
    auto apart = (found.typical - planted.typical).count();
    if (apart < 0) apart = -apart;
    return std::min<long>(apart, 24 * 60 - apart) <= 20;
}

}  // namespace hearth::learn
