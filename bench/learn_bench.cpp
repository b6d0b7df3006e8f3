// The learning benchmark (docs/learning.md): what the miner finds in generated households, what a
// change costs in the change log, and how long a mining pass over a year of a busy home takes.
//
//   hearth-learn-bench quality [seeds]          planted habits found / extra suggestions, 4 weeks
//   hearth-learn-bench write DB [days] [per_day] a busy home's history through the real store
//   hearth-learn-bench mine DB [days]            one full pass: read the change log, mine it
//
// `write` and `mine` are separate runs so that the peak memory `mine` prints is the pass's own.
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "hub/learning.hpp"
#include "hub/store.hpp"
#include "learn/household.hpp"

using namespace hearth;
using namespace std::chrono;

namespace {

const auto kZone = scenes::TimeZone::fixed(hours(8));
const learn::TimePoint kStart = sys_days{2025y / March / 3} - hours(8);  // a Monday, Beijing midnight

long peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

int quality(int seeds) {
    int planted = 0, found = 0, extra = 0, random_suggestions = 0;
    double took_ms = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
        const auto home = learn::generate_household({.seed = static_cast<std::uint64_t>(seed), .days = 28, .start = kStart}, kZone);
        const auto t0 = steady_clock::now();
        const auto routines = learn::find_routines(home.history, kStart + days(28), kZone);
        took_ms += duration<double, std::milli>(steady_clock::now() - t0).count();
        planted += static_cast<int>(home.planted.size());
        for (const auto& p : home.planted)
            found += std::ranges::any_of(routines, [&](const learn::Routine& r) { return learn::matches(r, p); });
        for (const auto& r : routines)
            extra += std::ranges::none_of(home.planted, [&](const learn::PlantedRoutine& p) { return learn::matches(r, p); });
        const auto noise = learn::generate_household(
            {.seed = static_cast<std::uint64_t>(1000 + seed), .days = 28, .start = kStart, .planted = false}, kZone);
        random_suggestions += static_cast<int>(learn::find_routines(noise.history, kStart + days(28), kZone).size());
    }
    std::printf("seeds %d: planted %d, found %d (recall %.3f), other suggestions %d (precision %.3f), "
                "suggestions from pure noise %d, mining %.2f ms per home\n",
                seeds, planted, found, static_cast<double>(found) / planted, extra,
                static_cast<double>(found) / (found + extra), random_suggestions, took_ms / seeds);
    return 0;
}

int write(const std::string& path, int days_of_history, int per_day) {
    const auto home = learn::generate_household(
        {.seed = 1, .days = days_of_history, .start = kStart, .random_actions_per_day = per_day}, kZone);
    auto store = hub::Store::open({.path = path, .queue_capacity = 4'000'000}, {});
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().message.c_str());
        return 1;
    }
    const auto t0 = steady_clock::now();
    for (const auto& a : home.history.actions) {
        const auto& target = home.history.targets[a.target];
        const auto source = a.cause == proto::Cause::app ? "owner" : a.cause == proto::Cause::rule ? "hall_at_dusk" : "";
        (*store)->append_history(target.device, target.attribute, target.value,
                                 learn::TimePoint(milliseconds(a.at_ms)), proto::Context{{}, {}, a.cause, source});
    }
    (*store)->flush();
    const auto took = duration<double>(steady_clock::now() - t0).count();
    store->reset();
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT name, sum(pgsize), sum(payload) FROM dbstat WHERE name IN "
                       "('change_log', 'change_keys', 'change_causes', 'history', 'history_by_attribute', "
                       "'history_by_time') GROUP BY name",
                       -1, &q, nullptr);
    const double n = static_cast<double>(home.history.actions.size());
    std::printf("%zu changes over %d days written in %.1f s (%.0f/s)\n", home.history.actions.size(), days_of_history,
                took, n / took);
    while (sqlite3_step(q) == SQLITE_ROW) {
        std::printf("  %-22s %10lld bytes on pages  %6.1f bytes per change\n",
                    reinterpret_cast<const char*>(sqlite3_column_text(q, 0)), sqlite3_column_int64(q, 1),
                    static_cast<double>(sqlite3_column_int64(q, 1)) / n);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return 0;
}

int mine(const std::string& path, int days_of_history) {
    auto store = hub::Store::open({.path = path}, {});
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().message.c_str());
        return 1;
    }
    const long before = peak_rss_mb();
    // The household's devices: every attribute the generator touches is controllable.
    const auto sample = learn::generate_household({.seed = 1, .days = 1, .start = kStart}, kZone);
    hub::ControllableKeys keys;
    for (const auto& t : sample.history.targets) keys.emplace(t.device.value, t.attribute);
    const auto end = kStart + days(days_of_history);
    const auto t0 = steady_clock::now();
    std::size_t rows = 0;
    auto snapshot = hub::read_snapshot(**store, keys, end - days(days_of_history), end, rows);
    if (!snapshot) {
        std::fprintf(stderr, "%s\n", snapshot.error().message.c_str());
        return 1;
    }
    const auto t1 = steady_clock::now();
    learn::RoutineOptions options;
    options.look_back = days(days_of_history);
    const auto routines = learn::find_routines(*snapshot, end, kZone, options);
    const auto t2 = steady_clock::now();
    std::printf("full pass over %zu changes (%d days): read %.2f s, mined %.2f s, total %.2f s; %zu routines; "
                "peak RSS %ld MB (%ld MB before the pass)\n",
                rows, days_of_history, duration<double>(t1 - t0).count(), duration<double>(t2 - t1).count(),
                duration<double>(t2 - t0).count(), routines.size(), peak_rss_mb(), before);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string what = argc > 1 ? argv[1] : "quality";
    if (what == "quality") return quality(argc > 2 ? std::stoi(argv[2]) : 20);
    if (what == "write" && argc > 2)
        return write(argv[2], argc > 3 ? std::stoi(argv[3]) : 365, argc > 4 ? std::stoi(argv[4]) : 2'700);
    if (what == "mine" && argc > 2) return mine(argv[2], argc > 3 ? std::stoi(argv[3]) : 365);
    std::fprintf(stderr, "usage: hearth-learn-bench quality [seeds] | write DB [days] [per_day] | mine DB [days]\n");
    return 2;
}
