#include "care/question.hpp"

#include <catch2/catch.hpp>

using namespace hearth::care;

TEST_CASE("A spoken yes or no to the hub's question is understood in Chinese and English") {
    for (const char* yes : {"好", "好的。", " 好啊！", "Yes", "OK!", "yes please", "sure."}) {
        INFO(yes);
        CHECK(reply_to_question(yes) == Reply::yes);
    }
    for (const char* no : {"不用了", "不用了。", "不要！", "No", "not now", "Not now.", "no thanks"}) {
        INFO(no);
        CHECK(reply_to_question(no) == Reply::no);
    }
}

TEST_CASE("Anything else is unclear and left to the assistant") {
    for (const char* other : {"", "把灯关了", "turn off the light", "好不好", "noo", "。", "yes no"}) {
        INFO(other);
        CHECK(reply_to_question(other) == Reply::unclear);
    }
}
