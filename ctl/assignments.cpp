#include "ctl/assignments.hpp"

#include <nlohmann/json.hpp>

namespace hearth::ctl {
namespace {

bool is_json_number(std::string_view text) {
    // JSON's grammar, so "1e3" is a number and "0x10", "1." or "+1" stay text.
    std::size_t i = 0;
    const auto digits = [&] {
        const auto start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
        return i > start;
    };
    if (i < text.size() && text[i] == '-') ++i;
    if (i < text.size() && text[i] == '0')
        ++i;
    else if (!digits())
        return false;
    if (i < text.size() && text[i] == '.') {
        ++i;
        if (!digits()) return false;
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        if (!digits()) return false;
    }
    return i == text.size();
}

}  // namespace

Result<nlohmann::json> parse_value(std::string_view text) {
    if (text == "true") return nlohmann::json(true);
    if (text == "false") return nlohmann::json(false);
    if (text == "null") return nlohmann::json(nullptr);
    if (is_json_number(text)) return nlohmann::json::parse(text);
    if (text.starts_with("{") || text.starts_with("[") || text.starts_with("\"")) {
        auto parsed = nlohmann::json::parse(text, nullptr, false);
        if (parsed.is_discarded())
            return usage_error("'" + std::string(text) + "' is not valid JSON");
        return parsed;
    }
    return nlohmann::json(std::string(text));
}

Result<nlohmann::json> parse_assignments(const std::vector<std::string>& words) {
    auto out = nlohmann::json::object();
    for (const auto& word : words) {
        std::string key;
        nlohmann::json value;
        if (word == "on" || word == "off") {
            key = "on";
            value = word == "on";
        } else {
            const auto eq = word.find('=');
            if (eq == std::string::npos)
                return usage_error("'" + word + "' is not KEY=VALUE (nor on or off)");
            key = word.substr(0, eq);
            if (key.empty()) return usage_error("'" + word + "' has no key before =");
            auto parsed = parse_value(std::string_view(word).substr(eq + 1));
            if (!parsed) return parsed.error();
            value = std::move(*parsed);
        }
        if (out.contains(key)) return usage_error(key + " is given twice");
        out[key] = std::move(value);
    }
    if (out.empty()) return usage_error("nothing to set");
    return out;
}

}  // namespace hearth::ctl
