#pragma once
// Tasmota's native discovery (not HA discovery): `tasmota/discovery/<mac>/config` describes the
// relays and lights, `tasmota/discovery/<mac>/sensors` the sensor readings; state comes on
// `<topic>/tele/STATE`, `<topic>/stat/RESULT`, `<topic>/tele/SENSOR`, `<topic>/stat/STATUS10`,
// availability on `<topic>/tele/LWT`; commands go to `<topic>/cmnd/<Command>`.
// Supported: relays (switch), single-channel and colour-temperature lights (Dimmer, CT, fades),
// and numeric sensor readings; RGB channels are listed as unmapped.
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

class Tasmota final : public Adapter {
  public:
    std::string_view name() const noexcept override { return "tasmota"; }
    explicit Tasmota(std::string discovery_prefix = "tasmota/discovery");

    std::vector<std::string> subscriptions() const override;
    bool owns(const proto::DeviceId& id) const override;
    proto::Result<std::vector<Publish>> command(const proto::DeviceId& id,
                                                const proto::Command& command) const override;
    /// Asks the device for its sensor readings (`cmnd/STATUS 10`).
    proto::Result<std::vector<Publish>> refresh(const proto::DeviceId& id) const;
    std::vector<UnmappedEntity> unmapped() const override;
    nlohmann::json unmapped_json() const;
    const proto::DeviceDescription* find(const proto::DeviceId& id) const;

    /// One relay or light channel: its POWER index and what it carries.
    struct Output {
        int index = 1;  // POWER<index>
        bool light = false;
        bool dimmer = false;
        bool color_temp = false;
        std::string on_attribute, brightness_attribute, color_temp_attribute;
    };
    /// One numeric sensor reading: `{"<group>": {"<key>": value}}` → attribute.
    struct Reading {
        std::string group, key, attribute;
        bool fahrenheit = false;
    };

  private:
    Effects dispatch(std::string_view topic, std::string_view payload) override;
    struct Device {
        std::string mac;
        std::string topic;                                     // %topic%
        std::string command_prefix, stat_prefix, tele_prefix;  // full topics, ending in '/'
        std::string online = "Online", offline = "Offline";
        std::vector<Output> outputs;
        std::vector<Reading> readings;
        std::vector<UnmappedEntity> unmapped;
        proto::DeviceDescription description;
        bool has_config = false;
        Availability availability = Availability::unknown;
    };

    Effects handle_config(const std::string& mac, std::string_view payload);
    Effects handle_sensors(const std::string& mac, std::string_view payload);
    Effects handle_device(Device& device, std::string_view topic, std::string_view payload);
    /// Rebuilds the description from outputs and readings; an upsert when it changed.
    void describe(Device& device, Effects& fx);
    void refresh_subscriptions(Effects& fx);

    std::string prefix_;
    std::map<std::string, Device> devices_;  // by MAC
    std::set<std::string> subscribed_;
};

}  // namespace hearth::devices::adapters
