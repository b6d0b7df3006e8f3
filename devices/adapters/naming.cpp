#include "devices/adapters/naming.hpp"

#include <charconv>
#include <cstdint>

namespace hearth::devices::adapters {

namespace {

std::string fold(std::string_view s, bool allow_dot_dash) {
    std::string out;
    for (const char raw : s) {
        const char c = (raw >= 'A' && raw <= 'Z') ? static_cast<char>(raw - 'A' + 'a') : raw;
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                        (allow_dot_dash && (c == '.' || c == '-'));
        if (ok)
            out += c;
        else if (!out.empty() && out.back() != '_')
            out += '_';
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out;
}

std::uint32_t fnv1a(std::string_view s) {
    std::uint32_t h = 2166136261u;
    for (const unsigned char c : s) h = (h ^ c) * 16777619u;
    return h;
}

}  // namespace

proto::DeviceId stable_device_id(std::string_view identifier) {
    auto id = fold(identifier, true);
    if (id.empty()) id = "device";
    if (id.size() > 64) {
        char hex[8];
        const auto end = std::to_chars(hex, hex + sizeof hex, fnv1a(identifier), 16).ptr;
        const std::string digits(hex, end);
        id = id.substr(0, 55) + "_" + std::string(8 - digits.size(), '0') + digits;
    }
    return proto::DeviceId{id};
}

std::string attribute_name(std::string_view name) {
    auto a = fold(name, false);
    return a.empty() ? "value" : a;
}

}  // namespace hearth::devices::adapters
