#include "hub/undo_history.hpp"

#include <chrono>

#include "hub/automation_documents.hpp"
#include "hub/log.hpp"

namespace hearth::hub {

void UndoHistory::load(const std::vector<Document>& documents) {
    for (const auto& d : documents) {
        if (d.collection != documents::kAutomation || d.id != documents::kUndo || d.body.is_null()) continue;
        if (auto loaded = stack_.load_json(d.body); !loaded) log::warning("undo stack: {}", loaded.error().message);
    }
}

void UndoHistory::push(scenes::Snapshot snapshot) {
    stack_.push(std::move(snapshot));
    save();
}

std::optional<scenes::Snapshot> UndoHistory::pop() {
    auto snapshot = stack_.pop();
    if (snapshot) save();
    return snapshot;
}

void UndoHistory::save() {
    store_.put_document(documents::kAutomation, documents::kUndo, stack_.to_json(), clock_.now());
}

}  // namespace hearth::hub
