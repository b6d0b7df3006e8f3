#pragma once
// hearthd's log: one line per message on stderr, through spdlog. Under systemd's journal (stderr
// is the journal when JOURNAL_STREAM is set) a line starts with its syslog priority, "<6>", and
// carries no time of its own (the journal stamps it); elsewhere it starts with an ISO 8601 UTC time
// and the level: "2026-12-03T15:40:01.123Z info  connected to …". Lines below the level set are
// not formatted at all. Safe from any thread (paho's and the store's threads log too).
//
//   log::info("connected to {} (MQTT {})", url, version);
#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace hearth::hub::log {

enum class Level { debug, info, warning, error, off };
enum class Format {
    journal,      // "<N>message": the journal keeps the time
    timestamped,  // "2026-12-03T15:40:01.123Z warning message"
};

/// "debug", "info", "warning" (or "warn"), "error", "off"; nothing for any other word.
std::optional<Level> level_from(std::string_view name) noexcept;
std::string_view to_string(Level level) noexcept;

/// The journal's format when stderr is the journal (JOURNAL_STREAM is set), else timestamped.
Format format_for_environment();

/// One line as the log writes it, without the line end.
std::string format_line(Format format, Level level, std::chrono::system_clock::time_point at, std::string_view message);

/// Sets the level and format, and where lines go: stderr, or `to` (tests). Call before other
/// threads log; until then the log writes info and above, timestamped, to stderr.
void setup(Level level, Format format, std::ostream* to = nullptr);

bool enabled(Level level) noexcept;
void write(Level level, std::string_view message);

template <class... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(Level::debug)) write(Level::debug, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(Level::info)) write(Level::info, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void warning(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(Level::warning)) write(Level::warning, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(Level::error)) write(Level::error, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace hearth::hub::log
