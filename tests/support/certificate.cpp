#include "tests/support/certificate.hpp"

#include <cstdlib>
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

}  // namespace hearth::testing
