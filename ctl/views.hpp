#pragma once
// How hearthctl shows the API's answers to people: tables and one-line summaries. Pure functions
// of the JSON the hub sends (shapes in docs/api.md and docs/automation-api.md); unknown or missing
// fields show as empty, never as an error.
#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "ctl/table.hpp"

namespace hearth::ctl {

/// A name as the API gives it: {"zh", "en"} shows English, else Chinese; text shows as is.
std::string display_name(const nlohmann::json& name);

/// A compact form of a value: text without quotes, everything else as compact JSON.
std::string display_value(const nlohmann::json& value);

/// The few attributes that say most about a device, as "on=true brightness=30", in a fixed order
/// of importance (on, playback, hvac_mode, target_temperature, temperature, ...), at most `limit`.
std::string key_state(const nlohmann::json& state, std::size_t limit = 4);

/// Milliseconds since 1970 as local time at `utc_offset`: "2026-12-02 08:01:02" or, without the
/// date, "08:01:02.345".
std::string format_time(std::int64_t time_ms, std::chrono::minutes utc_offset, bool with_date);

Table devices_table(const nlohmann::json& devices);
Table areas_table(const nlohmann::json& areas);
Table scenes_table(const nlohmann::json& scenes);
Table rules_table(const nlohmann::json& rules);
Table tokens_table(const nlohmann::json& tokens, std::chrono::minutes utc_offset);
Table traces_table(const nlohmann::json& traces, std::chrono::minutes utc_offset);

/// Commands that were sent ({"device", "set", "transition"?}), one indented line each, with the
/// skipped and refused ones after them.
std::string commands_text(const nlohmann::json& answer);

/// A scene activation's or an undo's answer.
std::string activation_text(const nlohmann::json& answer);

/// A conversation answer: the speech, what was understood, the commands.
std::string conversation_text(const nlohmann::json& answer);

/// One WebSocket message as one line (no newline).
std::string event_line(const nlohmann::json& message, std::chrono::minutes utc_offset);

/// The hub's health answer as one line.
std::string health_text(const nlohmann::json& health);

}  // namespace hearth::ctl
