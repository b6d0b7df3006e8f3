#pragma once
// The hub speaking first: what a spoken reply to its yes/no question means. Pure; the hub asks
// through a speaker's `say` and hands the utterance that comes back on the same speaker here.
#include <string_view>

namespace hearth::care {

enum class Reply { yes, no, unclear };
std::string_view to_string(Reply reply) noexcept;

/// "好" / "好的" / "yes" / "ok" → yes; "不用了" / "不要" / "no" / "not now" → no; anything else is
/// unclear (left to the assistant as an ordinary request). Case, surrounding spaces and trailing
/// punctuation (。！？!?.,，~) do not matter.
Reply reply_to_question(std::string_view utterance);

}  // namespace hearth::care
