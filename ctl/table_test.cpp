#include "ctl/table.hpp"

#include <catch2/catch.hpp>

using namespace hearth::ctl;

TEST_CASE("Display width counts CJK characters as two columns and combining marks as none") {
    CHECK(display_width("bedroom") == 7);
    CHECK(display_width("卧室灯") == 6);
    CHECK(display_width("Gymnopédie") == 10);
    CHECK(display_width("e\xCC\x81") == 1);  // e + combining acute
    CHECK(display_width("ＡＢ") == 4);       // full-width
    CHECK(display_width("\xFF\xFE") == 2);   // invalid bytes count one each
}

TEST_CASE("A table pads every column to its widest cell and drops trailing blanks") {
    Table table({"ID", "NAME", "ON"});
    table.add_row({"bedroom.ceiling_light", "bedroom light", "yes"});
    table.add_row({"kitchen.light", "厨房灯", ""});
    CHECK(table.rows() == 2);
    CHECK(table.render() ==
          "ID                     NAME           ON\n"
          "bedroom.ceiling_light  bedroom light  yes\n"
          "kitchen.light          厨房灯\n");
}

TEST_CASE("Short rows are padded with empty cells and long ones cut to the header") {
    Table table({"A", "B"});
    table.add_row({"x"});
    table.add_row({"1", "2", "3"});
    CHECK(table.render() == "A  B\nx\n1  2\n");
}
