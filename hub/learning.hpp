#pragma once
// The home's learning: mines the change log for the household's routines and keeps the
// suggestions made from them (docs/learning.md).
//
// A mining pass reads the change log's last `look_back` through the store's read connection and
// runs learn::find_routines on a worker thread, over a snapshot of its own; only the result is
// posted back to the hub thread, which merges it into the suggestions and saves the changed ones
// (documents, collection "suggestions"). A pass starts nightly (at `nightly`, local time), after
// `batch` manual changes (at most one pass per `min_gap`), and on request; never two at once.
// Hub thread only, but for the worker, which touches nothing here but its own copies.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "hub/answer.hpp"
#include "hub/clock.hpp"
#include "hub/fact_listener.hpp"
#include "hub/store_types.hpp"
#include "learn/suggestion.hpp"

namespace hearth::hub {

class Store;
class Router;

struct LearningOptions {
    learn::RoutineOptions routines;
    std::size_t batch = 500;
    std::chrono::minutes min_gap{10};
    std::chrono::minutes nightly{3 * 60 + 30};
};

struct LearningLinks {
    Store& store;
    const devices::Registry& registry;
    const Clock& clock;
    std::function<const scenes::TimeZone&()> time_zone;
    /// Creates a rule (as POST /api/v1/rules does); `done` runs after it is saved.
    std::function<void(const nlohmann::json& rule, Answer done)> put_rule;
};

/// What the last pass did, for the API and the benchmark.
struct MiningPass {
    std::size_t changes_read = 0;   // rows of the change log in the look-back
    std::size_t actions = 0;        // of those, changes of attributes a command can set
    std::size_t routines = 0;
    std::chrono::milliseconds took{0};
    TimePoint finished;
};

class Learning : public FactListener {
public:
    Learning(boost::asio::io_context& io, LearningLinks links, LearningOptions options = {});
    /// Waits for a pass under way; its result is dropped.
    ~Learning() override;

    /// Reads the stored suggestions (collection "suggestions"); one that cannot be read is
    /// skipped with a problem sentence in `problems`. Arms the nightly pass.
    void start(const std::vector<Document>& documents, std::vector<std::string>& problems);

    /// Cancels the nightly pass (a pass under way finishes; its result is merged if the loop runs).
    void stop() { nightly_.cancel(); }

    /// Starts a pass now unless one is running (false then); `done` runs on the hub thread after
    /// the result was merged.
    bool mine(std::function<void(const MiningPass&)> done = {});

    nlohmann::json suggestions_json() const;
    proto::Result<nlohmann::json> suggestion_json(const std::string& id) const;
    void accept(const std::string& id, Answer done);
    void dismiss(const std::string& id, Answer done);
    void snooze(const std::string& id, std::chrono::hours for_hours, Answer done);
    bool mining() const noexcept { return worker_.joinable() && running_; }
    const MiningPass& last_pass() const noexcept { return last_; }

    void state_changed(const devices::StateChange& change, const proto::Context& cause,
                       std::chrono::system_clock::time_point at) override;
    void availability_changed(const devices::adapters::AvailabilityChange&) override {}
    void device_event(const devices::adapters::DeviceEvent&) override {}

private:
    struct Result;
    void arm_nightly();
    void finish(std::shared_ptr<Result> result, std::function<void(const MiningPass&)> done);
    void save(const learn::Suggestion& suggestion, Answer done);

    boost::asio::io_context& io_;
    LearningLinks links_;
    const LearningOptions options_;
    learn::SuggestionBook book_;
    boost::asio::steady_timer nightly_;
    std::thread worker_;
    bool running_ = false;
    std::size_t manual_since_pass_ = 0;
    std::chrono::steady_clock::time_point last_started_{};
    MiningPass last_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // posted results check it
};

/// The (device, attribute) pairs a command can set, device by device: only their changes are a
/// person's actions.
using ControllableKeys = std::set<std::pair<std::string, std::string>, std::less<>>;
ControllableKeys controllable(const devices::Registry& registry);

/// The change log from <= at < to as the miner's snapshot: changes of `keys` only, each distinct
/// (attribute, value) stored once; `rows` counts every row read. Any thread (the store's reads are).
proto::Result<learn::Snapshot> read_snapshot(const Store& store, const ControllableKeys& keys, TimePoint from,
                                             TimePoint to, std::size_t& rows);

/// GET /api/v1/suggestions, GET /api/v1/suggestions/{id}, POST …/{id}/accept, …/{id}/dismiss,
/// …/{id}/snooze, POST /api/v1/suggestions/mine.
void add_suggestion_routes(Router& router, Learning& learning);

}  // namespace hearth::hub
