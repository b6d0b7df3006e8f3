#include "hub/broker_status.hpp"

namespace hearth::hub {

namespace {

std::chrono::milliseconds millis_between(BrokerStatus::WallTime from, BrokerStatus::WallTime to) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from);
}

}  // namespace

void BrokerStatus::lost(WallTime now, std::string reason) {
    if (!reason.empty()) error_ = std::move(reason);
    if (state_ == State::unreachable) return;
    state_ = State::unreachable;
    since_ = now;
    lost_at_ = now;
}

void BrokerStatus::connected(WallTime now) {
    if (++connections_ > 1) ++reconnects_;
    if (lost_at_) last_outage_ = millis_between(*lost_at_, now);
    lost_at_.reset();
    error_.clear();
    state_ = State::resyncing;
    since_ = now;
    connected_at_ = now;
}

void BrokerStatus::synced(WallTime now) {
    if (state_ != State::resyncing) return;
    state_ = State::synced;
    since_ = now;
    synced_at_ = now;
    last_resync_ = millis_between(connected_at_, now);
}

std::string_view to_string(BrokerStatus::State state) noexcept {
    switch (state) {
        case BrokerStatus::State::connecting: return "connecting";
        case BrokerStatus::State::unreachable: return "unreachable";
        case BrokerStatus::State::resyncing: return "resyncing";
        case BrokerStatus::State::synced: return "synced";
    }
    return "unknown";
}

}  // namespace hearth::hub
