#pragma once
// SQLite persistence for the hub: one database file in WAL mode, a writer thread that owns the
// write connection and commits queued tasks in batches, and reads on the caller's thread through
// a second connection. docs/storage.md describes the schema and the durability rules.
//
// Writes never touch the disk on the caller's thread. Configuration writes (documents, areas,
// devices, pruning) are never dropped and report through a Completion that runs only after the
// commit is durable. Last-known device state is coalesced per device. History, trace and
// notification rows are dropped, and counted, when the queue is full.
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "hub/store_types.hpp"
#include "proto/area.hpp"
#include "proto/context.hpp"
#include "proto/device.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"
#include "proto/value.hpp"

namespace hearth::hub {

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
    /// `devices` (rules::devices_of). A trace recorded again (`id` non-empty and equal) while its
    /// earlier record still waits for the writer replaces that record instead of queueing a second.
    Admission append_trace(std::string id, const proto::RuleId& rule, TimePoint at, nlohmann::json body,
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
    /// The change log from <= at < to, in the order written (time order): first its dictionaries
    /// (`on_dictionary`), then each row (`on_change`), from one committed snapshot. Reads the whole
    /// log (it has no time index) and holds the read connection meanwhile: for the miner's worker.
    proto::Result<void> change_log(TimePoint from, TimePoint to,
                                   const std::function<void(ChangeLogDictionary&&)>& on_dictionary,
                                   const std::function<void(const LoggedChange&)>& on_change) const;
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
