// hearth-store-bench: how fast the store takes history and how long a configuration write waits
// for its durable commit. Prints figures; asserts nothing.
//
//   hearth-store-bench [folder] [history rows]
//
// The database is created in `folder` (default: a new folder under the system temp folder) and
// deleted afterwards. Run it on the disk the hub will use: the config latency is an fsync.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "hub/store.hpp"

using namespace hearth;
using namespace hearth::hub;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::unique_ptr<Store> open_or_exit(const StoreOptions& options) {
    auto store = Store::open(options, {});
    if (!store) {
        std::fprintf(stderr, "hearth-store-bench: %s\n", store.error().message.c_str());
        std::exit(1);
    }
    return std::move(*store);
}

void history_throughput(const std::filesystem::path& file, std::size_t rows) {
    StoreOptions options;
    options.path = file;
    options.queue_capacity = rows;
    auto store = open_or_exit(options);
    const auto t0 = std::chrono::system_clock::now();
    const auto start = Clock::now();
    for (std::size_t i = 0; i < rows; ++i)
        store->append_history(proto::DeviceId{"sensor-" + std::to_string(i % 50)}, "temperature",
                              20.0 + static_cast<double>(i % 100) / 10.0, t0 + std::chrono::milliseconds(i));
    const double enqueue = seconds_since(start);
    store->flush();
    const double total = seconds_since(start);
    const auto stats = store->stats();
    std::printf("history, unbounded queue: %zu rows queued in %.3f s (%.0f ns per append on the caller), "
                "committed in %.3f s = %.0f rows/s, %llu commits (%.0f rows per commit)\n",
                rows, enqueue, enqueue * 1e9 / static_cast<double>(rows), total, static_cast<double>(rows) / total,
                static_cast<unsigned long long>(stats.commits),
                static_cast<double>(stats.rows_written) / static_cast<double>(std::max<std::uint64_t>(stats.commits, 1)));
}

void history_overload(const std::filesystem::path& file, std::size_t rows) {
    StoreOptions options;
    options.path = file;
    auto store = open_or_exit(options);
    const auto t0 = std::chrono::system_clock::now();
    const auto start = Clock::now();
    for (std::size_t i = 0; i < rows; ++i)
        store->append_history(proto::DeviceId{"flood"}, "power", static_cast<double>(i), t0 + std::chrono::milliseconds(i));
    const double offered = seconds_since(start);
    store->flush();
    const auto stats = store->stats();
    std::printf("history, default queue (%zu), flood of %zu rows in %.3f s (%.0f rows/s offered): %llu written, "
                "%llu dropped\n",
                options.queue_capacity, rows, offered, static_cast<double>(rows) / offered,
                static_cast<unsigned long long>(stats.rows_written), static_cast<unsigned long long>(stats.rows_dropped));
}

struct Latency {
    double median_ms;
    double p99_ms;
    double max_ms;
};

Latency config_latency(Store& store, int writes) {
    std::vector<double> ms;
    std::mutex mutex;
    std::condition_variable done;
    for (int i = 0; i < writes; ++i) {
        bool committed = false;
        const auto start = Clock::now();
        store.put_document("scenes", "bench-" + std::to_string(i % 20),
                           nlohmann::json{{"name", "bench"}, {"targets", nlohmann::json::array({1, 2, 3})}},
                           std::chrono::system_clock::now(), [&](proto::Result<void> r) {
                               if (!r) std::fprintf(stderr, "config write failed: %s\n", r.error().message.c_str());
                               std::lock_guard lock(mutex);
                               committed = true;
                               done.notify_one();
                           });
        std::unique_lock lock(mutex);
        done.wait(lock, [&] { return committed; });
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back()};
}

void config_commit_latency(const std::filesystem::path& file) {
    StoreOptions options;
    options.path = file;
    auto store = open_or_exit(options);
    const auto idle = config_latency(*store, 200);
    std::printf("config write, idle store: commit latency median %.2f ms, p99 %.2f ms, max %.2f ms (200 writes)\n",
                idle.median_ms, idle.p99_ms, idle.max_ms);

    std::atomic<bool> running = true;
    std::atomic<std::uint64_t> offered = 0;
    std::thread load([&] {
        const auto t0 = std::chrono::system_clock::now();
        // About 5,000 state reports per second: a busy home, far above a real one.
        for (std::uint64_t i = 0; running; ++i) {
            store->append_history(proto::DeviceId{"sensor-" + std::to_string(i % 50)}, "power", static_cast<double>(i),
                                  t0 + std::chrono::milliseconds(i));
            ++offered;
            if (i % 50 == 0) std::this_thread::sleep_for(10ms);
        }
    });
    const auto busy = config_latency(*store, 200);
    running = false;
    load.join();
    store->flush();
    const auto stats = store->stats();
    std::printf("config write beside ~5k history rows/s: commit latency median %.2f ms, p99 %.2f ms, max %.2f ms; "
                "history offered %llu, dropped %llu\n",
                busy.median_ms, busy.p99_ms, busy.max_ms, static_cast<unsigned long long>(offered.load()),
                static_cast<unsigned long long>(stats.rows_dropped));

    const auto to = std::chrono::system_clock::now() + 1h;
    const auto start = Clock::now();
    std::size_t points = 0;
    for (int i = 0; i < 100; ++i)
        points += store->history(proto::DeviceId{"sensor-7"}, "power", {}, to, 500).value().size();
    std::printf("history read of the newest %zu points of one attribute: %.3f ms each\n", points / 100,
                seconds_since(start) * 1e3 / 100);
}

}  // namespace

int main(int argc, char** argv) {
    std::random_device rd;
    const bool own_folder = argc < 2;
    const std::filesystem::path folder =
        own_folder ? std::filesystem::temp_directory_path() / ("hearth-store-bench-" + std::to_string(rd())) : argv[1];
    const std::size_t rows = argc > 2 ? std::stoul(argv[2]) : 200'000;
    std::filesystem::create_directories(folder);
    const auto file = [&](const char* name) {
        const auto p = folder / name;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
        return p;
    };
    std::printf("hearth-store-bench: database folder %s\n", folder.c_str());
    history_throughput(file("throughput.db"), rows);
    history_overload(file("overload.db"), rows);
    config_commit_latency(file("config.db"));
    if (own_folder) std::filesystem::remove_all(folder);
    else
        for (const char* name : {"throughput.db", "overload.db", "config.db"}) file(name);
    return 0;
}
