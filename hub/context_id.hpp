#pragma once
// Context ids: the id a command, a trace and the state that confirms it share.
#include <string>

namespace hearth::hub {

/// A new unique context id: time-ordered, 26 characters. Any thread.
std::string new_context_id();

}  // namespace hearth::hub
