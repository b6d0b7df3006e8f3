#pragma once
// Home Assistant MQTT discovery, the message format: discovery topics, abbreviated keys and the
// `~` base topic. See https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hearth::devices::adapters {

/// `<prefix>/<component>/[<node_id>/]<object_id>/config`; for the per-device form
/// (`<prefix>/device/<object_id>/config`) the component is "device".
struct DiscoveryTopic {
    std::string component;
    std::string node_id;
    std::string object_id;

    /// "<component>/<node_id>/<object_id>" (node part omitted when empty): the entity's identity.
    std::string key() const;
};

std::optional<DiscoveryTopic> parse_discovery_topic(std::string_view prefix,
                                                    std::string_view topic);

/// The full name of an abbreviated discovery key ("stat_t" → "state_topic"), or the key itself.
std::string_view expand_key(std::string_view key);

/// Expands every abbreviated key, including inside `device`, `origin`, `availability` entries and
/// the per-device form's `components`, then replaces `~` at the start or end of every `*_topic`
/// value (and of availability topics) by the base topic. Non-objects are returned unchanged.
nlohmann::json expand_config(const nlohmann::json& raw);

}  // namespace hearth::devices::adapters
