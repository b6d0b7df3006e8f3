#include "proto/yaml.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace hearth::proto {
namespace {

nlohmann::json scalar(const YAML::Node& node) {
    const auto& s = node.Scalar();
    if (node.Tag() == "!") return s;  // quoted
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
    std::int64_t i = 0;
    if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i); ec == std::errc() && p == s.data() + s.size()) {
        return i;
    }
    double d = 0;
    if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d); ec == std::errc() && p == s.data() + s.size()) {
        return d;
    }
    return s;
}

nlohmann::json convert(const YAML::Node& node, int depth) {
    if (depth > 64) throw YAML::Exception(node.Mark(), "nested deeper than 64 levels");
    switch (node.Type()) {
        case YAML::NodeType::Scalar: return scalar(node);
        case YAML::NodeType::Sequence: {
            auto a = nlohmann::json::array();
            for (const auto& item : node) a.push_back(convert(item, depth + 1));
            return a;
        }
        case YAML::NodeType::Map: {
            auto o = nlohmann::json::object();
            for (const auto& kv : node) o[kv.first.as<std::string>()] = convert(kv.second, depth + 1);
            return o;
        }
        default: return nullptr;
    }
}

void emit(YAML::Emitter& out, const nlohmann::json& j) {
    if (j.is_object()) {
        out << YAML::BeginMap;
        for (const auto& [k, v] : j.items()) {
            out << YAML::Key << k << YAML::Value;
            emit(out, v);
        }
        out << YAML::EndMap;
    } else if (j.is_array()) {
        out << YAML::BeginSeq;
        for (const auto& v : j) emit(out, v);
        out << YAML::EndSeq;
    } else if (j.is_string()) {
        const auto s = j.get<std::string>();
        // Quote text that would read back as another type.
        if (!scalar(YAML::Node(s)).is_string()) out << YAML::DoubleQuoted;
        out << s;
    } else if (j.is_null()) {
        out << YAML::Null;
    } else {
        out << j.dump();
    }
}

}  // namespace

Result<nlohmann::json> yaml_to_json(std::string_view yaml) {
    try {
        return Result<nlohmann::json>(boost::system::in_place_value, convert(YAML::Load(std::string(yaml)), 0));
    } catch (const YAML::Exception& e) {
        return make_error(Errc::bad_json, "YAML error at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
}

std::string json_to_yaml(const nlohmann::json& j) {
    YAML::Emitter out;
    out.SetIndent(2);
    emit(out, j);
    return std::string(out.c_str()) + "\n";
}

}  // namespace hearth::proto
