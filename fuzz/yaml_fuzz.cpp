// YAML ↔ JSON (the home file, import and export). Invariant: JSON written as YAML reads back as
// the same JSON, and the home document reader never throws.
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
    const auto again = proto::yaml_to_json(proto::json_to_yaml(*json));
    fuzz::require(again.has_value() && *again == *json, "JSON written as YAML reads back the same");
    return 0;
}
