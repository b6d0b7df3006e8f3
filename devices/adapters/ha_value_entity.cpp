#include "devices/adapters/ha_platform.hpp"

#include <nlohmann/json.hpp>

namespace hearth::devices::adapters {

using proto::Access;
using proto::Capability;
using proto::Errc;
using proto::make_error;
using proto::Result;
using proto::Value;
using proto::ValueType;
using json = nlohmann::json;

std::optional<Unmapped> map_value_entity(Builder b, Capability cap, Decode decode) {
    auto s = setting(b.config, "state_topic", "value_template", "command_topic", "command_template");
    if (auto* u = std::get_if<Unmapped>(&s)) return *u;
    const auto& set_s = std::get<Setting>(s);
    if (set_s.command_topic.empty())
        return Unmapped{"a " + b.entity.component + " needs a command_topic"};
    b.entity.priority = 80;
    const auto attribute = cap.attribute;
    const auto type = cap.type;
    b.add(std::move(cap), Naming::own);
    b.read(value_reader(set_s.state_topic, set_s.state_template, attribute, std::move(decode)));
    b.entity.writer = [=, retain = flag(b.config, "retain")](const proto::Attributes& set,
                                                   std::optional<double>,
                                                   std::vector<Publish>& out) -> Result<void> {
        if (type == ValueType::number) {
            auto n = want_number(set, attribute);
            if (!n) return n.error();
            return publish_setting(set_s, template_number(*n), retain, out);
        }
        auto t = want_text(set, attribute);
        if (!t) return t.error();
        return publish_setting(set_s, TemplateValue{*t}, retain, out);
    };
    return std::nullopt;
}

}  // namespace hearth::devices::adapters
