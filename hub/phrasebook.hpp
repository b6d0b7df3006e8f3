#pragma once
// The home's own words for the assistant: which scene each mood means ("我困了" → sleep) and the
// sentences users attached to scenes and rules. Kept in the store; builds the recogniser's
// vocabulary together with the scene book.
//
// Hub thread only. Writes answer after the SQLite commit, with the change in effect at that moment.
// The store and the definitions outlive it.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/answer.hpp"
#include "hub/clock.hpp"
#include "hub/definitions.hpp"
#include "hub/store.hpp"
#include "proto/ids.hpp"
#include "nlu/understanding.hpp"

namespace hearth::hub {

class Phrasebook {
public:
    /// `changed` is called whenever the moods or the sentences changed.
    Phrasebook(Store& store, const Clock& clock, const Definitions& definitions, std::function<void()> changed);

    /// Reads the stored moods (the default mapping when none are stored) and sentences.
    void load(const std::vector<Document>& documents);
    /// The recogniser's vocabulary: the scene book's scenes, the moods and the sentences.
    nlu::Vocabulary vocabulary() const;

    nlohmann::json moods_json() const;
    void put_moods(const nlohmann::json& body, Answer done);
    nlohmann::json sentences_json() const;
    void add_sentence(const nlohmann::json& body, Answer done);
    void delete_sentence(const std::string& id, Answer done);

private:
    struct SentenceEntry {
        std::string id;
        nlohmann::json body;  // {"id", "pattern", "scene" | "rule"}
    };

    Store& store_;
    const Clock& clock_;
    const Definitions& definitions_;
    std::function<void()> changed_;
    std::map<nlu::Mood, proto::SceneId> moods_;
    std::vector<SentenceEntry> sentences_;
};

}  // namespace hearth::hub
