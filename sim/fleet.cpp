#include "sim/fleet.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "devices/registry.hpp"
#include "proto/json.hpp"

namespace hearth::sim {

proto::Result<Fleet> Fleet::create(const std::vector<proto::HomeDevice>& devices, const FleetOptions& options,
                                   Instant now) {
    if (options.offline_fraction < 0 || options.offline_fraction >= 1) {
        return proto::make_error(proto::Errc::out_of_range, "the offline fraction is at least 0 and below 1",
                                 "offline_fraction");
    }
    Fleet fleet;
    fleet.options_ = options;
    fleet.random_ = Random(mix_seed(options.seed, 0x0ff1));
    fleet.models_.reserve(devices.size());
    for (std::size_t i = 0; i < devices.size(); ++i) {
        auto settings = settings_from_json(devices[i].sim);
        if (!settings) {
            auto e = settings.error();
            e.message = devices[i].description.id.value + ": " + e.message;
            return e;
        }
        fleet.index_.emplace(devices[i].description.id, i);
        fleet.models_.emplace_back(devices[i].description, std::move(*settings), mix_seed(options.seed, i + 1), now);
    }
    fleet.follows_.assign(devices.size(), devices.size());
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const auto& followed = fleet.models_[i].settings().follows;
        if (followed.empty()) continue;
        const auto it = fleet.index_.find(followed);
        if (it == fleet.index_.end()) {
            return proto::make_error(proto::Errc::unknown_device,
                                     devices[i].description.id.value + " follows unknown device " + followed.value,
                                     "sim.follows");
        }
        fleet.follows_[i] = it->second;
    }
    // Online spells are long enough that, on average, `offline_fraction` of the time is spent offline;
    // the first state is drawn from that same share so a fresh fleet starts in the steady mix.
    const double f = options.offline_fraction;
    fleet.mean_online_ = f > 0 ? Duration(static_cast<std::int64_t>(options.mean_offline.count() * (1 - f) / f))
                               : Duration::max();
    fleet.online_.resize(devices.size(), true);
    fleet.link_change_at_.resize(devices.size(), Instant::max());
    if (f > 0) {
        for (std::size_t i = 0; i < devices.size(); ++i) {
            fleet.online_[i] = !fleet.random_.chance(f);
            fleet.link_change_at_[i] =
                now + fleet.random_.exponential(fleet.online_[i] ? fleet.mean_online_ : options.mean_offline);
        }
    }
    return fleet;
}

std::optional<std::size_t> Fleet::index_of(const proto::DeviceId& id) const {
    const auto it = index_.find(id);
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

std::string Fleet::config_payload(std::size_t device) const {
    return proto::to_json(models_.at(device).description()).dump();
}

proto::Result<std::string> Fleet::handle_command(std::size_t device, std::string_view payload, Instant now) {
    auto& model = models_.at(device);
    auto json = proto::parse_json(payload);
    if (!json) return json.error();
    auto command = proto::command_from_json(*json);
    if (!command) return command.error();
    auto valid = devices::validate_command(model.description(), *command);
    if (!valid) return valid.error();
    model.apply(*valid, now);
    return model.state_payload(valid->context_id);
}

std::size_t Fleet::offline_count() const noexcept {
    return static_cast<std::size_t>(std::count(online_.begin(), online_.end(), false));
}

std::vector<FleetAction> Fleet::advance(Instant now) {
    std::vector<FleetAction> actions;
    for (std::size_t i = 0; i < models_.size(); ++i) {
        if (now >= link_change_at_[i]) {
            online_[i] = !online_[i];
            link_change_at_[i] = now + random_.exponential(online_[i] ? mean_online_ : options_.mean_offline);
            actions.push_back({online_[i] ? FleetAction::Kind::come_online : FleetAction::Kind::go_offline, i, {}});
        }
        auto& model = models_[i];
        if (now < model.next_wake()) continue;
        if (follows_[i] < models_.size()) {
            if (const auto t = models_[follows_[i]].measured_temperature()) model.set_followed_temperature(*t);
        }
        auto step = model.advance(now);
        if (step.state_changed) {
            actions.push_back({FleetAction::Kind::publish_state, i, model.state_payload(step.context_id)});
        }
        for (auto& e : step.events) actions.push_back({FleetAction::Kind::publish_event, i, std::move(e)});
    }
    return actions;
}

Instant Fleet::next_wake() const noexcept {
    auto wake = Instant::max();
    for (std::size_t i = 0; i < models_.size(); ++i) {
        wake = std::min({wake, models_[i].next_wake(), link_change_at_[i]});
    }
    return wake;
}

}  // namespace hearth::sim
