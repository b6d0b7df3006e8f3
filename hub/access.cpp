#include "hub/access.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "proto/json.hpp"

namespace hearth::hub {

using proto::Errc;

std::string_view to_string(Scope s) noexcept {
    switch (s) {
        case Scope::read: return "read";
        case Scope::control: return "control";
        case Scope::admin: return "admin";
    }
    return "read";
}

std::optional<Scope> scope_from(std::string_view s) noexcept {
    if (s == "read") return Scope::read;
    if (s == "control") return Scope::control;
    if (s == "admin") return Scope::admin;
    return std::nullopt;
}

namespace {
std::int64_t millis(WallTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

nlohmann::json to_json(const Token& t) {
    return {{"id", t.id}, {"name", t.name}, {"scope", to_string(t.scope)}, {"hash", t.hash}, {"created_ms", millis(t.created)}};
}

nlohmann::json to_public_json(const Token& t) {
    return {{"id", t.id}, {"name", t.name}, {"scope", to_string(t.scope)}, {"created_ms", millis(t.created)}};
}

proto::Result<Token> token_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return proto::make_error(Errc::invalid_field, "a stored token is an object");
    const auto id = proto::required_string(j, "id");
    if (!id) return id.error();
    const auto hash = proto::required_string(j, "hash");
    if (!hash) return hash.error();
    const auto name = proto::optional_string(j, "name");
    if (!name) return name.error();
    const auto scope_name = proto::optional_string(j, "scope");
    const auto scope = scope_name ? scope_from(scope_name->value_or("")) : std::nullopt;
    if (!scope) return proto::make_error(Errc::invalid_field, "unknown scope", "scope");
    const auto created = proto::optional_integer(j, "created_ms");
    if (!created) return created.error();
    return Token{*id, name->value_or(""), *scope, *hash, WallTime(std::chrono::milliseconds(created->value_or(0)))};
}

Tokens::Issued Tokens::issue(std::string name, Scope scope, WallTime now) {
    Issued issued;
    issued.secret = "hth_" + random_token(32);
    issued.token = Token{"tok_" + random_token(9), std::move(name), scope, sha256_hex(issued.secret), now};
    add(issued.token);
    return issued;
}

void Tokens::add(Token token) { by_hash_[token.hash] = std::move(token); }

const Token* Tokens::verify(std::string_view secret) const {
    if (secret.size() < 8 || secret.size() > 256) return nullptr;
    // The secret has 256 bits of entropy, so looking its hash up in a map leaks nothing useful.
    const auto it = by_hash_.find(sha256_hex(secret));
    return it == by_hash_.end() ? nullptr : &it->second;
}

bool Tokens::revoke(std::string_view id) {
    return std::erase_if(by_hash_, [&](const auto& entry) { return entry.second.id == id; }) > 0;
}

std::vector<const Token*> Tokens::list() const {
    std::vector<const Token*> out;
    for (const auto& [hash, token] : by_hash_) out.push_back(&token);
    std::sort(out.begin(), out.end(), [](const Token* a, const Token* b) { return a->created < b->created; });
    return out;
}

ClientGuard::Client& ClientGuard::client(const std::string& address, std::chrono::steady_clock::time_point now) {
    if (const auto it = clients_.find(address); it != clients_.end()) return it->second;
    if (clients_.size() >= prune_above_) {
        std::erase_if(clients_, [&](const auto& entry) { return idle(entry.second, now); });
        prune_above_ = std::max<std::size_t>(4096, 2 * clients_.size());
    }
    return clients_[address];
}

bool ClientGuard::idle(const Client& c, std::chrono::steady_clock::time_point now) const {
    if (c.locked_until > now) return false;
    if (c.failures > 0 && now - c.first_failure <= limits_.bad_token_window) return false;
    if (c.tokens < 0 || limits_.requests_per_second <= 0) return true;
    const double elapsed = std::chrono::duration<double>(now - c.refilled).count();
    return c.tokens + elapsed * limits_.requests_per_second >= limits_.burst;
}

bool ClientGuard::take_request(const std::string& address, std::chrono::steady_clock::time_point now) {
    if (limits_.requests_per_second <= 0) return true;
    auto& c = client(address, now);
    if (c.tokens < 0) {
        c.tokens = limits_.burst;
        c.refilled = now;
    }
    const double elapsed = std::chrono::duration<double>(now - c.refilled).count();
    c.tokens = std::min(limits_.burst, c.tokens + elapsed * limits_.requests_per_second);
    c.refilled = now;
    if (c.tokens < 1) {
        ++stats_.rate_limited;
        return false;
    }
    c.tokens -= 1;
    return true;
}

std::chrono::seconds ClientGuard::locked_for(const std::string& address, std::chrono::steady_clock::time_point now) const {
    const auto it = clients_.find(address);
    if (it == clients_.end() || it->second.locked_until <= now) return std::chrono::seconds(0);
    return std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
}

std::chrono::milliseconds ClientGuard::bad_token(const std::string& address, std::chrono::steady_clock::time_point now) {
    ++stats_.bad_tokens;
    auto& c = client(address, now);
    if (c.failures == 0 || now - c.first_failure > limits_.bad_token_window) {
        c.failures = 0;
        c.first_failure = now;
    }
    ++c.failures;
    if (c.failures >= limits_.bad_tokens_before_lockout) {
        c.locked_until = now + limits_.lockout;
        c.failures = 0;
        ++stats_.lockouts;
    }
    if (c.failures < limits_.bad_tokens_before_slowdown) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(250 * (c.failures - limits_.bad_tokens_before_slowdown + 1));
}

void ClientGuard::good_token(const std::string& address) {
    if (const auto it = clients_.find(address); it != clients_.end()) it->second.failures = 0;
}

std::string sha256_hex(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned i = 0; i < length; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 15]);
    }
    return out;
}

std::string random_token(std::size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
        throw std::runtime_error("no randomness available");
    }
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (const unsigned char byte : raw) {
        acc = (acc << 8) | byte;
        bits += 8;
        while (bits >= 6) {
            out.push_back(kAlphabet[(acc >> (bits - 6)) & 63]);
            bits -= 6;
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
    return out;
}

}  // namespace hearth::hub
