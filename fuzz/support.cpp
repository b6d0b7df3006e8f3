#include "fuzz/support.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "proto/home.hpp"

namespace hearth::fuzz {

std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto end = text.find('\n');
        out.push_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return out;
}

std::vector<Message> messages(std::string_view text) {
    std::vector<Message> out;
    for (const auto line : lines(text)) {
        const auto tab = line.find('\t');
        if (tab == std::string_view::npos) {
            out.push_back({line, {}});
        } else {
            out.push_back({line.substr(0, tab), line.substr(tab + 1)});
        }
    }
    return out;
}

std::pair<std::string_view, std::string_view> split_at_nul(std::string_view text) {
    const auto nul = text.find('\0');
    if (nul == std::string_view::npos) return {text, {}};
    return {text.substr(0, nul), text.substr(nul + 1)};
}

void require(bool holds, std::string_view what) {
    if (holds) return;
    std::cerr << "fuzz: invariant broken: " << what << "\n";
    std::abort();
}

std::string source_file(std::string_view relative) {
    std::ifstream in(std::string(HEARTH_SOURCE_DIR) + "/" + std::string(relative));
    require(in.good(), "the source file can be read");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

devices::Registry demo_registry() {
    auto home = proto::home_from_yaml(source_file("sim/homes/demo.yaml"));
    require(home.has_value(), "the demo home parses");
    devices::Registry registry;
    for (const auto& area : home->areas) registry.upsert_area(area);
    for (const auto& device : home->devices) {
        registry.upsert(device.description);
        (void)registry.set_availability(device.description.id, devices::Availability::online);
    }
    const auto state = [&](const char* id, proto::Attributes attributes) {
        (void)registry.apply_state(proto::DeviceId(id), attributes);
    };
    state("bedroom.ac", {{"on", true}, {"hvac_mode", std::string("cool")}, {"target_temperature", 26.0}, {"temperature", 29.0}});
    state("bedroom.climate_sensor", {{"temperature", 28.5}, {"humidity", 60.0}});
    state("living_room.ceiling_light", {{"on", true}, {"brightness", 50.0}});
    state("bedroom.speaker", {{"playback", std::string("playing")}, {"volume", 30.0}});
    state("living_room.curtain", {{"position", 0.0}});
    return registry;
}

const devices::Registry& demo_home() {
    static const auto registry = demo_registry();
    return registry;
}

}  // namespace hearth::fuzz
