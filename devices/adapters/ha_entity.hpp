#pragma once
// One Home Assistant MQTT discovery entity mapped into Hearth's capability model: the
// capabilities it contributes (under local attribute names that its device may rename), how to
// read its state topics, and how to turn Hearth attribute values into its own command payloads.
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "devices/adapters/effects.hpp"
#include "devices/adapters/ha_config.hpp"
#include "devices/adapters/template.hpp"
#include "proto/capability.hpp"
#include "proto/device.hpp"
#include "proto/value.hpp"

namespace hearth::devices::adapters {

/// The `device` block of a discovery config.
struct HaDeviceInfo {
    std::string
        identifier;  // first of identifiers / connections; empty when there is no device block
    std::string name;
    std::string manufacturer;
    std::string model;
    std::string suggested_area;
};

/// Where an entity's availability comes from (`availability_topic` or the `availability` list).
struct HaAvailability {
    struct Source {
        std::string topic;
        std::string payload_available = "online";
        std::string payload_not_available = "offline";
        std::optional<Template> value_template;
    };
    enum class Mode { all, any, latest };
    std::vector<Source> sources;
    Mode mode = Mode::latest;
};

/// A message on a state topic, parsed once and shared by every entity that reads it.
struct HaMessage {
    std::string_view topic;
    std::string_view payload;
    const nlohmann::json* json = nullptr;  // null when the payload is not JSON
    const TemplateVariables* variables = nullptr;
};

/// What one entity read from one message, in its local attribute names.
struct HaReading {
    proto::Attributes attributes;
    std::vector<std::pair<std::string, proto::Attributes>> events;
    std::vector<proto::Error> errors;
};

struct HaReader {
    std::string topic;
    std::function<void(const HaMessage&, HaReading&)> read;
    std::vector<std::string> produces;  // the local attributes it can report
};

/// Turns Hearth values (local names) into the entity's command messages.
using HaWriter = std::function<proto::Result<void>(
    const proto::Attributes& set, std::optional<double> transition, std::vector<Publish>& out)>;

/// How a local attribute may be named in its device.
enum class Naming {
    canonical,  // a canonical Hearth attribute (`on`, `temperature`), claimed when free
    own,        // the entity's own name (`linkquality`, `child_lock`)
};

struct HaCapability {
    proto::Capability capability;  // attribute = local name
    Naming naming = Naming::own;
};

struct HaEntity {
    std::string source;  // the discovery topic
    DiscoveryTopic topic;
    std::string component;  // the HA platform
    std::string unique_id;
    std::string name;           // the entity's own name; empty when it is the device's main feature
    bool main_feature = false;  // `name` is null or absent: HA's sign for the device's main entity
    std::string key;            // short property name (`linkquality`), used for own attribute names
    std::string entity_category;
    std::string device_class;
    HaDeviceInfo device;
    HaAvailability availability;

    std::vector<HaCapability> capabilities;
    std::vector<HaReader> readers;
    HaWriter writer;
    std::set<std::string> optimistic;       // local attributes known only from the commands sent
    std::optional<proto::DeviceKind> kind;  // the device kind this entity suggests when it leads
    int priority = 100;                     // lower claims canonical names (and the kind) first
    bool may_claim_canonical = true;  // false for config and diagnostic entities (battery aside)

    std::vector<std::string>
        ignored;                    // features of a mapped entity that Hearth leaves out, and why
    std::string unmapped_reason;    // non-empty: the entity contributes nothing, and why
    bool template_problem = false;  // unmapped because a template could not be handled
};

/// Maps one expanded discovery config (see expand_config). Never fails: an entity that cannot be
/// mapped comes back with its reason and no capabilities.
HaEntity map_entity(const DiscoveryTopic& topic, std::string source, const nlohmann::json& config);

/// The short property name a template reads (`{{ value_json["x"] }}`, `value_json.x` → "x").
std::string template_key(std::string_view template_text);

}  // namespace hearth::devices::adapters
