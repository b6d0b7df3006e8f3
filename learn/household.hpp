#pragma once
// A lived-in home, generated: two residents' weekday and weekend routines with minutes of jitter,
// skipped days and a few days away, random manual actions through the day, rule- and scene-caused
// changes, and one routine a rule already automates. Deterministic for a seed, pure (time passed
// in), fast: months of history in milliseconds, to test and measure the miner
// (docs/learning.md has its figures).
#include <cstdint>
#include <vector>

#include "learn/routine.hpp"

namespace hearth::learn {

struct HouseholdOptions {
    std::uint64_t seed = 1;
    int days = 28;
    /// Local midnight of the first day; the history ends at `start + days`.
    TimePoint start;
    /// Random manual actions a day (on, off, brightness, temperature, position on random devices).
    int random_actions_per_day = 20;
    /// Plant the residents' habits and the automations; false: nothing but random actions.
    bool planted = true;
};

/// A habit the generator planted: what a miner should find.
struct PlantedRoutine {
    Target target;
    DayType days = DayType::every_day;
    std::chrono::minutes typical{0};
};

struct Household {
    Snapshot history;
    std::vector<PlantedRoutine> planted;
};

/// `zone` is the home's: the routines happen at local times.
Household generate_household(const HouseholdOptions& options, const scenes::TimeZone& zone);

/// Whether `found` is `planted`: the same target and day type, typical time within 20 minutes.
bool matches(const Routine& found, const PlantedRoutine& planted);

}  // namespace hearth::learn
