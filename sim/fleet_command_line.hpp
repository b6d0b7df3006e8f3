#pragma once
// The hearth-fleet command line:
//   hearth-fleet [--home FILE] [--mqtt URL | --host 127.0.0.1 --port 1883] [--prefix hearth] [--devices N]
//                [--offline-fraction F] [--seed S] [--slice I/N] [--speed X] [--credentials FILE] [--list-ids]
//                [--style native|zigbee2mqtt] [--mqtt-user NAME] [--mqtt-password-file FILE]
//                [--mqtt-ca FILE] [--mqtt-cert FILE --mqtt-key FILE]
// At least one of --home and --devices is needed; with both, the home's devices come first.
// --mqtt takes the same broker URLs as hearthd (proto/broker_url.hpp: mqtt://, mqtts://, user:pass@).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/sim_settings.hpp"
#include "proto/broker_url.hpp"
#include "proto/errc.hpp"
#include "proto/home.hpp"

namespace hearth::sim {

struct FleetCommandLine {
    std::string home_file;
    std::string host = "127.0.0.1";
    int port = 1883;
    std::string prefix = "hearth";
    std::size_t devices = 0;         // synthetic devices to add
    double offline_fraction = 0.02;  // share of devices offline at any time
    std::uint64_t seed = 1;
    std::size_t slice_index = 1;     // this process runs slice `slice_index` of `slice_count`
    std::size_t slice_count = 1;
    double speed = 1;                // simulated seconds per real second
    std::string credentials_file;    // id:password lines; each device logs in as its id
    proto::BrokerUrl broker;         // from --mqtt, or --host and --port; credentials only from the URL
    std::string mqtt_user;           // every device logs in as this user (not with --credentials)
    std::string mqtt_password_file;  // its password: the file's first line
    std::string mqtt_ca;             // TLS (an mqtts:// URL): the CA, the client certificate and key
    std::string mqtt_cert;
    std::string mqtt_key;
    bool list_ids = false;           // print the ids of the devices (of this slice) and exit
    /// zigbee2mqtt: every device that can be presented so is; native: each device's `sim.style` decides.
    PresentationStyle style = PresentationStyle::native;
    bool help = false;
};

/// `args` excludes the program name. Errors name the offending option.
proto::Result<FleetCommandLine> parse_command_line(std::span<const std::string_view> args);
std::string usage();

/// The devices [first, second) that slice `index` (1-based) of `count` runs, out of `total`.
std::pair<std::size_t, std::size_t> slice_range(std::size_t total, std::size_t index, std::size_t count);

/// The devices that slice `index` of `count` runs. A device whose `sim.follows` names a device of
/// another slice no longer follows it (a climate sensor then reports the room's own temperature).
std::vector<proto::HomeDevice> slice_devices(std::vector<proto::HomeDevice> devices, std::size_t index,
                                             std::size_t count);

}  // namespace hearth::sim
