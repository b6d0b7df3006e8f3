#pragma once
// Reads one sample from a Prometheus text exposition: `series` is the name with its labels as the
// hub writes them, e.g. `hearth_utterances_total{outcome="acted"}`.
#include <optional>
#include <sstream>
#include <string>

namespace hearth::testing {

inline std::optional<double> metric_value(const std::string& exposition, const std::string& series) {
    std::istringstream in(exposition);
    for (std::string line; std::getline(in, line);) {
        if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ') {
            return std::stod(line.substr(series.size() + 1));
        }
    }
    return std::nullopt;
}

}  // namespace hearth::testing
