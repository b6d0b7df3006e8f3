#include "care/notification_desk.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::care;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// 2026-01-01 00:00 UTC; the tests pass the local time of day beside it.
const TimePoint kMidnight = TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 1 / 1));

Notification comfort(std::string key, std::string person = {}) {
    return {.program = "air", .key = std::move(key), .urgency = Urgency::comfort, .person = std::move(person), .text_en = "hello", .text_zh = "你好", .created = {}};
}

}  // namespace

TEST_CASE("A comfort message in the home's quiet hours is held until they end, and a safety alert goes out at once") {
    NotificationDesk desk;
    const NotificationSettings settings;  // quiet 22:00–07:00
    const auto at_23 = kMidnight + 23h;
    const auto held = desk.submit(comfort("dusty"), at_23, 23h, settings, {});
    CHECK(held.verdict == NotificationDesk::Verdict::held);
    CHECK(held.release_at == at_23 + 8h);
    Notification alarm = comfort("door");
    alarm.urgency = Urgency::safety;
    CHECK(desk.submit(alarm, at_23, 23h, settings, {}).verdict == NotificationDesk::Verdict::deliver);
    CHECK(desk.release(at_23 + 7h).empty());
    const auto morning = desk.release(at_23 + 8h);
    REQUIRE(morning.size() == 1);
    CHECK(morning[0].key == "dusty");
    CHECK(!desk.next_release());
    CHECK(desk.submit(comfort("noon"), kMidnight + 12h, 12h, settings, {}).verdict == NotificationDesk::Verdict::deliver);
}

TEST_CASE("A person's own quiet hours decide for messages to them") {
    NotificationDesk desk;
    const NotificationSettings settings;
    const auto home = household_from_json(json::parse(R"([{"id": "mia", "name": "Mia", "quiet_hours": {"from": "20:00", "to": "08:00"}}])")).value();
    const auto at_21 = kMidnight + 21h;
    CHECK(desk.submit(comfort("a", "mia"), at_21, 21h, settings, home).release_at == at_21 + 11h);
    CHECK(desk.submit(comfort("b"), at_21, 21h, settings, home).verdict == NotificationDesk::Verdict::deliver);
    NotificationSettings never;
    never.quiet_hours.reset();
    CHECK(desk.submit(comfort("c"), kMidnight + 23h, 23h, never, home).verdict == NotificationDesk::Verdict::deliver);
}

TEST_CASE("The same program and key within its window is a duplicate, and after it a new message") {
    NotificationDesk desk;
    NotificationSettings settings;
    settings.quiet_hours.reset();
    settings.dedup_windows["air"] = 60min;
    const auto noon = kMidnight + 12h;
    CHECK(desk.submit(comfort("window"), noon, 12h, settings, {}).verdict == NotificationDesk::Verdict::deliver);
    CHECK(desk.submit(comfort("window"), noon + 59min, 12h + 59min, settings, {}).verdict == NotificationDesk::Verdict::duplicate);
    CHECK(desk.submit(comfort("other"), noon + 1min, 12h + 1min, settings, {}).verdict == NotificationDesk::Verdict::deliver);
    CHECK(desk.submit(comfort("window"), noon + 60min, 13h, settings, {}).verdict == NotificationDesk::Verdict::deliver);
    CHECK(desk.duplicates() == 1);
}

TEST_CASE("Quiet hours wrap past midnight") {
    const QuietHours q{22h, 7h};
    CHECK(quiet_for(q, 23h) == 8h);
    CHECK(quiet_for(q, 3h) == 4h);
    CHECK(!quiet_for(q, 7h));
    CHECK(!quiet_for(q, 12h));
    CHECK(quiet_for(QuietHours{13h, 14h}, 13h + 30min) == 30min);
}

TEST_CASE("A notification from the API is read with its fields checked") {
    const auto home = household_from_json(json::parse(R"([{"id": "mia", "name": "Mia"}])")).value();
    const auto n = notification_from_json(json::parse(R"({"text": {"en": "hi", "zh": "你好"}, "urgency": "safety", "person": "mia"})"), home);
    REQUIRE(n.has_value());
    CHECK(n->urgency == Urgency::safety);
    CHECK(n->text_zh == "你好");
    CHECK(n->key == "hi");
    const auto field_of = [&](const char* text) { return notification_from_json(json::parse(text), home).error().field; };
    CHECK(field_of(R"({"text": "hi", "person": "bo"})") == "person");
    CHECK(field_of(R"({"text": "hi", "urgency": "panic"})") == "urgency");
    CHECK(field_of(R"({"text": 3})") == "text");
    CHECK(field_of(R"({})") == "text");
}
