// Tasmota's native discovery (config and sensors) and its STATE, RESULT, SENSOR, STATUS10 and LWT
// messages. Input: messages, one per line.
#include "devices/adapters/tasmota.hpp"
#include "fuzz/adapter_feed.hpp"
#include "fuzz/support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    devices::Registry registry;
    devices::adapters::Tasmota tasmota;
    fuzz::feed(tasmota, registry, fuzz::as_text(data, size));
    return 0;
}
