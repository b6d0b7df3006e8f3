#include "learn/suggestion.hpp"

#include <catch2/catch.hpp>

#include "rules/rule.hpp"

using namespace hearth;
using namespace hearth::learn;
using namespace std::chrono;

namespace {

const auto kZone = scenes::TimeZone::fixed(hours(8));
const TimePoint kNow = sys_days{2026y / March / 30} - hours(8);

Routine weekday_coffee() {
    Routine r;
    r.target = Target{proto::DeviceId{"kitchen.coffee_machine"}, "on", true};
    r.days = DayType::weekdays;
    r.window_start = minutes(6 * 60 + 55);
    r.window_end = minutes(7 * 60 + 14);
    r.typical = minutes(7 * 60 + 5);
    r.support = 17;
    r.eligible_days = 20;
    r.consistency = 0.85;
    r.occurrences = {sys_days{2026y / March / 2} - hours(1) + minutes(5)};
    return r;
}

}  // namespace

TEST_CASE("a routine's suggestion id depends on what it proposes, not on its window") {
    auto a = weekday_coffee();
    auto b = a;
    b.window_start = minutes(6 * 60);
    b.typical = minutes(6 * 60 + 30);
    CHECK(suggestion_id(a) == suggestion_id(b));
    b.days = DayType::every_day;
    CHECK(suggestion_id(a) != suggestion_id(b));
    CHECK(proto::is_valid_id(suggestion_id(a)));
}

TEST_CASE("an explanation names the days, the time, the target and the evidence in English and Chinese") {
    const auto r = weekday_coffee();
    CHECK(explain_en(r) == "On weekdays, kitchen.coffee_machine is set to on = true around 07:05 (17 of 20 days, 06:55–07:14).");
    CHECK(explain_zh(r) == "工作日 07:05 左右，kitchen.coffee_machine 的 on 常被设为 true（20 天中有 17 天，06:55–07:14）。");
}

TEST_CASE("an accepted routine becomes a rule the rule parser accepts, firing at the typical time on its days") {
    SuggestionBook book;
    book.merge({weekday_coffee()}, kNow);
    const auto id = suggestion_id(weekday_coffee());
    const auto rule = rule_for(*book.find(id));
    const auto parsed = rules::rule_from_json(rule);
    REQUIRE((parsed).has_value());
    CHECK(rule["triggers"][0]["time"] == "07:05");
    CHECK(rule["triggers"][0]["weekdays"].size() == 5);
    CHECK(rule["actions"][0]["set"]["on"] == true);
    CHECK(proto::is_valid_id(rule["id"].get<std::string>()));
}

TEST_CASE("a dismissed suggestion is never proposed again, whatever the miner finds later") {
    SuggestionBook book;
    book.merge({weekday_coffee()}, kNow);
    const auto id = suggestion_id(weekday_coffee());
    REQUIRE((book.dismiss(id)).has_value());
    const auto merged = book.merge({weekday_coffee()}, kNow + days(1));
    CHECK(merged.changed.empty());
    CHECK(book.find(id)->state == SuggestionState::dismissed);
    CHECK(book.accept(id, "r").error().code == proto::Errc::conflict);
    CHECK(book.dismiss("routine-none").error().code == proto::Errc::not_found);
}

TEST_CASE("a snoozed suggestion comes back when its snooze ends, an unanswered one expires after 30 days") {
    SuggestionBook book;
    book.merge({weekday_coffee()}, kNow);
    const auto id = suggestion_id(weekday_coffee());
    REQUIRE((book.snooze(id, kNow + days(7))).has_value());
    book.merge({}, kNow + days(3));
    CHECK(book.find(id)->state == SuggestionState::snoozed);
    const auto back = book.merge({}, kNow + days(8));
    CHECK(back.changed == std::vector<std::string>{id});
    CHECK(book.find(id)->state == SuggestionState::fresh);
    const auto expired = book.merge({}, kNow + days(31));
    CHECK(expired.dropped == std::vector<std::string>{id});
    CHECK(book.find(id) == nullptr);
}

TEST_CASE("a suggestion reads back from its JSON, and a stored one of the wrong shape names the field") {
    SuggestionBook book;
    book.merge({weekday_coffee()}, kNow);
    const auto id = suggestion_id(weekday_coffee());
    REQUIRE((book.accept(id, "learned-x")).has_value());
    const auto j = to_json(*book.find(id), kZone);
    CHECK(j["evidence"]["occurrences"][0] == "2026-03-02T07:05:00+08:00");
    const auto back = suggestion_from_json(j);
    REQUIRE((back).has_value());
    CHECK(back->state == SuggestionState::accepted);
    CHECK(back->rule == "learned-x");
    CHECK(back->routine.target == weekday_coffee().target);
    CHECK(back->routine.window_end == minutes(7 * 60 + 14));
    CHECK(back->routine.occurrences == weekday_coffee().occurrences);
    auto wrong = j;
    wrong["evidence"]["support"] = "many";
    CHECK(suggestion_from_json(wrong).error().field == "support");
    wrong = j;
    wrong["state"] = "maybe";
    CHECK(suggestion_from_json(wrong).error().field == "state");
}
