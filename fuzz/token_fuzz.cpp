// Tokens: the creation body (POST /api/v1/tokens) and the stored form read at start.
#include <nlohmann/json.hpp>

#include "fuzz/support.hpp"
#include "hub/request_bodies.hpp"
#include "proto/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto body = proto::parse_json(fuzz::as_text(data, size));
    if (!body) return 0;
    if (const auto wanted = hub::token_request_from_json(*body)) {
        fuzz::require(!wanted->name.empty() && wanted->name.size() <= 100, "a token's name is 1–100 characters");
    }
    if (const auto stored = hub::token_from_json(*body)) {
        const auto reread = hub::token_from_json(hub::to_json(*stored));
        fuzz::require(reread.has_value() && hub::to_json(*reread) == hub::to_json(*stored),
                      "a stored token survives its own JSON");
    }
    return 0;
}
