#include "hub/log.hpp"

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <memory>

#include <spdlog/formatter.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace hearth::hub::log {
namespace {

/// syslog(3) priorities, as the journal reads them from a "<N>" prefix.
int priority(Level level) noexcept {
    switch (level) {
        case Level::debug: return 7;
        case Level::info: return 6;
        case Level::warning: return 4;
        case Level::error:
        case Level::off: return 3;
    }
    return 6;
}

Level from_spdlog(spdlog::level::level_enum level) noexcept {
    switch (level) {
        case spdlog::level::trace:
        case spdlog::level::debug: return Level::debug;
        case spdlog::level::info: return Level::info;
        case spdlog::level::warn: return Level::warning;
        default: return Level::error;
    }
}

spdlog::level::level_enum to_spdlog(Level level) noexcept {
    switch (level) {
        case Level::debug: return spdlog::level::debug;
        case Level::info: return spdlog::level::info;
        case Level::warning: return spdlog::level::warn;
        case Level::error: return spdlog::level::err;
        case Level::off: return spdlog::level::off;
    }
    return spdlog::level::info;
}

/// spdlog's sinks and locking with this file's line format.
class LineFormatter final : public spdlog::formatter {
public:
    explicit LineFormatter(Format format) : format_(format) {}
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto line = format_line(format_, from_spdlog(msg.level),
                                      std::chrono::time_point_cast<std::chrono::system_clock::duration>(msg.time),
                                      std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(line.data(), line.data() + line.size());
        dest.push_back('\n');
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<LineFormatter>(format_); }

private:
    Format format_;
};

/// Outside bytes (a topic, a client's path) must not start a line of their own in the log: line
/// ends become "\\n", other control characters "?".
std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '\n') out += "\\n";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += '?';
        else out += c;
    }
    return out;
}

struct State {
    std::atomic<Level> level{Level::info};
    std::shared_ptr<spdlog::logger> logger;
};

std::shared_ptr<spdlog::logger> make_logger(Format format, std::ostream* to) {
    spdlog::sink_ptr sink;
    if (to) sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*to, true);
    else sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("hearthd", std::move(sink));
    logger->set_formatter(std::make_unique<LineFormatter>(format));
    logger->set_level(spdlog::level::trace);  // the level is checked before formatting, in enabled()
    logger->flush_on(spdlog::level::trace);
    return logger;
}

State& state() {
    static State s{Level::info, make_logger(Format::timestamped, nullptr)};
    return s;
}

}  // namespace

std::optional<Level> level_from(std::string_view name) noexcept {
    if (name == "debug") return Level::debug;
    if (name == "info") return Level::info;
    if (name == "warning" || name == "warn") return Level::warning;
    if (name == "error") return Level::error;
    if (name == "off") return Level::off;
    return std::nullopt;
}

std::string_view to_string(Level level) noexcept {
    switch (level) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warning: return "warning";
        case Level::error: return "error";
        case Level::off: return "off";
    }
    return "info";
}

Format format_for_environment() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    return stream && *stream ? Format::journal : Format::timestamped;
}

std::string format_line(Format format, Level level, std::chrono::system_clock::time_point at, std::string_view text) {
    const auto message = one_line(text);
    if (format == Format::journal) return fmt::format("<{}>{}", priority(level), message);
    const auto seconds = std::chrono::floor<std::chrono::seconds>(at);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(at - seconds).count();
    const std::time_t t = std::chrono::system_clock::to_time_t(seconds);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    return fmt::format("{}.{:03}Z {:<7} {}", stamp, millis, to_string(level), message);
}

void setup(Level level, Format format, std::ostream* to) {
    auto& s = state();
    s.logger = make_logger(format, to);
    s.level = level;
}

bool enabled(Level level) noexcept { return level != Level::off && level >= state().level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view message) {
    if (!enabled(level)) return;
    state().logger->log(to_spdlog(level), "{}", message);
}

}  // namespace hearth::hub::log
