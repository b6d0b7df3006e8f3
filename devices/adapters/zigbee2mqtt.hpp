#pragma once
// Zigbee2MQTT without Home Assistant discovery: devices come from `<base>/bridge/devices` (each
// definition's `exposes`), state from `<base>/<friendly_name>`, availability from
// `<base>/<friendly_name>/availability` and `<base>/bridge/state`; commands go to
// `<base>/<friendly_name>/set` as one JSON object, reads to `<base>/<friendly_name>/get`.
//
// Device ids are the same as the HA discovery adapter gives the same device
// (`zigbee2mqtt_<ieee>`), so a home can switch between the two without losing history; run one of
// them per Zigbee2MQTT instance, not both.
//
// Pure: no I/O, no clock. Hub thread only: not thread-safe.
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "devices/adapters/adapter.hpp"
#include "devices/adapters/effects.hpp"
#include "proto/command.hpp"
#include "proto/device.hpp"

namespace hearth::devices::adapters {

class Zigbee2Mqtt final : public Adapter {
  public:
    std::string_view name() const noexcept override { return "zigbee2mqtt"; }
    explicit Zigbee2Mqtt(std::string base = "zigbee2mqtt");

    const std::string& base() const noexcept { return base_; }

    /// Every topic filter to subscribe to now (the bridge topics plus each known device's state
    /// and availability topics); resubscribe all after a reconnect.
    std::vector<std::string> subscriptions() const override;

    /// One received message. Bad payloads change nothing and come back in Effects::errors.

    bool owns(const proto::DeviceId& id) const override { return by_id_.count(id) > 0; }

    /// The `/set` message for a Hearth command, or an error (unknown device or attribute).
    proto::Result<std::vector<Publish>> command(const proto::DeviceId& id,
                                                const proto::Command& command) const override;

    /// A `/get` message asking the device to report every attribute that can be read on demand.
    proto::Result<std::vector<Publish>> refresh(const proto::DeviceId& id) const;

    std::vector<UnmappedEntity> unmapped() const override;
    nlohmann::json unmapped_json() const;

    const proto::DeviceDescription* find(const proto::DeviceId& id) const;
    std::size_t device_count() const noexcept { return devices_.size(); }

    /// How a Hearth attribute is carried in the device's JSON.
    struct Binding {
        enum class Convert { none, boolean, brightness, mireds, words, event };
        std::string property;
        Convert convert = Convert::none;
        std::string on, off;     // boolean: the device's words (or "true"/"false")
        bool json_bool = false;  // boolean: the device uses JSON true/false
        double scale = 254;      // brightness: the device's maximum
        std::map<std::string, std::string> words;  // words: device → Hearth
        bool gettable = false;                     // access bit 4: can be asked for with /get
    };

  private:
    Effects dispatch(std::string_view topic, std::string_view payload) override;
    struct Device {
        std::string friendly_name;
        std::string ieee;
        proto::DeviceDescription description;
        std::map<std::string, Binding> bindings;   // Hearth attribute → binding
        Availability own = Availability::unknown;  // from <base>/<name>/availability
        Availability reported = Availability::unknown;
    };

    Effects handle_devices(std::string_view payload);
    Effects handle_bridge_state(std::string_view payload);
    Effects handle_device_message(Device& device, std::string_view leaf, std::string_view payload);
    void report_availability(Device& device, Effects& fx);
    void refresh_subscriptions(Effects& fx);

    std::string base_;
    std::map<std::string, Device> devices_;         // by friendly name
    std::map<proto::DeviceId, std::string> by_id_;  // → friendly name
    std::vector<UnmappedEntity> unmapped_;
    std::set<std::string> subscribed_;
    Availability bridge_ = Availability::unknown;
};

}  // namespace hearth::devices::adapters
