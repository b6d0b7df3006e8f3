#include "sim/credentials.hpp"

#include "proto/ids.hpp"

namespace hearth::sim {

proto::Result<Credentials> parse_credentials(std::string_view text) {
    Credentials credentials;
    std::size_t number = 0;
    while (!text.empty()) {
        ++number;
        const auto end = text.find('\n');
        auto line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        const auto where = "line " + std::to_string(number);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            return proto::make_error(proto::Errc::invalid_field, where + " is not id:password", where);
        }
        const auto id = line.substr(0, colon);
        const auto password = line.substr(colon + 1);
        if (!proto::is_valid_id(id)) {
            return proto::make_error(proto::Errc::invalid_field, where + ": '" + std::string(id) + "' is not a device id",
                                     where);
        }
        if (password.empty()) {
            return proto::make_error(proto::Errc::invalid_field, where + ": " + std::string(id) + " has an empty password",
                                     where);
        }
        if (!credentials.emplace(std::string(id), std::string(password)).second) {
            return proto::make_error(proto::Errc::invalid_field, where + ": " + std::string(id) + " is listed twice", where);
        }
    }
    return credentials;
}

}  // namespace hearth::sim
