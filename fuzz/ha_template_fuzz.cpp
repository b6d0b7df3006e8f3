// The Jinja subset of HA discovery templates: compile, then render against a payload.
// Input: the template, a NUL byte, the payload (JSON when it parses, text otherwise).
#include <nlohmann/json.hpp>

#include "devices/adapters/template.hpp"
#include "fuzz/support.hpp"
#include "proto/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    using devices::adapters::Template;
    const auto [text, payload] = fuzz::split_at_nul(fuzz::as_text(data, size));
    const auto compiled = Template::compile(text);
    if (!compiled) {
        fuzz::require(!compiled.error().message.empty(), "a refused template says why");
        return 0;
    }
    const auto parsed = proto::parse_json(payload);
    const auto variables = devices::adapters::value_template_variables(payload, parsed ? &*parsed : nullptr);
    const auto first = compiled->render(variables);
    const auto second = compiled->render(variables);
    fuzz::require(first.has_value() == second.has_value() && (!first || *first == *second),
                  "rendering is deterministic");
    return 0;
}
