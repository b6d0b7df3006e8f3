// A command body (REST POST /devices/{id}/command, the WebSocket `command`, a native `/set`):
// parse, check against every device of the demo home, and write it back.
// Invariant: a parsed command written as a payload parses to the same command.
#include <nlohmann/json.hpp>

#include "fuzz/support.hpp"
#include "proto/command.hpp"
#include "proto/json.hpp"


extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto body = proto::parse_json(fuzz::as_text(data, size));
    if (!body) return 0;
    const auto command = proto::command_from_json(*body);
    if (!command) return 0;
    const auto again = proto::parse_json(proto::to_payload(*command));
    fuzz::require(again.has_value(), "a command's payload is JSON");
    const auto reread = proto::command_from_json(*again);
    fuzz::require(reread.has_value() && *reread == *command, "a command survives its own payload");
    for (const auto* device : hearth::fuzz::demo_home().list()) (void)hearth::fuzz::demo_home().validate(device->description.id, *command);
    return 0;
}
