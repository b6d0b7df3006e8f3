#include "ctl/command_line.hpp"

#include <catch2/catch.hpp>

using namespace hearth::ctl;

namespace {
CommandLine parse_ok(const std::vector<std::string>& words) {
    auto line = parse_command_line(words);
    if (!line) FAIL(line.error().message);
    return *line;
}
Failure parse_failure(const std::vector<std::string>& words) {
    auto line = parse_command_line(words);
    REQUIRE_FALSE(line.has_value());
    return line.error();
}
}  // namespace

TEST_CASE("Global options may come before or after the command, in both spellings") {
    const auto line = parse_ok(
        {"--url", "http://hub:9000", "devices", "--token=abc", "--json", "--area", "bedroom"});
    CHECK(line.command == "devices");
    CHECK(line.global.url == "http://hub:9000");
    CHECK(line.global.token == "abc");
    CHECK(line.global.json);
    CHECK(line.option("area") == "bedroom");
    CHECK(line.args.empty());
}

TEST_CASE("The CA file and the insecure flag are global options of every command") {
    const auto line = parse_ok({"devices", "--url", "https://hub:8443", "--ca-file", "hub.pem"});
    CHECK(line.global.ca_file == "hub.pem");
    CHECK_FALSE(line.global.insecure);
    const auto insecure = parse_ok({"--insecure", "tail", "--count", "1"});
    CHECK(insecure.global.insecure);
    CHECK(insecure.option("count") == "1");
}

TEST_CASE("A group word and its verb make one command and the rest are its arguments") {
    const auto line = parse_ok({"scene", "activate", "sleep", "--transition", "2"});
    CHECK(line.command == "scene activate");
    CHECK(line.args == std::vector<std::string>{"sleep"});
    CHECK(line.option("transition") == "2");
}

TEST_CASE("Say takes every word, flags among them, and -- protects words that look like options") {
    const auto line = parse_ok({"say", "我困了", "--dry-run", "--area", "bedroom"});
    CHECK(line.args == std::vector<std::string>{"我困了"});
    CHECK(line.flag("dry-run"));
    CHECK(line.option("area") == "bedroom");
    const auto raw = parse_ok({"say", "--", "--not-an-option", "x"});
    CHECK(raw.args == std::vector<std::string>{"--not-an-option", "x"});
}

TEST_CASE("Negative numbers and a lone dash are arguments, not options") {
    const auto set = parse_ok({"set", "bedroom.ac", "target_temperature=-3", "-5"});
    CHECK(set.args == std::vector<std::string>{"bedroom.ac", "target_temperature=-3", "-5"});
    const auto create = parse_ok({"rule", "create", "-"});
    CHECK(create.args == std::vector<std::string>{"-"});
}

TEST_CASE("Repeated and comma-separated options are all kept, in order") {
    const auto line = parse_ok({"tail", "--device", "a,b", "--device", "c", "--events", "state"});
    CHECK(line.list("device") == std::vector<std::string>{"a", "b", "c"});
    CHECK(line.list("events") == std::vector<std::string>{"state"});
    CHECK(line.list("area").empty());
}

TEST_CASE("No words, help, -h and --help all ask for the usage text") {
    CHECK(parse_ok({}).command == "help");
    CHECK(parse_ok({"help"}).command == "help");
    CHECK(parse_ok({"-h"}).command == "help");
    CHECK(parse_ok({"devices", "--help"}).command == "help");
    CHECK(usage_text().find("scene activate ID") != std::string::npos);
}

TEST_CASE("An unknown command, option or verb is a usage failure that says what is wrong") {
    CHECK(parse_failure({"frobnicate"}).exit == Exit::usage);
    CHECK(parse_failure({"devices", "--colour", "red"}).message.find("--colour") !=
          std::string::npos);
    CHECK(parse_failure({"devices", "--dry-run"}).message.find("--dry-run") != std::string::npos);
    const auto verb = parse_failure({"scene", "explode", "x"});
    CHECK(verb.message.find("activate") != std::string::npos);
    CHECK(parse_failure({"rule"}).message.find("create") != std::string::npos);
}

TEST_CASE("Too few or too many arguments are refused with the command's usage") {
    CHECK(parse_failure({"device"}).message.find("usage: hearthctl device ID") !=
          std::string::npos);
    CHECK(parse_failure({"undo", "now"}).exit == Exit::usage);
    CHECK(parse_failure({"set", "bedroom.ac"}).exit == Exit::usage);
}

TEST_CASE("An option without its value, a flag with one, or both token sources are refused") {
    CHECK(parse_failure({"devices", "--area"}).message == "--area needs a value");
    CHECK(parse_failure({"devices", "--json=yes"}).message == "--json takes no value");
    CHECK(parse_failure({"--token", "a", "--token-file", "f", "tokens"}).exit == Exit::usage);
}
