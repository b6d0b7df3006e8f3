#pragma once
// A throwaway self-signed certificate for TLS tests, made with the openssl command line tool.
#include <filesystem>
#include <string>

namespace hearth::testing {

struct Certificate {
    std::filesystem::path cert;  // PEM; also the CA file clients trust
    std::filesystem::path key;   // PEM private key
};

/// Writes cert.pem and key.pem into `dir`: an EC P-256 key and a certificate for CN=localhost with
/// the names localhost and 127.0.0.1, valid for a day. Throws when openssl fails.
Certificate make_self_signed_certificate(const std::filesystem::path& dir);

/// A throwaway certificate authority: `cert` is the CA file clients and brokers trust.
struct CertificateAuthority {
    Certificate ca;
};

/// Writes `NAME-ca.pem` and `NAME-ca.key` into `dir`: an EC P-256 CA valid for a day. Throws when openssl fails.
CertificateAuthority make_certificate_authority(const std::filesystem::path& dir, const std::string& name);

/// Writes `NAME.pem` and `NAME.key` into `dir`: a certificate for CN=NAME signed by `ca`, with the
/// names localhost and 127.0.0.1 (so it serves a broker on loopback, or logs a client in).
Certificate issue_certificate(const CertificateAuthority& ca, const std::filesystem::path& dir, const std::string& name);

}  // namespace hearth::testing
