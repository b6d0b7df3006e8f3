#include "hub/store_writer.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace hearth::hub {

using proto::Errc;
using proto::make_error;
using namespace storage;

namespace {

Completion* completion_of(Task& task) {
    return std::visit(
        [](auto& t) -> Completion* {
            if constexpr (requires { t.done; })
                return &t.done;
            else
                return nullptr;
        },
        task);
}

bool is_configuration(const Task& task) {
    return std::visit([](const auto& t) { return requires { t.done; }; }, task);
}

bool is_droppable(const Task& task) {
    return std::holds_alternative<HistoryRow>(task) || std::holds_alternative<TraceRow>(task) ||
           std::holds_alternative<NotificationRow>(task);
}

constexpr int kWriterNice = 10;

constexpr const char* kPutDocument =
    "INSERT INTO documents (collection, id, body, updated_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";
constexpr const char* kEraseDocument = "DELETE FROM documents WHERE collection = ?1 AND id = ?2";
constexpr const char* kPutArea =
    "INSERT INTO areas (id, body) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET body = excluded.body";
constexpr const char* kRemoveArea = "DELETE FROM areas WHERE id = ?1";
// An upsert, not INSERT OR REPLACE: a replace deletes the row first and would cascade to the state.
constexpr const char* kPutDevice =
    "INSERT INTO devices (id, description, problem) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (id) DO UPDATE SET description = excluded.description, problem = excluded.problem";
constexpr const char* kRemoveDevice = "DELETE FROM devices WHERE id = ?1";
constexpr const char* kPutState =
    "INSERT INTO device_state (device, attributes, version, availability, updated_at) "
    "SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM devices WHERE id = ?1) "
    "ON CONFLICT (device) DO UPDATE SET attributes = excluded.attributes, version = excluded.version, "
    "availability = excluded.availability, updated_at = excluded.updated_at";
constexpr const char* kAppendHistory =
    "INSERT INTO history (device, attribute, value, at, cause, context, source, parent) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
// The change log refers to its dictionaries by number, resolved inside SQLite: nothing is cached
// on the writer, so a rolled-back batch cannot leave it pointing at a row that was never written.
constexpr const char* kInternChangeKey = "INSERT OR IGNORE INTO change_keys (device, attribute) VALUES (?1, ?2)";
constexpr const char* kInternChangeCause = "INSERT OR IGNORE INTO change_causes (cause, source) VALUES (?1, ?2)";
constexpr const char* kAppendChange =
    "INSERT INTO change_log (at, key, value, cause) VALUES (?1, "
    "(SELECT id FROM change_keys WHERE device = ?2 AND attribute = ?3), ?4, "
    "(SELECT id FROM change_causes WHERE cause = ?5 AND source = ?6))";
constexpr const char* kAppendTraceDevice = "INSERT INTO trace_devices (trace, device, at) VALUES (?1, ?2, ?3)";
constexpr const char* kAppendTrace = "INSERT INTO traces (rule, at, body) VALUES (?1, ?2, ?3)";
constexpr const char* kTrimTraces =
    "DELETE FROM traces WHERE rule = ?1 AND id NOT IN "
    "(SELECT id FROM traces WHERE rule = ?1 ORDER BY at DESC, id DESC LIMIT ?2)";
constexpr const char* kAppendNotification = "INSERT INTO notifications (at, body) VALUES (?1, ?2)";
constexpr const char* kTrimNotifications =
    "DELETE FROM notifications WHERE id NOT IN (SELECT id FROM notifications ORDER BY at DESC, id DESC LIMIT ?1)";
constexpr const char* kPruneHistory = "DELETE FROM history WHERE at < ?1";
constexpr const char* kPruneTraces = "DELETE FROM traces WHERE at < ?1";

}  // namespace

proto::Result<WriterStatements> WriterStatements::prepare(sqlite3* db) {
    WriterStatements s;
    const std::pair<Statement*, const char*> all[] = {
        {&s.put_document, kPutDocument},
        {&s.erase_document, kEraseDocument},
        {&s.put_area, kPutArea},
        {&s.remove_area, kRemoveArea},
        {&s.put_device, kPutDevice},
        {&s.remove_device, kRemoveDevice},
        {&s.put_state, kPutState},
        {&s.append_history, kAppendHistory},
        {&s.intern_change_key, kInternChangeKey},
        {&s.intern_change_cause, kInternChangeCause},
        {&s.append_change, kAppendChange},
        {&s.append_trace, kAppendTrace},
        {&s.append_trace_device, kAppendTraceDevice},
        {&s.trim_traces, kTrimTraces},
        {&s.append_notification, kAppendNotification},
        {&s.trim_notifications, kTrimNotifications},
        {&s.prune_history, kPruneHistory},
        {&s.prune_traces, kPruneTraces},
    };
    for (const auto& [statement, sql] : all) {
        auto prepared = Statement::prepare(db, sql);
        if (!prepared) return prepared.error();
        *statement = std::move(*prepared);
    }
    return s;
}

StoreWriter::StoreWriter(Connection db, WriterStatements statements, const StoreOptions& options, Post post)
    : db_(std::move(db)), statements_(std::move(statements)), options_(options), post_(std::move(post)) {
    thread_ = std::thread([this] { run(); });
}

StoreWriter::~StoreWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void StoreWriter::push_configuration(Task task) {
    {
        std::lock_guard lock(mutex_);
        // Later state for a device that is being added or removed must be applied after it.
        if (const auto* d = std::get_if<PutDevice>(&task)) pending_state_.erase(d->id);
        if (const auto* d = std::get_if<RemoveDevice>(&task)) pending_state_.erase(d->id);
        ++urgent_;
        queue_.push_back(std::move(task));
        ++enqueued_;
    }
    wake_.notify_one();
}

Admission StoreWriter::push_droppable(Task task) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (auto* t = std::get_if<TraceRow>(&task); t && !t->id.empty()) {
            if (const auto queued = pending_traces_.find(t->id); queued != pending_traces_.end()) {
                *queued->second = std::move(*t);
                return Admission::queued;
            }
        }
        if (droppable_ >= options_.queue_capacity) {
            ++dropped_;
            return Admission::dropped;
        }
        ++droppable_;
        wake = enqueue(std::move(task));
    }
    if (wake) wake_.notify_one();
    return Admission::queued;
}

void StoreWriter::push_state(const proto::DeviceId& device, DeviceState state) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (const auto it = pending_state_.find(device); it != pending_state_.end()) {
            it->second->state = std::move(state);
            return;
        }
        auto pending = std::make_shared<PendingState>(PendingState{device, std::move(state)});
        pending_state_.emplace(device, pending);
        wake = enqueue(PutState{std::move(pending)});
    }
    if (wake) wake_.notify_one();
}

bool StoreWriter::enqueue(Task task) {
    queue_.push_back(std::move(task));
    ++enqueued_;
    if (auto* t = std::get_if<TraceRow>(&queue_.back()); t && !t->id.empty()) pending_traces_.emplace(t->id, t);
    // The writer sleeps until the queue has something, then for the commit window unless woken
    // by a full batch: waking it for every row would cost a context switch per reading.
    return queue_.size() == 1 || queue_.size() == options_.batch_limit;
}

void StoreWriter::reject(Completion done, proto::Error error) { report(std::move(done), std::move(error)); }

void StoreWriter::flush() {
    std::unique_lock lock(mutex_);
    const auto target = enqueued_;
    if (processed_ >= target) return;
    ++urgent_;
    wake_.notify_one();
    flushed_.wait(lock, [&] { return processed_ >= target; });
    --urgent_;
}

StoreStats StoreWriter::stats() const {
    std::lock_guard lock(mutex_);
    return StoreStats{.queue_depth = queue_.size(),
                      .rows_written = written_,
                      .rows_dropped = dropped_,
                      .commits = commits_,
                      .failed_writes = failed_,
                      .last_commit_latency = last_latency_,
                      .failing = failing_};
}

void StoreWriter::run() {
    // Writing is background work: a reading, a rule or a command must never wait behind a commit
    // for a core (a best effort; a refusal leaves the writer at the hub's priority).
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kWriterNice);
    for (;;) {
        std::vector<Task> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            wake_.wait_for(lock, options_.commit_window, [&] {
                return stopping_ || urgent_ > 0 || queue_.size() >= options_.batch_limit;
            });
            take(batch);
        }
        finish(batch, commit(batch));
    }
}

void StoreWriter::take(std::vector<Task>& batch) {
    const auto n = std::min(queue_.size(), std::max<std::size_t>(options_.batch_limit, 1));
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto& task = queue_.front();
        if (is_droppable(task)) --droppable_;
        if (is_configuration(task)) --urgent_;
        if (const auto* t = std::get_if<TraceRow>(&task); t && !t->id.empty()) {
            if (const auto it = pending_traces_.find(t->id); it != pending_traces_.end() && it->second == t)
                pending_traces_.erase(it);
        }
        if (const auto* s = std::get_if<PutState>(&task)) {
            const auto it = pending_state_.find(s->pending->device);
            if (it != pending_state_.end() && it->second == s->pending) pending_state_.erase(it);
        }
        batch.push_back(std::move(task));
        queue_.pop_front();
    }
}

std::vector<proto::Result<void>> StoreWriter::commit(std::vector<Task>& batch) {
    std::vector<proto::Result<void>> results(batch.size(), proto::Result<void>{});
    // Configuration must survive a power cut once its completion says "saved"; history only
    // has to survive a crash of the process, which WAL with synchronous=NORMAL gives for free.
    set_synchronous(std::ranges::any_of(batch, is_configuration) ? Synchronous::full : Synchronous::normal);
    std::vector<bool> left_out(batch.size(), false);
    for (;;) {
        const auto start = std::chrono::steady_clock::now();
        const auto outcome = apply_batch(batch, left_out);
        if (std::holds_alternative<std::monostate>(outcome)) {
            std::lock_guard lock(mutex_);
            ++commits_;
            failing_.reset();
            last_latency_ = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::steady_clock::now() - start);
            return results;
        }
        if (const auto* failed = std::get_if<TaskFailed>(&outcome)) {
            results[failed->index] = failed->error;
            left_out[failed->index] = true;
            continue;
        }
        const auto& error = std::get<TransactionFailed>(outcome).error;
        {
            std::lock_guard lock(mutex_);
            failing_ = error;
        }
        for (std::size_t i = 0; i < batch.size(); ++i)
            if (!left_out[i]) results[i] = error;
        return results;
    }
}

StoreWriter::BatchOutcome StoreWriter::apply_batch(std::vector<Task>& batch, const std::vector<bool>& left_out) {
    if (std::ranges::all_of(left_out, [](bool b) { return b; })) return std::monostate{};
    if (auto r = exec(db_.get(), "BEGIN IMMEDIATE"); !r) return TransactionFailed{r.error()};
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (left_out[i]) continue;
        if (auto r = apply(batch[i]); !r) {
            exec(db_.get(), "ROLLBACK");
            // A full disk refuses every task alike: retrying the rest one by one would only spin.
            if (r.error().code == Errc::storage_full) return TransactionFailed{r.error()};
            return TaskFailed{i, r.error()};
        }
    }
    if (auto r = exec(db_.get(), "COMMIT"); !r) {
        exec(db_.get(), "ROLLBACK");
        return TransactionFailed{r.error()};
    }
    return std::monostate{};
}

proto::Result<void> StoreWriter::apply(Task& task) {
    try {
        return std::visit([this](auto& t) { return apply_one(t); }, task);
    } catch (const std::exception& e) {
        return make_error(Errc::internal, std::string("cannot store: ") + e.what());
    }
}

proto::Result<void> StoreWriter::apply_one(const PutDocument& t) {
    return statements_.put_document.bind(1, t.collection)
        .bind(2, t.id)
        .bind(3, dump(t.body))
        .bind(4, to_millis(t.updated_at))
        .run();
}

proto::Result<void> StoreWriter::apply_one(const EraseDocument& t) {
    return statements_.erase_document.bind(1, t.collection).bind(2, t.id).run();
}

proto::Result<void> StoreWriter::apply_one(const PutArea& t) {
    return statements_.put_area.bind(1, t.area.id.value).bind(2, dump(proto::to_json(t.area))).run();
}

proto::Result<void> StoreWriter::apply_one(const RemoveArea& t) { return statements_.remove_area.bind(1, t.id.value).run(); }

proto::Result<void> StoreWriter::apply_one(const PutDevice& t) {
    return statements_.put_device.bind(1, t.id.value).bind(2, dump(t.description)).bind(3, t.problem).run();
}

proto::Result<void> StoreWriter::apply_one(const RemoveDevice& t) {
    return statements_.remove_device.bind(1, t.id.value).run();
}

proto::Result<void> StoreWriter::apply_one(const Prune& t) {
    const auto history_before = to_millis(t.now - options_.history_retention);
    if (auto r = statements_.prune_history.bind(1, history_before).run(); !r) return r;
    return statements_.prune_traces.bind(1, to_millis(t.now - options_.trace_retention)).run();
}

proto::Result<void> StoreWriter::apply_one(const PutState& t) {
    const auto& s = t.pending->state;
    return statements_.put_state.bind(1, t.pending->device.value)
        .bind(2, dump(proto::to_json(s.attributes)))
        .bind(3, static_cast<std::int64_t>(s.version))
        .bind(4, devices::to_string(s.availability))
        .bind(5, to_millis(s.updated_at))
        .run();
}

proto::Result<void> StoreWriter::apply_one(const HistoryRow& t) {
    const auto value = dump(proto::to_json(t.value));
    if (auto r = append_change(t, value); !r) return r;
    return statements_.append_history.bind(1, t.device.value)
        .bind(2, t.attribute)
        .bind(3, value)
        .bind(4, to_millis(t.at))
        .bind(5, proto::to_string(t.cause.cause))
        .bind(6, t.cause.id)
        .bind(7, t.cause.source)
        .bind(8, t.cause.parent)
        .run();
}

proto::Result<void> StoreWriter::append_change(const HistoryRow& t, const std::string& value) {
    const auto cause = proto::to_string(t.cause.cause);
    if (auto r = statements_.intern_change_key.bind(1, t.device.value).bind(2, t.attribute).run(); !r) return r;
    if (auto r = statements_.intern_change_cause.bind(1, cause).bind(2, t.cause.source).run(); !r) return r;
    return statements_.append_change.bind(1, to_millis(t.at))
        .bind(2, t.device.value)
        .bind(3, t.attribute)
        .bind(4, value)
        .bind(5, cause)
        .bind(6, t.cause.source)
        .run();
}

proto::Result<void> StoreWriter::apply_one(const TraceRow& t) {
    if (auto r = statements_.append_trace.bind(1, t.rule.value).bind(2, to_millis(t.at)).bind(3, dump(t.body)).run();
        !r)
        return r;
    const auto trace = sqlite3_last_insert_rowid(db_.get());
    for (const auto& device : t.devices) {
        if (auto r = statements_.append_trace_device.bind(1, trace).bind(2, device.value).bind(3, to_millis(t.at)).run(); !r)
            return r;
    }
    return statements_.trim_traces.bind(1, t.rule.value).bind(2, to_limit(options_.traces_per_rule)).run();
}

proto::Result<void> StoreWriter::apply_one(const NotificationRow& t) {
    if (auto r = statements_.append_notification.bind(1, to_millis(t.at)).bind(2, dump(t.body)).run(); !r) return r;
    return statements_.trim_notifications.bind(1, to_limit(options_.notifications_kept)).run();
}

void StoreWriter::set_synchronous(Synchronous wanted) {
    if (wanted == synchronous_) return;
    const char* sql = wanted == Synchronous::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
    if (exec(db_.get(), sql)) synchronous_ = wanted;
}

void StoreWriter::finish(std::vector<Task>& batch, const std::vector<proto::Result<void>>& results) {
    std::uint64_t written = 0;
    std::uint64_t failed = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        results[i] ? ++written : ++failed;
        if (auto* done = completion_of(batch[i]); done && *done) report(std::move(*done), results[i]);
    }
    {
        std::lock_guard lock(mutex_);
        written_ += written;
        failed_ += failed;
        processed_ += batch.size();
    }
    flushed_.notify_all();
}

void StoreWriter::report(Completion done, proto::Result<void> result) noexcept {
    if (!done) return;
    try {
        if (!post_) {
            done(std::move(result));
            return;
        }
        post_([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
    } catch (...) {
    }
}

}  // namespace hearth::hub
