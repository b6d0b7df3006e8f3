// Hearth's own MQTT topics: device descriptions, state, availability and events, in any order.
// Input: messages, one per line ("hearth/device/<id>/state<TAB>{…}").
#include "devices/adapters/native.hpp"
#include "fuzz/adapter_feed.hpp"
#include "fuzz/support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    devices::Registry registry;
    devices::adapters::Native native("hearth", registry);
    fuzz::feed(native, registry, fuzz::as_text(data, size));
    return 0;
}
