#include "devices/adapters/native.hpp"

#include <nlohmann/json.hpp>

#include "proto/command.hpp"
#include "proto/json.hpp"

namespace hearth::devices::adapters {

using proto::DeviceTopic;
using proto::Errc;

namespace {

Effects refused(std::string topic, proto::Error error) {
    Effects fx;
    error.message = topic + ": " + error.message;
    fx.errors.push_back(std::move(error));
    return fx;
}

}  // namespace

Native::Native(std::string prefix, const Registry& registry) : topics_(std::move(prefix)), registry_(registry) {}

std::vector<std::string> Native::subscriptions() const {
    std::vector<std::string> out;
    for (const auto kind : {DeviceTopic::config, DeviceTopic::state, DeviceTopic::availability, DeviceTopic::event}) {
        out.push_back(topics_.all(kind));
    }
    return out;
}

bool Native::follows(std::string_view topic) const { return topics_.parse(topic).has_value(); }

bool Native::owns(const proto::DeviceId& id) const { return described_.contains(id); }

bool Native::known(const proto::DeviceId& id) const { return described_.contains(id) || registry_.find(id) != nullptr; }

proto::Result<std::vector<Publish>> Native::command(const proto::DeviceId& id, const proto::Command& command) const {
    return std::vector<Publish>{{topics_.device(id, DeviceTopic::set), proto::to_payload(command), false}};
}

Effects Native::dispatch(std::string_view topic, std::string_view payload) {
    const auto parsed = topics_.parse(topic);
    if (!parsed) return {};
    switch (parsed->kind) {
        case DeviceTopic::config: return on_config(parsed->device, payload);
        case DeviceTopic::state: return on_state(parsed->device, payload);
        case DeviceTopic::availability: return on_availability(parsed->device, payload);
        case DeviceTopic::event: return on_event(parsed->device, payload);
        case DeviceTopic::set: return {};
    }
    return {};
}

Effects Native::on_config(const proto::DeviceId& id, std::string_view payload) {
    const auto topic = topics_.device(id, DeviceTopic::config);
    Effects fx;
    if (payload.empty()) {
        if (known(id)) fx.removals.push_back(id);
        described_.erase(id);
        return fx;
    }
    auto j = proto::parse_json(payload);
    if (!j) return refused(topic, j.error());
    auto description = proto::description_from_json(*j);
    if (!description) return refused(topic, description.error());
    if (description->id != id) {
        return refused(topic, proto::make_error(Errc::invalid_field, "id " + description->id.value + " does not match the topic", "id"));
    }
    described_.insert(id);
    fx.upserts.push_back(std::move(*description));
    // What came before the description is delivered with it.
    if (const auto early = early_state_.extract(id)) fx.append(on_state(id, early.mapped()));
    if (const auto early = early_availability_.extract(id)) fx.append(on_availability(id, early.mapped()));
    return fx;
}

Effects Native::on_state(const proto::DeviceId& id, std::string_view payload) {
    if (!known(id)) {
        if (early_state_.size() < kMaxEarlyMessages) early_state_[id] = std::string(payload);
        return {};
    }
    const auto topic = topics_.device(id, DeviceTopic::state);
    auto j = proto::parse_json(payload);
    if (!j) return refused(topic, j.error());
    if (!j->is_object()) return refused(topic, proto::make_error(Errc::bad_json, "state must be a JSON object of attributes"));
    StateReport report{id, {}, {}};
    for (const auto& [key, value] : j->items()) {
        if (key == proto::kContextKey) {
            if (value.is_string()) report.context_id = value.get<std::string>();
            continue;
        }
        auto v = proto::value_from_json(value);
        if (!v) return refused(topic, proto::make_error(Errc::wrong_type, key + " must be a bool, number, text or null", key));
        report.attributes.emplace(key, std::move(*v));
    }
    Effects fx;
    fx.states.push_back(std::move(report));
    return fx;
}

Effects Native::on_availability(const proto::DeviceId& id, std::string_view payload) {
    const auto topic = topics_.device(id, DeviceTopic::availability);
    if (payload != proto::kOnline && payload != proto::kOffline) {
        return refused(topic, proto::make_error(Errc::invalid_field, "availability is 'online' or 'offline'"));
    }
    if (!known(id)) {
        if (early_availability_.size() < kMaxEarlyMessages) early_availability_[id] = std::string(payload);
        return {};
    }
    Effects fx;
    fx.availability.push_back({id, payload == proto::kOnline ? Availability::online : Availability::offline});
    return fx;
}

Effects Native::on_event(const proto::DeviceId& id, std::string_view payload) {
    const auto topic = topics_.device(id, DeviceTopic::event);
    if (!known(id)) return refused(topic, proto::make_error(Errc::unknown_device, "event from unknown device"));
    auto j = proto::parse_json(payload);
    if (!j) return refused(topic, j.error());
    if (!j->is_object()) return refused(topic, proto::make_error(Errc::bad_json, "an event is a JSON object"));
    DeviceEvent event{id, {}, {}};
    for (const auto& [key, value] : j->items()) {
        if (key == "event") {
            if (!value.is_string()) return refused(topic, proto::make_error(Errc::invalid_field, "event is the event's name", "event"));
            event.name = value.get<std::string>();
        } else if (auto v = proto::value_from_json(value)) {
            event.attributes.emplace(key, std::move(*v));
        }
    }
    Effects fx;
    fx.events.push_back(std::move(event));
    return fx;
}

}  // namespace hearth::devices::adapters
