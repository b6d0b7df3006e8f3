#pragma once
// The whole simulated fleet, without any transport: its devices, which of them should be
// connected right now, and what each wants to say. Pure: time is passed in. The transport
// (mqtt_fleet.hpp) turns FleetAction values into MQTT traffic and incoming payloads into calls here.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/device_model.hpp"
#include "proto/command.hpp"
#include "proto/errc.hpp"
#include "proto/home.hpp"

namespace hearth::sim {

struct FleetOptions {
    /// Share of the devices that is offline at any moment, 0–1. Each device alternates between
    /// online and offline spells with exponentially distributed lengths, so the share holds on average.
    double offline_fraction = 0;
    Duration mean_offline{std::chrono::seconds(90)};
    std::uint64_t seed = 1;
};

struct FleetAction {
    enum class Kind {
        publish_state,  // retained state; `payload` is the state JSON (with context_id when it answers a command)
        publish_event,  // `payload` is the event JSON
        go_offline,     // drop the connection uncleanly, so the broker publishes the last will
        come_online,    // connect again and announce
    };
    Kind kind = Kind::publish_state;
    std::size_t device = 0;
    std::string payload;
};

class Fleet {
public:
    /// Builds one model per device. Fails on a bad `sim` block or a `follows` naming no device.
    static proto::Result<Fleet> create(const std::vector<proto::HomeDevice>& devices, const FleetOptions& options,
                                       Instant now);

    std::size_t size() const noexcept { return models_.size(); }
    const DeviceModel& device(std::size_t index) const { return models_.at(index); }
    std::optional<std::size_t> index_of(const proto::DeviceId& id) const;

    /// The description JSON published retained on the device's config topic.
    std::string config_payload(std::size_t device) const;
    std::string state_payload(std::size_t device) const { return models_.at(device).state_payload(); }

    /// A payload arrived on the device's set topic. A valid command is applied and the state to
    /// publish (echoing its context_id) is returned; anything else changes nothing and the error
    /// says why (bad JSON, unknown attribute, out of range, read-only, …).
    proto::Result<std::string> handle_command(std::size_t device, std::string_view payload, Instant now);

    /// Whether the simulation wants this device connected now.
    bool wants_online(std::size_t device) const { return online_.at(device); }
    std::size_t offline_count() const noexcept;

    /// Moves every device to `now` and returns what to send or do, in order.
    std::vector<FleetAction> advance(Instant now);
    /// The earliest time advance() has something to do.
    Instant next_wake() const noexcept;

private:
    Fleet() = default;

    std::vector<DeviceModel> models_;
    std::vector<std::size_t> follows_;  // index of the followed device, or size() for none
    std::vector<bool> online_;
    std::vector<Instant> link_change_at_;
    std::unordered_map<proto::DeviceId, std::size_t> index_;
    FleetOptions options_;
    Random random_{1};
    Duration mean_online_{0};
};

}  // namespace hearth::sim
