#include "hub/store.hpp"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>
#include <tuple>

#include "hub/migrations.hpp"
#include "hub/store_connection.hpp"

using namespace hearth;
using namespace hearth::hub;
using namespace std::chrono_literals;
using proto::DeviceId;
using proto::Errc;

namespace {

const TimePoint kT0 = TimePoint{} + 1'700'000'000'000ms;

class TempDir {
public:
    TempDir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() / ("hearth-store-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::filesystem::path file(const std::string& name = "hearth.db") const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// Stands in for the hub's io_context: completions posted from the writer run here, on the test thread.
class HubThread {
public:
    Post post() {
        return [this](std::function<void()> f) {
            {
                std::lock_guard lock(mutex_);
                queue_.push_back(std::move(f));
            }
            ready_.notify_all();
        };
    }

    bool run_until(const std::function<bool()>& done, std::chrono::seconds timeout = 20s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done()) {
            std::unique_lock lock(mutex_);
            if (!ready_.wait_until(lock, deadline, [&] { return !queue_.empty(); })) return false;
            auto f = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            f();
        }
        return true;
    }

    std::thread::id id() const { return std::this_thread::get_id(); }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> queue_;
};

bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::yield();
    }
    return true;
}

// A second, independent connection, as another process would open the file.
class RawDb {
public:
    explicit RawDb(const std::filesystem::path& path) {
        REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
        sqlite3_busy_timeout(db_, 20'000);
    }
    ~RawDb() { sqlite3_close(db_); }

    void exec(const std::string& sql) {
        char* message = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
        INFO(sql << ": " << (message ? message : ""));
        sqlite3_free(message);
        REQUIRE(rc == SQLITE_OK);
    }

    std::optional<std::string> text(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
        std::optional<std::string> out;
        if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
            out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        return out;
    }

    std::int64_t integer(const std::string& sql) { return std::stoll(text(sql).value_or("-1")); }
    sqlite3* get() { return db_; }

private:
    sqlite3* db_ = nullptr;
};

StoreOptions options_for(const std::filesystem::path& path) {
    StoreOptions o;
    o.path = path;
    o.busy_timeout = 30s;
    return o;
}

std::unique_ptr<Store> open_store(const StoreOptions& options, Post post = {}) {
    auto store = Store::open(options, std::move(post));
    if (!store) FAIL(store.error());
    return std::move(*store);
}

proto::DeviceDescription lamp(const std::string& id, const std::string& area = "bedroom") {
    return proto::description_from_json(nlohmann::json{
                                            {"id", id},
                                            {"name", {{"zh", "台灯"}, {"en", "Lamp"}}},
                                            {"area", area},
                                            {"kind", "light"},
                                            {"capabilities", {"on", "brightness"}},
                                        })
        .value();
}

proto::Area area(const std::string& id, const std::string& en) { return proto::Area{proto::AreaId{id}, {"", en}, std::nullopt}; }

// Holds the database's write lock from another connection, so the writer stalls in BEGIN.
class WriteLock {
public:
    explicit WriteLock(const std::filesystem::path& path) : db_(path) { db_.exec("BEGIN IMMEDIATE"); }
    void release() {
        if (held_) db_.exec("COMMIT");
        held_ = false;
    }
    ~WriteLock() {
        if (held_) sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr);
    }

private:
    RawDb db_;
    bool held_ = true;
};

// Queues one history row and waits until the writer has taken it, so that the writer is now
// waiting for the lock and everything queued next waits in the queue.
void stall_writer(Store& store) {
    store.append_history(DeviceId{"bait"}, "on", true, kT0);
    REQUIRE(eventually([&] { return store.stats().queue_depth == 0; }));
}

}  // namespace

TEST_CASE("Every table round-trips through a reopened database") {
    TempDir dir;
    const auto options = options_for(dir.file());
    {
        auto store = open_store(options);
        store->put_area(area("bedroom", "Bedroom"));
        store->put_device(lamp("lamp-1"));
        store->put_device(DeviceId{"odd"}, nlohmann::json{{"id", "odd"}, {"kind", "toaster"}}, "unknown kind 'toaster'");
        store->put_state(DeviceId{"lamp-1"}, DeviceState{{{"on", true}, {"brightness", 42.5}},
                                                         7,
                                                         devices::Availability::online,
                                                         kT0 + 5ms});
        store->put_document("scenes", "sleep", nlohmann::json{{"name", "睡眠"}, {"targets", {1, 2}}}, kT0);
        store->append_history(DeviceId{"lamp-1"}, "brightness", 10.0, kT0);
        store->append_history(DeviceId{"lamp-1"}, "brightness", 20.0, kT0 + 1s);
        store->append_history(DeviceId{"lamp-1"}, "on", true, kT0 + 2s);
        store->append_history(DeviceId{"lamp-1"}, "mode", std::string("reading"), kT0 + 3s);
        store->append_trace("", proto::RuleId{"night"}, kT0, nlohmann::json{{"result", "ran"}});
        store->append_notification(kT0, nlohmann::json{{"text", "门没关"}});
    }
    auto store = open_store(options);
    const auto home = store->load();
    REQUIRE(home.has_value());
    CHECK(home->problems.empty());
    REQUIRE(home->areas.size() == 1);
    CHECK(home->areas[0] == area("bedroom", "Bedroom"));
    REQUIRE(home->devices.size() == 2);
    const auto& lamp1 = home->devices[0];
    CHECK(lamp1.id.value == "lamp-1");
    CHECK(proto::description_from_json(lamp1.description).value() == lamp("lamp-1"));
    CHECK(lamp1.problem.empty());
    REQUIRE(lamp1.state.has_value());
    CHECK(*lamp1.state == DeviceState{{{"on", true}, {"brightness", 42.5}}, 7, devices::Availability::online,
                                      kT0 + 5ms});
    CHECK(home->devices[1].id.value == "odd");
    CHECK(home->devices[1].problem == "unknown kind 'toaster'");
    CHECK(home->devices[1].description["kind"] == "toaster");
    CHECK_FALSE(home->devices[1].state.has_value());
    REQUIRE(home->documents.size() == 1);
    CHECK(home->documents[0].collection == "scenes");
    CHECK(home->documents[0].id == "sleep");
    CHECK(home->documents[0].body["name"] == "睡眠");
    CHECK(home->documents[0].updated_at == kT0);

    const auto brightness = store->history(DeviceId{"lamp-1"}, "brightness", kT0, kT0 + 1h, 100);
    REQUIRE(brightness.has_value());
    REQUIRE(brightness->size() == 2);
    CHECK((*brightness)[0].value == proto::Value{10.0});
    CHECK((*brightness)[1].at == kT0 + 1s);
    const auto all = store->history(DeviceId{"lamp-1"}, "", kT0, kT0 + 1h, 100);
    REQUIRE(all.has_value());
    REQUIRE(all->size() == 4);
    CHECK((*all)[2].value == proto::Value{true});
    CHECK((*all)[3].value == proto::Value{std::string("reading")});

    const auto traces = store->traces(proto::RuleId{"night"}, 10);
    REQUIRE(traces.has_value());
    REQUIRE(traces->size() == 1);
    CHECK((*traces)[0].body["result"] == "ran");
    CHECK((*traces)[0].at == kT0);
    const auto notifications = store->notifications(10);
    REQUIRE(notifications.has_value());
    REQUIRE(notifications->size() == 1);
    CHECK((*notifications)[0].body["text"] == "门没关");
}

TEST_CASE("A configuration write completes on the hub thread only after a fresh connection sees it") {
    TempDir dir;
    HubThread hub;
    auto store = open_store(options_for(dir.file()), hub.post());
    bool done = false;
    std::optional<std::string> seen;
    std::thread::id ran_on;
    store->put_document("rules", "night", nlohmann::json{{"when", "22:00"}}, kT0, [&](proto::Result<void> r) {
        REQUIRE(r.has_value());
        ran_on = std::this_thread::get_id();
        RawDb fresh(dir.file());
        seen = fresh.text("SELECT body FROM documents WHERE collection = 'rules' AND id = 'night'");
        done = true;
    });
    REQUIRE(hub.run_until([&] { return done; }));
    CHECK(ran_on == std::this_thread::get_id());
    REQUIRE(seen.has_value());
    CHECK(nlohmann::json::parse(*seen)["when"] == "22:00");

    bool erased = false;
    store->erase_document("rules", "night", [&](proto::Result<void> r) {
        REQUIRE(r.has_value());
        RawDb fresh(dir.file());
        CHECK(fresh.integer("SELECT count(*) FROM documents") == 0);
        erased = true;
    });
    REQUIRE(hub.run_until([&] { return erased; }));
    const auto docs = store->documents("rules");
    REQUIRE(docs.has_value());
    CHECK(docs->empty());
}

TEST_CASE("A hub restart gets the registry back from the store") {
    TempDir dir;
    const auto options = options_for(dir.file());
    devices::Registry before;
    before.upsert_area(area("bedroom", "Bedroom"));
    before.upsert_area(area("kitchen", "Kitchen"));
    before.upsert(lamp("lamp-1"));
    before.upsert(lamp("lamp-2", "kitchen"));
    REQUIRE(before.apply_state(DeviceId{"lamp-1"}, {{"on", true}, {"brightness", 30.0}}).has_value());
    REQUIRE(before.set_availability(DeviceId{"lamp-1"}, devices::Availability::online).has_value());
    {
        auto store = open_store(options);
        for (const auto* a : before.areas()) store->put_area(*a);
        for (const auto* d : before.list()) {
            store->put_device(d->description, d->problem);
            store->put_state(d->description.id, DeviceState{d->state, d->version, d->availability, kT0});
        }
    }

    auto store = open_store(options);
    const auto home = store->load();
    REQUIRE(home.has_value());
    devices::Registry after;
    for (const auto& a : home->areas) after.upsert_area(a);
    for (const auto& d : home->devices) {
        after.upsert(proto::description_from_json(d.description).value());
        if (d.state) {
            REQUIRE(after.apply_state(d.id, d.state->attributes).has_value());
            REQUIRE(after.set_availability(d.id, d.state->availability).has_value());
        }
    }
    REQUIRE(after.areas().size() == 2);
    REQUIRE(after.size() == 2);
    for (const auto* d : before.list()) {
        const auto* restored = after.find(d->description.id);
        REQUIRE(restored != nullptr);
        CHECK(restored->description == d->description);
        CHECK(restored->state == d->state);
        CHECK(restored->availability == d->availability);
    }
}

TEST_CASE("Closing the store commits everything still queued") {
    TempDir dir;
    const auto options = options_for(dir.file());
    {
        auto store = open_store(options);
        for (int i = 0; i < 500; ++i)
            store->put_document("timers", "t" + std::to_string(i), nlohmann::json{{"n", i}}, kT0);
        for (int i = 0; i < 500; ++i) store->append_history(DeviceId{"lamp-1"}, "brightness", double(i), kT0 + i * 1ms);
    }
    RawDb db(dir.file());
    CHECK(db.integer("SELECT count(*) FROM documents") == 500);
    CHECK(db.integer("SELECT count(*) FROM history") == 500);
}

TEST_CASE("Migrations run once and record the schema version") {
    TempDir dir;
    const auto options = options_for(dir.file());
    open_store(options).reset();
    {
        RawDb db(dir.file());
        CHECK(db.integer("PRAGMA user_version") == schema_version());
        CHECK(db.text("PRAGMA journal_mode") == "wal");
    }
    auto store = open_store(options);  // a second run of migration 1 would fail: its tables exist
    RawDb db(dir.file());
    CHECK(db.integer("PRAGMA user_version") == schema_version());
}

TEST_CASE("Only the migrations newer than the database run, in order") {
    TempDir dir;
    RawDb db(dir.file());
    const Migration first[] = {{1, "CREATE TABLE a (x INTEGER)"}};
    const auto one = migrate(db.get(), first);
    REQUIRE(one.has_value());
    CHECK(one->from_version == 0);
    CHECK(one->to_version == 1);
    const Migration both[] = {{1, "CREATE TABLE a (x INTEGER)"}, {2, "ALTER TABLE a ADD COLUMN y TEXT"}};
    const auto two = migrate(db.get(), both);
    REQUIRE(two.has_value());
    CHECK(two->from_version == 1);
    CHECK(two->to_version == 2);
    CHECK(db.integer("PRAGMA user_version") == 2);
    db.exec("INSERT INTO a (x, y) VALUES (1, 'one')");
    const auto again = migrate(db.get(), both);
    REQUIRE(again.has_value());
    CHECK(again->from_version == 2);
}

TEST_CASE("A failing migration rolls back every step of the run") {
    TempDir dir;
    RawDb db(dir.file());
    const Migration broken[] = {{1, "CREATE TABLE a (x INTEGER)"}, {2, "CREATE TABLE oops ("}};
    const auto r = migrate(db.get(), broken);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::storage_failed);
    CHECK_THAT(r.error().message, Catch::Contains("schema migration 2 failed"));
    CHECK(db.integer("PRAGMA user_version") == 0);
    CHECK_FALSE(db.text("SELECT name FROM sqlite_master WHERE name = 'a'").has_value());

    const Migration gap[] = {{1, "SELECT 1"}, {3, "SELECT 1"}};
    CHECK(migrate(db.get(), gap).error().code == Errc::internal);
}

TEST_CASE("A database written by a newer Hearth is refused and left untouched") {
    TempDir dir;
    {
        RawDb db(dir.file());
        db.exec("PRAGMA user_version = 99");
    }
    const auto store = Store::open(options_for(dir.file()), {});
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().code == Errc::storage_failed);
    CHECK_THAT(store.error().message, Catch::Contains("schema version 99, newer than this Hearth understands"));
    CHECK_THAT(store.error().message, Catch::Contains(dir.file().string()));
    RawDb db(dir.file());
    CHECK(db.integer("PRAGMA user_version") == 99);
    CHECK_FALSE(db.text("SELECT name FROM sqlite_master WHERE name = 'devices'").has_value());
}

TEST_CASE("A file that is not a SQLite database gives a clear startup error") {
    TempDir dir;
    {
        std::ofstream out(dir.file());
        for (int i = 0; i < 200; ++i) out << "this is a home description, not a database\n";
    }
    const auto store = Store::open(options_for(dir.file()), {});
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().code == Errc::storage_failed);
    CHECK(store.error().field == "path");
    CHECK_THAT(store.error().message, Catch::Contains("cannot open the database '" + dir.file().string() + "'"));
    CHECK_THAT(store.error().message, Catch::Contains("file is not a database"));
}

TEST_CASE("A database in a folder that does not exist gives a clear startup error") {
    TempDir dir;
    const auto store = Store::open(options_for(dir.file("missing/hearth.db")), {});
    REQUIRE_FALSE(store.has_value());
    CHECK_THAT(store.error().message, Catch::Contains("missing/hearth.db"));
    CHECK_THAT(store.error().message, Catch::Contains("unable to open database file"));
}

TEST_CASE("History is dropped and counted, never waited for, when the queue is full") {
    TempDir dir;
    auto options = options_for(dir.file());
    options.queue_capacity = 8;
    HubThread hub;
    auto store = open_store(options, hub.post());
    WriteLock lock(dir.file());
    stall_writer(*store);

    int queued = 0;
    int dropped = 0;
    for (int i = 0; i < 20; ++i) {
        const auto admission = store->append_history(DeviceId{"lamp-1"}, "brightness", double(i), kT0 + i * 1ms);
        (admission == Admission::queued ? queued : dropped)++;
    }
    CHECK(queued == 8);
    CHECK(dropped == 12);
    CHECK(store->append_trace("", proto::RuleId{"r"}, kT0, nlohmann::json::object()) == Admission::dropped);
    CHECK(store->append_notification(kT0, nlohmann::json::object()) == Admission::dropped);

    // Configuration is never dropped, even now.
    bool saved = false;
    store->put_document("tokens", "phone", nlohmann::json{{"hash", "x"}}, kT0, [&](proto::Result<void> r) {
        CHECK(r.has_value());
        saved = true;
    });
    CHECK(store->stats().queue_depth == 9);
    CHECK(store->stats().rows_dropped == 14);

    lock.release();
    REQUIRE(hub.run_until([&] { return saved; }));
    store->flush();
    const auto stats = store->stats();
    CHECK(stats.rows_written == 1 + 8 + 1);
    CHECK(stats.rows_dropped == 14);
    CHECK(stats.queue_depth == 0);
    CHECK(stats.failed_writes == 0);
    const auto points = store->history(DeviceId{"lamp-1"}, "brightness", kT0, kT0 + 1h, 100);
    REQUIRE(points.has_value());
    REQUIRE(points->size() == 8);
    CHECK(points->back().value == proto::Value{7.0});
}

TEST_CASE("Only the newest queued state of a device is written") {
    TempDir dir;
    auto store = open_store(options_for(dir.file()));
    store->put_device(lamp("lamp-1"));
    store->flush();
    WriteLock lock(dir.file());
    stall_writer(*store);
    for (std::uint64_t v = 1; v <= 50; ++v)
        store->put_state(DeviceId{"lamp-1"}, DeviceState{{{"brightness", double(v)}}, v, devices::Availability::online, kT0});
    CHECK(store->stats().queue_depth == 1);
    lock.release();
    store->flush();
    const auto home = store->load();
    REQUIRE(home.has_value());
    REQUIRE(home->devices.at(0).state.has_value());
    CHECK(home->devices[0].state->version == 50);
    CHECK(home->devices[0].state->attributes.at("brightness") == proto::Value{50.0});
    CHECK(store->stats().rows_written == 1 + 1 + 1);
}

TEST_CASE("A trace recorded again before it is written replaces its queued record") {
    TempDir dir;
    auto store = open_store(options_for(dir.file()));
    WriteLock lock(dir.file());
    stall_writer(*store);
    const std::vector<DeviceId> lamp{DeviceId{"lamp-1"}};
    store->append_trace("run-1", proto::RuleId{"night"}, kT0, nlohmann::json{{"outcome", "running"}}, lamp);
    store->append_trace("run-1", proto::RuleId{"night"}, kT0, nlohmann::json{{"outcome", "ran"}}, lamp);
    store->append_trace("run-2", proto::RuleId{"night"}, kT0 + 1s, nlohmann::json{{"outcome", "ran"}}, lamp);
    CHECK(store->stats().queue_depth == 2);
    lock.release();
    store->flush();
    const auto traces = store->traces(proto::RuleId{"night"}, 10);
    REQUIRE(traces.has_value());
    REQUIRE(traces->size() == 2);
    CHECK(traces->at(1).body == nlohmann::json{{"outcome", "ran"}});
    const auto by_device = store->device_traces(DeviceId{"lamp-1"}, 10);
    REQUIRE(by_device.has_value());
    CHECK(by_device->size() == 2);
}

TEST_CASE("Readings wait for the commit window to share a transaction, configuration never waits") {
    TempDir dir;
    HubThread hub;
    auto options = options_for(dir.file());
    options.commit_window = std::chrono::hours(1);
    auto store = open_store(options, hub.post());
    bool saved = false;
    store->put_document("scenes", "sleep", nlohmann::json::object(), kT0, [&](proto::Result<void> r) {
        REQUIRE(r.has_value());
        saved = true;
    });
    REQUIRE(hub.run_until([&] { return saved; }));
    const auto commits = store->stats().commits;
    for (int i = 0; i < 3; ++i) store->append_history(DeviceId{"lamp-1"}, "brightness", double(i), kT0 + i * 1s);
    store->flush();  // does not wait the hour out either
    CHECK(store->stats().commits == commits + 1);
    CHECK(store->stats().rows_written == 1 + 3);
}

TEST_CASE("State is kept only for stored devices and goes with the device") {
    TempDir dir;
    auto store = open_store(options_for(dir.file()));
    const DeviceState on{{{"on", true}}, 1, devices::Availability::online, kT0};
    store->put_state(DeviceId{"ghost"}, on);
    store->put_device(lamp("lamp-1"));
    store->put_state(DeviceId{"lamp-1"}, on);
    store->flush();
    RawDb db(dir.file());
    CHECK(db.integer("SELECT count(*) FROM device_state") == 1);

    store->put_device(lamp("lamp-1", "kitchen"));  // an update keeps the state
    store->flush();
    CHECK(db.integer("SELECT count(*) FROM device_state") == 1);

    store->remove_device(DeviceId{"lamp-1"});
    store->put_state(DeviceId{"lamp-1"}, on);  // late state of a removed device
    store->flush();
    CHECK(db.integer("SELECT count(*) FROM devices") == 0);
    CHECK(db.integer("SELECT count(*) FROM device_state") == 0);
    CHECK(store->stats().failed_writes == 0);
}

TEST_CASE("Retention deletes old history and traces and keeps the newest traces and notifications") {
    TempDir dir;
    auto options = options_for(dir.file());
    options.history_retention = 24h;
    options.trace_retention = 48h;
    options.traces_per_rule = 3;
    options.notifications_kept = 2;
    auto store = open_store(options);
    const auto now = kT0 + 100h;
    store->append_history(DeviceId{"s"}, "temperature", 20.0, now - 25h);
    store->append_history(DeviceId{"s"}, "temperature", 21.0, now - 23h);
    store->append_trace("", proto::RuleId{"old"}, now - 49h, nlohmann::json{{"n", 0}});
    for (int i = 1; i <= 5; ++i) store->append_trace("", proto::RuleId{"busy"}, now - 1h + i * 1s, nlohmann::json{{"n", i}});
    for (int i = 1; i <= 4; ++i) store->append_notification(now + i * 1s, nlohmann::json{{"n", i}});
    store->flush();

    auto busy = store->traces(proto::RuleId{"busy"}, 10);
    REQUIRE(busy.has_value());
    REQUIRE(busy->size() == 3);
    CHECK((*busy)[0].body["n"] == 5);
    CHECK((*busy)[2].body["n"] == 3);
    const auto notes = store->notifications(10);
    REQUIRE(notes.has_value());
    REQUIRE(notes->size() == 2);
    CHECK((*notes)[0].body["n"] == 4);

    bool pruned = false;
    store->prune(now, [&](proto::Result<void> r) { pruned = r.has_value(); });
    store->flush();
    CHECK(pruned);
    const auto points = store->history(DeviceId{"s"}, "temperature", TimePoint{}, now, 10);
    REQUIRE(points.has_value());
    REQUIRE(points->size() == 1);
    CHECK(points->front().value == proto::Value{21.0});
    CHECK(store->traces(proto::RuleId{"old"}, 10)->empty());
    CHECK(store->traces(proto::RuleId{}, 10)->size() == 3);
}

TEST_CASE("History queries honour the range and return the newest points up to the limit") {
    TempDir dir;
    auto store = open_store(options_for(dir.file()));
    for (int i = 0; i < 10; ++i) store->append_history(DeviceId{"s"}, "temperature", double(i), kT0 + i * 1s);
    store->append_history(DeviceId{"other"}, "temperature", 99.0, kT0 + 5s);
    store->flush();
    const auto range = store->history(DeviceId{"s"}, "temperature", kT0 + 2s, kT0 + 8s, 100);
    REQUIRE(range.has_value());
    REQUIRE(range->size() == 6);
    CHECK(range->front().value == proto::Value{2.0});
    CHECK(range->back().value == proto::Value{7.0});
    const auto newest = store->history(DeviceId{"s"}, "temperature", kT0, kT0 + 1h, 3);
    REQUIRE(newest.has_value());
    REQUIRE(newest->size() == 3);
    CHECK(newest->front().value == proto::Value{7.0});
    CHECK(newest->back().value == proto::Value{9.0});
}

TEST_CASE("Bad input to a configuration write is reported and changes nothing") {
    TempDir dir;
    HubThread hub;
    auto store = open_store(options_for(dir.file()), hub.post());
    std::vector<proto::Error> errors;
    const auto collect = [&](proto::Result<void> r) {
        REQUIRE_FALSE(r.has_value());
        errors.push_back(r.error());
    };
    store->put_document("Bad Collection", "x", nlohmann::json::object(), kT0, collect);
    store->put_document("scenes", "", nlohmann::json::object(), kT0, collect);
    store->put_area(area("Not An Id", "x"), collect);
    store->put_device(DeviceId{"a/b"}, nlohmann::json::object(), "", collect);
    REQUIRE(hub.run_until([&] { return errors.size() == 4; }));
    CHECK(errors[0].field == "collection");
    CHECK(errors[1].field == "id");
    for (const auto& e : errors) CHECK(e.code == Errc::invalid_field);
    store->flush();
    RawDb db(dir.file());
    CHECK(db.integer("SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM areas) + "
                     "(SELECT count(*) FROM devices)") == 0);
}

TEST_CASE("A write SQLite refuses fails alone and the rest of its batch commits") {
    TempDir dir;
    HubThread hub;
    auto store = open_store(options_for(dir.file()), hub.post());
    {
        RawDb db(dir.file());
        db.exec("CREATE TRIGGER refuse BEFORE INSERT ON documents WHEN NEW.collection = 'refused' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    }
    WriteLock lock(dir.file());
    stall_writer(*store);
    std::vector<proto::Result<void>> results;
    const auto collect = [&](proto::Result<void> r) { results.push_back(std::move(r)); };
    store->put_document("scenes", "a", nlohmann::json{{"n", 1}}, kT0, collect);
    store->put_document("refused", "b", nlohmann::json{{"n", 2}}, kT0, collect);
    store->put_document("scenes", "c", nlohmann::json{{"n", 3}}, kT0, collect);
    lock.release();
    REQUIRE(hub.run_until([&] { return results.size() == 3; }));
    CHECK(results[0].has_value());
    REQUIRE_FALSE(results[1].has_value());
    CHECK(results[1].error().code == Errc::storage_failed);
    CHECK_THAT(results[1].error().message, Catch::Contains("refused by the test"));
    CHECK(results[2].has_value());
    const auto scenes = store->documents("scenes");
    REQUIRE(scenes.has_value());
    CHECK(scenes->size() == 2);
    CHECK(store->stats().failed_writes == 1);
}

TEST_CASE("Reads run beside the writer while it commits") {
    TempDir dir;
    auto options = options_for(dir.file());
    options.queue_capacity = 1'000'000;
    options.batch_limit = 200;
    auto store = open_store(options);
    std::atomic<bool> writing = true;
    std::thread producer([&] {
        for (int i = 0; i < 20'000; ++i)
            store->append_history(DeviceId{"s"}, "temperature", double(i), kT0 + i * 1ms);
        writing = false;
    });
    std::size_t last = 0;
    int reads = 0;
    while (writing || reads < 5) {
        const auto points = store->history(DeviceId{"s"}, "temperature", kT0, kT0 + 1h, 1'000'000);
        REQUIRE(points.has_value());
        CHECK(points->size() >= last);
        last = points->size();
        ++reads;
    }
    producer.join();
    store->flush();
    const auto points = store->history(DeviceId{"s"}, "temperature", kT0, kT0 + 1h, 1'000'000);
    REQUIRE(points.has_value());
    CHECK(points->size() == 20'000);
    CHECK(store->stats().commits > 1);
}

TEST_CASE("Text that is not valid UTF-8 is stored with replacement characters instead of failing") {
    TempDir dir;
    HubThread hub;
    auto store = open_store(options_for(dir.file()), hub.post());
    std::optional<proto::Result<void>> result;
    store->put_document("scenes", "broken", nlohmann::json{{"name", std::string("caf\xC3", 4)}}, kT0,
                        [&](proto::Result<void> r) { result = std::move(r); });
    store->append_history(DeviceId{"s"}, "mode", std::string("\xFF\xFE"), kT0);
    REQUIRE(hub.run_until([&] { return result.has_value(); }));
    CHECK(result->has_value());
    store->flush();
    const auto doc = store->document("scenes", "broken");
    REQUIRE(doc.has_value());
    REQUIRE(doc->has_value());
    CHECK((*doc)->body["name"] == "caf\xEF\xBF\xBD");
    const auto points = store->history(DeviceId{"s"}, "mode", kT0, kT0 + 1s, 10);
    REQUIRE(points.has_value());
    CHECK(points->size() == 1);
    CHECK(store->stats().failed_writes == 0);
}

TEST_CASE("A database that cannot grow is reported as storage_full, other failures as storage_failed") {
    TempDir dir;
    RawDb db(dir.file());
    db.exec("CREATE TABLE t (x BLOB)");
    db.exec("PRAGMA max_page_count = " + std::to_string(db.integer("PRAGMA page_count")));
    REQUIRE(sqlite3_exec(db.get(), "INSERT INTO t VALUES (zeroblob(100000))", nullptr, nullptr, nullptr) == SQLITE_FULL);
    const auto full = storage::sqlite_failure(db.get(), "insert");
    CHECK(full.code == Errc::storage_full);
    CHECK_THAT(full.message, Catch::Contains("full"));
    REQUIRE(sqlite3_exec(db.get(), "INSERT INTO nowhere VALUES (1)", nullptr, nullptr, nullptr) == SQLITE_ERROR);
    CHECK(storage::sqlite_failure(db.get(), "insert").code == Errc::storage_failed);
}

TEST_CASE("Every change is kept in the change log with its full cause, past the history's retention") {
    TempDir dir;
    auto options = options_for(dir.file());
    options.history_retention = std::chrono::hours(24);
    auto store = open_store(options);
    const auto now = kT0 + std::chrono::hours(24 * 400);
    store->append_history(DeviceId{"hall.light"}, "on", true, now - std::chrono::hours(24 * 365),
                          proto::Context{"r1.1", "r1", proto::Cause::rule, "dusk"});
    store->append_history(DeviceId{"hall.light"}, "on", false, now - std::chrono::hours(1),
                          proto::Context{"c9", "", proto::Cause::app, "owner"});
    store->append_history(DeviceId{"hall.light"}, "brightness", 40.0, now - std::chrono::minutes(1));
    store->prune(now);
    store->flush();

    const auto points = store->history(DeviceId{"hall.light"}, "on", TimePoint{}, now, 10);
    REQUIRE(points.has_value());
    REQUIRE(points->size() == 1);
    CHECK(points->front().cause == proto::Cause::app);
    CHECK(points->front().source == "owner");
    CHECK(points->front().context_id == "c9");

    ChangeLogDictionary dictionary;
    std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::string>> rows;
    const auto read = store->change_log(
        TimePoint{}, now, [&](ChangeLogDictionary&& d) { dictionary = std::move(d); },
        [&](const LoggedChange& c) { rows.emplace_back(c.at_ms, c.key, c.cause, std::string(c.value)); });
    REQUIRE(read.has_value());
    REQUIRE(rows.size() == 3);
    CHECK(dictionary.keys.size() == 2);
    CHECK(dictionary.causes.size() == 3);
    const auto& [at, key, cause, value] = rows.front();
    CHECK(at == std::chrono::duration_cast<std::chrono::milliseconds>((now - std::chrono::hours(24 * 365)).time_since_epoch()).count());
    CHECK(value == "true");
    const auto k = std::ranges::find(dictionary.keys, key, &ChangeKey::id);
    REQUIRE(k != dictionary.keys.end());
    CHECK(k->device == DeviceId{"hall.light"});
    CHECK(k->attribute == "on");
    const auto c = std::ranges::find(dictionary.causes, cause, &ChangeCause::id);
    REQUIRE(c != dictionary.causes.end());
    CHECK(c->cause == proto::Cause::rule);
    CHECK(c->source == "dusk");
}
