// YAML ↔ JSON (the home file, import and export, rules sent as YAML). Invariants: JSON written as
// YAML reads back as the same JSON; the home document reader never throws; reading with positions
// gives the same JSON (or the same refusal) as reading without, every position lies inside the
// text, and any field, even one the text lacks, has a position.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "fuzz/support.hpp"
#include "proto/home.hpp"
#include "proto/yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    const auto text = fuzz::as_text(data, size);
    (void)proto::home_from_yaml(text);
    const auto json = proto::yaml_to_json(text);
    const auto document = proto::read_yaml_document(text);
    fuzz::require(json.has_value() == !document.error, "reading with positions accepts what reading without does");
    const auto lines = 1 + std::count(text.begin(), text.end(), '\n');
    const auto inside = [&](const proto::TextPosition& p) { return p.line >= 1 && p.line <= lines + 1 && p.column >= 1; };
    if (document.error) {
        fuzz::require(document.error->message == json.error().message, "the same refusal");
        fuzz::require(inside(document.error_position), "a syntax error's position lies inside the text");
        return 0;
    }
    fuzz::require(document.value == *json, "reading with positions gives the same JSON");
    for (const auto& [field, at] : document.positions) fuzz::require(inside(at), "every position lies inside the text");
    fuzz::require(inside(document.position_of(text.substr(0, std::min<std::size_t>(text.size(), 40)))), "any field has a position");
    const auto yaml = proto::json_to_yaml(*json);
    const auto again = proto::yaml_to_json(yaml);
    fuzz::require(again.has_value(), "JSON written as YAML reads back");
    if (*again != *json) {
        std::cerr << "read:    " << json->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\nwritten: " << yaml << "\nreread:  " << again->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        fuzz::require(false, "JSON written as YAML reads back the same");
    }
    return 0;
}
