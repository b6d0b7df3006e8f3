// A conversation request (REST POST /conversation, the WebSocket `conversation`, MQTT assist):
// documented never to throw; an accepted request has text.
#include <nlohmann/json.hpp>

#include "assist/conversation_request.hpp"
#include "fuzz/support.hpp"
#include "proto/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto body = proto::parse_json(fuzz::as_text(data, size));
    if (!body) return 0;
    const auto request = assist::conversation_request_from_json(*body);
    if (request) fuzz::require(!request->text.empty(), "an accepted request has text");
    return 0;
}
