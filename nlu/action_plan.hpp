#pragma once
// The attributes one intent sets on one device ("HassTurnOn" on a lock locks it, on a curtain opens
// it), or nothing when the device cannot do it. Pure.
#include <optional>
#include <string>

#include "devices/registry.hpp"

namespace hearth::nlu {

/// What an intent asks for, before it meets a device.
struct ActionPlan {
    explicit ActionPlan(std::string name) : intent(std::move(name)) {}
    ActionPlan(std::string name, std::string attribute_name, std::optional<double> to, std::optional<double> by)
        : intent(std::move(name)), absolute(to), change(by), attribute(std::move(attribute_name)) {}

    std::string intent;
    proto::Attributes slots;
    std::optional<double> absolute;  // the value for set intents
    std::optional<double> change;    // relative change
    std::string attribute;           // brightness, target_temperature, volume, position
    int color = 0;
    std::string mode;                // hvac_mode to set along, for climate devices
};

/// The attributes `plan` sets on `d`; a relative change starts from the device's current value.
std::optional<proto::Attributes> attributes_for(const ActionPlan& plan, const devices::Device& d);

}  // namespace hearth::nlu
