#pragma once
// Who may call the API: bearer tokens (stored hashed, scoped read ⊂ control ⊂ admin) and the
// per-client limits that protect the hub (requests per second, repeated bad tokens). Hub thread only.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "proto/errc.hpp"

namespace hearth::hub {

using WallTime = std::chrono::system_clock::time_point;

/// Each scope includes the ones before it.
enum class Scope { read, control, admin };
std::string_view to_string(Scope s) noexcept;
std::optional<Scope> scope_from(std::string_view s) noexcept;

struct Token {
    std::string id;     // public handle, "tok_…"
    std::string name;   // what the owner called it
    Scope scope = Scope::read;
    std::string hash;   // SHA-256 of the secret, hex
    WallTime created;
};

nlohmann::json to_json(const Token& t);  // the stored form: includes the hash, never the secret
proto::Result<Token> token_from_json(const nlohmann::json& j);
/// The API form: id, name, scope, created. No hash.
nlohmann::json to_public_json(const Token& t);

class Tokens {
public:
    struct Issued {
        Token token;
        std::string secret;  // shown once; only its hash is kept
    };

    Issued issue(std::string name, Scope scope, WallTime now);
    void add(Token token);
    const Token* verify(std::string_view secret) const;
    bool revoke(std::string_view id);
    std::vector<const Token*> list() const;
    bool empty() const noexcept { return by_hash_.empty(); }

private:
    std::map<std::string, Token, std::less<>> by_hash_;
};

struct ClientLimits {
    double requests_per_second = 50;  // 0 = no request limit
    double burst = 100;
    int bad_tokens_before_slowdown = 3;   // then each failure is answered after a growing delay
    int bad_tokens_before_lockout = 10;   // then the address is refused for `lockout`
    std::chrono::seconds bad_token_window{60};
    std::chrono::seconds lockout{300};
};

struct GuardStats {
    std::uint64_t bad_tokens = 0;        // requests and WebSocket logins with a missing or wrong token
    std::uint64_t lockouts = 0;          // times an address was locked out
    std::uint64_t locked_refusals = 0;   // requests and logins refused because their address was locked out
    std::uint64_t rate_limited = 0;      // requests refused because their address was over its budget
};

/// Per-address request budget and bad-token tracking. An address is the client's IP address as
/// the socket sees it, loopback included: 127.0.0.1 and 127.0.0.2 are two clients, and a locked
/// address is refused whatever token it then shows (otherwise the lockout would not stop guessing).
/// Addresses with nothing to remember are forgotten once there are many, so a flood of distinct
/// addresses costs memory only while their lockouts or budgets last.
class ClientGuard {
public:
    explicit ClientGuard(ClientLimits limits = {}) : limits_(limits) {}

    /// Takes one request from the address's budget; false when it is exhausted. Always true when
    /// requests_per_second is 0.
    bool take_request(const std::string& address, std::chrono::steady_clock::time_point now);
    /// Seconds the address is still locked out for (0 when it is not).
    std::chrono::seconds locked_for(const std::string& address, std::chrono::steady_clock::time_point now) const;
    /// Records a bad token; returns how long to delay the answer.
    std::chrono::milliseconds bad_token(const std::string& address, std::chrono::steady_clock::time_point now);
    void good_token(const std::string& address);
    /// Counts a request or login refused because its address is locked out.
    void locked_refusal() noexcept { ++stats_.locked_refusals; }
    const GuardStats& stats() const noexcept { return stats_; }
    std::size_t tracked() const noexcept { return clients_.size(); }

private:
    struct Client {
        double tokens = -1;
        std::chrono::steady_clock::time_point refilled;
        int failures = 0;
        std::chrono::steady_clock::time_point first_failure;
        std::chrono::steady_clock::time_point locked_until;
    };
    Client& client(const std::string& address, std::chrono::steady_clock::time_point now);
    bool idle(const Client& c, std::chrono::steady_clock::time_point now) const;

    ClientLimits limits_;
    std::map<std::string, Client> clients_;
    std::size_t prune_above_ = 4096;
    GuardStats stats_;
};

/// SHA-256 of text as lowercase hex.
std::string sha256_hex(std::string_view text);
/// n random bytes from the system's CSPRNG, base64url without padding.
std::string random_token(std::size_t bytes);

}  // namespace hearth::hub
