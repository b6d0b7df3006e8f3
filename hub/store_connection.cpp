#include "hub/store_connection.hpp"

#include <algorithm>
#include <cerrno>
#include <limits>

namespace hearth::hub::storage {

using proto::Errc;
using proto::make_error;

std::int64_t to_millis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_millis(std::int64_t ms) { return TimePoint{std::chrono::milliseconds{ms}}; }

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::int64_t to_limit(std::size_t n) {
    return static_cast<std::int64_t>(std::min<std::size_t>(n, std::numeric_limits<std::int64_t>::max()));
}

bool is_disk_full(sqlite3* db) {
    // SQLite says SQLITE_FULL for ENOSPC on its own writes; an ENOSPC met elsewhere (growing the
    // -shm file, a temp file) arrives as an I/O error with the system errno kept beside it.
    const int code = sqlite3_errcode(db);
    return code == SQLITE_FULL || (code == SQLITE_IOERR && sqlite3_system_errno(db) == ENOSPC);
}

proto::Error sqlite_failure(sqlite3* db, std::string_view what) {
    if (is_disk_full(db)) {
        return make_error(Errc::storage_full, std::string("the disk holding the database is full; nothing was saved (") +
                                                  std::string(what) + ": " + sqlite3_errmsg(db) + ")");
    }
    return make_error(Errc::storage_failed, std::string(what) + ": " + sqlite3_errmsg(db));
}

proto::Result<void> exec(sqlite3* db, const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return sqlite_failure(db, sql);
    return {};
}

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

}  // namespace hearth::hub::storage
