#include "proto/yaml.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hearth::proto;

TEST_CASE("YAML scalars become JSON bool, number, null or text") {
    const auto j = yaml_to_json("a: true\nb: 26\nc: 25.5\nd: ~\ne: 卧室\nf: \"26\"\n");
    REQUIRE(j.has_value());
    CHECK((*j)["a"] == true);
    CHECK((*j)["b"] == 26);
    CHECK((*j)["c"] == 25.5);
    CHECK((*j)["d"].is_null());
    CHECK((*j)["e"] == "卧室");
    CHECK((*j)["f"] == "26");
}

TEST_CASE("JSON written as YAML reads back as the same JSON") {
    const auto original = nlohmann::json::parse(
        R"({"areas": [{"id": "bedroom", "name": {"zh": "卧室", "en": "bedroom"}}], "n": 3, "t": "26", "ok": false, "x": null})");
    const auto back = yaml_to_json(json_to_yaml(original));
    REQUIRE(back.has_value());
    CHECK(*back == original);
}

TEST_CASE("Malformed YAML is refused with its line") {
    const auto j = yaml_to_json("a: [1, 2\nb: 3\n");
    REQUIRE(j.has_error());
    CHECK(j.error().message.find("line") != std::string::npos);
}

TEST_CASE("YAML text that is not valid UTF-8 is refused naming its line, in values and in keys") {
    // Found by fuzz_yaml: "\xff\x0e" became a JSON string that cannot be written back.
    // And U+FFFF, which the emitter cannot write (fuzz_yaml: "\x01\0\xff\xff", read as UTF-16), nor
    // any other noncharacter: U+3FFFF (fuzz_yaml: "\0\0\0\x13\n#\xff\xff\xff\xff", read as
    // UTF-32), U+10FFFE, U+FDD0.
    for (const auto* text : {"\xff\x0e", "name: ok\nzh: \"\xe5\x8d\"\n", "\xc0\xaf: 1\n", "a: \xed\xa0\x80\n", "a: \xef\xbf\xbf\n",
                             "a: \xf0\xbf\xbf\xbf\n", "a: \xf4\x8f\xbf\xbe\n", "a: \xef\xb7\x90\n"}) {
        INFO(text);
        const auto j = yaml_to_json(text);
        REQUIRE(j.has_error());
        CHECK(j.error().code == Errc::bad_json);
        CHECK(j.error().message.find("not valid UTF-8") != std::string::npos);
        CHECK(j.error().message.find("line") != std::string::npos);
    }
    CHECK_FALSE(yaml_to_json(std::string("\x01\0\xff\xff", 4)).has_value());
    CHECK_FALSE(yaml_to_json(std::string("\0\0\0\x13\n#\xff\xff\xff\xff", 10)).has_value());
    CHECK(yaml_to_json("zh: 卧室\n😀: ok\n").has_value());
}

TEST_CASE("Text with control characters, edge spaces or a null-like key is written so it reads back the same") {
    // Found by fuzz_yaml: the one-byte document "\r" read as the text "\r", was written plain, and
    // read back as null.
    const auto fuzzed = yaml_to_json("\r");
    REQUIRE(fuzzed.has_value());
    const auto back = yaml_to_json(json_to_yaml(*fuzzed));
    REQUIRE(back.has_value());
    CHECK(*back == *fuzzed);

    const auto original = nlohmann::json{{"cr", "a\rb"}, {"tab", "\t"}, {"edge", " x "}, {"~", "~"}, {"", ""}, {"26", "true"}};
    const auto again = yaml_to_json(json_to_yaml(original));
    REQUIRE(again.has_value());
    CHECK(*again == original);
}

TEST_CASE("nan and inf are text, not numbers JSON cannot hold") {
    // Found by fuzz_yaml: "nAn" became a NaN number, written back as null.
    const auto j = yaml_to_json("a: nAn\nb: inf\nc: -Infinity\nd: 1e5\n");
    REQUIRE(j.has_value());
    CHECK((*j)["a"] == "nAn");
    CHECK((*j)["b"] == "inf");
    CHECK((*j)["c"] == "-Infinity");
    CHECK((*j)["d"] == 1e5);
    CHECK(*yaml_to_json(json_to_yaml(*j)) == *j);
}

TEST_CASE("A YAML document remembers the line and column of every field") {
    const auto d = read_yaml_document("id: night\ntriggers:\n  - platform: time\n    at: \"22:00\"\nactions:\n  - device: hall.light\n    set: {on: false}\n");
    REQUIRE_FALSE(d.error);
    CHECK(d.value == yaml_to_json("id: night\ntriggers:\n  - platform: time\n    at: \"22:00\"\nactions:\n  - device: hall.light\n    set: {on: false}\n").value());
    CHECK(d.position_of("id") == TextPosition{1, 1});
    CHECK(d.position_of("triggers[0]") == TextPosition{3, 5});
    CHECK(d.position_of("triggers[0].at") == TextPosition{4, 5});
    CHECK(d.position_of("actions[0].set.on") == TextPosition{7, 11});
}

TEST_CASE("A field the YAML lacks points at the nearest enclosing field it has") {
    const auto d = read_yaml_document("id: night\nactions:\n  - device: hall.light\n");
    REQUIRE_FALSE(d.error);
    CHECK(d.position_of("actions[0].set") == TextPosition{3, 5});
    CHECK(d.position_of("triggers") == TextPosition{1, 1});
    CHECK(d.position_of("") == TextPosition{1, 1});
}

TEST_CASE("Malformed YAML in a document is refused with the line and column where reading stopped") {
    const auto d = read_yaml_document("id: night\nactions:\n  - device: [a, b\n");
    REQUIRE(d.error);
    CHECK(d.error->code == Errc::bad_json);
    CHECK(d.value.is_null());
    CHECK(d.error_position.line >= 3);
    CHECK(d.error_position.column >= 1);
}
