#pragma once
// The store's SQLite plumbing, shared by the writer (store_writer.cpp), the reader
// (store_reader.cpp) and the facade (store.cpp): connections, prepared statements and the
// encodings of columns. Internal to the store.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hub/store_types.hpp"

namespace hearth::hub::storage {

std::int64_t to_millis(TimePoint t);
TimePoint from_millis(std::int64_t ms);

// A string that is not valid UTF-8 must not make the writer throw: it is stored with U+FFFD.
std::string dump(const nlohmann::json& j);

std::int64_t to_limit(std::size_t n);

/// The connection's last error as a value: Errc::storage_full when the disk is full (SQLITE_FULL,
/// or an I/O error caused by ENOSPC), otherwise Errc::storage_failed; `what` names the step.
proto::Error sqlite_failure(sqlite3* db, std::string_view what);

struct ConnectionCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

proto::Result<void> exec(sqlite3* db, const char* sql);

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
    /// Valid until the next step or reset.
    std::string_view text_view(int column) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column)))
                 : std::string_view();
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

proto::Result<Connection> open_connection(const std::filesystem::path& path, const StoreOptions& options);

std::optional<devices::Availability> availability_from(std::string_view s);

std::optional<nlohmann::json> parse_stored(const std::string& text);

}  // namespace hearth::hub::storage
