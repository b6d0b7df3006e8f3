#pragma once
// `hearthctl set ID on=true brightness=30`: key=value words turned into a command's JSON.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/failure.hpp"

namespace hearth::ctl {

/// One value as typed: true/false → bool, null → null, a JSON number → number, text starting with
/// `{`, `[` or `"` → that JSON (a usage failure when it does not parse), anything else → text.
Result<nlohmann::json> parse_value(std::string_view text);

/// `KEY=VALUE` words into one object; the bare words `on` and `off` mean on=true and on=false.
/// An empty key, a word without `=` or a key given twice is a usage failure.
Result<nlohmann::json> parse_assignments(const std::vector<std::string>& words);

}  // namespace hearth::ctl
