#include "sim/synthetic_home.hpp"

#include <array>
#include <cstdio>
#include <string>

#include "sim/random.hpp"

namespace hearth::sim {
namespace {

using nlohmann::json;

struct Template {
    const char* room;
    const char* name;
    const char* kind;
    const char* capabilities;  // JSON
};

const auto kLight = R"(["on","brightness","color_temp","transition","power"])";
const auto kDimmer = R"(["on","brightness","transition"])";

// The same rooms and mix as homes/demo.yaml, plus a wall button and a plug.
const std::array<Template, kDevicesPerHome> kHome = {{
    {"bedroom", "ceiling_light", "light", kLight},
    {"bedroom", "bedside_lamp", "light", kDimmer},
    {"bedroom", "ac", "air_conditioner", R"(["on","hvac_mode","target_temperature","fan_speed","temperature","power"])"},
    {"bedroom", "climate_sensor", "climate_sensor", R"(["temperature","humidity","battery"])"},
    {"bedroom", "presence", "presence_sensor", R"(["occupancy","illuminance"])"},
    {"bedroom", "curtain", "curtain", R"(["position"])"},
    {"bedroom", "speaker", "speaker",
     R"(["playback","volume",{"attribute":"media","type":"enum","options":["sleep_music","white_noise","morning_news","jazz"]},{"attribute":"track","type":"text","access":["read"]}])"},
    {"living_room", "ceiling_light", "light", kLight},
    {"living_room", "floor_lamp", "light", kDimmer},
    {"living_room", "ac", "air_conditioner", R"(["on","hvac_mode","target_temperature","fan_speed","temperature"])"},
    {"living_room", "tv", "tv", R"(["on","volume","power"])"},
    {"living_room", "curtain", "curtain", R"(["position"])"},
    {"living_room", "air_purifier", "air_purifier", R"(["on","mode","fan_speed","pm25"])"},
    {"living_room", "vacuum", "vacuum", R"(["cleaning","battery"])"},
    {"living_room", "presence", "presence_sensor", R"(["occupancy"])"},
    {"kitchen", "light", "light", kDimmer},
    {"kitchen", "plug", "switch", R"(["on","power"])"},
    {"bathroom", "light", "light", kDimmer},
    {"bathroom", "presence", "presence_sensor", R"(["occupancy"])"},
    {"entrance", "door_lock", "lock", R"(["locked","battery"])"},
    {"entrance", "door_contact", "contact_sensor", R"(["contact","battery"])"},
    {"entrance", "button", "button", R"(["battery",{"attribute":"action","type":"text","access":["event"]}])"},
}};

std::string hhmm(int minutes) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%02d:%02d", (minutes / 60) % 24, minutes % 60);
    return buffer;
}

json sim_for(const Template& t, const std::string& home, Random& random) {
    const std::string room = t.room;
    const std::string name = t.name;
    if (name == "ac") return {{"room_temperature", std::round(random.uniform(25, 31) * 10) / 10}};
    if (name == "climate_sensor") return {{"follows", home + "." + room + ".ac"}, {"interval", 30}};
    if (name == "presence") {
        const int shift = static_cast<int>(random.uniform(-45, 45));
        if (room == "bedroom") return {{"schedule", {{{"from", hhmm(22 * 60 + shift)}, {"to", hhmm(7 * 60 + 30 + shift)}}}}};
        if (room == "bathroom") {
            return {{"schedule",
                     {{{"from", hhmm(7 * 60 + shift)}, {"to", hhmm(7 * 60 + 20 + shift)}},
                      {{"from", hhmm(22 * 60 + 30 + shift)}, {"to", hhmm(22 * 60 + 50 + shift)}}}}};
        }
        return {{"schedule", {{{"from", hhmm(18 * 60 + shift)}, {"to", hhmm(23 * 60 + shift)}}}}};
    }
    return nullptr;
}

}  // namespace

proto::HomeDocument synthetic_home(std::size_t count, std::uint64_t seed) {
    proto::HomeDocument doc;
    Random random(mix_seed(seed, 0x5e7));
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t number = i / kDevicesPerHome + 1;
        const auto& t = kHome[i % kDevicesPerHome];
        char home[32];
        std::snprintf(home, sizeof home, "h%05zu", number);
        const std::string area = std::string(home) + "." + t.room;
        if (doc.areas.empty() || doc.areas.back().id.value != area) {
            doc.areas.push_back({proto::AreaId(area), {"", std::string(t.room) + " " + std::to_string(number)}});
        }
        json description = {
            {"id", area + "." + t.name},
            {"name", {{"en", std::string(t.room) + " " + t.name + " " + std::to_string(number)}}},
            {"area", area},
            {"kind", t.kind},
            {"model", "sim"},
            {"manufacturer", "hearth"},
            {"capabilities", json::parse(t.capabilities)},
        };
        auto parsed = proto::description_from_json(description);
        if (!parsed) throw std::logic_error("synthetic device template is invalid: " + parsed.error().message);
        doc.devices.push_back({std::move(*parsed), sim_for(t, home, random)});
    }
    return doc;
}

}  // namespace hearth::sim
