#pragma once
// The care programs' settings, one document: the home's notification rules, where notifications go
// (webhooks) and each program's switch and parameters. Read from the home file's `care` section and
// from PUT /api/v1/care with the same parser; a field left out keeps its current value, and every
// error names its field ("air.curve[1].level", "webhooks[0].url").
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "care/air.hpp"
#include "care/notification_desk.hpp"
#include "proto/errc.hpp"

namespace hearth::care {

/// A plain-HTTP receiver on the home's network: every notification is POSTed to it as JSON,
/// retried with doubling back-off on a connection error or a non-2xx answer.
struct Webhook {
    std::string url;  // http://host[:port]/path
    std::string host;
    std::string port;    // "80" when not given
    std::string target;  // path and query, "/" when empty
    int attempts = 4;
    std::chrono::milliseconds backoff{1000};  // before the second attempt; doubles after each
    friend bool operator==(const Webhook&, const Webhook&) = default;
};

/// {"url", "attempts": 1–10, "backoff_ms": 10–600000}
proto::Result<Webhook> webhook_from_json(const nlohmann::json& j);

struct WatchSettings {
    bool enabled = true;  // a sensor gone silent raises a safety alert
    friend bool operator==(const WatchSettings&, const WatchSettings&) = default;
};

struct CareSettings {
    NotificationSettings notifications;
    std::vector<Webhook> webhooks;
    AirSettings air;
    WatchSettings watch;
    friend bool operator==(const CareSettings&, const CareSettings&) = default;
};

/// {"notifications": {…}, "webhooks": [...], "air": {…}, "watch": {"enabled"}}; applied over `base`.
proto::Result<CareSettings> care_settings_from_json(const nlohmann::json& j, const CareSettings& base = {});
nlohmann::json to_json(const CareSettings& settings);

}  // namespace hearth::care
