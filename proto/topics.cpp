#include "proto/topics.hpp"

#include <array>

namespace hearth::proto {
namespace {
constexpr std::array kKinds{DeviceTopic::config, DeviceTopic::state, DeviceTopic::set, DeviceTopic::event,
                            DeviceTopic::availability};
}

std::string_view to_string(DeviceTopic kind) noexcept {
    switch (kind) {
        case DeviceTopic::config: return "config";
        case DeviceTopic::state: return "state";
        case DeviceTopic::set: return "set";
        case DeviceTopic::event: return "event";
        case DeviceTopic::availability: return "availability";
    }
    return "state";
}

std::string Topics::device(const DeviceId& id, DeviceTopic kind) const {
    std::string t;
    t.reserve(prefix_.size() + id.value.size() + 22);
    t.append(prefix_).append("/device/").append(id.value).append("/").append(to_string(kind));
    return t;
}

std::string Topics::all(DeviceTopic kind) const {
    return prefix_ + "/device/+/" + std::string(to_string(kind));
}

std::optional<ParsedTopic> Topics::parse(std::string_view topic) const {
    constexpr std::string_view kDevice = "/device/";
    if (!topic.starts_with(prefix_)) return std::nullopt;
    topic.remove_prefix(prefix_.size());
    if (!topic.starts_with(kDevice)) return std::nullopt;
    topic.remove_prefix(kDevice.size());
    const auto slash = topic.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const auto id = topic.substr(0, slash);
    const auto leaf = topic.substr(slash + 1);
    if (!is_valid_id(id)) return std::nullopt;
    for (const auto kind : kKinds) {
        if (leaf == to_string(kind)) return ParsedTopic{DeviceId{id}, kind};
    }
    return std::nullopt;
}

}  // namespace hearth::proto
