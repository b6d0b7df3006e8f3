#include "devices/adapters/ha_platform.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>

namespace hearth::devices::adapters {

using proto::Access;
using proto::Capability;
using proto::Errc;
using proto::make_error;
using proto::Result;
using proto::Value;
using proto::ValueType;
using json = nlohmann::json;

std::string as_config_string(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    if (v.is_number()) return to_python_string(TemplateValue{v.get<double>()});
    return {};
}

std::string str(const json& c, std::string_view key, std::string fallback) {
    const auto it = c.find(key);
    if (it == c.end() || it->is_null()) return fallback;
    return as_config_string(*it);
}

std::optional<double> number(const json& c, std::string_view key) {
    const auto it = c.find(key);
    if (it == c.end()) return std::nullopt;
    if (it->is_number()) return it->get<double>();
    if (it->is_string()) {
        try {
            std::size_t used = 0;
            const double d = std::stod(it->get<std::string>(), &used);
            if (used == it->get<std::string>().size()) return d;
        } catch (const std::exception&) {
        }
    }
    return std::nullopt;
}

bool flag(const json& c, std::string_view key, bool fallback) {
    const auto it = c.find(key);
    return it != c.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::vector<std::string> strings(const json& c, std::string_view key) {
    std::vector<std::string> out;
    const auto it = c.find(key);
    if (it == c.end() || !it->is_array()) return out;
    for (const auto& v : *it)
        if (!v.is_null()) out.push_back(as_config_string(v));
    return out;
}

OptionalTemplate template_option(const json& c, std::string_view key) {
    const auto text = str(c, key);
    if (text.empty()) return std::optional<Template>{};
    auto t = Template::compile(text);
    if (!t) return Unmapped{std::string(key) + " is not supported: " + t.error().message, true};
    return std::optional<Template>{std::move(*t)};
}

std::optional<std::string> render_value(const std::optional<Template>& tpl, const HaMessage& m,
                                        HaReading& r, std::string_view what) {
    std::string text;
    if (tpl) {
        auto rendered = tpl->render(*m.variables);
        if (!rendered) {
            r.errors.push_back(make_error(Errc::invalid_field,
                                          std::string(what) + ": " + rendered.error().message));
            return std::nullopt;
        }
        text = std::move(*rendered);
    } else {
        text = std::string(m.payload);
    }
    if (text.empty() || text == "None" || text == "unknown" || text == "unavailable" ||
        text == "null")
        return std::nullopt;
    return text;
}

std::optional<double> parse_double(std::string_view s) {
    try {
        std::string t(s);
        std::size_t used = 0;
        const double d = std::stod(t, &used);
        while (used < t.size() && std::isspace(static_cast<unsigned char>(t[used]))) ++used;
        if (used == t.size() && std::isfinite(d)) return d;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

HaReader value_reader(std::string topic, std::optional<Template> tpl, std::string attribute,
                      Decode decode) {
    return HaReader{std::move(topic),
                    [tpl = std::move(tpl), attribute, decode = std::move(decode)](
                        const HaMessage& m, HaReading& r) {
                        auto text = render_value(tpl, m, r, attribute);
                        if (!text) return;
                        if (auto v = decode(*text, r))
                            r.attributes.insert_or_assign(attribute, std::move(*v));
                    },
                    {attribute}};
}

Decode decode_number(std::string attribute, std::function<double(double)> convert) {
    return [attribute = std::move(attribute), convert = std::move(convert)](
               const std::string& s, HaReading& r) -> std::optional<Value> {
        const auto d = parse_double(s);
        if (!d) {
            r.errors.push_back(make_error(Errc::wrong_type,
                                          attribute + ": '" + s + "' is not a number", attribute));
            return std::nullopt;
        }
        return Value{convert ? convert(*d) : *d};
    };
}

Decode decode_bool(std::string attribute, std::string on, std::string off, bool invert) {
    return [=](const std::string& s, HaReading& r) -> std::optional<Value> {
        if (s == on) return Value{!invert};
        if (s == off) return Value{invert};
        r.errors.push_back(make_error(
            Errc::out_of_range,
            attribute + ": '" + s + "' is neither '" + on + "' nor '" + off + "'", attribute));
        return std::nullopt;
    };
}

Decode decode_text() {
    return [](const std::string& s, HaReading&) -> std::optional<Value> { return Value{s}; };
}

Decode decode_words(std::string attribute, std::map<std::string, std::string> words) {
    return [attribute = std::move(attribute), words = std::move(words)](
               const std::string& s, HaReading& r) -> std::optional<Value> {
        const auto it = words.find(s);
        if (it != words.end()) return Value{it->second};
        r.errors.push_back(make_error(
            Errc::out_of_range, attribute + ": '" + s + "' has no Hearth equivalent", attribute));
        return std::nullopt;
    };
}

Result<std::string> command_payload(const std::optional<Template>& tpl, const TemplateValue& value,
                                    std::string_view name) {
    if (!tpl) return to_python_string(value);
    TemplateVariables vars{{"value", value}};
    if (name != "value") vars.emplace(std::string(name), value);
    return tpl->render(vars);
}

TemplateValue template_number(double d) {
    if (std::floor(d) == d && std::fabs(d) < 1e15)
        return TemplateValue{static_cast<std::int64_t>(d)};
    return TemplateValue{d};
}

const Value* find(const proto::Attributes& set, std::string_view attribute) {
    const auto it = set.find(attribute);
    return it == set.end() ? nullptr : &it->second;
}

Result<double> want_number(const proto::Attributes& set, std::string_view attribute) {
    const auto* v = find(set, attribute);
    if (const auto* d = v ? proto::as_number(*v) : nullptr) return *d;
    return make_error(Errc::wrong_type, std::string(attribute) + " expects a number",
                      std::string(attribute));
}
Result<bool> want_bool(const proto::Attributes& set, std::string_view attribute) {
    const auto* v = find(set, attribute);
    if (const auto* b = v ? proto::as_bool(*v) : nullptr) return *b;
    return make_error(Errc::wrong_type, std::string(attribute) + " expects true or false",
                      std::string(attribute));
}
Result<std::string> want_text(const proto::Attributes& set, std::string_view attribute) {
    const auto* v = find(set, attribute);
    if (const auto* s = v ? proto::as_text(*v) : nullptr) return *s;
    return make_error(Errc::wrong_type, std::string(attribute) + " expects text",
                      std::string(attribute));
}

Capability number_capability(std::string attribute, std::optional<double> min,
                             std::optional<double> max, std::optional<double> step,
                             std::string unit, Access access) {
    return Capability{
        std::move(attribute), ValueType::number, min, max, step, std::move(unit), {}, access};
}
Capability bool_capability(std::string attribute, Access access) {
    return Capability{std::move(attribute), ValueType::boolean, {}, {}, {}, {}, {}, access};
}
Capability enum_capability(std::string attribute, std::vector<std::string> options, Access access) {
    return Capability{
        std::move(attribute), ValueType::enumeration, {}, {}, {}, {}, std::move(options), access};
}
Capability text_capability(std::string attribute, Access access) {
    return Capability{std::move(attribute), ValueType::text, {}, {}, {}, {}, {}, access};
}
Capability canonical(std::string_view attribute) {
    return *proto::canonical_capability(attribute);
}

std::variant<Setting, Unmapped> setting(const json& c, std::string_view state_topic,
                                        std::string_view state_template,
                                        std::string_view command_topic,
                                        std::string_view command_template) {
    Setting s{
        str(c, state_topic), {}, command_topic.empty() ? std::string{} : str(c, command_topic), {}};
    auto st = template_option(c, state_template);
    if (auto* u = std::get_if<Unmapped>(&st)) return *u;
    s.state_template = std::get<std::optional<Template>>(st);
    if (!command_template.empty()) {
        auto ct = template_option(c, command_template);
        if (auto* u = std::get_if<Unmapped>(&ct)) return *u;
        s.command_template = std::get<std::optional<Template>>(ct);
    }
    return s;
}

Result<void> publish_setting(const Setting& s, const TemplateValue& value, bool retain,
                             std::vector<Publish>& out) {
    auto payload = command_payload(s.command_template, value);
    if (!payload) return payload.error();
    out.push_back({s.command_topic, *payload, retain});
    return {};
}

}  // namespace hearth::devices::adapters
