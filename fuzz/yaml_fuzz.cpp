// YAML ↔ JSON (the home file, import and export). Invariant: JSON written as YAML reads back as
// the same JSON, and the home document reader never throws.
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
    if (!json) return 0;
    const auto yaml = proto::json_to_yaml(*json);
    const auto again = proto::yaml_to_json(yaml);
    fuzz::require(again.has_value(), "JSON written as YAML reads back");
    if (*again != *json) {
        std::cerr << "read:    " << json->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\nwritten: " << yaml << "\nreread:  " << again->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        fuzz::require(false, "JSON written as YAML reads back the same");
    }
    return 0;
}
