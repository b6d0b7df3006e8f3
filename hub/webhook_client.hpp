#pragma once
// One POST of a JSON body to a webhook receiver over plain HTTP (Beast), with a deadline for the
// whole exchange. The answer is the receiver's status code, or an error saying what failed
// (resolve, connect, write, read, timeout). Hub thread only; `done` runs on the hub thread once.
#include <chrono>
#include <functional>
#include <string>

#include "proto/errc.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::hub {

struct WebhookTarget {
    std::string host;
    std::string port;
    std::string target;  // path and query
};

void post_webhook(boost::asio::io_context& io, const WebhookTarget& to, std::string body,
                  std::chrono::milliseconds deadline, std::function<void(proto::Result<int>)> done);

}  // namespace hearth::hub
