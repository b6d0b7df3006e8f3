#include "proto/json.hpp"

namespace hearth::proto {

Result<nlohmann::json> parse_json(std::string_view text, JsonLimits limits) {
    if (text.size() > limits.max_bytes) {
        return make_error(Errc::payload_too_large,
                          "payload of " + std::to_string(text.size()) + " bytes is over the limit of " +
                              std::to_string(limits.max_bytes));
    }
    bool too_deep = false;
    const nlohmann::json::parser_callback_t guard = [&](int depth, nlohmann::json::parse_event_t,
                                                        nlohmann::json&) {
        if (depth > limits.max_depth) too_deep = true;
        return !too_deep;
    };
    auto j = nlohmann::json::parse(text.begin(), text.end(), guard, /*allow_exceptions=*/false);
    if (too_deep) {
        return make_error(Errc::payload_too_large,
                          "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels");
    }
    if (j.is_discarded()) {
        try {
            [[maybe_unused]] const auto ignored = nlohmann::json::parse(text.begin(), text.end());
        } catch (const nlohmann::json::parse_error& e) {
            return make_error(Errc::bad_json, "malformed JSON at byte " + std::to_string(e.byte));
        }
        return make_error(Errc::bad_json, "malformed JSON");
    }
    return Result<nlohmann::json>(boost::system::in_place_value, std::move(j));
}

}  // namespace hearth::proto
