#pragma once
// The database schema as an ordered list of migrations, and the runner that brings a database up
// to date when it is opened. The schema version lives in `PRAGMA user_version`.
#include <span>
#include <string_view>

#include "proto/errc.hpp"

struct sqlite3;

namespace hearth::hub {

/// One schema step: `sql` takes a database at `version - 1` to `version`.
struct Migration {
    int version = 0;
    std::string_view sql;
};

/// Hearth's schema, oldest first, versions 1, 2, 3, … without gaps. Append only: a migration that
/// has shipped is never edited, a change is a new migration.
std::span<const Migration> schema_migrations() noexcept;

/// The version the newest of `schema_migrations()` produces.
int schema_version() noexcept;

/// What `migrate` did.
struct MigrationOutcome {
    int from_version = 0;
    int to_version = 0;
};

/// Applies every migration newer than the database's user_version, in order, in one transaction,
/// and sets user_version to the last one. Nothing changes when the database is current. A
/// database newer than `migrations` knows is refused (Errc::storage_failed) and left untouched;
/// a failing step rolls every step back. `migrations` must be numbered 1, 2, 3, … (Errc::internal
/// otherwise). The connection must not be inside a transaction.
proto::Result<MigrationOutcome> migrate(sqlite3* db, std::span<const Migration> migrations);

}  // namespace hearth::hub
