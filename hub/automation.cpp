#include "hub/automation.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "hub/hub.hpp"
#include "proto/home.hpp"
#include "proto/json.hpp"
#include "proto/yaml.hpp"

namespace hearth::hub {

using proto::Errc;
using nlohmann::json;

namespace {

constexpr const char* kScenes = "scenes";
constexpr const char* kRules = "rules";
constexpr const char* kSentences = "sentences";
constexpr const char* kAutomation = "automation";  // documents "pending", "undo", "moods"
constexpr const char* kPending = "pending";
constexpr const char* kUndo = "undo";
constexpr const char* kMoods = "moods";
constexpr const char* kSeeded = "seeded";  // the home file's scenes and rules were imported once
// Hub-made traces are stored under these reserved rule ids.
constexpr const char* kVoiceTraces = "_voice";
constexpr const char* kSceneTraces = "_scene";
constexpr const char* kUndoTraces = "_undo";
constexpr std::size_t kOwnTracesKept = 256;
// The timer wakes at least this often, so a wall-clock jump is noticed.
constexpr auto kMaxSleep = std::chrono::seconds(30);

constexpr nlu::Mood kAllMoods[] = {
    nlu::Mood::sleepy,  nlu::Mood::wake,      nlu::Mood::leave,     nlu::Mood::home,
    nlu::Mood::movie,   nlu::Mood::reading,   nlu::Mood::too_hot,   nlu::Mood::too_cold,
    nlu::Mood::too_dark, nlu::Mood::too_bright, nlu::Mood::stuffy};

std::optional<nlu::Mood> mood_from(std::string_view s) {
    for (const auto m : kAllMoods)
        if (nlu::to_string(m) == s) return m;
    return std::nullopt;
}

proto::Error at_field(std::string prefix, proto::Error e) {
    e.field = prefix + (e.field.empty() ? "" : "." + e.field);
    return e;
}

json commands_json(const std::vector<std::pair<proto::DeviceId, proto::Command>>& commands) {
    auto out = json::array();
    for (const auto& [device, command] : commands) {
        out.push_back({{"device", device.value}, {"set", proto::to_json(command.set)}, {"context_id", command.context_id}});
        if (command.transition) out.back()["transition"] = *command.transition;
    }
    return out;
}

using Sent = std::vector<std::pair<proto::DeviceId, proto::Command>>;

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
    for (const auto& [device, command] : sent) trace.commands.push_back({device, command, std::nullopt, {}});
    trace.outcome = rules::Outcome::ran;
    return trace;
}

json sent_devices(const Sent& sent) {
    auto ids = json::array();
    for (const auto& [device, command] : sent) ids.push_back(device.value);
    return ids;
}

json errors_json(const std::vector<proto::Error>& errors) {
    auto out = json::array();
    for (const auto& e : errors) out.push_back(error_json(e));
    return out;
}

/// Calls `done` once after `count` completions, with the first failure if any.
Completion barrier(std::size_t count, std::function<void(proto::Result<void>)> done) {
    struct State {
        std::size_t left;
        std::optional<proto::Error> error;
        std::function<void(proto::Result<void>)> done;
    };
    auto state = std::make_shared<State>(State{count, std::nullopt, std::move(done)});
    if (count == 0) {
        state->done({});
        return {};
    }
    return [state](proto::Result<void> r) {
        if (!r && !state->error) state->error = r.error();
        if (--state->left > 0) return;
        if (state->error) return state->done(*state->error);
        state->done({});
    };
}

bool trace_mentions(const json& trace, const std::string& device) {
    if (trace.value("trigger", json::object()).value("device", "") == device) return true;
    for (const auto& c : trace.value("commands", json::array()))
        if (c.value("device", "") == device) return true;
    for (const auto& c : trace.value("conditions", json::array()))
        if (c.value("detail", "").find(device) != std::string::npos) return true;
    for (const auto& s : trace.value("steps", json::array())) {
        const auto detail = s.value("detail", json());
        if (detail.is_object() && detail.contains("devices"))
            for (const auto& d : detail["devices"])
                if (d == device) return true;
    }
    return false;
}

}  // namespace

class Automation::Timer {
public:
    explicit Timer(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
};

Automation::Automation(boost::asio::io_context& io, Hub& hub)
    : io_(io), hub_(hub), timer_(std::make_unique<Timer>(io)) {}

Automation::~Automation() {
    if (warm_normalizer_.joinable()) warm_normalizer_.join();
}

scenes::TimePoint Automation::now() { return std::chrono::system_clock::now(); }

proto::Result<void> Automation::start(const std::vector<Document>& documents, const std::filesystem::path& home_file) {
    json home_scenes = json::array(), home_rules = json::array();
    if (!home_file.empty()) {
        std::ifstream in(home_file);
        if (!in) return proto::make_error(Errc::not_found, "cannot read home file " + home_file.string());
        std::stringstream text;
        text << in.rdbuf();
        auto j = proto::yaml_to_json(text.str());
        if (!j) return j.error();
        if (j->is_object() && j->contains("location")) {
            auto place = scenes::place_from_json((*j)["location"]);
            if (!place) return at_field("location", place.error());
            place_ = *place;
        }
        if (j->is_object()) {
            home_scenes = j->value("scenes", json::array());
            home_rules = j->value("rules", json::array());
        }
    }
    const auto t = now();
    std::vector<const Document*> stored_scenes, stored_rules;
    json pending, stored_undo, moods;
    bool seeded = false;
    for (const auto& d : documents) {
        if (d.collection == kScenes) stored_scenes.push_back(&d);
        if (d.collection == kRules) stored_rules.push_back(&d);
        if (d.collection == kSentences) sentences_.push_back({d.id, d.body});
        if (d.collection == kAutomation && d.id == kPending) pending = d.body;
        if (d.collection == kAutomation && d.id == kUndo) stored_undo = d.body;
        if (d.collection == kAutomation && d.id == kMoods) moods = d.body;
        if (d.collection == kAutomation && d.id == kSeeded) seeded = true;
    }
    auto& store = hub_.store();
    const auto& registry = hub_.registry();

    // Scenes and rules: the stored ones, or the home file's while nothing is stored. Seeding is
    // remembered, so deleting every scene does not bring the home file's back at the next start.
    const bool seed = !seeded && stored_scenes.empty() && stored_rules.empty();
    if (seed && (!home_scenes.empty() || !home_rules.empty())) store.put_document(kAutomation, kSeeded, json::object(), t);
    json scene_list = json::array();
    if (seed) {
        for (std::size_t i = 0; i < home_scenes.size(); ++i) {
            auto scene = scenes::scene_from_json(home_scenes[i]);
            if (!scene) {
                std::cerr << "hearthd: home scenes[" << i << "]: " << scene.error().message << " (" << scene.error().field << ")\n";
                continue;
            }
            store.put_document(kScenes, scene->id.value, scenes::to_json(*scene), t);
            scene_list.push_back(scenes::to_json(*scene));
        }
    } else {
        for (const auto* d : stored_scenes) {
            auto scene = scenes::scene_from_json(d->body);
            if (!scene) {
                broken_scenes_[proto::SceneId{d->id}] = scene.error().message + " (" + scene.error().field + ")";
                continue;
            }
            scene_list.push_back(d->body);
        }
    }
    scenes_ = scenes::load_scenes(scene_list, registry).scenes;

    rules::EngineConfig config;
    config.place = place_;
    config.context_prefix = "rule-" + new_context_id().substr(0, 10);
    engine_ = std::make_unique<rules::Engine>(registry, scenes_, *this, config);
    const auto install = [&](const json& definition, const std::string& id_hint) {
        if (auto installed = install_rule(definition); !installed) {
            const auto id = definition.is_object() && definition.value("id", json()).is_string()
                                ? definition["id"].get<std::string>()
                                : id_hint;
            broken_rules_[proto::RuleId{id}] = installed.error().message + (installed.error().field.empty() ? "" : " (" + installed.error().field + ")");
            if (definition.is_object()) rules_[proto::RuleId{id}] = definition;
            return false;
        }
        return true;
    };
    if (seed) {
        for (std::size_t i = 0; i < home_rules.size(); ++i) {
            if (!install(home_rules[i], "rules-" + std::to_string(i))) {
                std::cerr << "hearthd: home rules[" << i << "]: " << broken_rules_.rbegin()->second << "\n";
                continue;
            }
            store.put_document(kRules, home_rules[i]["id"].get<std::string>(), home_rules[i], t);
        }
    } else {
        for (const auto* d : stored_rules) install(d->body, d->id);
    }
    if (!pending.is_null()) {
        for (const auto& e : engine_->resume(pending, t)) std::cerr << "hearthd: pending timers: " << e.message << "\n";
    }
    if (!stored_undo.is_null()) {
        if (auto loaded = undo_.load_json(stored_undo); !loaded) std::cerr << "hearthd: undo stack: " << loaded.error().message << "\n";
    }
    if (moods.is_object()) {
        for (const auto& [name, scene] : moods.items()) {
            const auto mood = mood_from(name);
            if (mood && scene.is_string()) moods_[*mood] = proto::SceneId{scene.get<std::string>()};
        }
    } else {
        moods_ = nlu::Vocabulary::default_mood_scenes();
    }
    warm_normalizer_ = std::thread([] { nlu::shared_normalizer(); });
    rebuild_vocabulary();

    hub_.on_state_change([this](const devices::StateChange& change) { state_changed(change); });
    hub_.live().add_request("conversation", Scope::control, [this](const json& request, LiveFeed::Respond respond) {
        ConversationRequest r;
        if (!request.value("text", json()).is_string()) {
            return respond({{"error", error_json(proto::make_error(Errc::invalid_field, "text is the utterance", "text"))}});
        }
        r.text = request["text"].get<std::string>();
        if (request.value("area", json()).is_string()) r.area = proto::AreaId{request["area"].get<std::string>()};
        r.language = request.value("language", json()).is_string() ? request["language"].get<std::string>() : "";
        r.dry_run = request.value("dry_run", false) == true;
        auto answer = converse(r);
        if (!answer) return respond({{"error", error_json(answer.error())}});
        respond(std::move(*answer));
    });
    hub_.live().add_request("activate", Scope::control, [this](const json& request, LiveFeed::Respond respond) {
        if (!request.value("scene", json()).is_string()) {
            return respond({{"error", error_json(proto::make_error(Errc::invalid_field, "scene is a scene id", "scene"))}});
        }
        std::optional<double> transition;
        if (request.value("transition", json()).is_number()) transition = request["transition"].get<double>();
        auto answer = activate_scene(proto::SceneId{request["scene"].get<std::string>()}, transition);
        if (!answer) return respond({{"error", error_json(answer.error())}});
        respond(std::move(*answer));
    });
    hub_.live().add_request("undo", Scope::control, [this](const json&, LiveFeed::Respond respond) {
        auto answer = undo();
        if (!answer) return respond({{"error", error_json(answer.error())}});
        respond(std::move(*answer));
    });
    started_ = true;
    engine_->start(t);
    after_engine();
    return {};
}

void Automation::stop() {
    if (!started_) return;
    started_ = false;
    timer_->timer.cancel();
    save_pending();
    save_undo();
}

proto::Result<void> Automation::check_rule(const json& definition) const {
    auto rule = rules::rule_from_json(definition);
    if (!rule) return rule.error();
    return {};
}

proto::Result<void> Automation::install_rule(const json& definition) {
    auto status = engine_->upsert(definition, now());
    if (!status) return status.error();
    rules_[status->id] = definition;
    broken_rules_.erase(status->id);
    return {};
}

// ---- time and persistence ----

void Automation::after_engine() {
    if (!started_) return;
    arm_timer();
    schedule_save();
}

void Automation::arm_timer() {
    const auto next = engine_->next_wake();
    auto& timer = timer_->timer;
    if (!next) {
        timer.cancel();
        return;
    }
    const auto delay = std::clamp<std::chrono::steady_clock::duration>(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(*next - now()),
        std::chrono::steady_clock::duration::zero(), kMaxSleep);
    timer.expires_after(delay);
    timer.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !started_) return;
        try {
            engine_->advance(now());
        } catch (const std::exception& e) {
            std::cerr << "hearthd: rules: " << e.what() << "\n";
        }
        after_engine();
    });
}

void Automation::schedule_save() {
    if (save_scheduled_) return;
    save_scheduled_ = true;
    boost::asio::post(io_, [this] {
        save_scheduled_ = false;
        if (started_) save_pending();
    });
}

void Automation::save_pending() {
    if (!engine_) return;
    auto pending = engine_->export_pending();
    auto text = pending.dump();
    if (text == saved_pending_) return;
    saved_pending_ = std::move(text);
    hub_.store().put_document(kAutomation, kPending, std::move(pending), now());
}

void Automation::save_undo() { hub_.store().put_document(kAutomation, kUndo, undo_.to_json(), now()); }

// ---- vocabulary ----

void Automation::rebuild_vocabulary() {
    nlu::Vocabulary v;
    for (const auto& [id, entry] : scenes_) {
        nlu::SceneEntry e{id, entry.scene.name, std::nullopt};
        if (!entry.scene.area.empty()) e.area = entry.scene.area;
        v.scenes.push_back(std::move(e));
    }
    v.mood_scenes = moods_;
    for (const auto& s : sentences_) {
        nlu::CustomSentence c;
        c.pattern = s.body.value("pattern", "");
        if (s.body.value("scene", json()).is_string()) c.scene = proto::SceneId{s.body["scene"].get<std::string>()};
        if (s.body.value("rule", json()).is_string()) c.rule = proto::RuleId{s.body["rule"].get<std::string>()};
        v.sentences.push_back(std::move(c));
    }
    vocabulary_ = std::move(v);
    recognizer_stale_ = true;
}

const nlu::Recognizer& Automation::recognizer() {
    if (!recognizer_) recognizer_ = std::make_unique<nlu::Recognizer>(hub_.registry(), vocabulary_);
    else if (recognizer_stale_) recognizer_->set_vocabulary(hub_.registry(), vocabulary_);
    recognizer_stale_ = false;
    return *recognizer_;
}

void Automation::resolve_all() {
    scenes::resolve_scenes(scenes_, hub_.registry());
    engine_->resolve(now());
    rebuild_vocabulary();
    after_engine();
}

void Automation::devices_changed() {
    if (resolve_scheduled_ || !started_) return;
    resolve_scheduled_ = true;
    boost::asio::post(io_, [this] {
        resolve_scheduled_ = false;
        if (started_) resolve_all();
    });
}

// ---- inputs ----

void Automation::state_changed(const devices::StateChange& change) {
    if (!started_) return;
    if (!change.context_id.empty()) {
        if (const auto it = own_traces_.find(change.context_id); it != own_traces_.end()) {
            for (auto& c : it->second.commands) {
                if (c.device != change.device) continue;
                if (!c.confirmed_at) c.confirmed_at = now();
                c.confirmed[change.attribute] = change.new_value;
            }
            if (rerecord_.insert(change.context_id).second && rerecord_.size() == 1) {
                boost::asio::post(io_, [this] {
                    for (const auto& id : std::exchange(rerecord_, {}))
                        if (const auto it = own_traces_.find(id); it != own_traces_.end()) record(it->second);
                });
            }
        }
    }
    engine_->handle(change, now());
    after_engine();
}

void Automation::availability_changed(const proto::DeviceId& device, devices::Availability before,
                                      devices::Availability after) {
    if (!started_) return;
    engine_->handle_availability(device, before, after, now());
    after_engine();
}

void Automation::device_event(const proto::DeviceId& device, const json& event) {
    if (!started_ || !event.value("event", json()).is_string()) return;
    proto::Attributes data;
    for (const auto& [key, value] : event.items()) {
        if (key == "event") continue;
        if (auto v = proto::value_from_json(value)) data.emplace(key, std::move(*v));
    }
    engine_->handle_event(device, event["event"].get<std::string>(), data, now());
    after_engine();
}

// ---- effects ----

void Automation::send(const scenes::DeviceCommand& command) {
    auto sent = hub_.send_command(command.device, command.command);
    if (!sent) std::cerr << "hearthd: rules: command to " << command.device.value << " not sent: " << sent.error().message << "\n";
}

void Automation::notify(const rules::Notification& notification) {
    auto body = rules::to_json(notification);
    hub_.store().append_notification(notification.at, body);
    hub_.live().publish("notification", "", std::move(body));
}

void Automation::push_undo(scenes::Snapshot snapshot) {
    undo_.push(std::move(snapshot));
    save_undo();
}

void Automation::record(const rules::Trace& trace) {
    auto body = rules::to_json(trace);
    hub_.store().append_trace(trace.rule, trace.started, body);
    hub_.live().publish("trace", "", std::move(body));
}

void Automation::status_changed(const rules::RuleStatus& status) {
    hub_.live().publish("rule", "", rules::to_json(status));
}

void Automation::record_own(rules::Trace trace) {
    const auto id = trace.id;
    record(trace);
    if (trace.commands.empty()) return;
    if (own_traces_.size() >= kOwnTracesKept) {
        own_traces_.erase(own_trace_order_.front());
        own_trace_order_.erase(own_trace_order_.begin());
    }
    own_traces_[id] = std::move(trace);
    own_trace_order_.push_back(id);
}

std::vector<std::pair<proto::DeviceId, proto::Command>> Automation::send_all(
    const std::vector<scenes::DeviceCommand>& commands, json& refused) {
    std::vector<std::pair<proto::DeviceId, proto::Command>> sent;
    for (const auto& c : commands) {
        auto r = hub_.send_command(c.device, c.command);
        if (!r) {
            auto e = error_json(r.error());
            e["device"] = c.device.value;
            refused.push_back(std::move(e));
            continue;
        }
        sent.emplace_back(c.device, std::move(*r));
    }
    return sent;
}

// ---- scenes ----

json Automation::scene_view(const proto::SceneId&, const scenes::SceneEntry& entry) const {
    auto j = scenes::to_json(entry.scene);
    j["status"] = {{"available", entry.problem.empty()}, {"problem", entry.problem}};
    return j;
}

json Automation::scenes_json() const {
    auto out = json::array();
    for (const auto& [id, entry] : scenes_) out.push_back(scene_view(id, entry));
    for (const auto& [id, problem] : broken_scenes_) {
        out.push_back({{"id", id.value}, {"status", {{"available", false}, {"problem", "definition is invalid: " + problem}}}});
    }
    return {{"scenes", std::move(out)}};
}

proto::Result<json> Automation::scene_json(const proto::SceneId& id) const {
    if (const auto it = scenes_.find(id); it != scenes_.end()) return ok(scene_view(id, it->second));
    if (const auto it = broken_scenes_.find(id); it != broken_scenes_.end()) {
        return ok(json{{"id", id.value}, {"status", {{"available", false}, {"problem", "definition is invalid: " + it->second}}}});
    }
    return proto::make_error(Errc::not_found, "no scene with id '" + id.value + "'", "id");
}

void Automation::put_scene(const json& definition, std::optional<proto::SceneId> replace, Answer done) {
    auto body = definition;
    if (replace && body.is_object() && !body.contains("id")) body["id"] = replace->value;
    auto scene = scenes::scene_from_json(body);
    if (!scene) return done(scene.error());
    if (replace && scene->id != *replace) {
        return done(proto::make_error(Errc::invalid_field, "id does not match the path", "id"));
    }
    if (!replace && (scenes_.contains(scene->id) || broken_scenes_.contains(scene->id))) {
        return done(proto::make_error(Errc::conflict, "scene " + scene->id.value + " exists already", "id"));
    }
    const auto stored = scenes::to_json(*scene);
    const auto id = scene->id.value;
    hub_.store().put_document(kScenes, id, stored, now(),
                              [this, scene = std::move(*scene), done = std::move(done)](proto::Result<void> r) mutable {
                                  if (!r) return done(r.error());
                                  const auto id = scene.id;
                                  auto problem = scenes::scene_problem(scene, hub_.registry());
                                  scenes_[id] = scenes::SceneEntry{std::move(scene), std::move(problem)};
                                  broken_scenes_.erase(id);
                                  resolve_all();
                                  done(ok(scene_view(id, scenes_.at(id))));
                              });
}

void Automation::delete_scene(const proto::SceneId& id, Answer done) {
    if (!scenes_.contains(id) && !broken_scenes_.contains(id)) {
        return done(proto::make_error(Errc::not_found, "no scene with id '" + id.value + "'", "id"));
    }
    hub_.store().erase_document(kScenes, id.value, [this, id, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        scenes_.erase(id);
        broken_scenes_.erase(id);
        resolve_all();
        done(ok(json{{"id", id.value}, {"deleted", true}}));
    });
}

json Automation::activate(const scenes::Scene& scene, const std::string& context_id, const std::string& trace_rule,
                          json trigger, bool dry_run) {
    const auto t = now();
    const scenes::EvalContext context{&hub_.registry(), nullptr, t, place_};
    auto activation = scenes::plan_activation(scene, hub_.registry(), context, context_id);
    json out{{"scene", scene.id.value}, {"context_id", context_id}, {"skipped", errors_json(activation.plan.skipped)}};
    if (dry_run) {
        std::vector<std::pair<proto::DeviceId, proto::Command>> planned;
        for (const auto& c : activation.plan.commands) planned.emplace_back(c.device, c.command);
        out["commands"] = commands_json(planned);
        return out;
    }
    push_undo(std::move(activation.snapshot));
    auto refused = json::array();
    const auto sent = send_all(activation.plan.commands, refused);
    out["commands"] = commands_json(sent);
    out["refused"] = refused;

    auto trace = immediate_trace(context_id, trace_rule, std::move(trigger), sent, t);
    trace.steps.push_back({t, "scene", "scene", {{"scene", scene.id.value}, {"devices", sent_devices(sent)},
                                                  {"skipped", errors_json(activation.plan.skipped)}}, ""});
    out["trace"] = context_id;
    record_own(std::move(trace));
    return out;
}

proto::Result<json> Automation::activate_scene(const proto::SceneId& id, std::optional<double> transition) {
    const auto it = scenes_.find(id);
    if (it == scenes_.end()) return proto::make_error(Errc::not_found, "no scene with id '" + id.value + "'", "id");
    if (!it->second.problem.empty()) {
        return proto::make_error(Errc::device_unavailable, "scene " + id.value + " is unavailable: " + it->second.problem);
    }
    auto scene = it->second.scene;
    if (transition) {
        if (*transition < 0 || *transition > 3600) {
            return proto::make_error(Errc::out_of_range, "transition is 0–3600 seconds", "transition");
        }
        scene.transition = *transition;
        for (auto& target : scene.targets) target.transition.reset();
    }
    auto out = activate(scene, new_context_id(), kSceneTraces, {{"kind", "api"}, {"action", "activate"}, {"scene", id.value}}, false);
    after_engine();
    return ok(out);
}

void Automation::snapshot_scene(const json& request, Answer done) {
    if (!request.is_object()) return done(proto::make_error(Errc::bad_json, "the body is a JSON object"));
    const auto id = request.value("id", json());
    if (!id.is_string() || !proto::is_valid_id(id.get<std::string>())) {
        return done(proto::make_error(Errc::invalid_field, "id is 1–64 lowercase letters, digits, '_', '-' or '.'", "id"));
    }
    proto::LocalizedName name;
    if (request.contains("name")) {
        auto n = proto::name_from_json(request["name"]);
        if (!n) return done(at_field("name", n.error()));
        name = *n;
    }
    std::vector<proto::DeviceId> devices;
    proto::AreaId area;
    if (request.value("area", json()).is_string()) {
        area = proto::AreaId{request["area"].get<std::string>()};
        if (!hub_.registry().find_area(area)) {
            return done(proto::make_error(Errc::invalid_field, "no area '" + area.value + "'", "area"));
        }
        for (const auto* d : hub_.registry().list({.area = area})) devices.push_back(d->description.id);
    }
    if (request.contains("devices")) {
        const auto& list = request["devices"];
        if (!list.is_array()) return done(proto::make_error(Errc::invalid_field, "devices is a list of device ids", "devices"));
        for (std::size_t i = 0; i < list.size(); ++i) {
            const auto field = "devices[" + std::to_string(i) + "]";
            if (!list[i].is_string()) return done(proto::make_error(Errc::invalid_field, "a device id is text", field));
            proto::DeviceId d{list[i].get<std::string>()};
            if (!hub_.registry().find(d)) return done(proto::make_error(Errc::unknown_device, "no device '" + d.value + "'", field));
            devices.push_back(std::move(d));
        }
    }
    if (devices.empty()) return done(proto::make_error(Errc::invalid_field, "give devices or an area with devices", "devices"));
    const auto snapshot = scenes::take_snapshot(hub_.registry(), devices, now(), "snapshot");
    auto scene = scenes::scene_from_snapshot(snapshot, proto::SceneId{id.get<std::string>()}, name, area);
    put_scene(scenes::to_json(scene), std::nullopt, std::move(done));
}

json Automation::undo_with(const std::string& context_id, json trigger) {
    auto snapshot = undo_.pop();
    if (!snapshot) return json{{"undone", false}, {"commands", json::array()}, {"context_id", context_id}};
    save_undo();
    const auto t = now();
    auto plan = scenes::plan_undo(*snapshot, hub_.registry(), context_id);
    auto refused = json::array();
    const auto sent = send_all(plan.commands, refused);
    trigger["undoes"] = snapshot->label;
    trigger["undoes_context"] = snapshot->context_id;
    auto trace = immediate_trace(context_id, kUndoTraces, std::move(trigger), sent, t);
    trace.steps.push_back({t, "undo", "undo", {{"devices", sent_devices(sent)}}, ""});
    record_own(std::move(trace));
    return json{{"undone", true},
                {"label", snapshot->label},
                {"undoes_context", snapshot->context_id},
                {"commands", commands_json(sent)},
                {"refused", refused},
                {"skipped", errors_json(plan.skipped)},
                {"context_id", context_id},
                {"remaining", undo_.size()}};
}

proto::Result<json> Automation::undo() {
    if (undo_.empty()) return proto::make_error(Errc::not_found, "there is nothing to undo");
    return ok(undo_with(new_context_id(), {{"kind", "api"}, {"action", "undo"}}));
}

// ---- rules ----

json Automation::rule_view(const proto::RuleId& id) const {
    json j = rules_.contains(id) ? rules_.at(id) : json{{"id", id.value}};
    if (const auto it = broken_rules_.find(id); it != broken_rules_.end()) {
        j["status"] = {{"id", id.value}, {"enabled", false}, {"available", false}, {"problem", "definition is invalid: " + it->second}};
        return j;
    }
    if (const auto status = engine_->status(id)) j["status"] = rules::to_json(*status);
    return j;
}

json Automation::rules_json() const {
    auto out = json::array();
    for (const auto& [id, definition] : rules_) out.push_back(rule_view(id));
    return {{"rules", std::move(out)}};
}

proto::Result<json> Automation::rule_json(const proto::RuleId& id) const {
    if (!rules_.contains(id)) return proto::make_error(Errc::not_found, "no rule with id '" + id.value + "'", "id");
    return ok(rule_view(id));
}

void Automation::put_rule(const json& definition, std::optional<proto::RuleId> replace, Answer done) {
    auto body = definition;
    if (replace && body.is_object() && !body.contains("id")) body["id"] = replace->value;
    auto checked = check_rule(body);
    if (!checked) return done(checked.error());
    const proto::RuleId id{body["id"].get<std::string>()};
    if (id.value.starts_with("_")) return done(proto::make_error(Errc::invalid_field, "rule ids starting with '_' are reserved", "id"));
    if (replace && id != *replace) return done(proto::make_error(Errc::invalid_field, "id does not match the path", "id"));
    if (!replace && rules_.contains(id)) return done(proto::make_error(Errc::conflict, "rule " + id.value + " exists already", "id"));
    hub_.store().put_document(kRules, id.value, body, now(), [this, id, body, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        if (auto installed = install_rule(body); !installed) return done(installed.error());
        after_engine();
        done(ok(rule_view(id)));
    });
}

void Automation::delete_rule(const proto::RuleId& id, Answer done) {
    if (!rules_.contains(id)) return done(proto::make_error(Errc::not_found, "no rule with id '" + id.value + "'", "id"));
    hub_.store().erase_document(kRules, id.value, [this, id, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        engine_->remove(id, now());
        rules_.erase(id);
        broken_rules_.erase(id);
        after_engine();
        done(ok(json{{"id", id.value}, {"deleted", true}}));
    });
}

void Automation::set_rule_enabled(const proto::RuleId& id, bool enabled, Answer done) {
    if (!rules_.contains(id)) return done(proto::make_error(Errc::not_found, "no rule with id '" + id.value + "'", "id"));
    if (broken_rules_.contains(id)) return done(proto::make_error(Errc::conflict, "rule " + id.value + " has an invalid definition"));
    auto body = rules_.at(id);
    body["enabled"] = enabled;
    hub_.store().put_document(kRules, id.value, body, now(), [this, id, body, enabled, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        rules_[id] = body;
        auto status = engine_->set_enabled(id, enabled, now());
        if (!status) return done(status.error());
        after_engine();
        done(ok(rule_view(id)));
    });
}

proto::Result<json> Automation::run_rule(const proto::RuleId& id) {
    if (!rules_.contains(id)) return proto::make_error(Errc::not_found, "no rule with id '" + id.value + "'", "id");
    if (broken_rules_.contains(id)) return proto::make_error(Errc::conflict, "rule " + id.value + " has an invalid definition");
    const auto status = engine_->run_now(id, now());
    if (!status) return status.error();
    after_engine();
    return ok(json{{"rule", id.value}, {"started", true}});
}

namespace {

/// Traces are appended again when a confirmation arrives: keep the newest row per trace id.
json newest_per_id(const std::vector<Trace>& rows, std::size_t limit, const std::function<bool(const json&)>& keep) {
    std::set<std::string> seen;
    auto out = json::array();
    for (const auto& row : rows) {
        const auto id = row.body.value("id", "");
        if (!seen.insert(id).second) continue;
        if (!keep(row.body)) continue;
        out.push_back(row.body);
        if (out.size() >= limit) break;
    }
    return out;
}

}  // namespace

proto::Result<json> Automation::rule_traces(const proto::RuleId& id, std::size_t limit) const {
    if (!rules_.contains(id)) return proto::make_error(Errc::not_found, "no rule with id '" + id.value + "'", "id");
    auto rows = hub_.store().traces(id, 1000);
    if (!rows) return rows.error();
    return ok(json{{"rule", id.value}, {"traces", newest_per_id(*rows, limit, [](const json&) { return true; })}});
}

proto::Result<json> Automation::device_traces(const proto::DeviceId& device, std::size_t limit) const {
    auto rows = hub_.store().traces(proto::RuleId{}, 5000);
    if (!rows) return rows.error();
    return ok(json{{"device", device.value},
                {"traces", newest_per_id(*rows, limit, [&](const json& t) { return trace_mentions(t, device.value); })}});
}

proto::Result<json> Automation::fire_webhook(const std::string& id) {
    if (!proto::is_valid_id(id)) {
        return proto::make_error(Errc::invalid_field, "a webhook id is 1–64 lowercase letters, digits, '_', '-' or '.'", "id");
    }
    const auto count = engine_->fire_webhook(id, now());
    after_engine();
    return ok(json{{"webhook", id}, {"rules", count}});
}

// ---- understanding ----

std::optional<proto::AreaId> Automation::area_of(const proto::DeviceId& device) const {
    const auto* d = hub_.registry().find(device);
    if (!d || d->description.area.empty()) return std::nullopt;
    return d->description.area;
}

proto::Result<json> Automation::converse(const ConversationRequest& request) {
    if (request.text.empty()) return proto::make_error(Errc::invalid_field, "text is the utterance", "text");
    if (request.area && !hub_.registry().find_area(*request.area)) {
        return proto::make_error(Errc::invalid_field, "no area '" + request.area->value + "'", "area");
    }
    if (!request.language.empty() && request.language != "zh" && request.language != "en") {
        return proto::make_error(Errc::invalid_field, "language is zh or en", "language");
    }
    const auto context_id = new_context_id();
    const auto u = recognizer().recognize({request.text, request.area, context_id, {}}, hub_.registry());
    auto out = nlu::to_json(u);
    out["dry_run"] = request.dry_run;
    const auto t = now();
    json trigger{{"kind", "utterance"}, {"text", request.text}, {"area", request.area ? request.area->value : ""}};
    if (u.intent) {
        trigger["intent"] = u.intent->name;
        trigger["slots"] = proto::to_json(u.intent->slots);
        trigger["confidence"] = u.intent->confidence;
    }
    const auto scene_of = [&](const proto::SceneId& id) -> const scenes::SceneEntry* {
        const auto it = scenes_.find(id);
        return it == scenes_.end() ? nullptr : &it->second;
    };
    const auto run_scene = [&](const proto::SceneId& id) {
        const auto* entry = scene_of(id);
        if (!entry || !entry->problem.empty()) {
            out["understood"] = false;
            out["speech"] = u.language == nlu::Language::zh ? "场景" + id.value + "现在无法使用"
                                                                    : "The scene " + id.value + " cannot be used right now";
            return;
        }
        const auto activation = activate(entry->scene, context_id, kVoiceTraces, trigger, request.dry_run);
        out["commands"] = activation["commands"];
        out["skipped"] = activation["skipped"];
        if (activation.contains("refused")) out["refused"] = activation["refused"];
    };
    using nlu::Outcome;
    if (!u.parts.empty()) {
        auto intents = json::array();
        for (const auto& p : u.parts) intents.push_back(p.intent ? json(p.intent->name) : json(nullptr));
        trigger["intents"] = std::move(intents);
        converse_parts(u, request, context_id, trigger, out);
    } else switch (u.outcome) {
        case Outcome::command: {
            if (request.dry_run || u.commands.empty()) break;
            std::vector<scenes::DeviceCommand> commands;
            auto ids = json::array();
            for (const auto& c : u.commands) {
                commands.push_back({c.device, c.command});
                ids.push_back(c.device.value);
            }
            send_voice_commands(commands, request.text, context_id, trigger, {{t, "command", "command", {{"devices", ids}}, ""}}, out);
            break;
        }
        case Outcome::scene:
            if (u.scene) run_scene(*u.scene);
            break;
        case Outcome::custom:
            if (u.scene) {
                run_scene(*u.scene);
            } else if (u.rule && !request.dry_run) {
                if (auto ran = run_rule(*u.rule); !ran) {
                    out["understood"] = false;
                    out["speech"] = ran.error().message;
                }
            }
            break;
        case Outcome::undo:
            if (request.dry_run) break;
            if (undo_.empty()) {
                out["speech"] = u.language == nlu::Language::zh ? "没有可以撤销的操作" : "There is nothing to undo";
                break;
            } else {
                auto undone = undo_with(context_id, trigger);
                out["commands"] = undone["commands"];
            }
            break;
        default: break;
    }
    if (!request.dry_run && u.understood) {
        const auto fire = [&](const nlu::Understanding& part) {
            if (!part.understood || !part.intent) return;
            engine_->fire_intent(part.intent->name, part.intent->slots, t, context_id);
            if (const auto mood = part.intent->slots.find("mood"); mood != part.intent->slots.end()) {
                if (const auto* name = std::get_if<std::string>(&mood->second)) engine_->fire_intent(*name, part.intent->slots, t, context_id);
            }
        };
        if (u.parts.empty()) fire(u);
        for (const auto& p : u.parts) fire(p);
        after_engine();
    }
    return ok(out);
}

// Several requests in one utterance act as one change: the parts' commands (a scene's planned
// ones included) merged in order, a later part winning for the same attribute ("我困了，但是把
// 玄关灯开着"), one undo snapshot of every device touched, one trace with a step per part. Undo
// and user rules are acted on only as requests of their own.
void Automation::converse_parts(const nlu::Understanding& u, const ConversationRequest& request,
                                const std::string& context_id, const json& trigger, json& out) {
    using nlu::Outcome;
    const auto t = now();
    std::vector<scenes::DeviceCommand> commands;
    const auto add = [&](const proto::DeviceId& device, const proto::Command& command) {
        for (auto& c : commands) {
            if (c.device != device) continue;
            for (const auto& [name, value] : command.set) c.command.set[name] = value;
            return;
        }
        commands.push_back({device, command});
    };
    auto skipped = json::array();
    std::vector<json> steps;
    for (std::size_t i = 0; i < u.parts.size(); ++i) {
        const auto& part = u.parts[i];
        json detail{{"part", part.text}, {"outcome", std::string(nlu::to_string(part.outcome))}};
        if (part.outcome == Outcome::command) {
            auto ids = json::array();
            for (const auto& c : part.commands) {
                add(c.device, c.command);
                ids.push_back(c.device.value);
            }
            detail["devices"] = std::move(ids);
        }
        const bool scene_part = part.outcome == Outcome::scene || (part.outcome == Outcome::custom && part.scene);
        if (scene_part && part.scene) {
            detail["scene"] = part.scene->value;
            const auto it = scenes_.find(*part.scene);
            if (it == scenes_.end() || !it->second.problem.empty()) {
                skipped.push_back({{"scene", part.scene->value}, {"message", "the scene cannot be used right now"}});
            } else {
                const scenes::EvalContext context{&hub_.registry(), nullptr, t, place_};
                const auto activation = scenes::plan_activation(it->second.scene, hub_.registry(), context, context_id);
                for (const auto& c : activation.plan.commands) add(c.device, c.command);
                for (auto& e : errors_json(activation.plan.skipped)) skipped.push_back(std::move(e));
            }
        }
        steps.push_back(std::move(detail));
    }
    out["skipped"] = skipped;
    if (request.dry_run || commands.empty()) {
        std::vector<std::pair<proto::DeviceId, proto::Command>> planned;
        for (const auto& c : commands) planned.emplace_back(c.device, c.command);
        out["commands"] = commands_json(planned);
        return;
    }
    std::vector<rules::StepRecord> records;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const bool scene_step = steps[i].contains("scene");
        records.push_back({t, "parts[" + std::to_string(i) + "]", scene_step ? "scene" : "command", std::move(steps[i]), ""});
    }
    send_voice_commands(commands, request.text, context_id, trigger, std::move(records), out);
}

// What a voice request sends is one change: one undo snapshot, one trace whose steps say why.
void Automation::send_voice_commands(const std::vector<scenes::DeviceCommand>& commands, const std::string& text,
                                     const std::string& context_id, const json& trigger,
                                     std::vector<rules::StepRecord> steps, json& out) {
    const auto t = now();
    std::vector<proto::DeviceId> devices;
    for (const auto& c : commands) devices.push_back(c.device);
    push_undo(scenes::take_snapshot(hub_.registry(), devices, t, "voice " + text, context_id));
    auto refused = json::array();
    const auto sent = send_all(commands, refused);
    out["commands"] = commands_json(sent);
    out["refused"] = refused;
    auto trace = immediate_trace(context_id, kVoiceTraces, trigger, sent, t);
    trace.steps = std::move(steps);
    record_own(std::move(trace));
}

std::string Automation::assist_subscription() const { return hub_.config().prefix + "/assist/+/text"; }

bool Automation::handle_mqtt(const std::string& topic, const std::string& payload) {
    const auto prefix = hub_.config().prefix + "/assist/";
    if (!topic.starts_with(prefix) || !topic.ends_with("/text")) return false;
    const auto device = topic.substr(prefix.size(), topic.size() - prefix.size() - 5);
    if (!proto::is_valid_id(device)) return true;
    ConversationRequest request;
    request.text = payload;
    if (!payload.empty() && payload.front() == '{') {
        auto j = proto::parse_json(payload);
        if (j && j->is_object() && j->value("text", json()).is_string()) {
            request.text = (*j)["text"].get<std::string>();
            request.dry_run = j->value("dry_run", false) == true;
        }
    }
    request.area = area_of(proto::DeviceId{device});
    auto answer = converse(request);
    json reply = answer ? *answer : json{{"error", error_json(answer.error())}};
    reply["device"] = device;
    auto published = hub_.publish(prefix + device + "/response", reply.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!published) std::cerr << "hearthd: assist reply to " << device << " not sent: " << published.error().message << "\n";
    return true;
}

json Automation::moods_json() const {
    json moods = json::object();
    for (const auto m : kAllMoods) {
        const auto it = moods_.find(m);
        moods[std::string(nlu::to_string(m))] = it == moods_.end() ? json() : json(it->second.value);
    }
    return {{"moods", std::move(moods)}};
}

void Automation::put_moods(const json& body, Answer done) {
    const auto& moods = body.is_object() && body.contains("moods") ? body["moods"] : body;
    if (!moods.is_object()) return done(proto::make_error(Errc::bad_json, "moods is an object of mood → scene id", "moods"));
    std::map<nlu::Mood, proto::SceneId> mapping;
    json stored = json::object();
    for (const auto& [name, scene] : moods.items()) {
        const auto field = "moods." + name;
        const auto mood = mood_from(name);
        if (!mood) return done(proto::make_error(Errc::invalid_field, "unknown mood '" + name + "'", field));
        if (scene.is_null()) continue;
        if (!scene.is_string()) return done(proto::make_error(Errc::invalid_field, "a mood maps to a scene id or null", field));
        proto::SceneId id{scene.get<std::string>()};
        if (!scenes_.contains(id)) return done(proto::make_error(Errc::invalid_field, "no scene '" + id.value + "'", field));
        mapping[*mood] = id;
        stored[name] = id.value;
    }
    hub_.store().put_document(kAutomation, kMoods, stored, now(), [this, mapping, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        moods_ = mapping;
        rebuild_vocabulary();
        done(ok(moods_json()));
    });
}

json Automation::sentences_json() const {
    auto out = json::array();
    for (const auto& s : sentences_) out.push_back(s.body);
    return {{"sentences", std::move(out)}};
}

void Automation::add_sentence(const json& body, Answer done) {
    if (!body.is_object()) return done(proto::make_error(Errc::bad_json, "the body is a JSON object"));
    if (!body.value("pattern", json()).is_string() || body["pattern"].get<std::string>().empty()) {
        return done(proto::make_error(Errc::invalid_field, "pattern is the sentence, with {wildcards}", "pattern"));
    }
    const bool has_scene = body.contains("scene"), has_rule = body.contains("rule");
    if (has_scene == has_rule) return done(proto::make_error(Errc::invalid_field, "give exactly one of scene and rule", "scene"));
    const std::string field = has_scene ? "scene" : "rule";
    if (!body[field].is_string()) return done(proto::make_error(Errc::invalid_field, field + " is an id", field));
    const auto target = body[field].get<std::string>();
    if (has_scene && !scenes_.contains(proto::SceneId{target})) return done(proto::make_error(Errc::invalid_field, "no scene '" + target + "'", field));
    if (has_rule && !rules_.contains(proto::RuleId{target})) return done(proto::make_error(Errc::invalid_field, "no rule '" + target + "'", field));
    std::string id;
    if (body.contains("id")) {
        if (!body["id"].is_string() || !proto::is_valid_id(body["id"].get<std::string>())) {
            return done(proto::make_error(Errc::invalid_field, "id is 1–64 lowercase letters, digits, '_', '-' or '.'", "id"));
        }
        id = body["id"].get<std::string>();
        for (const auto& s : sentences_)
            if (s.id == id) return done(proto::make_error(Errc::conflict, "sentence " + id + " exists already", "id"));
    } else {
        id = new_context_id();
        std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    json stored{{"id", id}, {"pattern", body["pattern"]}, {field, target}};
    hub_.store().put_document(kSentences, id, stored, now(), [this, id, stored, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        sentences_.push_back({id, stored});
        rebuild_vocabulary();
        done(ok(stored));
    });
}

void Automation::delete_sentence(const std::string& id, Answer done) {
    const auto it = std::find_if(sentences_.begin(), sentences_.end(), [&](const SentenceEntry& s) { return s.id == id; });
    if (it == sentences_.end()) return done(proto::make_error(Errc::not_found, "no sentence with id '" + id + "'", "id"));
    hub_.store().erase_document(kSentences, id, [this, id, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        std::erase_if(sentences_, [&](const SentenceEntry& s) { return s.id == id; });
        rebuild_vocabulary();
        done(ok(json{{"id", id}, {"deleted", true}}));
    });
}

// ---- export / import ----

std::string Automation::export_yaml() const {
    json home{{"location", {{"latitude", place_.latitude}, {"longitude", place_.longitude}, {"utc_offset_minutes", place_.utc_offset_minutes}}}};
    auto areas = json::array();
    for (const auto* a : hub_.registry().areas()) areas.push_back(proto::to_json(*a));
    auto devices = json::array();
    for (const auto* d : hub_.registry().list()) devices.push_back(proto::to_json(d->description));
    auto scene_list = json::array();
    for (const auto& [id, entry] : scenes_) scene_list.push_back(scenes::to_json(entry.scene));
    auto rule_list = json::array();
    for (const auto& [id, definition] : rules_) rule_list.push_back(definition);
    home["areas"] = std::move(areas);
    home["devices"] = std::move(devices);
    home["scenes"] = std::move(scene_list);
    home["rules"] = std::move(rule_list);
    return proto::json_to_yaml(home);
}

void Automation::import_yaml(const std::string& text, Answer done) {
    auto home = proto::home_from_yaml(text);
    if (!home) return done(home.error());
    std::vector<scenes::Scene> new_scenes;
    for (std::size_t i = 0; i < home->scenes.size(); ++i) {
        auto scene = scenes::scene_from_json(home->scenes[i]);
        if (!scene) return done(at_field("scenes[" + std::to_string(i) + "]", scene.error()));
        new_scenes.push_back(std::move(*scene));
    }
    for (std::size_t i = 0; i < home->rules.size(); ++i) {
        auto checked = check_rule(home->rules[i]);
        if (!checked) return done(at_field("rules[" + std::to_string(i) + "]", checked.error()));
        if (home->rules[i]["id"].get<std::string>().starts_with("_")) {
            return done(proto::make_error(Errc::invalid_field, "rule ids starting with '_' are reserved", "rules[" + std::to_string(i) + "].id"));
        }
    }
    auto& registry = hub_.mutable_registry();
    auto& store = hub_.store();
    const auto t = now();
    const auto writes = home->areas.size() + home->devices.size() + new_scenes.size() + home->rules.size();
    json summary{{"areas", home->areas.size()}, {"devices", home->devices.size()}, {"scenes", new_scenes.size()}, {"rules", home->rules.size()}};
    auto rules_list = home->rules;
    auto finish = barrier(writes, [this, new_scenes, rules_list, summary, done = std::move(done)](proto::Result<void> r) mutable {
        if (!r) return done(r.error());
        for (auto& scene : new_scenes) {
            auto problem = scenes::scene_problem(scene, hub_.registry());
            const auto id = scene.id;
            scenes_[id] = scenes::SceneEntry{std::move(scene), std::move(problem)};
            broken_scenes_.erase(id);
        }
        resolve_all();
        const auto installed = engine_->upsert_all(rules_list, now());
        for (std::size_t i = 0; i < installed.size(); ++i) {
            if (!installed[i]) return done(installed[i].error());
            rules_[installed[i]->id] = rules_list[i];
            broken_rules_.erase(installed[i]->id);
        }
        after_engine();
        done(ok(json{{"imported", summary}}));
    });
    if (writes == 0) return;
    for (auto& area : home->areas) {
        registry.upsert_area(area);
        store.put_area(area, finish);
    }
    for (auto& device : home->devices) {
        registry.upsert(device.description);
        store.put_device(device.description, {}, finish);
    }
    for (const auto& scene : new_scenes) store.put_document(kScenes, scene.id.value, scenes::to_json(scene), t, finish);
    for (const auto& rule : rules_list) store.put_document(kRules, rule["id"].get<std::string>(), rule, t, finish);
}

}  // namespace hearth::hub
