#include "hub/held_commands.hpp"

#include <algorithm>
#include <utility>

namespace hearth::hub {

bool HeldCommands::hold(HeldCommand command) {
    if (limits_.hold_for.count() <= 0 || held_.size() >= limits_.max_held) return false;
    held_.push_back(std::move(command));
    return true;
}

std::vector<HeldCommand> HeldCommands::release() {
    std::vector<HeldCommand> out(std::make_move_iterator(held_.begin()), std::make_move_iterator(held_.end()));
    held_.clear();
    return out;
}

std::vector<HeldCommand> HeldCommands::expire(TimePoint now) {
    std::vector<HeldCommand> out;
    while (!held_.empty() && held_.front().held_at + limits_.hold_for <= now) {
        out.push_back(std::move(held_.front()));
        held_.pop_front();
    }
    return out;
}

std::optional<HeldCommands::TimePoint> HeldCommands::next_expiry() const {
    if (held_.empty()) return std::nullopt;
    return held_.front().held_at + limits_.hold_for;
}

bool HeldCommands::holds(const std::string& context_id) const {
    return std::any_of(held_.begin(), held_.end(), [&](const HeldCommand& c) { return c.command.context_id == context_id; });
}

}  // namespace hearth::hub
