#pragma once
// The store's writer thread: it owns the write connection and applies queued tasks in batched
// transactions (store.hpp states the durability rules). Internal to the store.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/store_connection.hpp"

namespace hearth::hub {
namespace storage {

// Tasks the writer thread applies. The ones with a Completion are configuration writes.
struct PutDocument {
    std::string collection;
    std::string id;
    nlohmann::json body;
    TimePoint updated_at;
    Completion done;
};
struct EraseDocument {
    std::string collection;
    std::string id;
    Completion done;
};
struct PutArea {
    proto::Area area;
    Completion done;
};
struct RemoveArea {
    proto::AreaId id;
    Completion done;
};
struct PutDevice {
    proto::DeviceId id;
    nlohmann::json description;
    std::string problem;
    Completion done;
};
struct RemoveDevice {
    proto::DeviceId id;
    Completion done;
};
struct Prune {
    TimePoint now;
    Completion done;
};
// Shared between the queue and the per-device index until the writer takes it, so that newer
// state overwrites the queued one instead of queueing again.
struct PendingState {
    proto::DeviceId device;
    DeviceState state;
};
struct PutState {
    std::shared_ptr<PendingState> pending;
};
struct HistoryRow {
    proto::DeviceId device;
    std::string attribute;
    proto::Value value;
    TimePoint at;
    proto::Context cause;
};
struct TraceRow {
    std::string id;  // the trace's id; empty: never replaced
    proto::RuleId rule;
    TimePoint at;
    nlohmann::json body;
    std::vector<proto::DeviceId> devices;
};
struct NotificationRow {
    TimePoint at;
    nlohmann::json body;
};

using Task = std::variant<PutDocument, EraseDocument, PutArea, RemoveArea, PutDevice, RemoveDevice, Prune, PutState,
                          HistoryRow, TraceRow, NotificationRow>;

/// The prepared statements of the write connection.
struct WriterStatements {
    Statement put_document, erase_document, put_area, remove_area, put_device, remove_device, put_state,
        append_history, intern_change_key, intern_change_cause, append_change, append_trace, append_trace_device, trim_traces, append_notification, trim_notifications, prune_history,
        prune_traces;

    static proto::Result<WriterStatements> prepare(sqlite3* db);
};

enum class Synchronous { normal, full };

}  // namespace storage

class StoreWriter {
public:
    StoreWriter(storage::Connection db, storage::WriterStatements statements, const StoreOptions& options,
                Post post);
    ~StoreWriter();
    void push_configuration(storage::Task task);
    Admission push_droppable(storage::Task task);
    void push_state(const proto::DeviceId& device, DeviceState state);
    void reject(Completion done, proto::Error error);
    void flush();
    StoreStats stats() const;

private:
    // A batch either commits whole, or names the task that failed (it is then left out and the
    // rest retried), or failed as a transaction (BEGIN/COMMIT: every task gets that error).
    struct TaskFailed {
        std::size_t index;
        proto::Error error;
    };
    struct TransactionFailed {
        proto::Error error;
    };
    using BatchOutcome = std::variant<std::monostate, TaskFailed, TransactionFailed>;

    void run();
    void take(std::vector<storage::Task>& batch);
    bool enqueue(storage::Task task);  // with mutex_ held; true: the writer must be woken
    std::vector<proto::Result<void>> commit(std::vector<storage::Task>& batch);
    BatchOutcome apply_batch(std::vector<storage::Task>& batch, const std::vector<bool>& left_out);
    proto::Result<void> apply(storage::Task& task);
    proto::Result<void> apply_one(const storage::PutDocument& t);
    proto::Result<void> apply_one(const storage::EraseDocument& t);
    proto::Result<void> apply_one(const storage::PutArea& t);
    proto::Result<void> apply_one(const storage::RemoveArea& t);
    proto::Result<void> apply_one(const storage::PutDevice& t);
    proto::Result<void> apply_one(const storage::RemoveDevice& t);
    proto::Result<void> apply_one(const storage::Prune& t);
    proto::Result<void> apply_one(const storage::PutState& t);
    proto::Result<void> apply_one(const storage::HistoryRow& t);
    proto::Result<void> append_change(const storage::HistoryRow& t, const std::string& value);
    proto::Result<void> apply_one(const storage::TraceRow& t);
    proto::Result<void> apply_one(const storage::NotificationRow& t);
    void set_synchronous(storage::Synchronous wanted);
    void finish(std::vector<storage::Task>& batch, const std::vector<proto::Result<void>>& results);

    // Nothing may escape into the writer thread: a throwing completion or post loses only itself.
    void report(Completion done, proto::Result<void> result) noexcept;

    // Writer thread only.
    storage::Connection db_;
    storage::WriterStatements statements_;
    const StoreOptions options_;
    const Post post_;
    storage::Synchronous synchronous_ = storage::Synchronous::normal;

    // Guarded by mutex_.
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable flushed_;
    std::deque<storage::Task> queue_;
    std::map<proto::DeviceId, std::shared_ptr<storage::PendingState>> pending_state_;
    // Queued traces by id, to replace a record that has not been written yet. The deque keeps
    // references to its elements valid while others are pushed at the back or popped at the front.
    std::unordered_map<std::string, storage::TraceRow*> pending_traces_;
    std::size_t urgent_ = 0;  // configuration tasks queued and flush() calls waiting: no commit window
    std::size_t droppable_ = 0;
    std::uint64_t enqueued_ = 0;
    std::uint64_t processed_ = 0;
    std::uint64_t written_ = 0;
    std::uint64_t dropped_ = 0;
    std::uint64_t commits_ = 0;
    std::uint64_t failed_ = 0;
    std::chrono::microseconds last_latency_{0};
    std::optional<proto::Error> failing_;
    bool stopping_ = false;

    std::thread thread_;  // last: starts once everything above is built
};

}  // namespace hearth::hub
