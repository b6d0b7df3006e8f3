#pragma once
// The network side of hearthctl: HTTP/1.1 and WebSocket to the hub over Boost.Beast, plain or over
// TLS (https://, wss://) with OpenSSL. Beast stays inside hub_client.cpp. Each call makes its own
// connection; not thread-safe.
#include <chrono>
#include <string>

#include "ctl/api.hpp"
#include "ctl/connection.hpp"

namespace hearth::ctl {

class HubClient final : public Api {
  public:
    /// `timeout` bounds each HTTP exchange and the WebSocket's connection and handshakes. `trust`
    /// says how an https:// hub's certificate is checked.
    HubClient(Url url, std::string token, std::chrono::milliseconds timeout, Trust trust = {});

    Result<HttpAnswer> call(const HttpCall& call) override;
    Result<std::unique_ptr<EventStream>> open_events() override;
    std::string bearer_token() const override { return token_; }

  private:
    Url url_;
    std::string token_;
    std::chrono::milliseconds timeout_;
    Trust trust_;
};

}  // namespace hearth::ctl
