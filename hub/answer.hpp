#pragma once
// How the automation's pieces answer requests: a JSON body or an error, now or after a commit.
#include <functional>

#include <nlohmann/json.hpp>

#include "proto/errc.hpp"

namespace hearth::hub {

/// A successful JSON answer (json converts to anything, so the result needs saying so).
inline proto::Result<nlohmann::json> ok(nlohmann::json j) {
    return proto::Result<nlohmann::json>(boost::system::in_place_value, std::move(j));
}

/// The answer to an asynchronous request: a JSON body, or an error.
using Answer = std::function<void(proto::Result<nlohmann::json>)>;

}  // namespace hearth::hub
