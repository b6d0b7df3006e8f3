#include "fuzz/adapter_feed.hpp"

#include "fuzz/support.hpp"

namespace hearth::fuzz {

using devices::adapters::Effects;

namespace {

/// A value the capability accepts: the middle of its range, its first option, true, or text.
proto::Value sample_value(const proto::Capability& c) {
    switch (c.type) {
        case proto::ValueType::boolean: return true;
        case proto::ValueType::number: return (c.min.value_or(0) + c.max.value_or(100)) / 2;
        case proto::ValueType::enumeration: return c.options.empty() ? std::string("on") : c.options.front();
        case proto::ValueType::text: return std::string("fuzz");
    }
    return {};
}

void command_every_attribute(devices::adapters::Adapter& adapter, const devices::Registry& registry,
                             const proto::DeviceDescription& description) {
    for (const auto& capability : description.capabilities) {
        if (!proto::has(capability.access, proto::Access::write)) continue;
        proto::Command command{{{capability.attribute, sample_value(capability)}}, std::nullopt, "fuzz.1"};
        const auto valid = registry.validate(description.id, command);
        if (!valid) continue;
        (void)adapter.command(description.id, *valid);
        (void)adapter.optimistic_state(description.id, *valid);
    }
}

}  // namespace

void feed(devices::adapters::Adapter& adapter, devices::Registry& registry, std::string_view input) {
    for (const auto& message : messages(input)) {
        const Effects effects = adapter.handle(message.topic, message.payload);
        (void)devices::adapters::apply(registry, effects);
        for (const auto& description : effects.upserts) {
            if (registry.find(description.id)) command_every_attribute(adapter, registry, description);
        }
    }
    (void)adapter.subscriptions();
    (void)adapter.unmapped();
}

}  // namespace hearth::fuzz
