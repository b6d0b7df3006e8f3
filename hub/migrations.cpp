#include "hub/migrations.hpp"

#include <sqlite3.h>

#include <string>

namespace hearth::hub {

using proto::Errc;
using proto::make_error;

namespace {

// STRICT tables make SQLite refuse a value of the wrong type instead of silently storing it.
// Times are integer milliseconds since the Unix epoch.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE areas (
    id   TEXT PRIMARY KEY,
    body TEXT NOT NULL CHECK (json_valid(body))
) STRICT, WITHOUT ROWID;

CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    description TEXT NOT NULL CHECK (json_valid(description)),
    problem     TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

CREATE TABLE device_state (
    device       TEXT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
    attributes   TEXT NOT NULL CHECK (json_valid(attributes)),
    version      INTEGER NOT NULL,
    availability TEXT NOT NULL CHECK (availability IN ('unknown', 'online', 'offline')),
    updated_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE documents (
    collection TEXT NOT NULL,
    id         TEXT NOT NULL,
    body       TEXT NOT NULL CHECK (json_valid(body)),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (collection, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE history (
    device    TEXT NOT NULL,
    attribute TEXT NOT NULL,
    value     TEXT NOT NULL,
    at        INTEGER NOT NULL
) STRICT;
CREATE INDEX history_by_attribute ON history (device, attribute, at);
CREATE INDEX history_by_time ON history (at);

CREATE TABLE traces (
    id   INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    at   INTEGER NOT NULL,
    body TEXT NOT NULL
) STRICT;
CREATE INDEX traces_by_rule ON traces (rule, at);
CREATE INDEX traces_by_time ON traces (at);

CREATE TABLE notifications (
    id   INTEGER PRIMARY KEY,
    at   INTEGER NOT NULL,
    body TEXT NOT NULL
) STRICT;
)sql";

// Every change carries its cause; traces are found by the devices they are about.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE history ADD COLUMN cause TEXT NOT NULL DEFAULT 'device';
ALTER TABLE history ADD COLUMN context TEXT NOT NULL DEFAULT '';

CREATE TABLE trace_devices (
    trace  INTEGER NOT NULL REFERENCES traces (id) ON DELETE CASCADE,
    device TEXT NOT NULL,
    at     INTEGER NOT NULL
) STRICT;
CREATE INDEX trace_devices_by_device ON trace_devices (device, at);
CREATE INDEX trace_devices_by_trace ON trace_devices (trace);
)sql";

// The full cause of each history row (which token, utterance, rule or scene; the context it
// followed from), and the change log: every change and its cause, compact enough to keep for years
// after the history's 30 days (devices and attributes, causes and sources are stored once each in
// the dictionaries and referred to by number).
constexpr const char* kVersion3 = R"sql(
ALTER TABLE history ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE history ADD COLUMN parent TEXT NOT NULL DEFAULT '';

CREATE TABLE change_keys (
    id        INTEGER PRIMARY KEY,
    device    TEXT NOT NULL,
    attribute TEXT NOT NULL,
    UNIQUE (device, attribute)
) STRICT;

CREATE TABLE change_causes (
    id     INTEGER PRIMARY KEY,
    cause  TEXT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (cause, source)
) STRICT;

CREATE TABLE change_log (
    at    INTEGER NOT NULL,
    key   INTEGER NOT NULL,
    value TEXT NOT NULL,
    cause INTEGER NOT NULL
) STRICT;
)sql";

constexpr Migration kMigrations[] = {
    {1, kVersion1},
    {2, kVersion2},
    {3, kVersion3},
};

proto::Error sqlite_failure(sqlite3* db, const std::string& what) {
    return make_error(Errc::storage_failed, what + ": " + sqlite3_errmsg(db));
}

proto::Result<void> exec(sqlite3* db, const std::string& sql, const std::string& what) {
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return sqlite_failure(db, what);
    return {};
}

proto::Result<int> user_version(sqlite3* db) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK)
        return sqlite_failure(db, "cannot read the schema version");
    const int rc = sqlite3_step(stmt);
    const int version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) return sqlite_failure(db, "cannot read the schema version");
    return version;
}

bool numbered_from_one(std::span<const Migration> migrations) {
    for (std::size_t i = 0; i < migrations.size(); ++i)
        if (migrations[i].version != static_cast<int>(i) + 1) return false;
    return true;
}

proto::Result<MigrationOutcome> apply(sqlite3* db, std::span<const Migration> migrations) {
    const auto current = user_version(db);
    if (!current) return current.error();
    const int latest = static_cast<int>(migrations.size());
    if (*current > latest)
        return make_error(Errc::storage_failed,
                          "the database has schema version " + std::to_string(*current) +
                              ", newer than this Hearth understands (" + std::to_string(latest) +
                              "); run a newer Hearth or use another database file");
    if (*current < 0)
        return make_error(Errc::storage_failed, "the database has a negative schema version");
    for (int v = *current + 1; v <= latest; ++v) {
        const auto& m = migrations[static_cast<std::size_t>(v - 1)];
        if (auto r = exec(db, std::string(m.sql), "schema migration " + std::to_string(v) + " failed"); !r)
            return r.error();
    }
    if (*current != latest) {
        if (auto r = exec(db, "PRAGMA user_version = " + std::to_string(latest), "cannot set the schema version"); !r)
            return r.error();
    }
    return MigrationOutcome{*current, latest};
}

}  // namespace

std::span<const Migration> schema_migrations() noexcept { return kMigrations; }

int schema_version() noexcept { return static_cast<int>(std::size(kMigrations)); }

proto::Result<MigrationOutcome> migrate(sqlite3* db, std::span<const Migration> migrations) {
    if (!numbered_from_one(migrations))
        return make_error(Errc::internal, "migrations must be numbered 1, 2, 3, … without gaps");
    // IMMEDIATE takes the write lock before user_version is read, so two processes opening the
    // same file cannot both decide to run the same step.
    if (auto r = exec(db, "BEGIN IMMEDIATE", "cannot start the schema transaction"); !r) return r.error();
    auto outcome = apply(db, migrations);
    if (!outcome) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return outcome;
    }
    if (auto r = exec(db, "COMMIT", "cannot commit the schema"); !r) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return r.error();
    }
    return outcome;
}

}  // namespace hearth::hub
