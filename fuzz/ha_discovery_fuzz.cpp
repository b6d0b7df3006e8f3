// Home Assistant MQTT discovery: configs (abbreviated keys, `~`, per-device form, templates) and
// then the state and availability messages of what they discovered.
// Input: messages, one per line ("homeassistant/light/x/config<TAB>{…}").
#include "devices/adapters/ha_discovery.hpp"
#include "fuzz/adapter_feed.hpp"
#include "fuzz/support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    devices::Registry registry;
    devices::adapters::HaDiscovery discovery;
    fuzz::feed(discovery, registry, fuzz::as_text(data, size));
    return 0;
}
