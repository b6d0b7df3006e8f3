#pragma once
// A time zone as data: the UTC offsets a zone has had and will have, as a sorted list of
// transitions. The hub builds one from the system's IANA database (hub/time_zone_database.hpp);
// the core only looks offsets up, so it reads no files and stays deterministic. A default or
// `fixed` zone has one offset forever (the old `utc_offset_minutes`). Copies share the immutable
// transition list, so a TimeZone is cheap to copy and safe to read from any thread.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hearth::scenes {

struct ZoneTransition {
    std::chrono::sys_seconds at;   // the first instant of the new offset
    std::chrono::seconds offset;   // local = UTC + offset from `at` on
};

/// How the local clock can show a wall time: once, twice (the repeated hour when clocks go back)
/// or never (the skipped hour when clocks go forward).
struct LocalInstants {
    enum class Kind { unique, ambiguous, nonexistent } kind = Kind::unique;
    std::chrono::sys_seconds first;   // unique: the instant; ambiguous: the earlier one;
                                      // nonexistent: the transition that skipped it
    std::chrono::sys_seconds second;  // ambiguous: the later one; otherwise equal to `first`
};

class TimeZone {
public:
    /// UTC, a fixed zone.
    TimeZone() : fixed_(std::chrono::minutes(0)) {}
    /// A fixed offset with no daylight-saving time, named like "UTC+08:00".
    static TimeZone fixed(std::chrono::minutes offset);
    /// `initial` holds before the first transition; `transitions` must be sorted by `at`.
    TimeZone(std::string name, std::chrono::seconds initial, std::vector<ZoneTransition> transitions);

    /// The IANA name ("Europe/Berlin"), or "UTC+08:00" for a fixed offset.
    const std::string& name() const noexcept { return name_; }
    /// The offset of a zone made by `fixed`; nullopt for a named zone.
    std::optional<std::chrono::minutes> fixed_offset() const noexcept { return fixed_; }

    std::chrono::seconds offset_at(std::chrono::sys_seconds t) const noexcept;
    /// The instants at which the local clock shows `local` (seconds since 1970-01-01 00:00 local).
    LocalInstants instants_of(std::chrono::local_seconds local) const noexcept;

private:
    std::string name_ = "UTC";
    std::chrono::seconds initial_{0};
    std::shared_ptr<const std::vector<ZoneTransition>> transitions_;
    std::optional<std::chrono::minutes> fixed_;
};

/// "+08:00", "-04:00", "+05:45": an offset as ISO 8601 writes it.
std::string format_offset(std::chrono::seconds offset);

}  // namespace hearth::scenes
