#pragma once
// Suggestions: what the miner found, with its evidence and a one-sentence explanation in English
// and Chinese, and what the household decided about it. Pure; the hub persists each suggestion as
// a document (collection "suggestions") and turns an accepted one into a rule.
//
// States: new → accepted (a rule was created from it) | snoozed (until a time, then new again) |
// dismissed (permanent: never proposed again, whatever the miner finds later). A suggestion's id
// is derived from what it proposes (the routine's target and day type, not its window), so the
// same habit found again is the same suggestion. A new suggestion the miner no longer finds and
// nobody answered expires 30 days after it was first made. Nothing is ever accepted silently.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "learn/routine.hpp"
#include "proto/errc.hpp"

namespace hearth::learn {

enum class SuggestionState { fresh, accepted, snoozed, dismissed };
std::string_view to_string(SuggestionState state) noexcept;  // "new", "accepted", "snoozed", "dismissed"

struct Suggestion {
    std::string id;
    SuggestionState state = SuggestionState::fresh;
    Routine routine;
    TimePoint first_found;
    TimePoint last_found;
    std::optional<TimePoint> snoozed_until;
    std::string rule;  // the rule it became, once accepted
};

/// "routine-" and 16 hex digits of the routine's target and day type.
std::string suggestion_id(const Routine& routine);

/// "On weekdays, kitchen.light is set to on = true around 06:50 (9 of 10 days, 06:40–07:02)."
std::string explain_en(const Routine& routine);
/// "工作日 06:50 左右，kitchen.light 的 on 常被设为 true（10 天中有 9 天，06:40–07:02）。"
std::string explain_zh(const Routine& routine);

/// The rule an accepted routine becomes: a time trigger at the routine's typical time (on its
/// weekdays) commanding its target; the evidence in the description. Id "learned-<hex>".
nlohmann::json rule_for(const Suggestion& suggestion);

/// {"id", "kind": "routine", "state", "explanation": {"en", "zh"}, "evidence": {device, attribute,
/// value, days, window: {from, to}, typical, support, eligible_days, consistency, occurrences:
/// ["2026-03-02T06:51:10+08:00", …]}, "first_found", "last_found", "snoozed_until"?, "rule"?}.
/// Times in the home's zone.
nlohmann::json to_json(const Suggestion& suggestion, const scenes::TimeZone& zone);
/// Reads back what to_json wrote (the stored document); a field of the wrong type is
/// `invalid_field` naming it.
proto::Result<Suggestion> suggestion_from_json(const nlohmann::json& j);

struct SuggestionOptions {
    std::chrono::days expire_after{30};
};

/// The household's suggestions, by id.
class SuggestionBook {
public:
    explicit SuggestionBook(SuggestionOptions options = {}) : options_(options) {}

    void add(Suggestion suggestion);
    /// Takes what a mining pass found at `now`: new routines become new suggestions, known ones
    /// get fresh evidence (their state kept), snoozes that ran out become new again, unanswered
    /// ones not found for `expire_after` are dropped. Returns the ids changed and the ids dropped.
    struct Merged {
        std::vector<std::string> changed;
        std::vector<std::string> dropped;
    };
    Merged merge(const std::vector<Routine>& found, TimePoint now);

    /// new or snoozed → accepted with the rule's id; anything else is a `conflict`.
    proto::Result<const Suggestion*> accept(const std::string& id, std::string rule);
    proto::Result<const Suggestion*> dismiss(const std::string& id);
    proto::Result<const Suggestion*> snooze(const std::string& id, TimePoint until);

    const Suggestion* find(const std::string& id) const;
    const std::map<std::string, Suggestion>& all() const noexcept { return suggestions_; }

private:
    proto::Result<Suggestion*> answerable(const std::string& id);

    SuggestionOptions options_;
    std::map<std::string, Suggestion> suggestions_;
};

}  // namespace hearth::learn
