#include "devices/adapters/ha_entity.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

#include "devices/adapters/ha_platform.hpp"
#include "devices/adapters/naming.hpp"

namespace hearth::devices::adapters {

using json = nlohmann::json;

namespace {

std::optional<Unmapped> map_platform(Builder b) {
    const auto& p = b.entity.component;
    if (p == "sensor") return map_sensor(b);
    if (p == "binary_sensor") return map_binary_sensor(b);
    if (p == "switch") return map_switch(b);
    if (p == "lock") return map_lock(b);
    if (p == "light") return map_light(b);
    if (p == "climate") return map_climate(b);
    if (p == "cover") return map_cover(b);
    if (p == "fan") return map_fan(b);
    if (p == "button") return map_button(b);
    if (p == "device_automation") return map_device_automation(b);
    if (p == "event") return map_event(b);
    if (p == "select") {
        auto options = strings(b.config, "options");
        if (options.empty()) return Unmapped{"a select needs options"};
        return map_value_entity(b, enum_capability(b.entity.key, options, kReadWrite), decode_text());
    }
    if (p == "number") {
        auto cap = number_capability(
            b.entity.key, number(b.config, "min").value_or(1), number(b.config, "max").value_or(100),
            number(b.config, "step").value_or(1), str(b.config, "unit_of_measurement"), kReadWrite);
        return map_value_entity(b, cap, decode_number(b.entity.key));
    }
    if (p == "text")
        return map_value_entity(b, text_capability(b.entity.key, kReadWrite), decode_text());
    if (p == "update")
        return Unmapped{"firmware updates are not part of Hearth's capability model"};
    return Unmapped{"Home Assistant platform '" + p + "' has no Hearth mapping"};
}

HaDeviceInfo device_info(const json& c) {
    HaDeviceInfo d;
    const auto it = c.find("device");
    if (it == c.end() || !it->is_object()) return d;
    const auto& dev = *it;
    if (auto ids = dev.find("identifiers"); ids != dev.end()) {
        if (ids->is_string())
            d.identifier = ids->get<std::string>();
        else if (ids->is_array() && !ids->empty())
            d.identifier = as_config_string((*ids)[0]);
    }
    if (auto cns = dev.find("connections");
        d.identifier.empty() && cns != dev.end() && cns->is_array() && !cns->empty()) {
        const auto& first = (*cns)[0];
        if (first.is_array() && first.size() == 2)
            d.identifier = as_config_string(first[0]) + "_" + as_config_string(first[1]);
    }
    d.name = str(dev, "name");
    d.manufacturer = str(dev, "manufacturer");
    d.model = str(dev, "model");
    if (auto id = str(dev, "model_id"); !id.empty())
        d.model = d.model.empty() ? id : id + " (" + d.model + ")";
    d.suggested_area = str(dev, "suggested_area");
    return d;
}

std::variant<HaAvailability, Unmapped> availability(const json& c) {
    HaAvailability a;
    const auto mode = str(c, "availability_mode", "latest");
    a.mode = mode == "all"   ? HaAvailability::Mode::all
             : mode == "any" ? HaAvailability::Mode::any
                             : HaAvailability::Mode::latest;
    const auto add = [&](const json& src, std::string_view topic_key,
                         std::string_view template_key) -> std::optional<Unmapped> {
        HaAvailability::Source s;
        s.topic = str(src, topic_key);
        if (s.topic.empty()) return std::nullopt;
        s.payload_available = str(src, "payload_available", "online");
        s.payload_not_available = str(src, "payload_not_available", "offline");
        auto t = template_option(src, template_key);
        if (auto* u = std::get_if<Unmapped>(&t)) return *u;
        s.value_template = std::get<std::optional<Template>>(t);
        a.sources.push_back(std::move(s));
        return std::nullopt;
    };
    if (auto u = add(c, "availability_topic", "availability_template")) return *u;
    if (auto it = c.find("availability"); it != c.end() && it->is_array())
        for (const auto& entry : *it)
            if (entry.is_object())
                if (auto u = add(entry, "topic", "value_template")) return *u;
    return a;
}

}  // namespace

std::string template_key(std::string_view t) {
    const auto at = t.find("value_json");
    if (at == std::string_view::npos) return {};
    auto rest = t.substr(at + 10);
    if (rest.starts_with('.')) {
        rest.remove_prefix(1);
        std::size_t n = 0;
        while (n < rest.size() &&
               (std::isalnum(static_cast<unsigned char>(rest[n])) || rest[n] == '_'))
            ++n;
        return std::string(rest.substr(0, n));
    }
    if (rest.starts_with("[\"") || rest.starts_with("['")) {
        const char quote = rest[1];
        const auto end = rest.find(quote, 2);
        if (end != std::string_view::npos) return std::string(rest.substr(2, end - 2));
    }
    return {};
}

HaEntity map_entity(const DiscoveryTopic& topic, std::string source, const json& config) {
    HaEntity e;
    e.source = std::move(source);
    e.topic = topic;
    e.component = topic.component == "device" ? str(config, "platform") : topic.component;
    e.unique_id = str(config, "unique_id");
    e.main_feature = !config.contains("name") || config["name"].is_null();
    e.name = str(config, "name");
    e.entity_category = str(config, "entity_category");
    e.device_class = str(config, "device_class");
    e.device = device_info(config);
    std::string key;
    for (const auto* t : {"value_template", "state_value_template", "position_template"})
        if (key.empty()) key = template_key(str(config, t));
    if (key.empty()) key = topic.object_id;
    if (e.component == "switch" && key.starts_with("switch_")) key = key.substr(7);
    e.key = attribute_name(key);
    e.may_claim_canonical = e.entity_category.empty() || e.device_class == "battery";

    auto avail = availability(config);
    if (auto* u = std::get_if<Unmapped>(&avail)) {
        e.unmapped_reason = u->reason;
        e.template_problem = u->from_template;
        return e;
    }
    e.availability = std::get<HaAvailability>(std::move(avail));
    if (auto u = map_platform(Builder{config, e})) {
        e.unmapped_reason = u->reason;
        e.template_problem = u->from_template;
        e.capabilities.clear();
        e.readers.clear();
        e.writer = nullptr;
        e.kind.reset();
    }
    return e;
}

}  // namespace hearth::devices::adapters
