#pragma once
// Home Assistant MQTT discovery → Hearth devices. Zigbee2MQTT, Tasmota (in HA mode), ESPHome and
// Shelly publish retained discovery configs under `<prefix>/…/config`; this adapter groups their
// entities into Hearth devices (one per HA device block), follows their state and availability
// topics, and turns Hearth commands into each device's own command messages.
//
// Pure: no I/O, no clock. The hub feeds every message of the topics in subscriptions() (and of the
// topics later added through Effects::subscribe) to handle(), carries out the returned Effects,
// publishes birth() after every (re)connection, and sends what command() returns.
// Hub thread only: not thread-safe.
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "devices/adapters/adapter.hpp"
#include "devices/adapters/effects.hpp"
#include "devices/adapters/ha_entity.hpp"
#include "proto/command.hpp"
#include "proto/device.hpp"

namespace hearth::devices::adapters {

class HaDiscovery final : public Adapter {
  public:
    std::string_view name() const noexcept override { return "ha_discovery"; }
    explicit HaDiscovery(std::string prefix = "homeassistant");

    const std::string& prefix() const noexcept { return prefix_; }

    /// Every topic filter to subscribe to now: the discovery filters plus the state and
    /// availability topics of the entities known so far (resubscribe all after a reconnect).
    std::vector<std::string> subscriptions() const override;

    /// The birth message (`online` on `<prefix>/status`): publishers resend their discovery
    /// configs and states when they see it.
    Publish birth() const;
    std::vector<Publish> on_connect() const override { return {birth()}; }
    std::string status_topic() const { return prefix_ + "/status"; }

    /// One received message. Bad payloads change nothing and come back in Effects::errors.

    /// True when the device came from this adapter.
    bool owns(const proto::DeviceId& id) const override;

    /// The messages that carry out a Hearth command on one of this adapter's devices. The command
    /// should be validated by the registry first; an attribute the device cannot take is an error
    /// and nothing is returned.
    proto::Result<std::vector<Publish>> command(const proto::DeviceId& id,
                                                const proto::Command& command) const override;

    proto::Attributes optimistic_state(const proto::DeviceId& id,
                                       const proto::Command& command) const override;

    /// Discovered entities that map to nothing in Hearth, with their reasons.
    std::vector<UnmappedEntity> unmapped() const override;
    nlohmann::json unmapped_json() const;

    /// The current description of a device (for tests and diagnostics).
    const proto::DeviceDescription* find(const proto::DeviceId& id) const;
    std::size_t device_count() const noexcept { return devices_.size(); }

  private:
    Effects dispatch(std::string_view topic, std::string_view payload) override;
    /// Where a Hearth attribute of a device comes from: entity (by key) and its local name.
    struct Binding {
        std::string entity;
        std::string local;
    };

    struct Device {
        std::string identity;  // HA device identifier, unique id or discovery key
        proto::DeviceId id;
        std::map<std::string, HaEntity> entities;  // by discovery key
        std::map<std::string, std::map<std::string, std::string>>
            renames;                              // entity → local → device attribute
        std::map<std::string, Binding> bindings;  // device attribute → source
        proto::DeviceDescription description;
        std::string problem;
        Availability availability = Availability::unknown;
        bool announced = false;
    };

    struct TopicState {
        std::string payload;
        std::uint64_t sequence = 0;  // when it arrived, for availability_mode latest
        bool seen = false;
    };

    /// A device's description and attribute names, worked out from all its entities.
    struct Layout {
        proto::DeviceDescription description;
        std::map<std::string, std::map<std::string, std::string>> renames;
        std::map<std::string, Binding> bindings;
        std::string problem;
    };
    static Layout layout(const Device& device);

    Effects handle_config(const DiscoveryTopic& topic, std::string_view full_topic,
                          std::string_view payload);
    void add_entity(HaEntity entity, Effects& fx);
    void remove_entity(const std::string& key, Effects& fx);
    /// Replaces an entity's unmapped entries; true when they changed.
    bool set_unmapped(const std::string& key, std::vector<UnmappedEntity> entries);
    void rebuild(Device& device, Effects& fx);
    void refresh_subscriptions(Effects& fx);
    Effects handle_state(std::string_view topic, std::string_view payload);
    Availability entity_availability(const HaEntity& e) const;
    void update_availability(Device& device, Effects& fx);
    void read_cached(Device& device, Effects& fx);
    /// live: a message just received (events fire); otherwise a cached one re-read after a change.
    void read_message(std::string_view topic, std::string_view payload,
                      const std::vector<Device*>& devices, Effects& fx, bool live);
    Device* device_of_entity(const std::string& key);

    std::string prefix_;
    std::map<std::string, Device> devices_;             // by identity
    std::map<std::string, std::string> entity_device_;  // entity discovery key → device identity
    std::map<std::string, std::vector<std::string>>
        components_;  // per-device discovery topic → its entity keys
    std::map<std::string, std::vector<UnmappedEntity>> unmapped_;  // by entity discovery key
    std::map<proto::DeviceId, std::string> ids_;                   // Hearth id → device identity
    std::set<std::string> subscribed_;
    std::map<std::string, std::set<std::string>, std::less<>>
        topic_devices_;  // followed topic → device identities
    std::set<std::string, std::less<>> availability_topics_;
    std::map<std::string, TopicState, std::less<>> topics_;  // last message on each followed topic
    std::uint64_t sequence_ = 0;
};

}  // namespace hearth::devices::adapters
