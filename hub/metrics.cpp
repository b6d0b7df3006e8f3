#include "hub/metrics.hpp"

#include <cstdio>

namespace hearth::hub {
namespace {

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
        out += (i ? "," : "") + names[i] + "=\"" + escape_label_value(values[i]) + "\"";
    }
    return out;
}

void header(std::string& out, const std::string& name, const char* type, const std::string& help) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

void LatencyHistogram::observe(std::chrono::nanoseconds d) {
    const double seconds = std::chrono::duration<double>(d).count();
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
        if (seconds <= kBounds[i]) ++buckets_[i];
    }
    ++count_;
    sum_ += seconds;
}

void LatencyHistogram::render(std::string& out, const std::string& name, const std::string& help) const {
    header(out, name, "histogram", help);
    render_samples(out, name, {});
}

void LatencyHistogram::render_samples(std::string& out, const std::string& name, const std::string& labels) const {
    const std::string before_le = "{" + labels + (labels.empty() ? "" : ",");
    const std::string braces = labels.empty() ? std::string() : "{" + labels + "}";
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
        out += name + "_bucket" + before_le + "le=\"" + number(kBounds[i]) + "\"} " + std::to_string(buckets_[i]) + "\n";
    }
    out += name + "_bucket" + before_le + "le=\"+Inf\"} " + std::to_string(count_) + "\n";
    out += name + "_sum" + braces + " " + number(sum_) + "\n" + name + "_count" + braces + " " + std::to_string(count_) + "\n";
}

LabelledCounter::LabelledCounter(std::vector<std::string> label_names) : names_(std::move(label_names)) {}

void LabelledCounter::add(const std::vector<std::string>& values, std::uint64_t n) { values_[values] += n; }

std::uint64_t LabelledCounter::value(const std::vector<std::string>& values) const {
    const auto it = values_.find(values);
    return it == values_.end() ? 0 : it->second;
}

void LabelledCounter::render(std::string& out, const std::string& name, const std::string& help) const {
    header(out, name, "counter", help);
    for (const auto& [values, count] : values_) {
        out += name + "{" + label_set(names_, values) + "} " + std::to_string(count) + "\n";
    }
}

LabelledHistogram::LabelledHistogram(std::vector<std::string> label_names) : names_(std::move(label_names)) {}

void LabelledHistogram::observe(const std::vector<std::string>& values, std::chrono::nanoseconds d) {
    values_[values].observe(d);
}

const LatencyHistogram* LabelledHistogram::find(const std::vector<std::string>& values) const {
    const auto it = values_.find(values);
    return it == values_.end() ? nullptr : &it->second;
}

void LabelledHistogram::render(std::string& out, const std::string& name, const std::string& help) const {
    header(out, name, "histogram", help);
    for (const auto& [values, histogram] : values_) histogram.render_samples(out, name, label_set(names_, values));
}

void render_metric(std::string& out, const std::string& name, const char* type, const std::string& help, double value) {
    header(out, name, type, help);
    out += name + " " + number(value) + "\n";
}

}  // namespace hearth::hub
