#pragma once
// A plain-text table for the terminal: a header row and left-aligned columns sized to their
// widest cell, as the terminal shows it (CJK characters take two columns).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::ctl {

/// Columns a UTF-8 string takes on a terminal: East Asian wide and full-width characters count
/// two, combining marks none, everything else one. Invalid bytes count one each.
std::size_t display_width(std::string_view utf8);

class Table {
  public:
    explicit Table(std::vector<std::string> headers);

    /// Missing cells are empty; extra cells are dropped.
    void add_row(std::vector<std::string> cells);
    std::size_t rows() const { return rows_.size(); }

    /// Header first, one line per row, columns two spaces apart, no trailing blanks.
    std::string render() const;

  private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace hearth::ctl
