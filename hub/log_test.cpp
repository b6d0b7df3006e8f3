#include "hub/log.hpp"

#include <catch2/catch.hpp>

#include <sstream>

namespace hlog = hearth::hub::log;
using hlog::Format;
using hlog::Level;

namespace {
// 2026-12-03T15:40:01.123Z
const auto kAt = std::chrono::system_clock::time_point{} + std::chrono::seconds(1796312401) + std::chrono::milliseconds(123);

/// Lines written while it lives go to `out`; the default log comes back after.
struct CapturedLog {
    explicit CapturedLog(Level level, Format format = Format::timestamped) { hlog::setup(level, format, &out); }
    ~CapturedLog() { hlog::setup(Level::info, Format::timestamped); }
    std::ostringstream out;
};
}  // namespace

TEST_CASE("A timestamped line starts with the UTC time in ISO 8601 and the level") {
    CHECK(hlog::format_line(Format::timestamped, Level::warning, kAt, "mqtt: connection lost") ==
          "2026-12-03T15:40:01.123Z warning mqtt: connection lost");
    CHECK(hlog::format_line(Format::timestamped, Level::info, kAt, "ready") == "2026-12-03T15:40:01.123Z info    ready");
}

TEST_CASE("A journal line carries its syslog priority and no time of its own") {
    CHECK(hlog::format_line(Format::journal, Level::error, kAt, "fatal") == "<3>fatal");
    CHECK(hlog::format_line(Format::journal, Level::warning, kAt, "w") == "<4>w");
    CHECK(hlog::format_line(Format::journal, Level::info, kAt, "i") == "<6>i");
    CHECK(hlog::format_line(Format::journal, Level::debug, kAt, "d") == "<7>d");
}

TEST_CASE("Outside bytes cannot start a log line of their own") {
    CHECK(hlog::format_line(Format::journal, Level::warning, kAt, "rejected a/b\n<3>forged\r\x1b[31m") ==
          "<4>rejected a/b\\n<3>forged??[31m");
}

TEST_CASE("Log levels are read from their names and anything else is refused") {
    CHECK(hlog::level_from("debug") == Level::debug);
    CHECK(hlog::level_from("info") == Level::info);
    CHECK(hlog::level_from("warning") == Level::warning);
    CHECK(hlog::level_from("warn") == Level::warning);
    CHECK(hlog::level_from("error") == Level::error);
    CHECK(hlog::level_from("off") == Level::off);
    CHECK_FALSE(hlog::level_from("loud"));
    CHECK_FALSE(hlog::level_from("INFO"));
    CHECK_FALSE(hlog::level_from(""));
}

TEST_CASE("Messages below the level set are not written") {
    CapturedLog captured(Level::warning, Format::journal);
    hlog::debug("d {}", 1);
    hlog::info("i {}", 2);
    hlog::warning("w {}", 3);
    hlog::error("e {}", 4);
    CHECK(captured.out.str() == "<4>w 3\n<3>e 4\n");
    CHECK_FALSE(hlog::enabled(Level::info));
    CHECK(hlog::enabled(Level::error));
}

TEST_CASE("The off level writes nothing") {
    CapturedLog captured(Level::off);
    hlog::error("e");
    CHECK(captured.out.str().empty());
}

TEST_CASE("The written line is the formatted line with a line end") {
    CapturedLog captured(Level::debug);
    hlog::debug("value {} of {}", 3, "x");
    const auto text = captured.out.str();
    REQUIRE(text.size() > 25);
    CHECK(text.ends_with(" debug   value 3 of x\n"));
    CHECK(text[4] == '-');
    CHECK(text[10] == 'T');
    CHECK(text[23] == 'Z');
}
