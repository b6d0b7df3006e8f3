#pragma once
// Strong identifiers: a device id cannot be passed where an area id is expected.
#include <compare>
#include <functional>
#include <string>
#include <string_view>

namespace hearth::proto {

template <class Tag>
struct Id {
    std::string value;

    Id() = default;
    explicit Id(std::string v) : value(std::move(v)) {}
    explicit Id(std::string_view v) : value(v) {}
    explicit Id(const char* v) : value(v) {}

    bool empty() const noexcept { return value.empty(); }
    friend auto operator<=>(const Id&, const Id&) = default;
    friend bool operator==(const Id&, const Id&) = default;
};

using DeviceId = Id<struct DeviceTag>;
using AreaId = Id<struct AreaTag>;
using SceneId = Id<struct SceneTag>;
using RuleId = Id<struct RuleTag>;

/// Ids are lowercase ASCII letters, digits, '_', '-' and '.', 1–64 characters, so they are
/// safe in MQTT topics, URLs and SQL.
bool is_valid_id(std::string_view id) noexcept;

}  // namespace hearth::proto

template <class Tag>
struct std::hash<hearth::proto::Id<Tag>> {
    size_t operator()(const hearth::proto::Id<Tag>& id) const noexcept {
        return std::hash<std::string>{}(id.value);
    }
};
