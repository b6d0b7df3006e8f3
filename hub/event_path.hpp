#pragma once
// The one way device facts enter the hub. Whatever adapter turned an MQTT message into effects
// (native, Home Assistant discovery, Zigbee2MQTT, Tasmota, or a command's optimistic state),
// `take` applies them to the registry and fans every resulting fact out in a fixed order:
//   registry → store (state, history with its cause; batched by the writer) → trace book
//   (confirmations, cause) → listeners in the order added (rules, then the live feed).
// Traces that a confirmation changed are handed to `rerecord` once, after the fan-out.
// Hub thread only.
#include <chrono>
#include <functional>
#include <vector>

#include "devices/adapters/effects.hpp"
#include "hub/fact_listener.hpp"
#include "rules/trace_book.hpp"

namespace hearth::hub {

class Store;
struct HubStats;

class EventPath {
public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;
    using Reject = std::function<void(const proto::Error&)>;
    using Rerecord = std::function<void(const rules::Trace&)>;

    EventPath(devices::Registry& registry, Store& store, rules::TraceBook& book, HubStats& stats, Clock now,
              Reject reject);

    /// Listeners are called in the order added.
    void add_listener(FactListener& listener);
    void on_rerecord(Rerecord rerecord) { rerecord_ = std::move(rerecord); }

    /// Applies one set of effects (all but subscriptions, which are the MQTT link's) and fans out
    /// every fact that follows. Refused input is handed to `reject` and changes nothing.
    void take(const devices::adapters::Effects& effects);

private:
    void save_state(const proto::DeviceId& id, std::chrono::system_clock::time_point at);

    devices::Registry& registry_;
    Store& store_;
    rules::TraceBook& book_;
    HubStats& stats_;
    Clock now_;
    Reject reject_;
    Rerecord rerecord_;
    std::vector<FactListener*> listeners_;
};

}  // namespace hearth::hub
