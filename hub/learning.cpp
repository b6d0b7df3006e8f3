#include "hub/learning.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include <unordered_map>

#include "hub/log.hpp"
#include "hub/store.hpp"
#include "scenes/calendar.hpp"

namespace hearth::hub {

using proto::Errc;

namespace {

constexpr std::string_view kCollection = "suggestions";
constexpr int kWorkerNice = 10;

}  // namespace

ControllableKeys controllable(const devices::Registry& registry) {
    ControllableKeys out;
    for (const auto* device : registry.list()) {
        for (const auto& c : device->description.capabilities)
            if (proto::has(c.access, proto::Access::write)) out.emplace(device->description.id.value, c.attribute);
    }
    return out;
}

proto::Result<learn::Snapshot> read_snapshot(const Store& store, const ControllableKeys& keys, TimePoint from, TimePoint to,
                                            std::size_t& rows) {
    learn::Snapshot snapshot;
    std::unordered_map<std::int64_t, const ChangeKey*> key_of;
    std::unordered_map<std::int64_t, proto::Cause> cause_of;
    ChangeLogDictionary dictionary;
    std::unordered_map<std::string, std::uint32_t> target_of;
    std::string lookup;
    auto read = store.change_log(
        from, to,
        [&](ChangeLogDictionary&& d) {
            dictionary = std::move(d);
            for (const auto& k : dictionary.keys)
                if (keys.contains(std::pair{k.device.value, k.attribute})) key_of.emplace(k.id, &k);
            for (const auto& c : dictionary.causes) cause_of.emplace(c.id, c.cause);
        },
        [&](const LoggedChange& row) {
            ++rows;
            const auto key = key_of.find(row.key);
            const auto cause = cause_of.find(row.cause);
            if (key == key_of.end() || cause == cause_of.end()) return;
            lookup.assign(std::to_string(row.key)).append(1, '\n').append(row.value);
            auto [it, inserted] = target_of.try_emplace(lookup, static_cast<std::uint32_t>(snapshot.targets.size()));
            if (inserted) {
                const auto json = nlohmann::json::parse(row.value, nullptr, false);
                const auto value = json.is_discarded() ? std::nullopt : proto::value_from_json(json);
                snapshot.targets.push_back(learn::Target{key->second->device, key->second->attribute,
                                                         value.value_or(proto::Value{})});
            }
            snapshot.actions.push_back(learn::Action{row.at_ms, it->second, cause->second});
        });
    if (!read) return read.error();
    return snapshot;
}

struct Learning::Result {
    proto::Result<std::vector<learn::Routine>> routines = std::vector<learn::Routine>{};
    MiningPass pass;
};

Learning::Learning(boost::asio::io_context& io, LearningLinks links, LearningOptions options)
    : io_(io), links_(std::move(links)), options_(options), nightly_(io) {}

Learning::~Learning() {
    nightly_.cancel();
    if (worker_.joinable()) worker_.join();
}

void Learning::start(const std::vector<Document>& documents, std::vector<std::string>& problems) {
    for (const auto& doc : documents) {
        if (doc.collection != kCollection) continue;
        auto s = learn::suggestion_from_json(doc.body);
        if (!s) {
            problems.push_back("suggestion '" + doc.id + "' cannot be read: " + s.error().message);
            continue;
        }
        book_.add(std::move(*s));
    }
    arm_nightly();
}

void Learning::arm_nightly() {
    const auto now = links_.clock.now();
    const auto next = scenes::next_local(now, options_.nightly, scenes::Place(0, 0, links_.time_zone()));
    nightly_.expires_after(links_.clock.real(next - now));
    nightly_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || !alive.lock()) return;
        mine();
        arm_nightly();
    });
}

bool Learning::mine(std::function<void(const MiningPass&)> done) {
    if (running_) return false;
    if (worker_.joinable()) worker_.join();
    running_ = true;
    manual_since_pass_ = 0;
    last_started_ = std::chrono::steady_clock::now();
    const auto now = links_.clock.now();
    worker_ = std::thread([this, keys = controllable(links_.registry), zone = links_.time_zone(), now,
                           options = options_.routines, &store = links_.store, alive = std::weak_ptr<bool>(alive_),
                           done = std::move(done)]() mutable {
        // Mining is background work: readings, rules and commands come first.
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kWorkerNice);
        const auto started = std::chrono::steady_clock::now();
        auto result = std::make_shared<Result>();
        try {
            auto snapshot = read_snapshot(store, keys, now - options.look_back, now, result->pass.changes_read);
            if (!snapshot) {
                result->routines = snapshot.error();
            } else {
                result->pass.actions = snapshot->actions.size();
                result->routines = learn::find_routines(*snapshot, now, zone, options);
            }
        } catch (const std::exception& e) {
            result->routines = proto::make_error(Errc::internal, std::string("mining failed: ") + e.what());
        }
        result->pass.took =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        result->pass.finished = now;
        boost::asio::post(io_, [this, alive, result, done = std::move(done)]() mutable {
            if (!alive.lock()) return;
            finish(result, std::move(done));
        });
    });
    return true;
}

void Learning::finish(std::shared_ptr<Result> result, std::function<void(const MiningPass&)> done) {
    running_ = false;
    if (!result->routines) {
        log::warning("learning: {}", result->routines.error().message);
    } else {
        result->pass.routines = result->routines->size();
        const auto merged = book_.merge(*result->routines, result->pass.finished);
        for (const auto& id : merged.changed) save(*book_.find(id), {});
        for (const auto& id : merged.dropped) links_.store.erase_document(std::string(kCollection), id);
    }
    last_ = result->pass;
    if (done) done(last_);
}

void Learning::save(const learn::Suggestion& suggestion, Answer done) {
    auto body = learn::to_json(suggestion, links_.time_zone());
    links_.store.put_document(std::string(kCollection), suggestion.id, body, links_.clock.now(),
                              [body, done = std::move(done)](proto::Result<void> r) {
                                  if (!done) return;
                                  if (!r) return done(r.error());
                                  done(ok(body));
                              });
}

nlohmann::json Learning::suggestions_json() const {
    auto list = nlohmann::json::array();
    for (const auto& [id, s] : book_.all()) list.push_back(learn::to_json(s, links_.time_zone()));
    nlohmann::json out = {{"suggestions", std::move(list)}, {"mining", running_}};
    if (last_.finished != TimePoint{}) {
        out["last_pass"] = {{"changes_read", last_.changes_read},
                            {"actions", last_.actions},
                            {"routines", last_.routines},
                            {"took_ms", last_.took.count()}};
    }
    return out;
}

proto::Result<nlohmann::json> Learning::suggestion_json(const std::string& id) const {
    const auto* s = book_.find(id);
    if (!s) return proto::make_error(Errc::not_found, "no suggestion '" + id + "'", "id");
    return ok(learn::to_json(*s, links_.time_zone()));
}

void Learning::accept(const std::string& id, Answer done) {
    const auto* s = book_.find(id);
    if (!s) return done(proto::make_error(Errc::not_found, "no suggestion '" + id + "'", "id"));
    if (s->state == learn::SuggestionState::accepted || s->state == learn::SuggestionState::dismissed)
        return done(proto::make_error(Errc::conflict, "suggestion '" + id + "' was already " +
                                                           std::string(learn::to_string(s->state))));
    const auto rule = learn::rule_for(*s);
    const auto rule_id = rule["id"].get<std::string>();
    // The suggestion is marked accepted once the rule is saved, never before.
    links_.put_rule(rule, [this, id, rule_id, alive = std::weak_ptr<bool>(alive_),
                           done = std::move(done)](proto::Result<nlohmann::json> created) {
        if (!alive.lock()) return;
        if (!created) return done(created.error());
        auto accepted = book_.accept(id, rule_id);
        if (!accepted) return done(accepted.error());
        save(**accepted, [done, created = *created](proto::Result<nlohmann::json> saved) {
            if (!saved) return done(saved.error());
            done(ok({{"suggestion", *saved}, {"rule", created}}));
        });
    });
}

void Learning::dismiss(const std::string& id, Answer done) {
    auto s = book_.dismiss(id);
    if (!s) return done(s.error());
    save(**s, std::move(done));
}

void Learning::snooze(const std::string& id, std::chrono::hours for_hours, Answer done) {
    auto s = book_.snooze(id, links_.clock.now() + for_hours);
    if (!s) return done(s.error());
    save(**s, std::move(done));
}

void Learning::state_changed(const devices::StateChange&, const proto::Context& cause, TimePoint) {
    if (!learn::is_manual(cause.cause)) return;
    if (++manual_since_pass_ < options_.batch) return;
    if (std::chrono::steady_clock::now() - last_started_ < options_.min_gap) return;
    mine();
}

}  // namespace hearth::hub
