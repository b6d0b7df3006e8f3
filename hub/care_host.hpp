#pragma once
// The care programs at work in the hub: the household, the notification desk and its delivery
// (WebSocket, MQTT, webhooks), the Air program and the Watch program (a sensor gone silent). The
// decisions are the core's (care/); this piece feeds them the device facts and the hub's time and
// carries out what they decide:
//   - Air: a pm25 reading → each purifier in that area to the curve's level (care::decide_air); the
//     command goes out with a trace (`_care_air`) whose step says why in English and Chinese.
//   - Watch: a device with nothing to command (a sensor) going offline → a safety alert.
//   - Speaking first: a question said through a speaker's `say`; the reply heard on the same
//     speaker's assist topic within the timeout is yes or no (care::reply_to_question), and a yes
//     may activate a scene; anything else goes on to the assistant as an ordinary request.
//   - Notifications: care::NotificationDesk decides deliver / hold till the quiet hours end /
//     duplicate; a delivered one goes to the live feed ("notification"), to MQTT
//     `<prefix>/notify/<person|household>` and to every webhook, retried with doubling back-off.
// The household and the settings are kept in the store (documents "care/household", "care/settings"),
// seeded from the home file's `household` and `care` sections while none are stored.
//
// Hub thread only. What it is linked to outlives it.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "care/care_settings.hpp"
#include "care/household.hpp"
#include "care/notification_desk.hpp"
#include "devices/registry.hpp"
#include "hub/answer.hpp"
#include "hub/clock.hpp"
#include "hub/fact_listener.hpp"
#include "hub/live_feed.hpp"
#include "hub/router.hpp"
#include "hub/rule_host.hpp"
#include "hub/store.hpp"
#include "scenes/calendar.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::hub {

/// What the care programs use of the hub.
struct CareLinks {
    devices::Registry& registry;
    Store& store;
    LiveFeed& live;
    RuleHost& host;  // records the programs' traces
    const Clock& clock;
    SendCommand send_command;
    std::function<proto::Result<void>(const std::string& topic, const std::string& payload)> publish;
    std::function<const scenes::Place&()> place;  // the home's location and time zone
    std::function<proto::Result<nlohmann::json>(const proto::SceneId&)> activate_scene;
    std::string prefix;                            // the MQTT topic prefix
};

class CareHost final : public FactListener {
public:
    CareHost(boost::asio::io_context& io, CareLinks links);
    CareHost(const CareHost&) = delete;
    CareHost& operator=(const CareHost&) = delete;

    /// Reads the stored household and settings, or seeds them from the home file. A bad home-file
    /// section is logged and left out (the defaults hold); the hub still starts.
    void start(const std::vector<Document>& documents, const nlohmann::json& home);
    void stop();

    // ---- FactListener ----
    void state_changed(const devices::StateChange& change, const proto::Context& cause,
                       std::chrono::system_clock::time_point at) override;
    void availability_changed(const devices::adapters::AvailabilityChange& change) override;
    void device_event(const devices::adapters::DeviceEvent&) override {}

    // ---- the API (care_routes.cpp) ----
    nlohmann::json household_json() const;
    /// Replaces the household; presence devices must exist. Answers after the commit.
    void put_household(const nlohmann::json& body, Answer done);
    /// The settings and what each program is doing and why.
    nlohmann::json status_json() const;
    /// Applies settings over the current ones. Answers after the commit.
    void put_settings(const nlohmann::json& body, Answer done);
    /// A notification from an app: {"text", "urgency", "person", "key"}.
    proto::Result<nlohmann::json> notify_from_app(const nlohmann::json& body);
    /// The latest notifications with what became of each (delivered, held, duplicate) and of each
    /// delivery (live, mqtt, webhooks: attempts, last error).
    nlohmann::json notifications_json(std::size_t limit) const;

    /// Says a question through a speaker and waits for the spoken reply:
    /// {"speaker", "text": "…" | {"en", "zh"}, "language": "zh" | "en", "timeout_s": 1–600,
    ///  "scene_on_yes"}. One question at a time per speaker.
    proto::Result<nlohmann::json> ask(const nlohmann::json& body);
    /// An utterance on "<prefix>/assist/<speaker>/text": true when it answered that speaker's
    /// waiting question (the reply is published on …/response); false leaves it to the assistant.
    bool take_answer(const std::string& topic, const std::string& payload);

    /// Hands a program's notification to the desk; returns the verdict ("delivered", "held", "duplicate").
    std::string notify(care::Notification notification);

private:
    struct Delivery {
        std::string channel;  // live, mqtt, webhook
        std::string target;   // topic or URL
        std::string status;   // sent, retrying, failed
        int attempts = 0;
        std::string error;
    };
    struct Entry {
        care::Notification notification;
        std::string verdict;  // delivered, held, duplicate
        std::optional<care::TimePoint> release_at;
        std::vector<Delivery> deliveries;
    };
    struct PurifierMemory {
        care::PurifierLevel curve_level = care::PurifierLevel::off;
        double pm25 = 0;
        std::string why_en;
        std::string why_zh;
        std::string level;  // the level asked for
        std::optional<care::TimePoint> at;    // the last reading
        std::optional<care::TimePoint> sent;  // the last command
        std::string context_id;
    };

    struct Question {
        std::uint64_t id = 0;
        proto::DeviceId speaker;
        std::string text;      // what the speaker said
        std::string language;  // zh or en
        std::string scene_on_yes;
        care::TimePoint asked{};
        care::TimePoint deadline{};
        std::string outcome = "waiting";  // waiting, yes, no, timed_out
        std::string answer;               // the reply heard
        std::string context_id;
        std::string error;                // a scene that could not be activated
    };

    nlohmann::json question_json(const Question& q) const;
    void air_reading(const proto::DeviceId& reader, double pm25);
    void steer_purifier(const devices::Device& purifier, double pm25);
    void deliver(Entry& entry);
    void send_webhook(std::uint64_t id, std::size_t hook, const care::Webhook& webhook, std::string body, int attempt);
    Entry* entry_of(std::uint64_t id);
    void tick();
    care::TimeOfDay local_time_of_day() const;
    void record_action(nlohmann::json action);

    boost::asio::io_context& io_;
    CareLinks links_;
    care::Household household_;
    care::CareSettings settings_;
    care::NotificationDesk desk_;
    std::deque<Entry> recent_;  // newest last
    std::map<proto::DeviceId, PurifierMemory> purifiers_;
    std::deque<Question> questions_;  // newest last
    std::uint64_t next_question_ = 1;
    std::deque<nlohmann::json> actions_;  // the programs' latest actions, newest last
    std::vector<std::string> problems_;   // home-file sections left out, with why
    std::uint64_t webhook_failures_ = 0;
    bool stopped_ = false;
};

/// GET/PUT /api/v1/household, GET/PUT /api/v1/care, GET/POST /api/v1/care/notifications,
/// POST /api/v1/care/ask.
void add_care_routes(Router& router, CareHost& care);

}  // namespace hearth::hub
