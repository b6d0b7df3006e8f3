#pragma once
// SQLite persistence for the hub: one database file in WAL mode, a writer thread that owns the
// write connection and commits queued tasks in batches, and reads on the caller's thread through
// a second connection. docs/storage.md describes the schema and the durability rules.
//
// Writes never touch the disk on the caller's thread. Configuration writes (documents, areas,
// devices, pruning) are never dropped and report through a Completion that runs only after the
// commit is durable. Last-known device state is coalesced per device. History, trace and
// notification rows are dropped, and counted, when the queue is full.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/registry.hpp"
#include "proto/area.hpp"
#include "proto/device.hpp"
#include "proto/errc.hpp"
#include "proto/context.hpp"
#include "proto/ids.hpp"
#include "proto/value.hpp"

namespace hearth::hub {

/// Stored as integer milliseconds since the Unix epoch; finer parts are truncated.
using TimePoint = std::chrono::system_clock::time_point;

/// Reports the outcome of a configuration write, after the commit (or the failure).
using Completion = std::function<void(proto::Result<void>)>;

/// Runs a function on the hub thread; the hub binds it to asio::post(io_context, f). Called from
/// the writer thread, so it must be thread-safe.
using Post = std::function<void(std::function<void()>)>;

struct StoreOptions {
    std::filesystem::path path;
    /// History, trace and notification rows that may wait for the writer; more are dropped.
    /// Configuration writes and device state do not count against it.
    std::size_t queue_capacity = 10'000;
    /// Tasks committed per transaction at most.
    std::size_t batch_limit = 1'000;
    /// How long a connection waits for a lock held by another connection before failing.
    std::chrono::milliseconds busy_timeout{5'000};
    /// prune() deletes history and traces older than these.
    std::chrono::hours history_retention{24 * 30};
    std::chrono::hours trace_retention{24 * 30};
    /// Newest traces kept per rule and newest notifications kept; older ones go at insert.
    std::size_t traces_per_rule = 50;
    std::size_t notifications_kept = 1'000;
};

/// Last known state of a device.
struct DeviceState {
    proto::Attributes attributes;
    std::uint64_t version = 0;
    devices::Availability availability = devices::Availability::unknown;
    TimePoint updated_at;
    friend bool operator==(const DeviceState&, const DeviceState&) = default;
};

/// A device as stored. The description is returned as JSON so that a description the current
/// code no longer accepts still loads (the hub marks the device unavailable with the reason).
struct StoredDevice {
    proto::DeviceId id;
    nlohmann::json description;
    std::string problem;
    std::optional<DeviceState> state;
};

/// One entry of a configuration collection ("scenes", "rules", "tokens", …).
struct Document {
    std::string collection;
    std::string id;
    nlohmann::json body;
    TimePoint updated_at;
};

struct HistoryPoint {
    std::string attribute;
    proto::Value value;
    TimePoint at;
    proto::Cause cause = proto::Cause::device;
    std::string context_id;  // the context of the command it answered, when it answered one
};

struct Trace {
    std::int64_t id = 0;
    proto::RuleId rule;
    TimePoint at;
    nlohmann::json body;
};

struct Notification {
    std::int64_t id = 0;
    TimePoint at;
    nlohmann::json body;
};

/// Everything the hub needs at startup.
struct StoredHome {
    std::vector<proto::Area> areas;
    std::vector<StoredDevice> devices;     // by id
    std::vector<Document> documents;       // every collection, by collection then id
    std::vector<std::string> problems;     // rows that could not be read back, one sentence each
};

struct StoreStats {
    std::size_t queue_depth = 0;              // tasks waiting for the writer
    std::uint64_t rows_written = 0;           // tasks committed (one row each, or one delete)
    std::uint64_t rows_dropped = 0;           // history, trace and notification rows refused when full
    std::uint64_t commits = 0;
    std::uint64_t failed_writes = 0;          // tasks SQLite refused (reported to their Completion)
    std::chrono::microseconds last_commit_latency{0};  // BEGIN to COMMIT of the last batch
};

/// Whether a droppable row was queued.
enum class Admission { queued, dropped };

class StoreWriter;
class StoreReader;

/// Write functions, stats() and flush() may be called from any thread; reads too (they share
/// one read connection under a lock), though the hub calls everything from its own thread.
/// Completions run through `post`. When `post` is empty they run on the writer thread (or, for
/// input refused before queueing, on the caller's thread).
class Store {
public:
    /// Opens or creates the database and brings its schema up to date. A file that is not a
    /// SQLite database, a schema newer than this code, or a directory that does not exist gives
    /// Errc::storage_failed with a message naming the file.
    static proto::Result<std::unique_ptr<Store>> open(StoreOptions options, Post post);

    /// Drains the queue, commits and stops the writer.
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Configuration writes: never dropped, durable when `done` runs. Bad input (an invalid
    // collection or id) is reported to `done` and changes nothing. `done` may be empty.
    void put_document(std::string collection, std::string id, nlohmann::json body, TimePoint updated_at,
                      Completion done = {});
    void erase_document(std::string collection, std::string id, Completion done = {});
    void put_area(proto::Area area, Completion done = {});
    void remove_area(proto::AreaId id, Completion done = {});
    void put_device(const proto::DeviceDescription& description, std::string problem = {}, Completion done = {});
    /// For a description the hub could not parse: kept as received, with the reason.
    void put_device(proto::DeviceId id, nlohmann::json description, std::string problem, Completion done = {});
    /// Removes the device and its state. Its history stays until retention removes it.
    void remove_device(proto::DeviceId id, Completion done = {});
    /// Deletes history and traces older than the retention periods before `now`.
    void prune(TimePoint now, Completion done = {});

    /// Last known state; only the newest queued state per device is written. Ignored when the
    /// device is not stored (e.g. removed meanwhile).
    void put_state(const proto::DeviceId& device, DeviceState state);

    // Droppable rows.
    /// One change of an attribute and its cause.
    Admission append_history(const proto::DeviceId& device, std::string attribute, proto::Value value,
                             TimePoint at, proto::Context cause = {});
    /// Keeps the newest `traces_per_rule` traces of the rule; the trace is found again by each of
    /// `devices` (rules::devices_of).
    Admission append_trace(const proto::RuleId& rule, TimePoint at, nlohmann::json body,
                           std::vector<proto::DeviceId> devices = {});
    /// Keeps the newest `notifications_kept` notifications.
    Admission append_notification(TimePoint at, nlohmann::json body);

    /// Blocks until every task queued before the call is committed (or has failed) and its
    /// completion posted. For shutdown and tests; never from a completion running on the writer.
    void flush();
    StoreStats stats() const;

    // Reads see what is committed.
    proto::Result<StoredHome> load() const;
    /// The same, but hands each device to `on_device` as its row is read (in id order, on the
    /// calling thread) instead of collecting them in `StoredHome::devices`, so that start-up never
    /// holds every parsed description at once.
    proto::Result<StoredHome> load(const std::function<void(StoredDevice&&)>& on_device) const;
    proto::Result<std::vector<Document>> documents(std::string_view collection) const;
    proto::Result<std::optional<Document>> document(std::string_view collection, std::string_view id) const;
    /// Points with from <= at < to, oldest first; when more than `limit` match, the newest
    /// `limit`. An empty attribute means every attribute of the device.
    proto::Result<std::vector<HistoryPoint>> history(const proto::DeviceId& device, std::string_view attribute,
                                                     TimePoint from, TimePoint to, std::size_t limit) const;
    /// Newest first; an empty rule id means every rule.
    proto::Result<std::vector<Trace>> traces(const proto::RuleId& rule, std::size_t limit) const;
    /// Newest first: the traces recorded as being about `device`.
    proto::Result<std::vector<Trace>> device_traces(const proto::DeviceId& device, std::size_t limit) const;
    /// Newest first.
    proto::Result<std::vector<Notification>> notifications(std::size_t limit) const;

    const std::filesystem::path& path() const noexcept { return path_; }

private:
    Store(std::filesystem::path path, std::unique_ptr<StoreWriter> writer, std::unique_ptr<StoreReader> reader);

    std::filesystem::path path_;
    std::unique_ptr<StoreWriter> writer_;
    std::unique_ptr<StoreReader> reader_;
};

}  // namespace hearth::hub
