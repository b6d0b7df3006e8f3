#pragma once
// The shape every ecosystem adapter shares, so that the hub can hold them side by side:
// messages in, effects out, commands out. Implementations are pure (no I/O, no clock) and are
// used on the hub thread only.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "devices/adapters/effects.hpp"
#include "proto/command.hpp"
#include "proto/errc.hpp"
#include "proto/ids.hpp"
#include "proto/value.hpp"

namespace hearth::devices::adapters {

class Adapter {
  public:
    virtual ~Adapter() = default;

    /// "ha_discovery", "zigbee2mqtt", "tasmota": for logs and the REST listing.
    virtual std::string_view name() const noexcept = 0;

    /// Every topic filter to subscribe to now. Subscribe to all of them after each (re)connection;
    /// later additions and removals come in Effects::subscribe / Effects::unsubscribe.
    virtual std::vector<std::string> subscriptions() const = 0;

    /// What to publish after each (re)connection, once subscribed (HA's birth message).
    virtual std::vector<Publish> on_connect() const { return {}; }

    /// One received message. Topics the adapter does not follow return empty effects, so the hub
    /// may hand every message to every adapter. A payload of the right syntax but unexpected types
    /// is refused as an error in the effects and changes nothing.
    Effects handle(std::string_view topic, std::string_view payload);

    /// True when the device came from this adapter.
    virtual bool owns(const proto::DeviceId& id) const = 0;

    /// The messages that carry out a (validated) Hearth command, or why it cannot be sent.
    virtual proto::Result<std::vector<Publish>> command(const proto::DeviceId& id,
                                                        const proto::Command& command) const = 0;

    /// For a command just sent: the attributes the device never reports but is assumed to have
    /// taken (optimistic entities). The hub applies them as state.
    virtual proto::Attributes optimistic_state(const proto::DeviceId&,
                                               const proto::Command&) const {
        return {};
    }

    /// Discovered things that map to nothing in Hearth, with their reasons.
    virtual std::vector<UnmappedEntity> unmapped() const = 0;

  protected:
    /// handle() without the guard; may throw nlohmann::json::exception on unexpected content,
    /// as long as it commits its own state only at the end.
    virtual Effects dispatch(std::string_view topic, std::string_view payload) = 0;
};

}  // namespace hearth::devices::adapters
