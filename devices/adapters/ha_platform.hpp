#pragma once
// What every Home Assistant platform mapper shares, and the mappers themselves: one file per
// platform (ha_sensor.cpp, ha_toggle.cpp for switch and lock, ha_light.cpp, ha_climate.cpp,
// ha_cover.cpp, ha_fan.cpp, ha_value_entity.cpp for select/number/text, ha_event.cpp for button,
// device trigger and event). A mapper fills the entity's capabilities, readers and writer from its
// expanded discovery config, or says why the entity is not mapped. Internal to ha_entity.cpp's
// map_entity; pure.
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "devices/adapters/ha_entity.hpp"

namespace hearth::devices::adapters {

constexpr auto kReadWrite = proto::Access::read | proto::Access::write;

/// Why an entity is not mapped; carried out of the platform mappers.
struct Unmapped {
    std::string reason;
    bool from_template = false;
};

// ---- config access ----

/// A config value as HA's `cv.string` sees it: JSON true → "True", 5 → "5".
std::string as_config_string(const nlohmann::json& v);
std::string str(const nlohmann::json& c, std::string_view key, std::string fallback = {});
/// A number, or a string that is entirely one.
std::optional<double> number(const nlohmann::json& c, std::string_view key);
bool flag(const nlohmann::json& c, std::string_view key, bool fallback = false);
std::vector<std::string> strings(const nlohmann::json& c, std::string_view key);

/// A template option: absent → nullopt; present but unsupported → Unmapped.
using OptionalTemplate = std::variant<std::optional<Template>, Unmapped>;
OptionalTemplate template_option(const nlohmann::json& c, std::string_view key);

// ---- reading ----

/// The text a value template produces for a message (the payload itself without a template);
/// nullopt when it says nothing (None, empty, unknown).
std::optional<std::string> render_value(const std::optional<Template>& tpl, const HaMessage& m,
                                        HaReading& r, std::string_view what);
std::optional<double> parse_double(std::string_view s);

/// Turns rendered text into a value, or records why it cannot.
using Decode = std::function<std::optional<proto::Value>(const std::string&, HaReading&)>;
HaReader value_reader(std::string topic, std::optional<Template> tpl, std::string attribute,
                      Decode decode);
Decode decode_number(std::string attribute, std::function<double(double)> convert = {});
Decode decode_bool(std::string attribute, std::string on, std::string off, bool invert = false);
Decode decode_text();
/// Maps device words to Hearth words; words outside the map are refused.
Decode decode_words(std::string attribute, std::map<std::string, std::string> words);

// ---- writing ----

/// The payload for a command value: through the command template when there is one, else the
/// value itself ("ON", "22.5", "23").
proto::Result<std::string> command_payload(const std::optional<Template>& tpl, const TemplateValue& value,
                                           std::string_view name = "value");
/// Whole numbers as integers, as Python would print them.
TemplateValue template_number(double d);
const proto::Value* find(const proto::Attributes& set, std::string_view attribute);
proto::Result<double> want_number(const proto::Attributes& set, std::string_view attribute);
proto::Result<bool> want_bool(const proto::Attributes& set, std::string_view attribute);
proto::Result<std::string> want_text(const proto::Attributes& set, std::string_view attribute);

/// One setting: state topic + template in, command topic + template out.
struct Setting {
    std::string state_topic;
    std::optional<Template> state_template;
    std::string command_topic;
    std::optional<Template> command_template;
};
std::variant<Setting, Unmapped> setting(const nlohmann::json& c, std::string_view state_topic,
                                        std::string_view state_template,
                                        std::string_view command_topic,
                                        std::string_view command_template);
proto::Result<void> publish_setting(const Setting& s, const TemplateValue& value, bool retain,
                                    std::vector<Publish>& out);

// ---- capabilities ----

proto::Capability number_capability(std::string attribute, std::optional<double> min,
                                    std::optional<double> max, std::optional<double> step,
                                    std::string unit, proto::Access access);
proto::Capability bool_capability(std::string attribute, proto::Access access);
proto::Capability enum_capability(std::string attribute, std::vector<std::string> options,
                                  proto::Access access);
proto::Capability text_capability(std::string attribute, proto::Access access);
/// A canonical capability with its standard definition.
proto::Capability canonical(std::string_view attribute);

// ---- platforms ----

/// One entity being mapped from its config.
struct Builder {
    const nlohmann::json& config;
    HaEntity& entity;

    void add(proto::Capability cap, Naming naming) { entity.capabilities.push_back({std::move(cap), naming}); }
    /// Without a state topic (or with `optimistic: true`) the entity's values are assumed from
    /// the commands sent, as Home Assistant does.
    void read(HaReader r) {
        if (r.topic.empty() || flag(config, "optimistic"))
            entity.optimistic.insert(r.produces.begin(), r.produces.end());
        if (!r.topic.empty()) entity.readers.push_back(std::move(r));
    }
};

std::optional<Unmapped> map_sensor(Builder b);
std::optional<Unmapped> map_binary_sensor(Builder b);
std::optional<Unmapped> map_switch(Builder b);
std::optional<Unmapped> map_lock(Builder b);
std::optional<Unmapped> map_light(Builder b);
std::optional<Unmapped> map_climate(Builder b);
std::optional<Unmapped> map_cover(Builder b);
std::optional<Unmapped> map_fan(Builder b);
/// select, number, text: one own attribute read from state_topic and written to command_topic.
std::optional<Unmapped> map_value_entity(Builder b, proto::Capability cap, Decode decode);
std::optional<Unmapped> map_button(Builder b);
std::optional<Unmapped> map_device_automation(Builder b);
std::optional<Unmapped> map_event(Builder b);

}  // namespace hearth::devices::adapters
