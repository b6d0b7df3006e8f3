#include "hub/phrasebook.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "hub/automation_documents.hpp"
#include "hub/context_id.hpp"
#include "hub/request_bodies.hpp"

namespace hearth::hub {

using proto::Errc;
using nlohmann::json;
using namespace documents;

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
    for (const auto m : all_moods()) {
        const auto it = moods_.find(m);
        moods[std::string(nlu::to_string(m))] = it == moods_.end() ? json() : json(it->second.value);
    }
    return {{"moods", std::move(moods)}};
}

void Phrasebook::put_moods(const json& body, Answer done) {
    auto mapping = moods_from_json(body, [this](const proto::SceneId& id) { return definitions_.scenes().contains(id); });
    if (!mapping) return done(mapping.error());
    json stored = json::object();
    for (const auto& [mood, scene] : *mapping) stored[std::string(nlu::to_string(mood))] = scene.value;
    store_.put_document(kAutomation, kMoods, stored, clock_.now(), [this, mapping = std::move(*mapping), done = std::move(done)](proto::Result<void> r) {
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
    auto request = sentence_from_json(
        body, [this](const proto::SceneId& id) { return definitions_.scenes().contains(id); },
        [this](const proto::RuleId& id) { return definitions_.has_rule(id); });
    if (!request) return done(request.error());
    std::string id;
    if (request->id) {
        id = *request->id;
        for (const auto& s : sentences_)
            if (s.id == id) return done(proto::make_error(Errc::conflict, "sentence " + id + " exists already", "id"));
    } else {
        id = new_context_id();
        std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    json stored{{"id", id}, {"pattern", request->pattern}, {request->field, request->target}};
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
