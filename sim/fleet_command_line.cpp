#include "sim/fleet_command_line.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <set>

namespace hearth::sim {
namespace {

using proto::Errc;
using proto::make_error;

template <class T>
proto::Result<T> number_from(std::string_view option, std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return make_error(Errc::invalid_field, std::string(option) + " needs a number, not '" + std::string(text) + "'",
                          std::string(option));
    }
    return value;
}

}  // namespace

std::string usage() {
    return "usage: hearth-fleet [--home FILE] [--mqtt URL | --host 127.0.0.1 --port 1883] [--prefix hearth]\n"
           "                    [--devices N] [--offline-fraction F] [--seed S] [--slice I/N] [--speed X]\n"
           "                    [--credentials FILE] [--list-ids] [--style native|zigbee2mqtt]\n"
           "                    [--mqtt-user NAME] [--mqtt-password-file FILE]\n"
           "                    [--mqtt-ca FILE] [--mqtt-cert FILE --mqtt-key FILE]\n"
           "Runs every device of the home file (and N generated ones) as its own MQTT client.\n"
           "--mqtt: mqtt:// or tcp:// (port 1883), mqtts:// or ssl:// (TLS, port 8883), optionally user:password@.\n"
           "--credentials: id:password lines; each device logs in with username = its id.\n"
           "--mqtt-user, --mqtt-password-file: every device logs in as NAME (instead of --credentials).\n"
           "--mqtt-ca: the CA of the broker's certificate (default: the system's); --mqtt-cert, --mqtt-key: a\n"
           "  client certificate.\n"
           "--list-ids: prints the ids of the devices (of this slice), one a line, and exits.\n"
           "--style zigbee2mqtt: every device that can be is presented as Zigbee2MQTT with HA discovery.\n";
}

proto::Result<FleetCommandLine> parse_command_line(std::span<const std::string_view> args) {
    FleetCommandLine c;
    std::string mqtt_url;
    bool host_or_port = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto option = args[i];
        if (option == "--help" || option == "-h") {
            c.help = true;
            return c;
        }
        if (option == "--list-ids") {
            c.list_ids = true;
            continue;
        }
        if (i + 1 >= args.size()) {
            return make_error(Errc::invalid_field, std::string(option) + " needs a value, or is unknown", std::string(option));
        }
        const auto value = args[++i];
        const auto fail_if = [&](bool bad, const char* what) -> std::optional<proto::Error> {
            if (!bad) return std::nullopt;
            return make_error(Errc::out_of_range, std::string(option) + " " + what, std::string(option));
        };
        std::optional<proto::Error> problem;
        if (option == "--home") {
            c.home_file = value;
        } else if (option == "--credentials") {
            c.credentials_file = value;
        } else if (option == "--mqtt") {
            mqtt_url = value;
        } else if (option == "--mqtt-user") {
            c.mqtt_user = value;
        } else if (option == "--mqtt-password-file") {
            c.mqtt_password_file = value;
        } else if (option == "--mqtt-ca") {
            c.mqtt_ca = value;
        } else if (option == "--mqtt-cert") {
            c.mqtt_cert = value;
        } else if (option == "--mqtt-key") {
            c.mqtt_key = value;
        } else if (option == "--host") {
            c.host = value;
            host_or_port = true;
        } else if (option == "--prefix") {
            c.prefix = value;
            problem = fail_if(value.empty() || value.find_first_of("+#") != std::string_view::npos,
                              "must be a topic level without wildcards");
        } else if (option == "--port") {
            auto n = number_from<int>(option, value);
            if (!n) return n.error();
            c.port = *n;
            host_or_port = true;
            problem = fail_if(c.port < 1 || c.port > 65535, "must be 1–65535");
        } else if (option == "--devices") {
            auto n = number_from<std::size_t>(option, value);
            if (!n) return n.error();
            c.devices = *n;
        } else if (option == "--offline-fraction") {
            auto f = number_from<double>(option, value);
            if (!f) return f.error();
            c.offline_fraction = *f;
            problem = fail_if(!(c.offline_fraction >= 0 && c.offline_fraction < 1), "must be at least 0 and below 1");
        } else if (option == "--seed") {
            auto n = number_from<std::uint64_t>(option, value);
            if (!n) return n.error();
            c.seed = *n;
        } else if (option == "--speed") {
            auto f = number_from<double>(option, value);
            if (!f) return f.error();
            c.speed = *f;
            problem = fail_if(!(c.speed > 0 && c.speed <= 10000), "must be above 0 and at most 10000");
        } else if (option == "--style") {
            const auto style = presentation_style_from(value);
            if (!style) return make_error(Errc::invalid_field, "--style is native or zigbee2mqtt", "--style");
            c.style = *style;
        } else if (option == "--slice") {
            const auto slash = value.find('/');
            if (slash == std::string_view::npos) {
                return make_error(Errc::invalid_field, "--slice is I/N, e.g. 2/4", "--slice");
            }
            auto index = number_from<std::size_t>(option, value.substr(0, slash));
            auto count = number_from<std::size_t>(option, value.substr(slash + 1));
            if (!index) return index.error();
            if (!count) return count.error();
            c.slice_index = *index;
            c.slice_count = *count;
            problem = fail_if(c.slice_count == 0 || c.slice_index == 0 || c.slice_index > c.slice_count,
                              "is I/N with 1 ≤ I ≤ N");
        } else {
            return make_error(Errc::invalid_field, "unknown option " + std::string(option), std::string(option));
        }
        if (problem) return *problem;
    }
    if (c.home_file.empty() && c.devices == 0) {
        return make_error(Errc::invalid_field, "give --home FILE, --devices N or both", "--home");
    }
    if (!mqtt_url.empty()) {
        if (host_or_port) return make_error(Errc::invalid_field, "give --mqtt URL or --host and --port, not both", "--mqtt");
        auto broker = proto::parse_broker_url(mqtt_url, "--mqtt");
        if (!broker) return broker.error();
        c.broker = std::move(*broker);
        c.host = c.broker.host;
        c.port = c.broker.port;
    } else {
        c.broker = proto::BrokerUrl{.transport = proto::BrokerTransport::tcp, .host = c.host, .port = c.port};
    }
    if ((!c.mqtt_ca.empty() || !c.mqtt_cert.empty()) && !c.broker.tls()) {
        return make_error(Errc::invalid_field, "--mqtt-ca and --mqtt-cert need an mqtts:// or ssl:// --mqtt URL", "--mqtt");
    }
    if (c.mqtt_cert.empty() != c.mqtt_key.empty()) {
        return make_error(Errc::invalid_field, "a client certificate needs both --mqtt-cert and --mqtt-key", "--mqtt-cert");
    }
    if (!c.credentials_file.empty() && (!c.broker.username.empty() || !c.mqtt_user.empty())) {
        return make_error(Errc::invalid_field,
                          "--credentials logs every device in as itself; a user in --mqtt or --mqtt-user logs them all "
                          "in as one: give one of them",
                          "--credentials");
    }
    return c;
}

std::pair<std::size_t, std::size_t> slice_range(std::size_t total, std::size_t index, std::size_t count) {
    return {total * (index - 1) / count, total * index / count};
}

std::vector<proto::HomeDevice> slice_devices(std::vector<proto::HomeDevice> devices, std::size_t index,
                                             std::size_t count) {
    const auto [first, last] = slice_range(devices.size(), index, count);
    std::vector<proto::HomeDevice> slice(std::make_move_iterator(devices.begin() + static_cast<std::ptrdiff_t>(first)),
                                         std::make_move_iterator(devices.begin() + static_cast<std::ptrdiff_t>(last)));
    std::set<std::string, std::less<>> ids;
    for (const auto& d : slice) ids.insert(d.description.id.value);
    for (auto& d : slice) {
        if (d.sim.is_object() && d.sim.contains("follows") && d.sim["follows"].is_string() &&
            !ids.contains(d.sim["follows"].get<std::string>())) {
            d.sim.erase("follows");
        }
    }
    return slice;
}

}  // namespace hearth::sim
