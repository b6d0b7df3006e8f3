#pragma once
// The store's reads, on the caller's thread through a read-only connection of their own (shared
// under a lock). Internal to the store.
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/store_connection.hpp"

namespace hearth::hub {

class StoreReader {
public:
    explicit StoreReader(storage::Connection db);
    proto::Result<StoredHome> load(const std::function<void(StoredDevice&&)>* on_device);
    proto::Result<std::vector<Document>> documents(std::string_view collection);
    proto::Result<std::optional<Document>> document(std::string_view collection, std::string_view id);
    proto::Result<std::vector<HistoryPoint>> history(const proto::DeviceId& device, std::string_view attribute,
                                                     TimePoint from, TimePoint to, std::size_t limit);
    proto::Result<std::vector<Trace>> traces(const proto::RuleId& rule, std::size_t limit);
    proto::Result<void> change_log(TimePoint from, TimePoint to,
                                   const std::function<void(ChangeLogDictionary&&)>& on_dictionary,
                                   const std::function<void(const LoggedChange&)>& on_change);
    proto::Result<std::vector<Trace>> device_traces(const proto::DeviceId& device, std::size_t limit);
    proto::Result<std::vector<Notification>> notifications(std::size_t limit);

private:
    proto::Result<void> read_change_log(TimePoint from, TimePoint to,
                                        const std::function<void(ChangeLogDictionary&&)>& on_dictionary,
                                        const std::function<void(const LoggedChange&)>& on_change);
    proto::Result<void> load_areas(StoredHome& home);
    proto::Result<void> load_devices(StoredHome& home, const std::function<void(StoredDevice&&)>* on_device);
    static DeviceState read_state(const storage::Statement& q, const proto::DeviceId& id,
                                  std::vector<std::string>& problems);
    proto::Result<void> load_documents(const std::string& sql, std::initializer_list<std::string_view> params,
                                       std::vector<Document>& out, std::vector<std::string>* problems);

    std::mutex mutex_;
    storage::Connection db_;
};

}  // namespace hearth::hub
