#pragma once
// An Effects implementation that records everything, for tests and the benchmark.
#include <optional>
#include <string_view>
#include <vector>

#include "rules/engine.hpp"

namespace hearth::rules {

class RecordingEffects final : public Effects {
public:
    std::vector<scenes::DeviceCommand> sent;
    std::vector<proto::Context> contexts;  // the cause of each command sent, in order
    /// The error every send returns from now on (a broker that is down); empty = sent.
    std::optional<proto::Error> refuse;
    std::vector<Notification> notifications;
    std::vector<scenes::Snapshot> undo;
    std::vector<Trace> traces;
    std::vector<RuleStatus> statuses;

    proto::Result<void> send(const scenes::DeviceCommand& command, const proto::Context& context) override {
        if (refuse) return *refuse;
        sent.push_back(command);
        contexts.push_back(context);
        return {};
    }
    void notify(const Notification& notification) override { notifications.push_back(notification); }
    void push_undo(scenes::Snapshot snapshot) override { undo.push_back(std::move(snapshot)); }
    void record(const Trace& trace) override { traces.push_back(trace); }
    void status_changed(const RuleStatus& status) override { statuses.push_back(status); }

    /// The last trace recorded for a rule, or null.
    const Trace* last_trace(std::string_view rule) const {
        for (auto it = traces.rbegin(); it != traces.rend(); ++it)
            if (it->rule.value == rule) return &*it;
        return nullptr;
    }

    void clear() {
        sent.clear();
        contexts.clear();
        notifications.clear();
        undo.clear();
        traces.clear();
        statuses.clear();
    }
};

}  // namespace hearth::rules
