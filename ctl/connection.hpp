#pragma once
// Where the hub is and which token to show it: from flags, the environment or the data directory.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ctl/command_line.hpp"
#include "ctl/failure.hpp"

namespace hearth::ctl {

enum class Scheme { http, https };

/// An http:// or https:// address of the hub. `base_path` is what comes before /api/v1 (usually
/// empty).
struct Url {
    std::string host;  // without brackets for IPv6
    std::uint16_t port = 8480;
    std::string base_path;
    Scheme scheme = Scheme::http;

    std::string host_header() const;
    std::string text() const;
    friend bool operator==(const Url&, const Url&) = default;
};

/// Accepts `http://host[:port][/path]`, `https://…` and `host[:port]` (http); a trailing `/` or
/// `/api/v1` is dropped. The port defaults to 8480 for both schemes, as hearthd's does.
Result<Url> parse_url(std::string_view text);

/// Looks up an environment variable; empty values count as unset.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;
/// Reads a whole file; nothing when it cannot be read.
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;

/// How hearthctl checks an https:// hub: against the system's CAs, against `ca_file` alone, or not
/// at all (`insecure`).
struct Trust {
    std::string ca_file;  // empty = the system's CAs
    bool insecure = false;
    friend bool operator==(const Trust&, const Trust&) = default;
};

struct Connection {
    Url url;
    Trust trust;
    std::string token;         // empty when none was found
    std::string token_source;  // where the token came from, or where hearthctl looked
};

/// URL: --url, HEARTH_URL, http://$HEARTH_HTTP, http://127.0.0.1:8480. Token: --token,
/// --token-file, HEARTH_TOKEN, <data>/owner.token with data = --data, HEARTH_DATA, ./var. A token
/// file's first line counts, surrounding blanks trimmed. A --token-file that cannot be read is a
/// usage failure; a missing owner.token only leaves the token empty. Trust: --ca-file, else
/// HEARTH_CA_FILE (ignored under --insecure); --insecure and --ca-file together are a usage failure, as
/// is a CA file that cannot be read.
Result<Connection> resolve_connection(const GlobalOptions& options, const Environment& env,
                                      const FileReader& read);

/// The process environment and the file system, for resolve_connection.
Environment process_environment();
FileReader file_reader();

}  // namespace hearth::ctl
