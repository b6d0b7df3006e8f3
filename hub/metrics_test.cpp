#include "hub/metrics.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace hearth::hub;
using namespace std::chrono_literals;

namespace {

/// Checks `text` against the text exposition format 0.0.4 as far as these metrics use it: every
/// sample belongs to a family declared by HELP and TYPE lines before it, names and labels are
/// well-formed, values are numbers, each histogram's buckets grow and end in +Inf = _count.
/// Returns the problems found, one a line; empty when the text is valid.
std::string exposition_problems(const std::string& text) {
    static const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$)");
    static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
    static const std::regex sample(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*)?\})? ([-+]?([0-9.]+([eE][-+]?[0-9]+)?|Inf|NaN))$)");
    static const std::regex le(R"re(le="([^"]*)")re");
    std::ostringstream problems;
    std::map<std::string, std::string> types;
    std::set<std::string> helped;
    std::map<std::string, std::pair<double, double>> last_bucket;  // series without le → (le, count)
    std::map<std::string, double> inf;
    std::map<std::string, double> counts;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    if (!text.empty() && text.back() != '\n') problems << "the text does not end with a line end\n";
    while (std::getline(in, line)) {
        ++n;
        std::smatch m;
        if (std::regex_match(line, m, help)) {
            helped.insert(m[1]);
            continue;
        }
        if (std::regex_match(line, m, type)) {
            if (types.contains(m[1])) problems << n << ": " << m[1] << " is declared twice\n";
            if (!helped.contains(m[1])) problems << n << ": TYPE of " << m[1] << " before its HELP\n";
            types[m[1]] = m[2];
            continue;
        }
        if (!std::regex_match(line, m, sample)) {
            problems << n << ": not a sample: " << line << "\n";
            continue;
        }
        std::string name = m[1];
        const std::string labels = m[3];
        const auto text_value = m[7].str();
        const double value = text_value.ends_with("Inf") ? INFINITY : std::stod(text_value);
        std::string family = name;
        for (const char* suffix : {"_bucket", "_sum", "_count"}) {
            const std::string s = suffix;
            if (name.ends_with(s) && types.contains(name.substr(0, name.size() - s.size())) &&
                types.at(name.substr(0, name.size() - s.size())) == "histogram") {
                family = name.substr(0, name.size() - s.size());
            }
        }
        if (!types.contains(family)) {
            problems << n << ": " << name << " has no TYPE before it\n";
            continue;
        }
        if (types.at(family) != "histogram") continue;
        std::smatch b;
        const auto series = family + "{" + std::regex_replace(labels, std::regex(R"(,?le="[^"]*")"), "") + "}";
        if (name == family + "_bucket") {
            if (!std::regex_search(labels, b, le)) {
                problems << n << ": a bucket without le\n";
                continue;
            }
            const double bound = b[1] == "+Inf" ? INFINITY : std::stod(b[1]);
            auto& [last_le, last_count] = last_bucket[series];
            if (bound <= last_le && last_le != 0) problems << n << ": buckets not in increasing order\n";
            if (value < last_count) problems << n << ": a bucket holds fewer than the one before\n";
            last_le = bound;
            last_count = value;
            if (std::isinf(bound)) inf[series] = value;
        } else if (name == family + "_count") {
            counts[series] = value;
        }
    }
    for (const auto& [series, count] : counts) {
        if (!inf.contains(series)) problems << series << " has no +Inf bucket\n";
        else if (inf.at(series) != count) problems << series << ": +Inf bucket differs from _count\n";
    }
    return problems.str();
}

}  // namespace

TEST_CASE("An observation counts in its bucket and every bucket above it") {
    LatencyHistogram h;
    h.observe(300us);
    h.observe(2ms);
    h.observe(20s);
    std::string out;
    h.render(out, "x_seconds", "help");
    CHECK(out.find("x_seconds_bucket{le=\"0.0001\"} 0\n") != std::string::npos);
    CHECK(out.find("x_seconds_bucket{le=\"0.0005\"} 1\n") != std::string::npos);
    CHECK(out.find("x_seconds_bucket{le=\"0.0025\"} 2\n") != std::string::npos);
    CHECK(out.find("x_seconds_bucket{le=\"10\"} 2\n") != std::string::npos);
    CHECK(out.find("x_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
    CHECK(out.find("x_seconds_count 3\n") != std::string::npos);
    CHECK(exposition_problems(out).empty());
}

TEST_CASE("Latency buckets reach below a millisecond and up to seconds") {
    CHECK(LatencyHistogram::kBounds.front() < 0.0001);
    CHECK(std::count_if(LatencyHistogram::kBounds.begin(), LatencyHistogram::kBounds.end(), [](double b) { return b < 0.001; }) >= 4);
    CHECK(LatencyHistogram::kBounds.back() >= 10.0);
    CHECK(std::is_sorted(LatencyHistogram::kBounds.begin(), LatencyHistogram::kBounds.end()));
}

TEST_CASE("A labelled counter has one sample per combination of label values") {
    LabelledCounter requests({"method", "route", "code"});
    requests.add({"GET", "/api/v1/devices/{id}", "200"});
    requests.add({"GET", "/api/v1/devices/{id}", "200"});
    requests.add({"GET", "/api/v1/devices/{id}", "404"});
    requests.add({"POST", "/api/v1/devices/{id}/commands", "202"}, 5);
    CHECK(requests.value({"GET", "/api/v1/devices/{id}", "200"}) == 2);
    CHECK(requests.value({"GET", "/api/v1/devices", "200"}) == 0);
    std::string out;
    requests.render(out, "hearth_http_requests_total", "HTTP requests");
    CHECK(out ==
          "# HELP hearth_http_requests_total HTTP requests\n"
          "# TYPE hearth_http_requests_total counter\n"
          "hearth_http_requests_total{method=\"GET\",route=\"/api/v1/devices/{id}\",code=\"200\"} 2\n"
          "hearth_http_requests_total{method=\"GET\",route=\"/api/v1/devices/{id}\",code=\"404\"} 1\n"
          "hearth_http_requests_total{method=\"POST\",route=\"/api/v1/devices/{id}/commands\",code=\"202\"} 5\n");
    CHECK(exposition_problems(out).empty());
}

TEST_CASE("Label values are escaped so that a hostile value cannot break the exposition") {
    CHECK(escape_label_value(R"(a"b\c)") == R"(a\"b\\c)");
    CHECK(escape_label_value("line\nbreak") == "line\\nbreak");
    LabelledCounter c({"result"});
    c.add({"x\"} 999\nforged_total 1"});
    std::string out;
    c.render(out, "hearth_rule_runs_total", "runs");
    CHECK(exposition_problems(out).empty());
    CHECK(out.find("\nforged_total") == std::string::npos);
}

TEST_CASE("A labelled histogram renders a full histogram per label set") {
    LabelledHistogram h({"route"});
    h.observe({"/api/v1/health"}, 80us);
    h.observe({"/api/v1/health"}, 3s);
    h.observe({"/metrics"}, 1ms);
    REQUIRE(h.find({"/api/v1/health"}));
    CHECK(h.find({"/api/v1/health"})->count() == 2);
    CHECK_FALSE(h.find({"/nowhere"}));
    std::string out;
    h.render(out, "hearth_http_request_seconds", "latency");
    CHECK(out.find("hearth_http_request_seconds_bucket{route=\"/api/v1/health\",le=\"0.0001\"} 1\n") != std::string::npos);
    CHECK(out.find("hearth_http_request_seconds_bucket{route=\"/api/v1/health\",le=\"2.5\"} 1\n") != std::string::npos);
    CHECK(out.find("hearth_http_request_seconds_bucket{route=\"/api/v1/health\",le=\"5\"} 2\n") != std::string::npos);
    CHECK(out.find("hearth_http_request_seconds_count{route=\"/metrics\"} 1\n") != std::string::npos);
    CHECK(exposition_problems(out).empty());
}

TEST_CASE("The exposition check finds what is wrong") {
    CHECK_FALSE(exposition_problems("x_total 1\n").empty());  // no TYPE
    CHECK_FALSE(exposition_problems("# HELP x h\n# TYPE x counter\nx{a=\"b} 1\n").empty());
    CHECK_FALSE(exposition_problems("# HELP x h\n# TYPE x counter\nx one\n").empty());
    CHECK_FALSE(exposition_problems("# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n").empty());
    CHECK(exposition_problems("# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n").empty());
}
