#pragma once
// Where the automation keeps its configuration in the store's documents: one collection per kind of
// definition, and the "automation" collection for the engine's pending work, the undo stack, the
// mood mapping and the mark that the home file's scenes and rules were imported once.
namespace hearth::hub::documents {

inline constexpr const char* kScenes = "scenes";
inline constexpr const char* kRules = "rules";
inline constexpr const char* kSentences = "sentences";
inline constexpr const char* kAutomation = "automation";
inline constexpr const char* kPending = "pending";  // in kAutomation
inline constexpr const char* kUndo = "undo";        // in kAutomation
inline constexpr const char* kMoods = "moods";      // in kAutomation
inline constexpr const char* kSeeded = "seeded";    // in kAutomation

}  // namespace hearth::hub::documents
