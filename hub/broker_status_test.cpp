#include "hub/broker_status.hpp"

#include <catch2/catch.hpp>

using namespace hearth::hub;
using namespace std::chrono_literals;

namespace {
const BrokerStatus::WallTime kT0{std::chrono::seconds(1'700'000'000)};
}

TEST_CASE("A broker that comes back is resyncing until its retained state is re-read") {
    BrokerStatus status;
    CHECK(status.state() == BrokerStatus::State::connecting);
    status.connected(kT0);
    status.synced(kT0 + 20ms);
    CHECK(status.state() == BrokerStatus::State::synced);
    CHECK(status.reconnects() == 0);

    status.lost(kT0 + 1s);
    CHECK(status.state() == BrokerStatus::State::unreachable);
    CHECK_FALSE(status.availability_known());
    status.connected(kT0 + 4s);
    CHECK(status.state() == BrokerStatus::State::resyncing);
    CHECK_FALSE(status.availability_known());
    CHECK(status.last_outage() == 3000ms);
    status.synced(kT0 + 4s + 150ms);
    CHECK(status.availability_known());
    CHECK(status.reconnects() == 1);
    CHECK(status.last_resync() == 150ms);
    CHECK(status.synced_at() == kT0 + 4s + 150ms);
}

TEST_CASE("A marker that comes back after the connection is lost again does not make the broker synced") {
    BrokerStatus status;
    status.connected(kT0);
    status.lost(kT0 + 10ms);
    status.synced(kT0 + 20ms);
    CHECK(status.state() == BrokerStatus::State::unreachable);
}

TEST_CASE("Why the broker is unreachable is kept until it connects, the latest reason first") {
    BrokerStatus status;
    status.lost(kT0, "cannot connect to mqtt://x:1883");
    CHECK(status.error() == "cannot connect to mqtt://x:1883");
    status.lost(kT0 + 1s, "cannot connect to mqtt://x:1883: the broker refused the login");
    CHECK(status.error() == "cannot connect to mqtt://x:1883: the broker refused the login");
    CHECK(status.since() == kT0);
    status.connected(kT0 + 2s);
    CHECK(status.error().empty());
}
