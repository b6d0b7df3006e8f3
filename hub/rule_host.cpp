#include "hub/rule_host.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>

#include "hub/answer.hpp"
#include "hub/automation_documents.hpp"
#include "hub/context_id.hpp"
#include "hub/log.hpp"

namespace hearth::hub {

using proto::Errc;
using nlohmann::json;

namespace {

// The timer wakes at least this often, so a wall-clock jump is noticed.
constexpr auto kMaxSleep = std::chrono::seconds(30);

/// Traces are appended again when a confirmation arrives: keep the newest row per trace id.
json newest_per_id(const std::vector<Trace>& rows, std::size_t limit) {
    std::set<std::string> seen;
    auto out = json::array();
    for (const auto& row : rows) {
        const auto id = row.body.value("id", "");
        if (!seen.insert(id).second) continue;
        out.push_back(row.body);
        if (out.size() >= limit) break;
    }
    return out;
}

}  // namespace

// The trace of something the hub did at once on its own account (a scene, an undo, a voice
// request): what was sent; the caller adds the steps that say why.
rules::Trace immediate_trace(const std::string& context_id, const std::string& rule, json trigger, const Sent& sent,
                             scenes::TimePoint t) {
    rules::Trace trace;
    trace.id = context_id;
    trace.rule = proto::RuleId{rule};
    trace.started = t;
    trace.finished = t;
    trace.trigger = std::move(trigger);
    for (const auto& [device, command] : sent) trace.commands.push_back({device, command, std::nullopt, {}, {}, {}, std::nullopt});
    trace.outcome = rules::Outcome::ran;
    return trace;
}

class RuleHost::Timer {
public:
    explicit Timer(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
};

RuleHost::RuleHost(boost::asio::io_context& io, const devices::Registry& registry, Store& store, LiveFeed& live,
                   UndoHistory& undo, rules::TraceBook& traces, const Clock& clock, Transmit transmit)
    : io_(io),
      registry_(registry),
      store_(store),
      live_(live),
      undo_(undo),
      traces_(traces),
      clock_(clock),
      transmit_(std::move(transmit)),
      timer_(std::make_unique<Timer>(io)) {}

RuleHost::~RuleHost() = default;

scenes::TimePoint RuleHost::now() const { return clock_.now(); }

void RuleHost::create_engine(const scenes::SceneBook& scenes, const scenes::Place& place) {
    rules::EngineConfig config;
    config.place = place;
    config.context_prefix = "rule-" + new_context_id().substr(0, 10);
    engine_ = std::make_unique<rules::Engine>(registry_, scenes, *this, traces_, config);
}

void RuleHost::resume(const std::vector<Document>& documents) {
    for (const auto& d : documents) {
        if (d.collection == documents::kAutomation && d.id == documents::kPending && !d.body.is_null()) pending_ = d.body;
    }
}

void RuleHost::start() {
    if (started_) return;
    started_ = true;
    if (!pending_.is_null()) {
        for (const auto& e : engine_->resume(std::exchange(pending_, nullptr), now())) {
            log::warning("pending timers: {}", e.message);
        }
    }
    engine_->start(now());
    after_engine();
}

void RuleHost::stop() {
    if (!started_) return;
    started_ = false;
    timer_->timer.cancel();
    save_pending();
}

// ---- time and persistence ----

void RuleHost::after_engine() {
    if (!started_) return;
    arm_timer();
    schedule_save();
}

void RuleHost::arm_timer() {
    const auto next = engine_->next_wake();
    auto& timer = timer_->timer;
    if (!next) {
        timer.cancel();
        return;
    }
    const auto delay = std::clamp<std::chrono::steady_clock::duration>(
        clock_.real(*next - now()), std::chrono::steady_clock::duration::zero(), kMaxSleep);
    timer.expires_after(delay);
    timer.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !started_) return;
        try {
            engine_->advance(now());
        } catch (const std::exception& e) {
            log::error("rules: {}", e.what());
        }
        after_engine();
    });
}

void RuleHost::schedule_save() {
    if (save_scheduled_) return;
    save_scheduled_ = true;
    boost::asio::post(io_, [this] {
        save_scheduled_ = false;
        if (started_) save_pending();
    });
}

void RuleHost::save_pending() {
    if (!engine_) return;
    auto pending = engine_->export_pending();
    auto text = pending.dump();
    if (text == saved_pending_) return;
    saved_pending_ = std::move(text);
    store_.put_document(documents::kAutomation, documents::kPending, std::move(pending), now());
}

// ---- inputs ----

void RuleHost::state_changed(const devices::StateChange& change) {
    if (!started_) return;
    engine_->handle(change, now());
    after_engine();
}

void RuleHost::availability_changed(const proto::DeviceId& device, devices::Availability before,
                                    devices::Availability after) {
    if (!started_) return;
    engine_->handle_availability(device, before, after, now());
    after_engine();
}

void RuleHost::device_event(const proto::DeviceId& device, std::string_view event, const proto::Attributes& data) {
    if (!started_ || event.empty()) return;
    engine_->handle_event(device, event, data, now());
    after_engine();
}

proto::Result<json> RuleHost::fire_webhook(const std::string& id) {
    if (!proto::is_valid_id(id)) {
        return proto::make_error(Errc::invalid_field, "a webhook id is 1–64 lowercase letters, digits, '_', '-' or '.'", "id");
    }
    const auto count = engine_->fire_webhook(id, now());
    after_engine();
    return ok(json{{"webhook", id}, {"rules", count}});
}

// ---- effects ----

proto::Result<void> RuleHost::send(const scenes::DeviceCommand& command, const proto::Context&) {
    return transmit_(command.device, command.command);
}

void RuleHost::notify(const rules::Notification& notification) {
    auto body = rules::to_json(notification);
    store_.append_notification(notification.at, body);
    live_.publish("notification", "", std::move(body));
}

void RuleHost::push_undo(scenes::Snapshot snapshot) { undo_.push(std::move(snapshot)); }

void RuleHost::record(const rules::Trace& trace) {
    if (trace.outcome != rules::Outcome::running) runs_.add({std::string(rules::to_string(trace.outcome))});
    rerecord(trace);
}

void RuleHost::rerecord(const rules::Trace& trace) {
    auto body = rules::to_json(trace);
    store_.append_trace(trace.id, trace.rule, trace.started, body, rules::devices_of(trace));
    live_.publish("trace", "", std::move(body));
}

void RuleHost::status_changed(const rules::RuleStatus& status) {
    live_.publish("rule", "", rules::to_json(status));
}

void RuleHost::record_own(rules::Trace trace) {
    rerecord(trace);
    traces_.keep(std::move(trace));
}

// ---- trace queries ----

proto::Result<json> RuleHost::rule_traces(const proto::RuleId& id, std::size_t limit) const {
    auto rows = store_.traces(id, 1000);
    if (!rows) return rows.error();
    return ok(json{{"rule", id.value}, {"traces", newest_per_id(*rows, limit)}});
}

proto::Result<json> RuleHost::device_traces(const proto::DeviceId& device, std::size_t limit) const {
    // A trace recorded again after a confirmation has several rows: fetch enough for `limit` distinct ones.
    auto rows = store_.device_traces(device, limit * 4);
    if (!rows) return rows.error();
    return ok(json{{"device", device.value}, {"traces", newest_per_id(*rows, limit)}});
}

}  // namespace hearth::hub
