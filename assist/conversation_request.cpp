#include "assist/conversation_request.hpp"

#include <nlohmann/json.hpp>

#include "proto/json.hpp"

namespace hearth::assist {

using proto::Errc;

proto::Result<ConversationRequest> conversation_request_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return proto::make_error(Errc::bad_json, "the body is a JSON object");
    const auto text = proto::optional_string(j, "text");
    if (!text) return text.error();
    if (!*text || (*text)->empty()) return proto::make_error(Errc::invalid_field, "text is the utterance", "text");
    const auto area = proto::optional_string(j, "area");
    if (!area) return area.error();
    const auto language = proto::optional_string(j, "language");
    if (!language) return language.error();
    if (*language && **language != "zh" && **language != "en") {
        return proto::make_error(Errc::invalid_field, "language is zh or en", "language");
    }
    const auto dry_run = proto::optional_bool(j, "dry_run");
    if (!dry_run) return dry_run.error();

    ConversationRequest request;
    request.text = **text;
    if (*area) request.area = proto::AreaId{**area};
    request.language = language->value_or("");
    request.dry_run = dry_run->value_or(false);
    return request;
}

}  // namespace hearth::assist
