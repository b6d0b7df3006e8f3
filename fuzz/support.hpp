#pragma once
// What the fuzz targets share: the input as text, MQTT messages as lines, the demo home, and the
// check that turns a broken invariant into a crash libFuzzer reports. Fuzz targets may read files.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "devices/registry.hpp"

namespace hearth::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

struct Message {
    std::string_view topic;
    std::string_view payload;
};

/// The lines of the text, without their '\n'.
std::vector<std::string_view> lines(std::string_view text);

/// One message per line: the topic, a tab, the payload. A line without a tab is a topic with an
/// empty payload.
std::vector<Message> messages(std::string_view text);

/// The text before the first NUL byte and the text after it (empty when there is none).
std::pair<std::string_view, std::string_view> split_at_nul(std::string_view text);

/// Aborts, printing `what`, when `holds` is false: a broken invariant is a crash.
void require(bool holds, std::string_view what);

/// A file of the source tree, e.g. "sim/homes/demo.yaml".
std::string source_file(std::string_view relative);

/// The demo home (sim/homes/demo.yaml): its areas and devices, each online with a plausible state.
devices::Registry demo_registry();

/// The demo home, built once and shared by the targets that only read it.
const devices::Registry& demo_home();

}  // namespace hearth::fuzz
