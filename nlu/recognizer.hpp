#pragma once
// The local bilingual intent recogniser: utterance → intent → commands, scene or answer.
//
// Construction indexes the home: every device name (zh, en, aliases), area name, scene name and
// kind word, with the pinyin of every Chinese name for homophone matching. Rebuild (or build a new
// recogniser) when the home's devices, areas, scenes or vocabulary change. recognize() reads the
// current state from the registry it is given (to turn "调高两度" into an absolute target), never
// changes anything and keeps no per-utterance state, so it is const.
//
// Threading: build and use on the hub thread (the registry is hub-thread only). The recogniser
// itself is immutable between rebuilds.
#include <memory>

#include "devices/registry.hpp"
#include "nlu/understanding.hpp"

namespace hearth::nlu {

class Lexicon;
struct Mention;

class Recognizer {
public:
    explicit Recognizer(const devices::Registry& registry, Vocabulary vocabulary = {},
                        const TextNormalizer& normalizer = shared_normalizer());
    ~Recognizer();
    Recognizer(Recognizer&&) noexcept;
    Recognizer& operator=(Recognizer&&) noexcept;

    /// Re-indexes after devices, areas or names changed.
    void rebuild(const devices::Registry& registry);
    /// Replaces scenes, moods, custom sentences, aliases and the threshold, and re-indexes.
    void set_vocabulary(const devices::Registry& registry, Vocabulary vocabulary);
    const Vocabulary& vocabulary() const noexcept { return vocabulary_; }

    /// Utterances longer than kMaxUtteranceBytes are not read; the reply says so. An utterance with
    /// several requests ("开灯然后拉上窗帘", "turn on the light and turn off the fan") is split into
    /// parts, each recognised on its own (see Understanding::parts); a part naming no area takes the
    /// previous part's. Traditional Chinese input gets its speech in Traditional characters.
    Understanding recognize(const Request& request, const devices::Registry& registry) const;

    static constexpr std::size_t kMaxUtteranceBytes = 1024;

private:
    Understanding recognize_one(const Text& text, std::vector<Mention> mentions, const Request& request,
                                const devices::Registry& registry) const;

    Vocabulary vocabulary_;
    const TextNormalizer* normalizer_;
    std::unique_ptr<Lexicon> lexicon_;
};

}  // namespace hearth::nlu
