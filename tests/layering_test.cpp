// Keeps the layering honest: proto ← devices ← scenes ← rules ← hub. A module includes only
// modules to its left, and the pure core (everything but hub/ and the simulator) does no I/O,
// starts no threads and reads no clock.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kLayers = {"proto", "devices", "scenes", "rules", "hub"};

int layer_of(const std::string& module) {
    for (std::size_t i = 0; i < kLayers.size(); ++i)
        if (kLayers[i] == module) return static_cast<int>(i);
    return -1;
}

bool is_source(const fs::path& p) {
    const auto ext = p.extension();
    return ext == ".hpp" || ext == ".cpp" || ext == ".h";
}

struct Finding {
    std::string file;
    std::string line;
};

std::vector<Finding> scan(const std::function<void(const fs::path&, const std::string&, std::vector<Finding>&)>& check) {
    std::vector<Finding> findings;
    for (const auto& module : kLayers) {
        const auto dir = fs::path(HEARTH_SOURCE_DIR) / module;
        if (!fs::exists(dir)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(dir)) {
            if (!entry.is_regular_file() || !is_source(entry.path())) continue;
            std::ifstream in(entry.path());
            for (std::string line; std::getline(in, line);) check(entry.path(), line, findings);
        }
    }
    return findings;
}

std::string module_of(const fs::path& file) {
    return fs::relative(file, HEARTH_SOURCE_DIR).begin()->string();
}

bool in_simulator(const fs::path& file) {
    return fs::relative(file, HEARTH_SOURCE_DIR).string().starts_with("sim/");
}

}  // namespace

TEST_CASE("No module includes a module to its right in the layering") {
    static const std::regex include(R"(^\s*#\s*include\s+"([a-z_]+)/)");
    const auto findings = scan([](const fs::path& file, const std::string& line, std::vector<Finding>& out) {
        std::smatch m;
        if (!std::regex_search(line, m, include)) return;
        const int target = layer_of(m[1]);
        if (target > layer_of(module_of(file))) out.push_back({file.string(), line});
    });
    for (const auto& f : findings) UNSCOPED_INFO(f.file << ": " << f.line);
    CHECK(findings.empty());
}

TEST_CASE("The pure core includes no I/O, threading or networking library") {
    static const std::regex forbidden(
        R"(^\s*#\s*include\s*<(boost/asio|boost/beast|mqtt/|MQTT|mosquitto|sqlite3|thread>|mutex>|fstream>|future>))");
    static const std::regex clock(R"((system_clock|steady_clock|high_resolution_clock)::now)");
    const auto findings = scan([](const fs::path& file, const std::string& line, std::vector<Finding>& out) {
        const auto module = module_of(file);
        if (module == "hub" || in_simulator(file) || file.filename().string().ends_with("_test.cpp")) return;
        if (std::regex_search(line, forbidden) || std::regex_search(line, clock)) out.push_back({file.string(), line});
    });
    for (const auto& f : findings) UNSCOPED_INFO(f.file << ": " << f.line);
    CHECK(findings.empty());
}

TEST_CASE("The layering check sees the source tree") {
    CHECK(fs::exists(fs::path(HEARTH_SOURCE_DIR) / "proto" / "device.hpp"));
    CHECK(layer_of("devices") < layer_of("hub"));
}

TEST_CASE("hearthctl includes only proto and its own folder, never the hub's server") {
    static const std::regex include(R"re(^\s*#\s*include\s+"([^"]+)")re");
    const auto findings = scan([](const fs::path& file, const std::string& line, std::vector<Finding>& out) {
        if (!fs::relative(file, HEARTH_SOURCE_DIR).string().starts_with("ctl/")) return;
        std::smatch m;
        if (!std::regex_search(line, m, include)) return;
        const std::string target = m[1];
        if (!target.starts_with("ctl/") && !target.starts_with("proto/")) out.push_back({file.string(), line});
    });
    for (const auto& f : findings) UNSCOPED_INFO(f.file << ": " << f.line);
    CHECK(findings.empty());
    CHECK(fs::exists(fs::path(HEARTH_SOURCE_DIR) / "hub" / "ctl" / "main.cpp"));
}
