#pragma once
// A throwaway self-signed certificate for TLS tests, made with the openssl command line tool.
#include <filesystem>

namespace hearth::testing {

struct Certificate {
    std::filesystem::path cert;  // PEM; also the CA file clients trust
    std::filesystem::path key;   // PEM private key
};

/// Writes cert.pem and key.pem into `dir`: an EC P-256 key and a certificate for CN=localhost with
/// the names localhost and 127.0.0.1, valid for a day. Throws when openssl fails.
Certificate make_self_signed_certificate(const std::filesystem::path& dir);

}  // namespace hearth::testing
