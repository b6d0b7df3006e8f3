#include "hub/request_bodies.hpp"

#include <nlohmann/json.hpp>

#include "proto/json.hpp"
#include "rules/rule.hpp"

namespace hearth::hub {

using proto::Errc;
using nlohmann::json;

namespace {

proto::Error at_field(const std::string& prefix, proto::Error e) {
    e.field = prefix + (e.field.empty() ? "" : "." + e.field);
    return e;
}

}  // namespace

proto::Result<TokenRequest> token_request_from_json(const json& body) {
    const auto name = body.is_object() ? body.value("name", json()) : json();
    if (!name.is_string() || name.get<std::string>().empty() || name.get<std::string>().size() > 100) {
        return proto::make_error(Errc::invalid_field, "name is 1–100 characters of text", "name");
    }
    // A typed read: value("scope", "read") threw on a scope that is not text.
    const auto text = proto::optional_string(body, "scope");
    const auto scope = text ? scope_from(text->value_or("read")) : std::nullopt;
    if (!scope) return proto::make_error(Errc::invalid_field, "scope is read, control or admin", "scope");
    return TokenRequest{name.get<std::string>(), *scope};
}

proto::Result<CommandRequest> command_request_from_json(const json& request) {
    auto body = request.value("set", json());
    if (!body.is_object()) return proto::make_error(Errc::invalid_field, "set is an object of attributes", "set");
    if (request.contains("transition")) body[proto::kTransitionKey] = request["transition"];
    auto command = proto::command_from_json(body);
    if (!command) return command.error();
    const auto device = request.value("device", json());
    if (!device.is_string()) return proto::make_error(Errc::invalid_field, "device is a device id", "device");
    return CommandRequest{proto::DeviceId{device.get<std::string>()}, std::move(*command)};
}

const std::vector<nlu::Mood>& all_moods() {
    static const std::vector<nlu::Mood> moods = {
        nlu::Mood::sleepy,   nlu::Mood::wake,       nlu::Mood::leave,  nlu::Mood::home,
        nlu::Mood::movie,    nlu::Mood::reading,    nlu::Mood::too_hot, nlu::Mood::too_cold,
        nlu::Mood::too_dark, nlu::Mood::too_bright, nlu::Mood::stuffy};
    return moods;
}

std::optional<nlu::Mood> mood_from(std::string_view name) {
    for (const auto m : all_moods())
        if (nlu::to_string(m) == name) return m;
    return std::nullopt;
}

proto::Result<MoodMapping> moods_from_json(const json& body, const SceneExists& scene_exists) {
    const auto& moods = body.is_object() && body.contains("moods") ? body["moods"] : body;
    if (!moods.is_object()) return proto::make_error(Errc::bad_json, "moods is an object of mood → scene id", "moods");
    MoodMapping mapping;
    for (const auto& [name, scene] : moods.items()) {
        const auto field = "moods." + name;
        const auto mood = mood_from(name);
        if (!mood) return proto::make_error(Errc::invalid_field, "unknown mood '" + name + "'", field);
        if (scene.is_null()) continue;
        if (!scene.is_string()) return proto::make_error(Errc::invalid_field, "a mood maps to a scene id or null", field);
        proto::SceneId id{scene.get<std::string>()};
        if (!scene_exists(id)) return proto::make_error(Errc::invalid_field, "no scene '" + id.value + "'", field);
        mapping[*mood] = id;
    }
    return mapping;
}

proto::Result<SentenceRequest> sentence_from_json(const json& body, const SceneExists& scene_exists,
                                                  const RuleExists& rule_exists) {
    if (!body.is_object()) return proto::make_error(Errc::bad_json, "the body is a JSON object");
    if (!body.value("pattern", json()).is_string() || body["pattern"].get<std::string>().empty()) {
        return proto::make_error(Errc::invalid_field, "pattern is the sentence, with {wildcards}", "pattern");
    }
    const bool has_scene = body.contains("scene"), has_rule = body.contains("rule");
    if (has_scene == has_rule) return proto::make_error(Errc::invalid_field, "give exactly one of scene and rule", "scene");
    const std::string field = has_scene ? "scene" : "rule";
    if (!body[field].is_string()) return proto::make_error(Errc::invalid_field, field + " is an id", field);
    const auto target = body[field].get<std::string>();
    if (has_scene && !scene_exists(proto::SceneId{target})) {
        return proto::make_error(Errc::invalid_field, "no scene '" + target + "'", field);
    }
    if (has_rule && !rule_exists(proto::RuleId{target})) {
        return proto::make_error(Errc::invalid_field, "no rule '" + target + "'", field);
    }
    SentenceRequest request{std::nullopt, body["pattern"].get<std::string>(), field, target};
    if (body.contains("id")) {
        if (!body["id"].is_string() || !proto::is_valid_id(body["id"].get<std::string>())) {
            return proto::make_error(Errc::invalid_field, "id is 1–64 lowercase letters, digits, '_', '-' or '.'", "id");
        }
        request.id = body["id"].get<std::string>();
    }
    return request;
}

proto::Result<ImportDocument> import_document_from_yaml(std::string_view text) {
    auto home = proto::home_from_yaml(text);
    if (!home) return home.error();
    ImportDocument document{std::move(*home), {}};
    const auto& list = document.home.scenes;
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto scene = scenes::scene_from_json(list[i]);
        if (!scene) return at_field("scenes[" + std::to_string(i) + "]", scene.error());
        document.scenes.push_back(std::move(*scene));
    }
    const auto& rules = document.home.rules;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const auto field = "rules[" + std::to_string(i) + "]";
        auto rule = rules::rule_from_json(rules[i]);
        if (!rule) return at_field(field, rule.error());
        if (rules[i]["id"].get<std::string>().starts_with("_")) {
            return proto::make_error(Errc::invalid_field, "rule ids starting with '_' are reserved", field + ".id");
        }
    }
    return document;
}

}  // namespace hearth::hub
