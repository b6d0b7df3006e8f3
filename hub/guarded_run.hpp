#pragma once

#include <boost/asio/io_context.hpp>

#include <exception>
#include <functional>

namespace hearth::hub {

/// Runs `io` until it stops, surviving handlers that throw: the last guard behind the ones at each
/// edge (routes, WebSocket messages, MQTT messages). A timer, a posted store completion or a
/// deferred task that throws is reported to `on_exception` and the loop goes on with the next
/// handler (Asio allows run() to be called again after an exception left it).
void run_guarded(boost::asio::io_context& io, const std::function<void(const std::exception&)>& on_exception);

}  // namespace hearth::hub
