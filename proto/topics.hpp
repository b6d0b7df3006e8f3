#pragma once
// The native MQTT topic scheme (see proto/README.md):
//   <prefix>/device/<id>/config        retained description (JSON), empty payload = removed
//   <prefix>/device/<id>/state         retained state (JSON object of attributes)
//   <prefix>/device/<id>/set           commands to the device
//   <prefix>/device/<id>/event         events from the device
//   <prefix>/device/<id>/availability  retained "online" / "offline" (the device's last will)
//   <prefix>/hub/status                retained "online" / "offline" (the hub's birth and last will)
//   <prefix>/hub/sync/<client id>      the hub's own resynchronisation marker (hub → hub)
#include <optional>
#include <string>
#include <string_view>

#include "proto/ids.hpp"

namespace hearth::proto {

enum class DeviceTopic { config, state, set, event, availability };

inline constexpr std::string_view kOnline = "online";
inline constexpr std::string_view kOffline = "offline";

struct ParsedTopic {
    DeviceId device;
    DeviceTopic kind;
};

class Topics {
public:
    explicit Topics(std::string prefix = "hearth") : prefix_(std::move(prefix)) {}

    const std::string& prefix() const noexcept { return prefix_; }
    std::string device(const DeviceId& id, DeviceTopic kind) const;
    std::string hub_status() const { return prefix_ + "/hub/status"; }
    std::string hub_sync(const std::string& client_id) const { return prefix_ + "/hub/sync/" + client_id; }
    /// "<prefix>/device/+/<leaf>" for one kind of device topic.
    std::string all(DeviceTopic kind) const;
    /// Inverse of device(); nullopt for anything that is not a native device topic.
    std::optional<ParsedTopic> parse(std::string_view topic) const;

private:
    std::string prefix_;
};

std::string_view to_string(DeviceTopic kind) noexcept;

}  // namespace hearth::proto
