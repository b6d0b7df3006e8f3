#include "hub/phrasebook.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "hub/automation_documents.hpp"
#include "hub/context_id.hpp"

namespace hearth::hub {

using proto::Errc;
using nlohmann::json;
using namespace documents;

namespace {

constexpr nlu::Mood kAllMoods[] = {
    nlu::Mood::sleepy,  nlu::Mood::wake,      nlu::Mood::leave,     nlu::Mood::home,
    nlu::Mood::movie,   nlu::Mood::reading,   nlu::Mood::too_hot,   nlu::Mood::too_cold,
    nlu::Mood::too_dark, nlu::Mood::too_bright, nlu::Mood::stuffy};

std::optional<nlu::Mood> mood_from(std::string_view s) {
    for (const auto m : kAllMoods)
        if (nlu::to_string(m) == s) return m;
    return std::nullopt;
}

}  // namespace

Phrasebook::Phrasebook(Store& store, const Clock& clock, const Definitions& definitions, std::function<void()> changed)
    : store_(store), clock_(clock), definitions_(definitions), changed_(std::move(changed)) {}

void Phrasebook::load(const std::vector<Document>& documents) {
    json moods;
    for (const auto& d : documents) {
        if (d.collection == kSentences) sentences_.push_back({d.id, d.body});
        if (d.collection == kAutomation && d.id == kMoods) moods = d.body;
    }
    if (moods.is_object()) {
        for (const auto& [name, scene] : moods.items()) {
            const auto mood = mood_from(name);
            if (mood && scene.is_string()) moods_[*mood] = proto::SceneId{scene.get<std::string>()};
        }
    } else {
        moods_ = nlu::Vocabulary::default_mood_scenes();
    }
    changed_();
}

nlu::Vocabulary Phrasebook::vocabulary() const {
    nlu::Vocabulary v;
    for (const auto& [id, entry] : definitions_.scenes()) {
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
    return v;
}

json Phrasebook::moods_json() const {
    json moods = json::object();
    for (const auto m : kAllMoods) {
        const auto it = moods_.find(m);
        moods[std::string(nlu::to_string(m))] = it == moods_.end() ? json() : json(it->second.value);
    }
    return {{"moods", std::move(moods)}};
}

void Phrasebook::put_moods(const json& body, Answer done) {
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
        if (!definitions_.scenes().contains(id)) return done(proto::make_error(Errc::invalid_field, "no scene '" + id.value + "'", field));
        mapping[*mood] = id;
        stored[name] = id.value;
    }
    store_.put_document(kAutomation, kMoods, stored, clock_.now(), [this, mapping, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        moods_ = mapping;
        changed_();
        done(ok(moods_json()));
    });
}

json Phrasebook::sentences_json() const {
    auto out = json::array();
    for (const auto& s : sentences_) out.push_back(s.body);
    return {{"sentences", std::move(out)}};
}

void Phrasebook::add_sentence(const json& body, Answer done) {
    if (!body.is_object()) return done(proto::make_error(Errc::bad_json, "the body is a JSON object"));
    if (!body.value("pattern", json()).is_string() || body["pattern"].get<std::string>().empty()) {
        return done(proto::make_error(Errc::invalid_field, "pattern is the sentence, with {wildcards}", "pattern"));
    }
    const bool has_scene = body.contains("scene"), has_rule = body.contains("rule");
    if (has_scene == has_rule) return done(proto::make_error(Errc::invalid_field, "give exactly one of scene and rule", "scene"));
    const std::string field = has_scene ? "scene" : "rule";
    if (!body[field].is_string()) return done(proto::make_error(Errc::invalid_field, field + " is an id", field));
    const auto target = body[field].get<std::string>();
    if (has_scene && !definitions_.scenes().contains(proto::SceneId{target})) {
        return done(proto::make_error(Errc::invalid_field, "no scene '" + target + "'", field));
    }
    if (has_rule && !definitions_.has_rule(proto::RuleId{target})) {
        return done(proto::make_error(Errc::invalid_field, "no rule '" + target + "'", field));
    }
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
    store_.put_document(kSentences, id, stored, clock_.now(), [this, id, stored, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        sentences_.push_back({id, stored});
        changed_();
        done(ok(stored));
    });
}

void Phrasebook::delete_sentence(const std::string& id, Answer done) {
    const auto it = std::find_if(sentences_.begin(), sentences_.end(), [&](const SentenceEntry& s) { return s.id == id; });
    if (it == sentences_.end()) return done(proto::make_error(Errc::not_found, "no sentence with id '" + id + "'", "id"));
    store_.erase_document(kSentences, id, [this, id, done = std::move(done)](proto::Result<void> r) {
        if (!r) return done(r.error());
        std::erase_if(sentences_, [&](const SentenceEntry& s) { return s.id == id; });
        changed_();
        done(ok(json{{"id", id}, {"deleted", true}}));
    });
}

}  // namespace hearth::hub
