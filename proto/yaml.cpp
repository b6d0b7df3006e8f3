#include "proto/yaml.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace hearth::proto {
namespace {

/// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF)
/// without Unicode's noncharacters (U+FDD0–U+FDEF and the last two of every plane, U+FFFE,
/// U+1FFFF, …), which the YAML emitter cannot print (it writes them as U+FFFD).
bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        char32_t cp = n == 1 ? c : c & (0x7F >> n);
        for (std::size_t k = 1; k < n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc >> 6) != 0x2) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        const char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || (cp & 0xFFFE) == 0xFFFE ||
            (cp >= 0xFDD0 && cp <= 0xFDEF)) {
            return false;
        }
        i += n;
    }
    return true;
}

/// Text as JSON holds it: only valid UTF-8 (JSON cannot carry anything else).
const std::string& text_of(const YAML::Node& node) {
    const auto& s = node.Scalar();
    if (!valid_utf8(s)) throw YAML::Exception(node.Mark(), "text is not valid UTF-8");
    return s;
}

/// A plain scalar's JSON value by its form.
nlohmann::json plain(const std::string& s) {
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
    std::int64_t i = 0;
    if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i); ec == std::errc() && p == s.data() + s.size()) {
        return i;
    }
    double d = 0;
    // from_chars also reads "nan" and "inf", which JSON cannot hold: those stay text.
    if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
        ec == std::errc() && p == s.data() + s.size() && std::isfinite(d)) {
        return d;
    }
    return s;
}

nlohmann::json scalar(const YAML::Node& node) {
    const auto& s = text_of(node);
    if (node.Tag() == "!") return s;  // quoted
    return plain(s);
}

using Positions = std::map<std::string, TextPosition>;

TextPosition position(const YAML::Mark& mark) {
    if (mark.is_null()) return {};
    return {mark.line + 1, mark.column + 1};
}

/// `positions` (when given) receives the position of every value under its field path, named as
/// the core's errors name fields: "a.b", "a[2]", "a[2].b".
nlohmann::json convert(const YAML::Node& node, int depth, const std::string& path = {}, Positions* positions = nullptr) {
    if (depth > 64) throw YAML::Exception(node.Mark(), "nested deeper than 64 levels");
    switch (node.Type()) {
        case YAML::NodeType::Scalar: return scalar(node);
        case YAML::NodeType::Sequence: {
            auto a = nlohmann::json::array();
            for (const auto& item : node) {
                const auto item_path = positions ? path + "[" + std::to_string(a.size()) + "]" : std::string();
                if (positions) positions->emplace(item_path, position(item.Mark()));
                a.push_back(convert(item, depth + 1, item_path, positions));
            }
            return a;
        }
        case YAML::NodeType::Map: {
            auto o = nlohmann::json::object();
            for (const auto& kv : node) {
                if (!kv.first.IsScalar() && !kv.first.IsNull()) throw YAML::Exception(kv.first.Mark(), "a key must be text");
                const auto key = kv.first.IsNull() ? std::string("null") : text_of(kv.first);
                const auto key_path = positions ? (path.empty() ? key : path + "." + key) : std::string();
                if (positions) positions->insert_or_assign(key_path, position(kv.first.Mark()));
                o[key] = convert(kv.second, depth + 1, key_path, positions);
            }
            return o;
        }
        default: return nullptr;
    }
}

/// Writes text so that it reads back as the same text: quoted when its plain form would read as
/// another type, or when it holds control characters or edge spaces a plain scalar loses ("\r").
void emit_text(YAML::Emitter& out, const std::string& s) {
    const bool control = std::any_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
    });
    const bool edge_space = !s.empty() && (s.front() == ' ' || s.back() == ' ');
    if (control || edge_space || !plain(s).is_string()) out << YAML::DoubleQuoted;
    out << s;
}

void emit(YAML::Emitter& out, const nlohmann::json& j) {
    if (j.is_object()) {
        out << YAML::BeginMap;
        for (const auto& [k, v] : j.items()) {
            out << YAML::Key;
            emit_text(out, k);
            out << YAML::Value;
            emit(out, v);
        }
        out << YAML::EndMap;
    } else if (j.is_array()) {
        out << YAML::BeginSeq;
        for (const auto& v : j) emit(out, v);
        out << YAML::EndSeq;
    } else if (j.is_string()) {
        emit_text(out, j.get_ref<const std::string&>());
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

YamlDocument read_yaml_document(std::string_view yaml) {
    YamlDocument document;
    try {
        const auto root = YAML::Load(std::string(yaml));
        document.positions.emplace("", position(root.Mark()));
        document.value = convert(root, 0, {}, &document.positions);
    } catch (const YAML::Exception& e) {
        document.value = nullptr;
        document.positions.clear();
        document.error = make_error(Errc::bad_json, "YAML error at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
        document.error_position = position(e.mark);
    }
    return document;
}

TextPosition YamlDocument::position_of(std::string_view field) const {
    std::string path(field);
    while (true) {
        if (const auto it = positions.find(path); it != positions.end()) return it->second;
        if (path.empty()) return {};
        const auto cut = path.find_last_of(".[");
        path.resize(cut == std::string::npos ? 0 : cut);
    }
}

std::string json_to_yaml(const nlohmann::json& j) {
    YAML::Emitter out;
    out.SetIndent(2);
    emit(out, j);
    return std::string(out.c_str()) + "\n";
}

}  // namespace hearth::proto
