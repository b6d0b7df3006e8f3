#pragma once
// What a conversation request carries, and the one parser for it: REST bodies, WebSocket messages
// and JSON payloads on the MQTT assist topic all go through conversation_request_from_json. Pure.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "proto/errc.hpp"
#include "proto/ids.hpp"

namespace hearth::assist {

struct ConversationRequest {
    std::string text;                   // never empty
    std::optional<proto::AreaId> area;  // where the speaker is; the hub refuses areas it does not know
    std::string language;               // "zh", "en" or empty: a hint only, detected anyway
    bool dry_run = false;               // understand and plan, send nothing, change nothing
};

/// Reads {"text", "area"?, "language"?, "dry_run"?}; other fields are ignored (a WebSocket message
/// also has "id" and "type"). Never throws: a non-object is bad_json; a field of the wrong type, an
/// empty text or a language other than zh and en is invalid_field naming the field; null is absent.
proto::Result<ConversationRequest> conversation_request_from_json(const nlohmann::json& j);

}  // namespace hearth::assist
