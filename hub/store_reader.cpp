#include "hub/store_reader.hpp"

#include <algorithm>

namespace hearth::hub {

using proto::Errc;
using proto::make_error;
using namespace storage;

StoreReader::StoreReader(Connection db) : db_(std::move(db)) {}

proto::Result<StoredHome> StoreReader::load(const std::function<void(StoredDevice&&)>* on_device) {
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

proto::Result<std::vector<Document>> StoreReader::documents(std::string_view collection) {
    std::lock_guard lock(mutex_);
    std::vector<Document> out;
    std::vector<std::string> problems;
    const std::string sql = "SELECT collection, id, body, updated_at FROM documents WHERE collection = ?1 ORDER BY id";
    if (auto r = load_documents(sql, {collection}, out, &problems); !r) return r.error();
    if (!problems.empty()) return make_error(Errc::storage_failed, problems.front());
    return out;
}

proto::Result<std::optional<Document>> StoreReader::document(std::string_view collection, std::string_view id) {
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

proto::Result<std::vector<HistoryPoint>> StoreReader::history(const proto::DeviceId& device, std::string_view attribute,
                                                 TimePoint from, TimePoint to, std::size_t limit) {
    std::lock_guard lock(mutex_);
    const bool one_attribute = !attribute.empty();
    auto q = Statement::prepare(
        db_.get(), one_attribute
                       ? "SELECT attribute, value, at, cause, context, source, parent FROM history WHERE device = ?1 AND attribute = ?2 "
                         "AND at >= ?3 AND at < ?4 ORDER BY at DESC, rowid DESC LIMIT ?5"
                       : "SELECT attribute, value, at, cause, context, source, parent FROM history WHERE device = ?1 "
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
                                   proto::cause_from(q->text(3)).value_or(proto::Cause::device), q->text(4), q->text(5),
                                   q->text(6)});
    }
    std::ranges::reverse(out);
    return out;
}

proto::Result<void> StoreReader::change_log(TimePoint from, TimePoint to,
                                            const std::function<void(ChangeLogDictionary&&)>& on_dictionary,
                                            const std::function<void(const LoggedChange&)>& on_change) {
    std::lock_guard lock(mutex_);
    // One read transaction: the rows never name a dictionary entry the snapshot lacks.
    if (auto r = exec(db_.get(), "BEGIN"); !r) return r.error();
    auto r = read_change_log(from, to, on_dictionary, on_change);
    exec(db_.get(), "COMMIT");
    return r;
}

proto::Result<void> StoreReader::read_change_log(TimePoint from, TimePoint to,
                                                 const std::function<void(ChangeLogDictionary&&)>& on_dictionary,
                                                 const std::function<void(const LoggedChange&)>& on_change) {
    ChangeLogDictionary dictionary;
    auto keys = Statement::prepare(db_.get(), "SELECT id, device, attribute FROM change_keys ORDER BY id");
    if (!keys) return keys.error();
    for (;;) {
        const auto row = keys->next();
        if (!row) return row.error();
        if (!*row) break;
        dictionary.keys.push_back(ChangeKey{keys->integer(0), proto::DeviceId{keys->text(1)}, keys->text(2)});
    }
    auto causes = Statement::prepare(db_.get(), "SELECT id, cause, source FROM change_causes ORDER BY id");
    if (!causes) return causes.error();
    for (;;) {
        const auto row = causes->next();
        if (!row) return row.error();
        if (!*row) break;
        dictionary.causes.push_back(ChangeCause{causes->integer(0),
                                                proto::cause_from(causes->text(1)).value_or(proto::Cause::device),
                                                causes->text(2)});
    }
    on_dictionary(std::move(dictionary));
    // The log has no index on time: rows are appended in time order and read whole, so a scan is
    // what every read of it costs anyway, and an index would double the bytes per change.
    auto q = Statement::prepare(db_.get(),
                                "SELECT at, key, cause, value FROM change_log WHERE at >= ?1 AND at < ?2 ORDER BY rowid");
    if (!q) return q.error();
    q->bind(1, to_millis(from)).bind(2, to_millis(to));
    for (;;) {
        const auto row = q->next();
        if (!row) return row.error();
        if (!*row) break;
        on_change(LoggedChange{q->integer(0), q->integer(1), q->integer(2), q->text_view(3)});
    }
    return {};
}

namespace {

/// The rows of a query selecting (id, rule, at, body) from traces.
proto::Result<std::vector<Trace>> read_traces(Statement& q) {
    std::vector<Trace> out;
    for (;;) {
        const auto row = q.next();
        if (!row) return row.error();
        if (!*row) break;
        auto body = parse_stored(q.text(3));
        out.push_back(Trace{q.integer(0), proto::RuleId{q.text(1)}, from_millis(q.integer(2)),
                            body ? std::move(*body) : nlohmann::json()});
    }
    return out;
}

}  // namespace

proto::Result<std::vector<Trace>> StoreReader::traces(const proto::RuleId& rule, std::size_t limit) {
    std::lock_guard lock(mutex_);
    auto q = Statement::prepare(db_.get(), rule.empty()
                                               ? "SELECT id, rule, at, body FROM traces "
                                                 "ORDER BY at DESC, id DESC LIMIT ?2"
                                               : "SELECT id, rule, at, body FROM traces WHERE rule = ?1 "
                                                 "ORDER BY at DESC, id DESC LIMIT ?2");
    if (!q) return q.error();
    q->bind(2, to_limit(limit));
    if (!rule.empty()) q->bind(1, rule.value);
    return read_traces(*q);
}

proto::Result<std::vector<Trace>> StoreReader::device_traces(const proto::DeviceId& device, std::size_t limit) {
    std::lock_guard lock(mutex_);
    auto q = Statement::prepare(db_.get(),
                                "SELECT t.id, t.rule, t.at, t.body FROM trace_devices d JOIN traces t ON t.id = d.trace "
                                "WHERE d.device = ?1 ORDER BY d.at DESC, t.id DESC LIMIT ?2");
    if (!q) return q.error();
    q->bind(1, device.value).bind(2, to_limit(limit));
    return read_traces(*q);
}

proto::Result<std::vector<Notification>> StoreReader::notifications(std::size_t limit) {
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

proto::Result<void> StoreReader::load_areas(StoredHome& home) {
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

proto::Result<void> StoreReader::load_devices(StoredHome& home, const std::function<void(StoredDevice&&)>* on_device) {
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

DeviceState StoreReader::read_state(const Statement& q, const proto::DeviceId& id, std::vector<std::string>& problems) {
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

proto::Result<void> StoreReader::load_documents(const std::string& sql, std::initializer_list<std::string_view> params,
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

}  // namespace hearth::hub
