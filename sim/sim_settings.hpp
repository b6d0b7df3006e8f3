#pragma once
// The optional `sim:` block of a device in a home document: how the simulator makes that device
// behave. Every field has a default that suits the device's kind.
#include <chrono>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "proto/errc.hpp"
#include "proto/ids.hpp"
#include "proto/value.hpp"

namespace hearth::sim {

/// A window of local time, "22:00"–"07:30"; it wraps past midnight when `to` is before `from`.
struct TimeWindow {
    std::chrono::minutes from{0};
    std::chrono::minutes to{0};

    bool contains(std::chrono::minutes time_of_day) const noexcept;
    friend bool operator==(const TimeWindow&, const TimeWindow&) = default;
};

/// How a device presents itself on MQTT: Hearth's native protocol, or as a Zigbee2MQTT device
/// with Home Assistant discovery (see zigbee2mqtt_style.hpp).
enum class PresentationStyle { native, zigbee2mqtt };

/// "native" or "zigbee2mqtt".
std::optional<PresentationStyle> presentation_style_from(std::string_view text) noexcept;

struct SimSettings {
    std::optional<std::chrono::milliseconds> interval;  // how often a sensor reports; kind default when absent
    proto::DeviceId follows;                            // a climate sensor in the room of this AC
    std::optional<double> room_temperature;             // °C the room drifts to with the AC off
    std::vector<TimeWindow> schedule;                   // when a presence sensor's room is usually occupied
    double speed = 20;                                  // curtain travel, % per second
    std::map<std::string, std::vector<std::string>> playlists;  // playlist id → track titles
    std::chrono::milliseconds track_length{std::chrono::seconds(180)};
    proto::Attributes initial;                          // start state overriding the defaults
    PresentationStyle style = PresentationStyle::native;

    friend bool operator==(const SimSettings&, const SimSettings&) = default;
};

/// Parses "HH:MM" into minutes after midnight.
proto::Result<std::chrono::minutes> time_of_day_from(std::string_view text);

/// Null gives the defaults. Errors name the field, e.g. "sim.interval".
proto::Result<SimSettings> settings_from_json(const nlohmann::json& j);

}  // namespace hearth::sim
