#pragma once
// The store's values: its options, the rows it keeps and hands back, its statistics, and the
// callbacks it reports through. Shared by the store's facade (store.hpp) and its SQLite plumbing
// (store_connection.hpp, the writer and the reader), so that both depend on this and not on each
// other.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "devices/registry.hpp"
#include "proto/area.hpp"
#include "proto/context.hpp"
#include "proto/errc.hpp"
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
    /// Device state, history, traces and notifications wait up to this long for company, so that a
    /// busy home commits many rows at once instead of one transaction per reading. Configuration
    /// writes and flush() never wait.
    std::chrono::milliseconds commit_window{5};
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
    std::string source;      // who, within the cause: the token, the utterance, the rule or scene id
    std::string parent;      // the context the cause followed from (a rule run's trigger)
};

/// The change log's dictionaries: each (device, attribute) and each (cause, source) once, by number.
struct ChangeKey {
    std::int64_t id = 0;
    proto::DeviceId device;
    std::string attribute;
};
struct ChangeCause {
    std::int64_t id = 0;
    proto::Cause cause = proto::Cause::device;
    std::string source;
};
struct ChangeLogDictionary {
    std::vector<ChangeKey> keys;
    std::vector<ChangeCause> causes;
};
/// One row of the change log; `key` and `cause` are numbers of the dictionary, `value` the JSON
/// text of the new value (valid only during the call that hands it over).
struct LoggedChange {
    std::int64_t at_ms = 0;
    std::int64_t key = 0;
    std::int64_t cause = 0;
    std::string_view value;
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
    /// Why the last transaction failed (Errc::storage_full for a full disk), until one commits again.
    std::optional<proto::Error> failing;
};

/// Whether a droppable row was queued.
enum class Admission { queued, dropped };

}  // namespace hearth::hub
