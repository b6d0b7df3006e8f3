#pragma once
// The recogniser's lexicon: the home's names (devices, aliases, areas, scenes), the words for device
// kinds, and the cue words and phrases of both languages (actions, attributes, moods, negation,
// question markers). spot() finds them in a normalised utterance: exact matches and numbers first
// (the segmentation that explains the most units), then sound-alike Chinese names through pinyin and
// misspelt English names through edit distance on what is left. Immutable after construction.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "devices/registry.hpp"
#include "nlu/numerals.hpp"
#include "nlu/text.hpp"
#include "nlu/understanding.hpp"

namespace hearth::nlu {

enum class EntryKind { device, area, floor, scene, kind, cue };

enum class Cue {
    on, off, lock, unlock, set, up, down, brighter, dimmer, warmer, cooler, louder, quieter,
    query, pause, unpause, next, previous, clean, dock, undo, nevermind, negation, bit, max, min,
    brightness, temperature, temperature_query, volume, position, color, all, everywhere, here, mood,
    state_on, state_off, state_open, state_closed, state_locked, state_unlocked, scene_word, hvac_mode,
    reading, half, mute, floor, sensor_state, filler,
};

inline constexpr int kUpstairs = 100;
inline constexpr int kDownstairs = -100;

struct Entry {
    std::vector<Unit> phrase;
    EntryKind kind = EntryKind::cue;
    std::string target;                       // device, area, floor or scene id
    std::vector<proto::DeviceKind> kinds;     // EntryKind::kind: the device kinds the word covers
    std::string device_class;                 // EntryKind::kind: the class the word names ("window"), if any
    Cue cue = Cue::filler;
    int detail = 0;  // Mood for Cue::mood; index of color_name, hvac_mode_name or reading_attribute;
                     // Cue::all: 1 for words that mean the whole home unless a room is named
                     // ("所有", "all"); Cue::query: 1 any, 2 how many, 3 which; Cue::on: 1 for words
                     // that mean lights ("light up", "点亮"); Cue::floor: the level
                     // (1 = ground floor), kUpstairs or kDownstairs
    std::optional<Language> language;         // the language of a name, when known
};

/// One thing found in the utterance. Several entries when equally good (an ambiguity).
struct Mention {
    std::size_t begin = 0;
    std::size_t end = 0;
    EntryKind kind = EntryKind::cue;
    bool is_number = false;
    NumberMatch number;
    std::vector<const Entry*> entries;
    double score = 1.0;  // 1 exact; lower for sound-alike or misspelt matches
};

std::string_view color_name(int index) noexcept;
/// "cool", "heat", "dry", "fan_only", "auto" for 1–5.
std::string_view hvac_mode_name(int index) noexcept;
/// Whether a device is what a kind word names: one of its kinds and, for a class word ("window",
/// "百叶窗"), of that class. A device without a class is of its kind's plain class (a curtain is a
/// "curtain"), so "窗帘" finds unclassed curtains and "窗户" does not.
bool kind_word_matches(const Entry& e, const devices::Device& d);

/// The sensor attribute a reading word asks for ("湿度" → "humidity"), for 1–5.
std::string_view reading_attribute(int index) noexcept;

/// What a state word says of a binary sensor, in Home Assistant's device classes: "wet" is a
/// moisture sensor that is on, "safe" a safety sensor that is off, "clear" any sensor that is off.
struct SensorState {
    std::vector<std::string_view> classes;  // empty: a sensor of any class
    bool on = true;
};
/// For Cue::sensor_state's detail; nullptr for an index out of range.
const SensorState* sensor_state(int index) noexcept;
/// Whether a device reports a yes-or-no state that a question can be about (on, open, locked,
/// occupied, detected, …).
bool has_binary_state(const devices::Device& d);
/// The device's class for questions: its own, or for a sensor without one the classes its kind
/// implies (a presence sensor is a motion, occupancy and presence sensor).
bool is_of_class(const devices::Device& d, std::string_view device_class);

class Lexicon {
public:
    Lexicon(const devices::Registry& registry, const Vocabulary& vocabulary, const TextNormalizer& normalizer);

    /// Mentions in order of position, never overlapping.
    std::vector<Mention> spot(const Text& text) const;

    /// The first custom sentence the whole utterance matches: intent "custom" with the scene or
    /// rule and the wildcard values as slots.
    std::optional<Understanding> match_sentence(const Text& text, const Vocabulary& vocabulary) const;

    std::size_t size() const noexcept { return entries_.size(); }

private:
    void add(std::string_view phrase, Entry entry);
    void add_cues();
    void add_kinds();

    struct Pattern {
        std::vector<std::vector<Unit>> literals;  // literal i comes before wildcard i
        std::vector<std::string> wildcards;
        std::size_t sentence = 0;
    };
    void add_sentence(const CustomSentence& sentence, std::size_t index);
    /// How well units[at…] sound like (zh) or are spelt like (en) the entry: 1 − penalty, or nothing.
    std::optional<double> sound_alike(const std::vector<Unit>& units, std::size_t at, const Entry& e) const;

    const TextNormalizer* normalizer_;
    std::vector<Pattern> patterns_;
    std::vector<Entry> entries_;
    std::unordered_map<std::string, std::vector<std::size_t>> by_first_unit_;
    std::vector<std::size_t> names_;  // device, area and scene entries, for fuzzy matching
    std::vector<std::string> name_words_;  // English words of device and area names ("front" of "front door lock")
    Entry name_word_;                      // what such a word is when it stands alone: known, no meaning
};

}  // namespace hearth::nlu
