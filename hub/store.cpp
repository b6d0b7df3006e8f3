#include "hub/store.hpp"

#include <utility>

#include "hub/migrations.hpp"
#include "hub/store_connection.hpp"
#include "hub/store_reader.hpp"
#include "hub/store_writer.hpp"

namespace hearth::hub {

using proto::Errc;
using proto::make_error;
using namespace storage;

namespace {

bool is_valid_document_id(std::string_view id) { return !id.empty() && id.size() <= 256; }

}  // namespace

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

Admission Store::append_trace(std::string id, const proto::RuleId& rule, TimePoint at, nlohmann::json body,
                              std::vector<proto::DeviceId> devices) {
    return writer_->push_droppable(TraceRow{std::move(id), rule, at, std::move(body), std::move(devices)});
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

proto::Result<void> Store::change_log(TimePoint from, TimePoint to,
                                      const std::function<void(ChangeLogDictionary&&)>& on_dictionary,
                                      const std::function<void(const LoggedChange&)>& on_change) const {
    return reader_->change_log(from, to, on_dictionary, on_change);
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