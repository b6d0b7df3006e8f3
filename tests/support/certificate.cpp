#include "tests/support/certificate.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace hearth::testing {

Certificate make_self_signed_certificate(const std::filesystem::path& dir) {
    Certificate c{dir / "cert.pem", dir / "key.pem"};
    const std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
                                " -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
                                " -keyout '" + c.key.string() + "' -out '" + c.cert.string() + "' 2>'" +
                                (dir / "openssl.log").string() + "'";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl could not make a certificate: " + command);
    return c;
}

namespace {

void run_openssl(const std::string& arguments, const std::filesystem::path& dir) {
    const auto command = "openssl " + arguments + " 2>>'" + (dir / "openssl.log").string() + "' >/dev/null";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl failed: " + command);
}

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace

CertificateAuthority make_certificate_authority(const std::filesystem::path& dir, const std::string& name) {
    CertificateAuthority authority{{dir / (name + "-ca.pem"), dir / (name + "-ca.key")}};
    run_openssl("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=" + name +
                    "-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"
                    " -keyout " + quoted(authority.ca.key) + " -out " + quoted(authority.ca.cert),
                dir);
    return authority;
}

Certificate issue_certificate(const CertificateAuthority& ca, const std::filesystem::path& dir, const std::string& name) {
    Certificate c{dir / (name + ".pem"), dir / (name + ".key")};
    const auto request = dir / (name + ".csr");
    const auto extensions = dir / (name + ".ext");
    run_openssl("req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=" + name + " -keyout " +
                    quoted(c.key) + " -out " + quoted(request),
                dir);
    {
        std::ofstream ext(extensions);
        ext << "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n";
    }
    run_openssl("x509 -req -days 1 -in " + quoted(request) + " -CA " + quoted(ca.ca.cert) + " -CAkey " + quoted(ca.ca.key) +
                    " -CAcreateserial -extfile " + quoted(extensions) + " -out " + quoted(c.cert),
                dir);
    return c;
}

}  // namespace hearth::testing
