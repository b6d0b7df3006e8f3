#pragma once
// The undo stack of scene activations and voice commands, kept in the store: every push and pop
// is written at once, so the stack survives a restart. Hub thread only.
#include <cstddef>
#include <optional>
#include <vector>

#include "hub/clock.hpp"
#include "hub/store.hpp"
#include "scenes/snapshot.hpp"

namespace hearth::hub {

class UndoHistory {
public:
    UndoHistory(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

    /// Restores the stack from the stored documents; an unreadable one is reported and ignored.
    void load(const std::vector<Document>& documents);
    void push(scenes::Snapshot snapshot);
    std::optional<scenes::Snapshot> pop();
    const scenes::Snapshot* top() const noexcept { return stack_.top(); }
    std::size_t size() const noexcept { return stack_.size(); }
    bool empty() const noexcept { return stack_.empty(); }
    void save();

private:
    Store& store_;
    const Clock& clock_;
    scenes::UndoStack stack_;
};

}  // namespace hearth::hub
