#include "hub/store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

#include "hub/migrations.hpp"

namespace hearth::hub {

using proto::Errc;
using proto::make_error;

namespace {

using namespace std::chrono_literals;

std::int64_t to_millis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_millis(std::int64_t ms) { return TimePoint{std::chrono::milliseconds{ms}}; }

// A string that is not valid UTF-8 must not make the writer throw: it is stored with U+FFFD.
std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::int64_t to_limit(std::size_t n) {
    return static_cast<std::int64_t>(std::min<std::size_t>(n, std::numeric_limits<std::int64_t>::max()));
}

proto::Error sqlite_failure(sqlite3* db, std::string_view what) {
    return make_error(Errc::storage_failed, std::string(what) + ": " + sqlite3_errmsg(db));
}

struct ConnectionCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

proto::Result<void> exec(sqlite3* db, const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return sqlite_failure(db, sql);
    return {};
}

class Statement {
public:
    static proto::Result<Statement> prepare(sqlite3* db, std::string_view sql) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                               nullptr) != SQLITE_OK)
            return sqlite_failure(db, "cannot prepare '" + std::string(sql) + "'");
        Statement s;
        s.stmt_.reset(raw);
        return s;
    }

    Statement& bind(int index, std::int64_t v) {
        sqlite3_bind_int64(stmt_.get(), index, v);
        return *this;
    }
    Statement& bind(int index, std::string_view v) {
        sqlite3_bind_text(stmt_.get(), index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }

    /// Steps to the end, for statements that return no rows.
    proto::Result<void> run() {
        const int rc = sqlite3_step(stmt_.get());
        sqlite3_reset(stmt_.get());
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) return failure();
        return {};
    }

    /// True while there is a row to read.
    proto::Result<bool> next() {
        const int rc = sqlite3_step(stmt_.get());
        if (rc == SQLITE_ROW) return true;
        sqlite3_reset(stmt_.get());
        if (rc == SQLITE_DONE) return false;
        return failure();
    }

    bool is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }
    std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
    std::string text(int column) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column))) : std::string();
    }

private:
    proto::Error failure() const {
        sqlite3* db = sqlite3_db_handle(stmt_.get());
        return sqlite_failure(db, "'" + std::string(sqlite3_sql(stmt_.get())) + "' failed");
    }

    struct Finalizer {
        void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
    };
    std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

proto::Result<Connection> open_connection(const std::filesystem::path& path, const StoreOptions& options) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    Connection db(raw);
    const auto cannot_open = [&](std::string_view reason) {
        return make_error(Errc::storage_failed,
                          "cannot open the database '" + path.string() + "': " + std::string(reason), "path");
    };
    if (rc != SQLITE_OK) return cannot_open(raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    sqlite3_busy_timeout(db.get(), static_cast<int>(options.busy_timeout.count()));
    // The first statement that reads the file: a file that is not a database fails here.
    auto wal = Statement::prepare(db.get(), "PRAGMA journal_mode = WAL");
    if (!wal) return cannot_open(sqlite3_errmsg(db.get()));
    const auto row = wal->next();
    if (!row) return cannot_open(sqlite3_errmsg(db.get()));
    if (!*row || wal->text(0) != "wal") return cannot_open("the file cannot be switched to WAL mode");
    for (auto more = wal->next(); more && *more; more = wal->next()) {
    }
    for (const char* pragma : {"PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL",
                               "PRAGMA journal_size_limit = 67108864"}) {
        if (auto r = exec(db.get(), pragma); !r) return cannot_open(r.error().message);
    }
    return db;
}

std::optional<devices::Availability> availability_from(std::string_view s) {
    if (s == "online") return devices::Availability::online;
    if (s == "offline") return devices::Availability::offline;
    if (s == "unknown") return devices::Availability::unknown;
    return std::nullopt;
}

std::optional<nlohmann::json> parse_stored(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

bool is_valid_document_id(std::string_view id) { return !id.empty() && id.size() <= 256; }

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
    "INSERT INTO history (device, attribute, value, at, cause, context) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
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

struct WriterStatements {
    Statement put_document, erase_document, put_area, remove_area, put_device, remove_device, put_state,
        append_history, append_trace, append_trace_device, trim_traces, append_notification, trim_notifications, prune_history,
        prune_traces;

    static proto::Result<WriterStatements> prepare(sqlite3* db) {
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
};

enum class Synchronous { normal, full };

}  // namespace

class StoreWriter {
public:
    StoreWriter(Connection db, WriterStatements statements, const StoreOptions& options, Post post)
        : db_(std::move(db)), statements_(std::move(statements)), options_(options), post_(std::move(post)) {
        thread_ = std::thread([this] { run(); });
    }

    ~StoreWriter() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }

    void push_configuration(Task task) {
        {
            std::lock_guard lock(mutex_);
            // Later state for a device that is being added or removed must be applied after it.
            if (const auto* d = std::get_if<PutDevice>(&task)) pending_state_.erase(d->id);
            if (const auto* d = std::get_if<RemoveDevice>(&task)) pending_state_.erase(d->id);
            queue_.push_back(std::move(task));
            ++enqueued_;
        }
        wake_.notify_one();
    }

    Admission push_droppable(Task task) {
        {
            std::lock_guard lock(mutex_);
            if (droppable_ >= options_.queue_capacity) {
                ++dropped_;
                return Admission::dropped;
            }
            queue_.push_back(std::move(task));
            ++droppable_;
            ++enqueued_;
        }
        wake_.notify_one();
        return Admission::queued;
    }

    void push_state(const proto::DeviceId& device, DeviceState state) {
        {
            std::lock_guard lock(mutex_);
            if (const auto it = pending_state_.find(device); it != pending_state_.end()) {
                it->second->state = std::move(state);
                return;
            }
            auto pending = std::make_shared<PendingState>(PendingState{device, std::move(state)});
            pending_state_.emplace(device, pending);
            queue_.push_back(PutState{std::move(pending)});
            ++enqueued_;
        }
        wake_.notify_one();
    }

    void reject(Completion done, proto::Error error) { report(std::move(done), std::move(error)); }

    void flush() {
        std::unique_lock lock(mutex_);
        const auto target = enqueued_;
        flushed_.wait(lock, [&] { return processed_ >= target; });
    }

    StoreStats stats() const {
        std::lock_guard lock(mutex_);
        return StoreStats{.queue_depth = queue_.size(),
                          .rows_written = written_,
                          .rows_dropped = dropped_,
                          .commits = commits_,
                          .failed_writes = failed_,
                          .last_commit_latency = last_latency_};
    }

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

    void run() {
        for (;;) {
            std::vector<Task> batch;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;
                take(batch);
            }
            finish(batch, commit(batch));
        }
    }

    void take(std::vector<Task>& batch) {
        const auto n = std::min(queue_.size(), std::max<std::size_t>(options_.batch_limit, 1));
        batch.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            auto& task = queue_.front();
            if (is_droppable(task)) --droppable_;
            if (const auto* s = std::get_if<PutState>(&task)) {
                const auto it = pending_state_.find(s->pending->device);
                if (it != pending_state_.end() && it->second == s->pending) pending_state_.erase(it);
            }
            batch.push_back(std::move(task));
            queue_.pop_front();
        }
    }

    std::vector<proto::Result<void>> commit(std::vector<Task>& batch) {
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
            for (std::size_t i = 0; i < batch.size(); ++i)
                if (!left_out[i]) results[i] = error;
            return results;
        }
    }

    BatchOutcome apply_batch(std::vector<Task>& batch, const std::vector<bool>& left_out) {
        if (std::ranges::all_of(left_out, [](bool b) { return b; })) return std::monostate{};
        if (auto r = exec(db_.get(), "BEGIN IMMEDIATE"); !r) return TransactionFailed{r.error()};
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (left_out[i]) continue;
            if (auto r = apply(batch[i]); !r) {
                exec(db_.get(), "ROLLBACK");
                return TaskFailed{i, r.error()};
            }
        }
        if (auto r = exec(db_.get(), "COMMIT"); !r) {
            exec(db_.get(), "ROLLBACK");
            return TransactionFailed{r.error()};
        }
        return std::monostate{};
    }

    proto::Result<void> apply(Task& task) {
        try {
            return std::visit([this](auto& t) { return apply_one(t); }, task);
        } catch (const std::exception& e) {
            return make_error(Errc::internal, std::string("cannot store: ") + e.what());
        }
    }

    proto::Result<void> apply_one(const PutDocument& t) {
        return statements_.put_document.bind(1, t.collection)
            .bind(2, t.id)
            .bind(3, dump(t.body))
            .bind(4, to_millis(t.updated_at))
            .run();
    }
    proto::Result<void> apply_one(const EraseDocument& t) {
        return statements_.erase_document.bind(1, t.collection).bind(2, t.id).run();
    }
    proto::Result<void> apply_one(const PutArea& t) {
        return statements_.put_area.bind(1, t.area.id.value).bind(2, dump(proto::to_json(t.area))).run();
    }
    proto::Result<void> apply_one(const RemoveArea& t) { return statements_.remove_area.bind(1, t.id.value).run(); }
    proto::Result<void> apply_one(const PutDevice& t) {
        return statements_.put_device.bind(1, t.id.value).bind(2, dump(t.description)).bind(3, t.problem).run();
    }
    proto::Result<void> apply_one(const RemoveDevice& t) {
        return statements_.remove_device.bind(1, t.id.value).run();
    }
    proto::Result<void> apply_one(const Prune& t) {
        const auto history_before = to_millis(t.now - options_.history_retention);
        if (auto r = statements_.prune_history.bind(1, history_before).run(); !r) return r;
        return statements_.prune_traces.bind(1, to_millis(t.now - options_.trace_retention)).run();
    }
    proto::Result<void> apply_one(const PutState& t) {
        const auto& s = t.pending->state;
        return statements_.put_state.bind(1, t.pending->device.value)
            .bind(2, dump(proto::to_json(s.attributes)))
            .bind(3, static_cast<std::int64_t>(s.version))
            .bind(4, devices::to_string(s.availability))
            .bind(5, to_millis(s.updated_at))
            .run();
    }
    proto::Result<void> apply_one(const HistoryRow& t) {
        return statements_.append_history.bind(1, t.device.value)
            .bind(2, t.attribute)
            .bind(3, dump(proto::to_json(t.value)))
            .bind(4, to_millis(t.at))
            .bind(5, proto::to_string(t.cause.cause))
            .bind(6, t.cause.id)
            .run();
    }
    proto::Result<void> apply_one(const TraceRow& t) {
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
    proto::Result<void> apply_one(const NotificationRow& t) {
        if (auto r = statements_.append_notification.bind(1, to_millis(t.at)).bind(2, dump(t.body)).run(); !r) return r;
        return statements_.trim_notifications.bind(1, to_limit(options_.notifications_kept)).run();
    }

    void set_synchronous(Synchronous wanted) {
        if (wanted == synchronous_) return;
        const char* sql = wanted == Synchronous::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
        if (exec(db_.get(), sql)) synchronous_ = wanted;
    }

    void finish(std::vector<Task>& batch, const std::vector<proto::Result<void>>& results) {
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

    // Nothing may escape into the writer thread: a throwing completion or post loses only itself.
    void report(Completion done, proto::Result<void> result) noexcept {
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

    // Writer thread only.
    Connection db_;
    WriterStatements statements_;
    const StoreOptions options_;
    const Post post_;
    Synchronous synchronous_ = Synchronous::normal;

    // Guarded by mutex_.
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable flushed_;
    std::deque<Task> queue_;
    std::map<proto::DeviceId, std::shared_ptr<PendingState>> pending_state_;
    std::size_t droppable_ = 0;
    std::uint64_t enqueued_ = 0;
    std::uint64_t processed_ = 0;
    std::uint64_t written_ = 0;
    std::uint64_t dropped_ = 0;
    std::uint64_t commits_ = 0;
    std::uint64_t failed_ = 0;
    std::chrono::microseconds last_latency_{0};
    bool stopping_ = false;

    std::thread thread_;  // last: starts once everything above is built
};

class StoreReader {
public:
    explicit StoreReader(Connection db) : db_(std::move(db)) {}

    proto::Result<StoredHome> load(const std::function<void(StoredDevice&&)>* on_device) {
        std::lock_guard lock(mutex_);
        // One read transaction, so that the home is loaded from a single committed snapshot.
        if (auto r = exec(db_.get(), "BEGIN"); !r) return r.error();
        StoredHome home;
        auto r = load_areas(home);
        if (r) r = load_devices(home, on_device);
        if (r) r = load_documents("SELECT collection, id, body, updated_at FROM documents ORDER BY collection, id",
                                  {}, home.documents, &home.problems);
        exec(db_.get(), "COMMIT");
        if (!r) return r.error();
        return home;
    }

    proto::Result<std::vector<Document>> documents(std::string_view collection) {
        std::lock_guard lock(mutex_);
        std::vector<Document> out;
        std::vector<std::string> problems;
        const std::string sql = "SELECT collection, id, body, updated_at FROM documents WHERE collection = ?1 ORDER BY id";
        if (auto r = load_documents(sql, {collection}, out, &problems); !r) return r.error();
        if (!problems.empty()) return make_error(Errc::storage_failed, problems.front());
        return out;
    }

    proto::Result<std::optional<Document>> document(std::string_view collection, std::string_view id) {
        std::lock_guard lock(mutex_);
        std::vector<Document> out;
        std::vector<std::string> problems;
        const std::string sql =
            "SELECT collection, id, body, updated_at FROM documents WHERE collection = ?1 AND id = ?2";
        if (auto r = load_documents(sql, {collection, id}, out, &problems); !r) return r.error();
        if (!problems.empty()) return make_error(Errc::storage_failed, problems.front());
        if (out.empty()) return std::optional<Document>{};
        return std::optional<Document>{std::move(out.front())};
    }

    proto::Result<std::vector<HistoryPoint>> history(const proto::DeviceId& device, std::string_view attribute,
                                                     TimePoint from, TimePoint to, std::size_t limit) {
        std::lock_guard lock(mutex_);
        const bool one_attribute = !attribute.empty();
        auto q = Statement::prepare(
            db_.get(), one_attribute
                           ? "SELECT attribute, value, at, cause, context FROM history WHERE device = ?1 AND attribute = ?2 "
                             "AND at >= ?3 AND at < ?4 ORDER BY at DESC, rowid DESC LIMIT ?5"
                           : "SELECT attribute, value, at, cause, context FROM history WHERE device = ?1 "
                             "AND at >= ?3 AND at < ?4 ORDER BY at DESC, rowid DESC LIMIT ?5");
        if (!q) return q.error();
        q->bind(1, device.value).bind(3, to_millis(from)).bind(4, to_millis(to)).bind(5, to_limit(limit));
        if (one_attribute) q->bind(2, attribute);
        std::vector<HistoryPoint> out;
        for (;;) {
            const auto row = q->next();
            if (!row) return row.error();
            if (!*row) break;
            const auto json = parse_stored(q->text(1));
            const auto value = json ? proto::value_from_json(*json) : std::nullopt;
            if (!value) continue;
            out.push_back(HistoryPoint{q->text(0), *value, from_millis(q->integer(2)),
                                       proto::cause_from(q->text(3)).value_or(proto::Cause::device), q->text(4)});
        }
        std::ranges::reverse(out);
        return out;
    }

    proto::Result<std::vector<Trace>> traces(const proto::RuleId& rule, std::size_t limit) {
        std::lock_guard lock(mutex_);
        auto q = Statement::prepare(db_.get(), rule.empty()
                                                   ? "SELECT id, rule, at, body FROM traces "
                                                     "ORDER BY at DESC, id DESC LIMIT ?2"
                                                   : "SELECT id, rule, at, body FROM traces WHERE rule = ?1 "
                                                     "ORDER BY at DESC, id DESC LIMIT ?2");
        if (!q) return q.error();
        q->bind(2, to_limit(limit));
        if (!rule.empty()) q->bind(1, rule.value);
        std::vector<Trace> out;
        for (;;) {
            const auto row = q->next();
            if (!row) return row.error();
            if (!*row) break;
            auto body = parse_stored(q->text(3));
            out.push_back(Trace{q->integer(0), proto::RuleId{q->text(1)}, from_millis(q->integer(2)),
                                body ? std::move(*body) : nlohmann::json()});
        }
        return out;
    }

    proto::Result<std::vector<Trace>> device_traces(const proto::DeviceId& device, std::size_t limit) {
        std::lock_guard lock(mutex_);
        auto q = Statement::prepare(db_.get(),
                                    "SELECT t.id, t.rule, t.at, t.body FROM trace_devices d JOIN traces t ON t.id = d.trace "
                                    "WHERE d.device = ?1 ORDER BY d.at DESC, t.id DESC LIMIT ?2");
        if (!q) return q.error();
        q->bind(1, device.value).bind(2, to_limit(limit));
        std::vector<Trace> out;
        for (;;) {
            const auto row = q->next();
            if (!row) return row.error();
            if (!*row) break;
            auto body = parse_stored(q->text(3));
            out.push_back(Trace{q->integer(0), proto::RuleId{q->text(1)}, from_millis(q->integer(2)),
                                body ? std::move(*body) : nlohmann::json()});
        }
        return out;
    }

    proto::Result<std::vector<Notification>> notifications(std::size_t limit) {
        std::lock_guard lock(mutex_);
        auto q = Statement::prepare(db_.get(), "SELECT id, at, body FROM notifications ORDER BY at DESC, id DESC LIMIT ?1");
        if (!q) return q.error();
        q->bind(1, to_limit(limit));
        std::vector<Notification> out;
        for (;;) {
            const auto row = q->next();
            if (!row) return row.error();
            if (!*row) break;
            auto body = parse_stored(q->text(2));
            out.push_back(Notification{q->integer(0), from_millis(q->integer(1)), body ? std::move(*body) : nlohmann::json()});
        }
        return out;
    }

private:
    proto::Result<void> load_areas(StoredHome& home) {
        auto q = Statement::prepare(db_.get(), "SELECT id, body FROM areas ORDER BY id");
        if (!q) return q.error();
        for (;;) {
            const auto row = q->next();
            if (!row) return row.error();
            if (!*row) return {};
            const auto id = q->text(0);
            const auto json = parse_stored(q->text(1));
            auto area = json ? proto::area_from_json(*json)
                             : proto::Result<proto::Area>(make_error(Errc::bad_json, "not valid JSON"));
            if (!area) {
                home.problems.push_back("area '" + id + "' cannot be read back: " + area.error().message);
                continue;
            }
            home.areas.push_back(std::move(*area));
        }
    }

    proto::Result<void> load_devices(StoredHome& home, const std::function<void(StoredDevice&&)>* on_device) {
        auto q = Statement::prepare(db_.get(),
                                    "SELECT d.id, d.description, d.problem, s.attributes, s.version, s.availability, "
                                    "s.updated_at FROM devices d LEFT JOIN device_state s ON s.device = d.id "
                                    "ORDER BY d.id");
        if (!q) return q.error();
        for (;;) {
            const auto row = q->next();
            if (!row) return row.error();
            if (!*row) return {};
            StoredDevice device{proto::DeviceId{q->text(0)}, nlohmann::json(), q->text(2), std::nullopt};
            if (auto description = parse_stored(q->text(1)))
                device.description = std::move(*description);
            else
                home.problems.push_back("device '" + device.id.value + "' has a description that is not valid JSON");
            if (!q->is_null(3)) device.state = read_state(*q, device.id, home.problems);
            if (on_device) (*on_device)(std::move(device));
            else home.devices.push_back(std::move(device));
        }
    }

    static DeviceState read_state(const Statement& q, const proto::DeviceId& id, std::vector<std::string>& problems) {
        DeviceState state;
        state.version = static_cast<std::uint64_t>(q.integer(4));
        state.availability = availability_from(q.text(5)).value_or(devices::Availability::unknown);
        state.updated_at = from_millis(q.integer(6));
        const auto attributes = parse_stored(q.text(3));
        if (!attributes || !attributes->is_object()) {
            problems.push_back("device '" + id.value + "' has stored state that is not a JSON object");
            return state;
        }
        for (const auto& [name, json] : attributes->items()) {
            if (auto value = proto::value_from_json(json))
                state.attributes.emplace(name, std::move(*value));
            else
                problems.push_back("device '" + id.value + "' has a stored value of '" + name + "' that is not a scalar");
        }
        return state;
    }

    proto::Result<void> load_documents(const std::string& sql, std::initializer_list<std::string_view> params,
                                       std::vector<Document>& out, std::vector<std::string>* problems) {
        auto q = Statement::prepare(db_.get(), sql);
        if (!q) return q.error();
        int index = 1;
        for (const auto p : params) q->bind(index++, p);
        for (;;) {
            const auto row = q->next();
            if (!row) return row.error();
            if (!*row) return {};
            Document d{q->text(0), q->text(1), nlohmann::json(), from_millis(q->integer(3))};
            auto body = parse_stored(q->text(2));
            if (!body) {
                problems->push_back("document '" + d.collection + "/" + d.id + "' is not valid JSON");
                continue;
            }
            d.body = std::move(*body);
            out.push_back(std::move(d));
        }
    }

    std::mutex mutex_;
    Connection db_;
};

proto::Result<std::unique_ptr<Store>> Store::open(StoreOptions options, Post post) {
    auto write_db = open_connection(options.path, options);
    if (!write_db) return write_db.error();
    if (auto migrated = migrate(write_db->get(), schema_migrations()); !migrated) {
        auto error = migrated.error();
        error.message = "cannot open the database '" + options.path.string() + "': " + error.message;
        error.field = "path";
        return error;
    }
    auto statements = WriterStatements::prepare(write_db->get());
    if (!statements) return statements.error();
    auto read_db = open_connection(options.path, options);
    if (!read_db) return read_db.error();
    if (auto r = exec(read_db->get(), "PRAGMA query_only = ON"); !r) return r.error();

    auto reader = std::make_unique<StoreReader>(std::move(*read_db));
    auto writer = std::make_unique<StoreWriter>(std::move(*write_db), std::move(*statements), options, std::move(post));
    return std::unique_ptr<Store>(new Store(std::move(options.path), std::move(writer), std::move(reader)));
}

Store::Store(std::filesystem::path path, std::unique_ptr<StoreWriter> writer, std::unique_ptr<StoreReader> reader)
    : path_(std::move(path)), writer_(std::move(writer)), reader_(std::move(reader)) {}

Store::~Store() = default;

void Store::put_document(std::string collection, std::string id, nlohmann::json body, TimePoint updated_at,
                         Completion done) {
    if (!proto::is_valid_id(collection))
        return writer_->reject(std::move(done), make_error(Errc::invalid_field,
                                                           "a collection name is 1–64 lowercase letters, digits, "
                                                           "'_', '-' or '.', not '" + collection + "'",
                                                           "collection"));
    if (!is_valid_document_id(id))
        return writer_->reject(std::move(done),
                               make_error(Errc::invalid_field, "a document id is 1–256 bytes long", "id"));
    writer_->push_configuration(
        PutDocument{std::move(collection), std::move(id), std::move(body), updated_at, std::move(done)});
}

void Store::erase_document(std::string collection, std::string id, Completion done) {
    writer_->push_configuration(EraseDocument{std::move(collection), std::move(id), std::move(done)});
}

void Store::put_area(proto::Area area, Completion done) {
    if (!proto::is_valid_id(area.id.value))
        return writer_->reject(std::move(done),
                               make_error(Errc::invalid_field, "invalid area id '" + area.id.value + "'", "id"));
    writer_->push_configuration(PutArea{std::move(area), std::move(done)});
}

void Store::remove_area(proto::AreaId id, Completion done) {
    writer_->push_configuration(RemoveArea{std::move(id), std::move(done)});
}

void Store::put_device(const proto::DeviceDescription& description, std::string problem, Completion done) {
    put_device(description.id, proto::to_json(description), std::move(problem), std::move(done));
}

void Store::put_device(proto::DeviceId id, nlohmann::json description, std::string problem, Completion done) {
    if (!proto::is_valid_id(id.value))
        return writer_->reject(std::move(done),
                               make_error(Errc::invalid_field, "invalid device id '" + id.value + "'", "id"));
    writer_->push_configuration(PutDevice{std::move(id), std::move(description), std::move(problem), std::move(done)});
}

void Store::remove_device(proto::DeviceId id, Completion done) {
    writer_->push_configuration(RemoveDevice{std::move(id), std::move(done)});
}

void Store::prune(TimePoint now, Completion done) { writer_->push_configuration(Prune{now, std::move(done)}); }

void Store::put_state(const proto::DeviceId& device, DeviceState state) { writer_->push_state(device, std::move(state)); }

Admission Store::append_history(const proto::DeviceId& device, std::string attribute, proto::Value value,
                                TimePoint at, proto::Context cause) {
    return writer_->push_droppable(HistoryRow{device, std::move(attribute), std::move(value), at, std::move(cause)});
}

Admission Store::append_trace(const proto::RuleId& rule, TimePoint at, nlohmann::json body,
                              std::vector<proto::DeviceId> devices) {
    return writer_->push_droppable(TraceRow{rule, at, std::move(body), std::move(devices)});
}

Admission Store::append_notification(TimePoint at, nlohmann::json body) {
    return writer_->push_droppable(NotificationRow{at, std::move(body)});
}

void Store::flush() { writer_->flush(); }

StoreStats Store::stats() const { return writer_->stats(); }

proto::Result<StoredHome> Store::load() const { return reader_->load(nullptr); }

proto::Result<StoredHome> Store::load(const std::function<void(StoredDevice&&)>& on_device) const {
    return reader_->load(&on_device);
}

proto::Result<std::vector<Document>> Store::documents(std::string_view collection) const {
    return reader_->documents(collection);
}

proto::Result<std::optional<Document>> Store::document(std::string_view collection, std::string_view id) const {
    return reader_->document(collection, id);
}

proto::Result<std::vector<HistoryPoint>> Store::history(const proto::DeviceId& device, std::string_view attribute,
                                                        TimePoint from, TimePoint to, std::size_t limit) const {
    return reader_->history(device, attribute, from, to, limit);
}

proto::Result<std::vector<Trace>> Store::traces(const proto::RuleId& rule, std::size_t limit) const {
    return reader_->traces(rule, limit);
}

proto::Result<std::vector<Trace>> Store::device_traces(const proto::DeviceId& device, std::size_t limit) const {
    return reader_->device_traces(device, limit);
}

proto::Result<std::vector<Notification>> Store::notifications(std::size_t limit) const {
    return reader_->notifications(limit);
}

}  // namespace hearth::hub
