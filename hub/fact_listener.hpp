#pragma once
// What listens to the device facts the event path fans out (the rules, the live feed; learning,
// care and the Home Assistant-compatible API attach here too). Hub thread only; a listener must
// not call back into the event path (post instead).
#include <chrono>
#include <string>

#include "devices/adapters/effects.hpp"
#include "devices/registry.hpp"
#include "proto/context.hpp"

namespace hearth::hub {

class FactListener {
public:
    virtual ~FactListener() = default;
    /// One attribute really changed; `cause` is why (TraceBook::cause_of its context id).
    virtual void state_changed(const devices::StateChange& change, const proto::Context& cause,
                               std::chrono::system_clock::time_point at) = 0;
    virtual void availability_changed(const devices::adapters::AvailabilityChange& change) = 0;
    virtual void device_event(const devices::adapters::DeviceEvent& event) = 0;
    /// Devices were added, described anew or removed.
    virtual void devices_changed() {}
    /// A device reported state carrying a command's context id, the first time for that device and
    /// command: the command is confirmed, `latency` after it was sent. After the report's changes.
    virtual void command_confirmed(const proto::DeviceId& /*device*/, const std::string& /*context_id*/,
                                   std::chrono::nanoseconds /*latency*/) {}
};

}  // namespace hearth::hub
