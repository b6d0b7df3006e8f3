#pragma once
// Hearth's own MQTT protocol (proto/README.md) as an adapter like the ecosystems':
//   <prefix>/device/<id>/config        retained description; an empty payload removes the device
//   <prefix>/device/<id>/state         JSON object of attributes, with the `context_id` of the
//                                      command it answers when it answers one
//   <prefix>/device/<id>/availability  "online" / "offline"
//   <prefix>/device/<id>/event         {"event": name, …scalar attributes}
// State and availability that arrive before the device's description (retained messages come in
// any order) are held, a bounded number, and delivered with the description.
// Pure: no I/O, no clock. Hub thread only.
#include <map>
#include <set>
#include <string>

#include "devices/adapters/adapter.hpp"
#include "devices/registry.hpp"
#include "proto/topics.hpp"

namespace hearth::devices::adapters {

class Native final : public Adapter {
  public:
    /// `registry` is read to know which devices exist (those restored from storage included).
    Native(std::string prefix, const Registry& registry);

    std::string_view name() const noexcept override { return "native"; }
    std::vector<std::string> subscriptions() const override;
    /// True for the native topics only: no other adapter needs to see them.
    bool follows(std::string_view topic) const;
    /// Devices that described themselves on a native config topic.
    bool owns(const proto::DeviceId& id) const override;
    proto::Result<std::vector<Publish>> command(const proto::DeviceId& id,
                                                const proto::Command& command) const override;
    std::vector<UnmappedEntity> unmapped() const override { return {}; }

    static constexpr std::size_t kMaxEarlyMessages = 100'000;

  private:
    Effects dispatch(std::string_view topic, std::string_view payload) override;
    Effects on_config(const proto::DeviceId& id, std::string_view payload);
    Effects on_state(const proto::DeviceId& id, std::string_view payload);
    Effects on_availability(const proto::DeviceId& id, std::string_view payload);
    Effects on_event(const proto::DeviceId& id, std::string_view payload);
    bool known(const proto::DeviceId& id) const;

    proto::Topics topics_;
    const Registry& registry_;
    std::set<proto::DeviceId> described_;
    std::map<proto::DeviceId, std::string> early_state_;
    std::map<proto::DeviceId, std::string> early_availability_;
};

}  // namespace hearth::devices::adapters
