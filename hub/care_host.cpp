#include "hub/care_host.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <memory>

#include "assist/conversation_request.hpp"
#include "care/question.hpp"
#include "hub/context_id.hpp"
#include "hub/log.hpp"
#include "hub/webhook_client.hpp"
#include "proto/json.hpp"
#include "rules/trace.hpp"

namespace hearth::hub {
namespace {

using json = nlohmann::json;
using proto::Errc;

constexpr const char* kCollection = "care";
constexpr const char* kHouseholdDoc = "household";
constexpr const char* kSettingsDoc = "settings";
constexpr const char* kAirTraces = "_care_air";
constexpr const char* kAskTraces = "_care_ask";
constexpr std::size_t kRecentQuestions = 50;
constexpr std::size_t kRecentNotifications = 200;
constexpr std::size_t kRecentActions = 50;
constexpr auto kWebhookDeadline = std::chrono::seconds(5);
constexpr auto kTick = std::chrono::seconds(1);

/// A device with nothing to command only senses: its going silent is worth an alert.
bool is_sensor(const devices::Device& device) {
    const auto& caps = device.description.capabilities;
    return !caps.empty() && std::none_of(caps.begin(), caps.end(), [](const proto::Capability& c) {
        return proto::has(c.access, proto::Access::write);
    });
}

bool can(const devices::Device& device, std::string_view attribute) { return device.description.find(std::string(attribute)) != nullptr; }

std::int64_t millis(care::TimePoint t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(); }

std::string name_of(const devices::Device& device) {
    const auto& n = device.description.name;
    return n.en.empty() ? device.description.id.value : n.en;
}
std::string chinese_name_of(const devices::Device& device) {
    const auto& n = device.description.name;
    return n.zh.empty() ? name_of(device) : n.zh;
}

}  // namespace

CareHost::CareHost(boost::asio::io_context& io, CareLinks links) : io_(io), links_(std::move(links)) {}

void CareHost::start(const std::vector<Document>& documents, const json& home) {
    bool stored_household = false, stored_settings = false;
    for (const auto& doc : documents) {
        if (doc.collection != kCollection) continue;
        if (doc.id == kHouseholdDoc) {
            auto h = care::household_from_json(doc.body);
            if (h) household_ = std::move(*h), stored_household = true;
            else log::warning("storage: the household is unreadable: {} ({})", h.error().message, h.error().field);
        } else if (doc.id == kSettingsDoc) {
            auto s = care::care_settings_from_json(doc.body);
            if (s) settings_ = std::move(*s), stored_settings = true;
            else log::warning("storage: the care settings are unreadable: {} ({})", s.error().message, s.error().field);
        }
    }
    const auto now = links_.clock.now();
    if (!stored_household && home.is_object() && home.contains("household")) {
        auto h = care::household_from_json(home["household"]);
        if (h) {
            household_ = std::move(*h);
            links_.store.put_document(kCollection, kHouseholdDoc, care::to_json(household_), now);
        } else {
            problems_.push_back("home household" + h.error().field + ": " + h.error().message);
            log::warning("home household{}: {} (left out)", h.error().field, h.error().message);
        }
    }
    if (!stored_settings && home.is_object() && home.contains("care")) {
        auto s = care::care_settings_from_json(home["care"]);
        if (s) {
            settings_ = std::move(*s);
            links_.store.put_document(kCollection, kSettingsDoc, care::to_json(settings_), now);
        } else {
            problems_.push_back("home care." + s.error().field + ": " + s.error().message);
            log::warning("home care.{}: {} (left out)", s.error().field, s.error().message);
        }
    }
    tick();
}

void CareHost::stop() { stopped_ = true; }

void CareHost::tick() {
    if (stopped_) return;
    const auto now = links_.clock.now();
    for (auto& q : questions_) {
        if (q.outcome != "waiting" || now < q.deadline) continue;
        q.outcome = "timed_out";
        record_action({{"program", "ask"}, {"at_ms", millis(now)}, {"device", q.speaker.value}, {"question", q.id},
                       {"outcome", q.outcome}});
    }
    for (auto& n : desk_.release(links_.clock.now())) {
        if (auto* entry = entry_of(n.id)) {
            entry->verdict = "delivered";
            deliver(*entry);
        }
    }
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, kTick);
    timer->async_wait([this, timer](const boost::system::error_code& ec) {
        if (!ec) tick();
    });
}

care::TimeOfDay CareHost::local_time_of_day() const {
    const auto local = scenes::to_local(links_.clock.now(), links_.place());
    return std::chrono::duration_cast<std::chrono::minutes>(local.time_of_day);
}

// ---- device facts ----

void CareHost::state_changed(const devices::StateChange& change, const proto::Context&, std::chrono::system_clock::time_point) {
    if (change.attribute != "pm25") return;
    if (const auto* pm25 = proto::as_number(change.new_value)) air_reading(change.device, *pm25);
}

void CareHost::availability_changed(const devices::adapters::AvailabilityChange& change) {
    if (!settings_.watch.enabled || change.after != devices::Availability::offline ||
        change.before != devices::Availability::online) {
        return;
    }
    const auto* device = links_.registry.find(change.device);
    if (!device || !is_sensor(*device)) return;
    care::Notification n;
    n.program = "watch";
    n.key = change.device.value;
    n.urgency = care::Urgency::safety;
    n.text_en = "The " + name_of(*device) + " has gone silent: it no longer reports.";
    n.text_zh = chinese_name_of(*device) + "失去联系，已不再上报。";
    notify(std::move(n));
}

void CareHost::air_reading(const proto::DeviceId& reader, double pm25) {
    if (!settings_.air.enabled) return;
    const auto* device = links_.registry.find(reader);
    if (!device) return;
    std::vector<const devices::Device*> purifiers;
    if (device->description.kind == proto::DeviceKind::air_purifier) purifiers.push_back(device);
    if (!device->description.area.empty()) {
        for (const auto* d : links_.registry.list({.area = device->description.area, .kind = proto::DeviceKind::air_purifier})) {
            if (d != device) purifiers.push_back(d);
        }
    }
    for (const auto* p : purifiers) {
        if (can(*p, "on") && p->availability == devices::Availability::online && p->problem.empty()) steer_purifier(*p, pm25);
    }
}

void CareHost::steer_purifier(const devices::Device& purifier, double pm25) {
    const auto now = links_.clock.now();
    auto& memory = purifiers_[purifier.description.id];
    const auto month = static_cast<unsigned>(scenes::to_local(now, links_.place()).date.month());
    const auto decision = care::decide_air(settings_.air, pm25,
                                           memory.at ? std::optional(memory.curve_level) : std::nullopt, household_, month);
    memory.curve_level = decision.curve_level;
    memory.pm25 = pm25;
    memory.why_en = decision.why_en;
    memory.why_zh = decision.why_zh;
    memory.at = now;

    proto::Command command;
    const auto on = purifier.state.find("on");
    const bool running = on != purifier.state.end() && proto::as_bool(on->second) && *proto::as_bool(on->second);
    if (decision.level == care::PurifierLevel::off) {
        if (running || on == purifier.state.end()) command.set["on"] = false;
    } else {
        if (!running) command.set["on"] = true;
        const auto speed = purifier.state.find("fan_speed");
        const std::string wanted(care::to_string(decision.level));
        const auto* current = speed == purifier.state.end() ? nullptr : proto::as_text(speed->second);
        if (can(purifier, "fan_speed") && (!current || *current != wanted)) command.set["fan_speed"] = wanted;
    }
    if (command.set.empty()) return;
    // A command on its way is not sent again before the purifier has had time to report it.
    const std::string wanted_level(care::to_string(decision.level));
    if (memory.level == wanted_level && memory.sent && now - *memory.sent < std::chrono::seconds(30)) return;

    const auto context_id = new_context_id();
    const proto::Context cause{context_id, {}, proto::Cause::rule, kAirTraces};
    auto sent = links_.send_command(purifier.description.id, command, cause, context_id);
    json trigger{{"kind", "care"}, {"program", "air"}, {"device", purifier.description.id.value}, {"pm25", pm25}};
    Sent delivered;
    if (sent) delivered.emplace_back(purifier.description.id, *sent);
    auto trace = immediate_trace(context_id, kAirTraces, trigger, delivered, now);
    trace.steps.push_back({now, "air", "care",
                           json{{"program", "air"}, {"level", wanted_level}, {"why", {{"en", decision.why_en}, {"zh", decision.why_zh}}}},
                           sent ? std::string() : sent.error().message});
    links_.host.record_own(std::move(trace));
    memory.level = wanted_level;
    memory.context_id = context_id;
    memory.sent = now;
    record_action({{"program", "air"},
                   {"at_ms", millis(now)},
                   {"device", purifier.description.id.value},
                   {"set", proto::to_json(command)["set"]},
                   {"context_id", context_id},
                   {"why", {{"en", decision.why_en}, {"zh", decision.why_zh}}},
                   {"error", sent ? json() : proto::to_json(sent.error())}});
}

void CareHost::record_action(json action) {
    actions_.push_back(std::move(action));
    while (actions_.size() > kRecentActions) actions_.pop_front();
}

// ---- notifications ----

std::string CareHost::notify(care::Notification notification) {
    auto outcome = desk_.submit(std::move(notification), links_.clock.now(), local_time_of_day(), settings_.notifications, household_);
    Entry entry{std::move(outcome.notification), "delivered", std::nullopt, {}};
    switch (outcome.verdict) {
        case care::NotificationDesk::Verdict::duplicate: entry.verdict = "duplicate"; break;
        case care::NotificationDesk::Verdict::held:
            entry.verdict = "held";
            entry.release_at = outcome.release_at;
            break;
        case care::NotificationDesk::Verdict::deliver: break;
    }
    recent_.push_back(std::move(entry));
    while (recent_.size() > kRecentNotifications) recent_.pop_front();
    auto& added = recent_.back();
    if (added.verdict == "delivered") deliver(added);
    return added.verdict;
}

CareHost::Entry* CareHost::entry_of(std::uint64_t id) {
    if (id == 0) return nullptr;
    const auto it = std::find_if(recent_.begin(), recent_.end(), [&](const Entry& e) { return e.notification.id == id; });
    return it == recent_.end() ? nullptr : &*it;
}

void CareHost::deliver(Entry& entry) {
    auto body = care::to_json(entry.notification);
    body["delivered_ms"] = millis(links_.clock.now());
    links_.live.publish("notification", "", body);
    entry.deliveries.push_back({"live", "notification", "sent", 1, {}});
    const auto topic = links_.prefix + "/notify/" + (entry.notification.person.empty() ? "household" : entry.notification.person);
    const auto published = links_.publish(topic, body.dump());
    entry.deliveries.push_back({"mqtt", topic, published ? "sent" : "failed", 1, published ? "" : published.error().message});
    const auto text = body.dump();
    for (std::size_t i = 0; i < settings_.webhooks.size(); ++i) {
        entry.deliveries.push_back({"webhook", settings_.webhooks[i].url, "retrying", 0, {}});
        send_webhook(entry.notification.id, entry.deliveries.size() - 1, settings_.webhooks[i], text, 1);
    }
}

void CareHost::send_webhook(std::uint64_t id, std::size_t index, const care::Webhook& webhook, std::string body, int attempt) {
    const WebhookTarget to{webhook.host, webhook.port, webhook.target};
    post_webhook(io_, to, body, kWebhookDeadline, [this, id, index, webhook, body, attempt](proto::Result<int> answer) {
        if (stopped_) return;
        auto* entry = entry_of(id);
        if (!entry || index >= entry->deliveries.size()) return;
        auto& delivery = entry->deliveries[index];
        delivery.attempts = attempt;
        if (answer && *answer >= 200 && *answer < 300) {
            delivery.status = "sent";
            delivery.error.clear();
            return;
        }
        delivery.error = answer ? "answered " + std::to_string(*answer) : answer.error().message;
        if (attempt >= webhook.attempts) {
            delivery.status = "failed";
            ++webhook_failures_;
            log::warning("webhook {}: notification {} not delivered after {} attempts: {}", webhook.url, id, attempt, delivery.error);
            return;
        }
        delivery.status = "retrying";
        auto timer = std::make_shared<boost::asio::steady_timer>(io_, webhook.backoff * (1 << (attempt - 1)));
        timer->async_wait([this, timer, id, index, webhook, body, attempt](const boost::system::error_code& ec) {
            if (!ec && !stopped_) send_webhook(id, index, webhook, body, attempt + 1);
        });
    });
}

// ---- speaking first ----

proto::Result<json> CareHost::ask(const json& body) {
    if (!body.is_object()) return proto::make_error(Errc::bad_json, "a question is an object");
    auto speaker_id = proto::required_string(body, "speaker");
    if (!speaker_id) return speaker_id.error();
    const auto* speaker = proto::is_valid_id(*speaker_id) ? links_.registry.find(proto::DeviceId{*speaker_id}) : nullptr;
    if (!speaker) return proto::make_error(Errc::unknown_device, "no device " + *speaker_id, "speaker");
    if (!can(*speaker, "say")) return proto::make_error(Errc::invalid_field, *speaker_id + " cannot say anything", "speaker");
    auto language = proto::optional_string(body, "language");
    if (!language) return language.error();
    const std::string lang = language->value_or("zh");
    if (lang != "zh" && lang != "en") return proto::make_error(Errc::invalid_field, "language is zh or en", "language");
    if (!body.contains("text")) return proto::make_error(Errc::invalid_field, "a question needs a text", "text");
    std::string text;
    if (body["text"].is_string()) {
        text = body["text"].get<std::string>();
    } else if (body["text"].is_object()) {
        auto chosen = proto::optional_string(body["text"], lang);
        if (!chosen || !*chosen) return proto::make_error(Errc::invalid_field, "text." + lang + " is the question in " + lang, "text");
        text = **chosen;
    }
    if (text.empty() || text.size() > 500) return proto::make_error(Errc::invalid_field, "text is 1–500 bytes", "text");
    auto timeout = proto::optional_integer(body, "timeout_s");
    if (!timeout) return timeout.error();
    if (*timeout && (**timeout < 1 || **timeout > 600)) return proto::make_error(Errc::out_of_range, "timeout_s is 1–600", "timeout_s");
    auto scene = proto::optional_string(body, "scene_on_yes");
    if (!scene) return scene.error();
    if (*scene && !proto::is_valid_id(**scene)) return proto::make_error(Errc::invalid_field, "scene_on_yes is a scene id", "scene_on_yes");
    for (const auto& q : questions_) {
        if (q.speaker == speaker->description.id && q.outcome == "waiting") {
            return proto::make_error(Errc::conflict, *speaker_id + " is waiting for the answer to question " + std::to_string(q.id), "speaker");
        }
    }
    const auto now = links_.clock.now();
    Question q;
    q.id = next_question_++;
    q.speaker = speaker->description.id;
    q.text = text;
    q.language = lang;
    q.scene_on_yes = scene->value_or("");
    q.asked = now;
    q.deadline = now + std::chrono::seconds(timeout->value_or(30));
    q.context_id = new_context_id();
    proto::Command say;
    say.set["say"] = text;
    auto sent = links_.send_command(q.speaker, say, proto::Context{q.context_id, {}, proto::Cause::rule, kAskTraces}, q.context_id);
    if (!sent) return sent.error();
    Sent delivered{{q.speaker, *sent}};
    auto trace = immediate_trace(q.context_id, kAskTraces, json{{"kind", "care"}, {"program", "ask"}, {"device", q.speaker.value}},
                                 delivered, now);
    trace.steps.push_back({now, "ask", "care", json{{"question", q.id}, {"text", text}, {"timeout_s", timeout->value_or(30)}}, {}});
    links_.host.record_own(std::move(trace));
    questions_.push_back(std::move(q));
    while (questions_.size() > kRecentQuestions) questions_.pop_front();
    return ok(json{{"question", question_json(questions_.back())}});
}

bool CareHost::take_answer(const std::string& topic, const std::string& payload) {
    const auto prefix = links_.prefix + "/assist/";
    if (!topic.starts_with(prefix) || !topic.ends_with("/text")) return false;
    const proto::DeviceId device{topic.substr(prefix.size(), topic.size() - prefix.size() - 5)};
    const auto waiting = std::find_if(questions_.begin(), questions_.end(),
                                      [&](const Question& q) { return q.speaker == device && q.outcome == "waiting"; });
    if (waiting == questions_.end()) return false;
    // The same request shape as any utterance on this topic: the text itself, or a JSON request.
    json body{{"text", payload}};
    if (!payload.empty() && payload.front() == '{') {
        if (auto j = proto::parse_json(payload); j && j->is_object()) body = std::move(*j);
    }
    const auto request = assist::conversation_request_from_json(body);
    if (!request) return false;
    const auto reply = care::reply_to_question(request->text);
    if (reply == care::Reply::unclear) return false;
    auto& q = *waiting;
    const auto now = links_.clock.now();
    q.outcome = std::string(care::to_string(reply));
    q.answer = request->text;
    if (reply == care::Reply::yes && !q.scene_on_yes.empty() && links_.activate_scene) {
        if (auto activated = links_.activate_scene(proto::SceneId{q.scene_on_yes}); !activated) q.error = activated.error().message;
    }
    const bool zh = q.language == "zh";
    json response{{"device", device.value},
                  {"question", q.id},
                  {"answer", q.outcome},
                  {"text", reply == care::Reply::yes ? (zh ? "好的。" : "OK.") : (zh ? "好的，不打扰了。" : "All right, I won't.")}};
    if (auto published = links_.publish(prefix + device.value + "/response", response.dump()); !published) {
        log::warning("care: the reply to {} was not sent: {}", device.value, published.error().message);
    }
    record_action({{"program", "ask"}, {"at_ms", millis(now)}, {"device", device.value}, {"question", q.id},
                   {"outcome", q.outcome}, {"answer", q.answer}, {"error", q.error.empty() ? json() : json(q.error)}});
    return true;
}

json CareHost::question_json(const Question& q) const {
    json j{{"id", q.id},           {"speaker", q.speaker.value}, {"text", q.text},
           {"language", q.language}, {"asked_ms", millis(q.asked)}, {"deadline_ms", millis(q.deadline)},
           {"outcome", q.outcome},   {"context_id", q.context_id}};
    if (!q.answer.empty()) j["answer"] = q.answer;
    if (!q.scene_on_yes.empty()) j["scene_on_yes"] = q.scene_on_yes;
    if (!q.error.empty()) j["error"] = q.error;
    return j;
}

// ---- the API ----

json CareHost::household_json() const { return {{"people", care::to_json(household_)}}; }

void CareHost::put_household(const json& body, Answer done) {
    const auto& people = body.is_object() && body.contains("people") ? body["people"] : body;
    auto household = care::household_from_json(people);
    if (!household) {
        auto e = household.error();
        e.field = "people" + e.field;
        return done(e);
    }
    for (std::size_t i = 0; i < household->people.size(); ++i) {
        const auto& presence = household->people[i].presence;
        for (std::size_t k = 0; k < presence.size(); ++k) {
            if (!links_.registry.find(presence[k])) {
                return done(proto::make_error(Errc::invalid_field, "no device " + presence[k].value,
                                              "people[" + std::to_string(i) + "].presence[" + std::to_string(k) + "]"));
            }
        }
    }
    household_ = std::move(*household);
    links_.store.put_document(kCollection, kHouseholdDoc, care::to_json(household_), links_.clock.now(),
                              [this, done = std::move(done)](proto::Result<void> saved) {
                                  if (!saved) return done(saved.error());
                                  done(ok(household_json()));
                              });
}

void CareHost::put_settings(const json& body, Answer done) {
    auto settings = care::care_settings_from_json(body, settings_);
    if (!settings) return done(settings.error());
    settings_ = std::move(*settings);
    links_.store.put_document(kCollection, kSettingsDoc, care::to_json(settings_), links_.clock.now(),
                              [this, done = std::move(done)](proto::Result<void> saved) {
                                  if (!saved) return done(saved.error());
                                  done(ok(status_json()));
                              });
}

json CareHost::status_json() const {
    auto purifiers = json::array();
    for (const auto& [device, m] : purifiers_) {
        purifiers.push_back({{"device", device.value},
                             {"pm25", m.pm25},
                             {"level", m.level.empty() ? std::string(care::to_string(m.curve_level)) : m.level},
                             {"curve_level", care::to_string(m.curve_level)},
                             {"why", {{"en", m.why_en}, {"zh", m.why_zh}}},
                             {"at_ms", m.at ? millis(*m.at) : 0},
                             {"context_id", m.context_id}});
    }
    std::size_t held = desk_.held().size();
    auto questions = json::array();
    for (auto it = questions_.rbegin(); it != questions_.rend(); ++it) questions.push_back(question_json(*it));
    return {{"settings", care::to_json(settings_)},
            {"programs",
             {{"air", {{"enabled", settings_.air.enabled}, {"purifiers", purifiers}}},
              {"watch", {{"enabled", settings_.watch.enabled}}}}},
            {"questions", questions},
            {"notifications", {{"held", held}, {"duplicates", desk_.duplicates()}, {"webhook_failures", webhook_failures_}}},
            {"actions", json(std::vector<json>(actions_.rbegin(), actions_.rend()))},
            {"problems", problems_}};
}

proto::Result<json> CareHost::notify_from_app(const json& body) {
    auto n = care::notification_from_json(body, household_);
    if (!n) return n.error();
    const auto verdict = notify(std::move(*n));
    const auto& entry = recent_.back();
    json answer{{"verdict", verdict}, {"notification", care::to_json(entry.notification)}};
    if (entry.release_at) answer["release_ms"] = millis(*entry.release_at);
    return ok(std::move(answer));
}

json CareHost::notifications_json(std::size_t limit) const {
    auto list = json::array();
    for (auto it = recent_.rbegin(); it != recent_.rend() && list.size() < limit; ++it) {
        auto j = care::to_json(it->notification);
        j["verdict"] = it->verdict;
        if (it->release_at) j["release_ms"] = millis(*it->release_at);
        auto deliveries = json::array();
        for (const auto& d : it->deliveries) {
            json dj{{"channel", d.channel}, {"target", d.target}, {"status", d.status}, {"attempts", d.attempts}};
            if (!d.error.empty()) dj["error"] = d.error;
            deliveries.push_back(std::move(dj));
        }
        j["deliveries"] = std::move(deliveries);
        list.push_back(std::move(j));
    }
    return {{"notifications", list}};
}

}  // namespace hearth::hub
