#pragma once
// Presenting a simulated device the way Zigbee2MQTT does with Home Assistant discovery, so a home
// can mix native devices with Zigbee ones. Pure: it only translates.
//
// For a device `kitchen.plug` the friendly name is `kitchen_plug`; its IEEE address is derived
// stably from the id (`0x` + 16 hex digits). It publishes, all retained:
//   `homeassistant/<component>/<ieee>/<object>/config`  one discovery config per capability
//   `zigbee2mqtt/<name>`                                  the state, in Zigbee2MQTT's JSON
//   `zigbee2mqtt/<name>/availability`                     {"state":"online"}; last will
//   {"state":"offline"}
// and takes commands on `zigbee2mqtt/<name>/set` (a JSON object, or a bare
// ON/OFF/TOGGLE/LOCK/UNLOCK/ OPEN/CLOSE as Home Assistant's switch, lock and cover entities send).
//
// Conversions: `on` ↔ `state` ON/OFF (a lock's `locked` ↔ `state` LOCK/UNLOCK), brightness
// 0–100 % ↔ 0–254, color_temp K ↔ mireds; every other attribute keeps its name and value.
#include <string>
#include <string_view>
#include <vector>

#include "proto/device.hpp"
#include "proto/errc.hpp"
#include "proto/value.hpp"

namespace hearth::sim {

/// One retained MQTT message.
struct StyledMessage {
    std::string topic;
    std::string payload;
};

/// `0x` + 16 lowercase hex digits, the same for the same id on every run.
std::string ieee_address_for(const proto::DeviceId& id);

class Zigbee2MqttStyle {
  public:
    /// Lights, switches, covers, locks and sensors can be presented; air conditioners,
    /// thermostats, speakers, TVs, vacuums, purifiers, fans and buttons cannot.
    static bool can_present(const proto::DeviceDescription& description);

    /// `description` must be one that can_present() accepts.
    explicit Zigbee2MqttStyle(proto::DeviceDescription description,
                              std::string base = "zigbee2mqtt",
                              std::string discovery_prefix = "homeassistant");

    const std::string& friendly_name() const noexcept { return name_; }
    const std::string& ieee_address() const noexcept { return ieee_; }
    std::string state_topic() const { return base_ + "/" + name_; }
    std::string set_topic() const { return state_topic() + "/set"; }
    std::string availability_topic() const { return state_topic() + "/availability"; }
    static std::string online_payload() { return R"({"state":"online"})"; }
    static std::string offline_payload() { return R"({"state":"offline"})"; }
    std::string discovery_status_topic() const { return discovery_prefix_ + "/status"; }

    /// The discovery configs, one per capability, each retained on its own topic.
    std::vector<StyledMessage> discovery() const;

    /// The Zigbee2MQTT state payload for the device's Hearth state.
    std::string state_payload(const proto::Attributes& state) const;

    /// A `/set` payload → the Hearth command JSON for the model (`{"state":"ON","brightness":127}`
    /// → `{"on":true,"brightness":50}`). `state` is the current one (for TOGGLE). Anything the
    /// device does not understand is an error naming the field.
    proto::Result<std::string> command_payload(std::string_view set_payload,
                                               const proto::Attributes& state) const;

  private:
    bool has(std::string_view attribute) const noexcept {
        return description_.find(attribute) != nullptr;
    }

    proto::DeviceDescription description_;
    std::string base_;
    std::string discovery_prefix_;
    std::string name_;
    std::string ieee_;
};

}  // namespace hearth::sim
