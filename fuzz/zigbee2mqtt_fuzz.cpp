// Zigbee2MQTT without HA discovery: `bridge/devices` (definitions and exposes), `bridge/state`,
// each device's state and availability. Input: messages, one per line.
#include "devices/adapters/zigbee2mqtt.hpp"
#include "fuzz/adapter_feed.hpp"
#include "fuzz/support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    devices::Registry registry;
    devices::adapters::Zigbee2Mqtt zigbee2mqtt;
    fuzz::feed(zigbee2mqtt, registry, fuzz::as_text(data, size));
    return 0;
}
