// Keeps the layering honest, reading `#include` lines only:
//
//   proto ← devices ← scenes ← {nlu, rules} ← {learn, care} ← assist ← hub
//
// A module includes only itself and modules below it; nlu and rules share a rank and never include
// each other; assist joins them. Everything but hub is the pure core: no I/O, threads, networking or clock reads.
// Two programs stand beside the layers and may do I/O: sim (hearth-fleet) includes proto, devices
// and scenes; ctl (hearthctl), a client of the API only, includes proto. No module includes a
// program. There is no exemption by path: only `_test.cpp` files may do I/O in the core, and only
// they may include the shared test support (tests/support). Inside the hub, no two units (x.hpp
// with x.cpp) include each other.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Module {
    std::string name;
    int rank;  // may include modules of a lower rank, and itself
};

const std::vector<Module> kModules = {{"proto", 0}, {"devices", 1}, {"scenes", 2}, {"nlu", 3},
                                      {"rules", 3}, {"learn", 4}, {"care", 4}, {"assist", 5}, {"hub", 6}};
const std::set<std::string> kPureCore = {"proto", "devices", "scenes", "nlu", "rules", "learn", "care", "assist"};

/// A program's folder and the folders it may include besides its own.
const std::map<std::string, std::set<std::string>> kPrograms = {
    {"sim", {"proto", "devices", "scenes"}},
    {"ctl", {"proto"}},
};

std::optional<Module> module_named(const std::string& name) {
    for (const auto& m : kModules)
        if (m.name == name) return m;
    return std::nullopt;
}

bool is_source(const fs::path& p) {
    const auto ext = p.extension();
    return ext == ".hpp" || ext == ".cpp" || ext == ".h";
}

bool is_test(const fs::path& file) { return file.filename().string().ends_with("_test.cpp"); }

/// The top-level folder a source file lives in.
std::string folder_of(const fs::path& file) { return fs::relative(file, HEARTH_SOURCE_DIR).begin()->string(); }

/// The top-level folder a quoted include names ("devices/registry.hpp" → devices), if any.
std::optional<std::string> included_folder(const std::string& line) {
    static const std::regex include(R"re(^\s*#\s*include\s+"([a-z_]+)/)re");
    std::smatch m;
    if (!std::regex_search(line, m, include)) return std::nullopt;
    return m[1].str();
}

struct Finding {
    std::string file;
    std::string line;
};

using Check = std::function<void(const fs::path&, const std::string&, std::vector<Finding>&)>;

std::vector<Finding> scan(const std::vector<std::string>& folders, const Check& check) {
    std::vector<Finding> findings;
    for (const auto& folder : folders) {
        const auto dir = fs::path(HEARTH_SOURCE_DIR) / folder;
        if (!fs::exists(dir)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(dir)) {
            if (!entry.is_regular_file() || !is_source(entry.path())) continue;
            std::ifstream in(entry.path());
            for (std::string line; std::getline(in, line);) check(entry.path(), line, findings);
        }
    }
    return findings;
}

std::vector<std::string> module_names() {
    std::vector<std::string> names;
    for (const auto& m : kModules) names.push_back(m.name);
    return names;
}

void report(const std::vector<Finding>& findings) {
    for (const auto& f : findings) UNSCOPED_INFO(f.file << ": " << f.line);
}

/// The hub units (a file name without its extension: x.hpp and x.cpp are one unit) each hub unit
/// includes, itself left out; only hub/*.hpp and hub/*.cpp.
std::map<std::string, std::set<std::string>> hub_includes() {
    static const std::regex include(R"re(^\s*#\s*include\s+"hub/([a-z0-9_]+)\.hpp")re");
    std::map<std::string, std::set<std::string>> includes;
    for (const auto& entry : fs::directory_iterator(fs::path(HEARTH_SOURCE_DIR) / "hub")) {
        if (!entry.is_regular_file() || !is_source(entry.path())) continue;
        const auto unit = entry.path().stem().string();
        auto& out = includes[unit];
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);) {
            std::smatch m;
            if (std::regex_search(line, m, include) && m[1].str() != unit) out.insert(m[1].str());
        }
    }
    return includes;
}

}  // namespace

TEST_CASE("No module includes a module to its right in the layering, nor a program") {
    const auto findings = scan(module_names(), [](const fs::path& file, const std::string& line, auto& out) {
        const auto target = included_folder(line);
        if (!target) return;
        const auto own = *module_named(folder_of(file));
        const auto included = module_named(*target);
        if (kPrograms.contains(*target) || (included && included->rank > own.rank))
            out.push_back({file.string(), line});
    });
    report(findings);
    CHECK(findings.empty());
}

TEST_CASE("nlu and rules do not include each other") {
    const auto findings = scan({"nlu", "rules"}, [](const fs::path& file, const std::string& line, auto& out) {
        const auto target = included_folder(line);
        if (!target) return;
        const auto own = folder_of(file);
        if ((own == "nlu" && *target == "rules") || (own == "rules" && *target == "nlu"))
            out.push_back({file.string(), line});
    });
    report(findings);
    CHECK(findings.empty());
}

TEST_CASE("Only tests include the shared test support") {
    std::vector<std::string> folders = module_names();
    for (const auto& [program, _] : kPrograms) folders.push_back(program);
    const auto findings = scan(folders, [](const fs::path& file, const std::string& line, auto& out) {
        if (included_folder(line) == "tests" && !is_test(file)) out.push_back({file.string(), line});
    });
    report(findings);
    CHECK(findings.empty());
}

TEST_CASE("No module or program includes the fuzz targets") {
    std::vector<std::string> folders = module_names();
    for (const auto& [program, _] : kPrograms) folders.push_back(program);
    const auto findings = scan(folders, [](const fs::path& file, const std::string& line, auto& out) {
        if (included_folder(line) == "fuzz") out.push_back({file.string(), line});
    });
    report(findings);
    CHECK(findings.empty());
}

TEST_CASE("The pure core includes no I/O, threading or networking library") {
    static const std::regex forbidden(
        R"(^\s*#\s*include\s*<(boost/asio|boost/beast|mqtt/|MQTT|mosquitto|sqlite3|thread>|mutex>|fstream>|future>|iostream>|cstdio>|filesystem>))");
    static const std::regex clock(R"((system_clock|steady_clock|high_resolution_clock)::now)");
    const std::vector<std::string> core(kPureCore.begin(), kPureCore.end());
    const auto findings = scan(core, [](const fs::path& file, const std::string& line, auto& out) {
        if (is_test(file)) return;
        if (std::regex_search(line, forbidden) || std::regex_search(line, clock)) out.push_back({file.string(), line});
    });
    report(findings);
    CHECK(findings.empty());
}

TEST_CASE("hearth-fleet includes only proto, devices, scenes and its own folder") {
    const auto findings = scan({"sim"}, [](const fs::path& file, const std::string& line, auto& out) {
        const auto target = included_folder(line);
        if (!target || *target == "sim" || kPrograms.at("sim").contains(*target)) return;
        if (*target == "tests" && is_test(file)) return;
        out.push_back({file.string(), line});
    });
    report(findings);
    CHECK(findings.empty());
    CHECK(fs::exists(fs::path(HEARTH_SOURCE_DIR) / "sim" / "main.cpp"));
}

TEST_CASE("hearthctl includes only proto and its own folder, never the hub's server") {
    const auto findings = scan({"ctl"}, [](const fs::path& file, const std::string& line, auto& out) {
        const auto target = included_folder(line);
        if (!target || *target == "ctl" || kPrograms.at("ctl").contains(*target)) return;
        out.push_back({file.string(), line});
    });
    report(findings);
    CHECK(findings.empty());
    CHECK(fs::exists(fs::path(HEARTH_SOURCE_DIR) / "ctl" / "main.cpp"));
}

TEST_CASE("No two hub units include each other") {
    const auto includes = hub_includes();
    REQUIRE(includes.contains("hub"));
    CHECK(includes.at("hub").contains("store"));  // the scan sees the includes
    for (const auto& [unit, targets] : includes) {
        for (const auto& target : targets) {
            const auto back = includes.find(target);
            if (unit < target && back != includes.end() && back->second.contains(unit)) {
                FAIL_CHECK("hub/" << unit << " and hub/" << target << " include each other");
            }
        }
    }
}

TEST_CASE("Every top-level CMake folder is a module, a program, the tests, the benchmarks, the fuzz targets or the dashboard") {
    // web/ is the dashboard: JavaScript built by npm, no C++ to include or be included.
    const std::set<std::string> others = {"tests", "bench", "fuzz", "web"};
    for (const auto& entry : fs::directory_iterator(HEARTH_SOURCE_DIR)) {
        if (!entry.is_directory() || !fs::exists(entry.path() / "CMakeLists.txt")) continue;
        const auto name = entry.path().filename().string();
        INFO(name);
        CHECK((module_named(name) || kPrograms.contains(name) || others.contains(name)));
    }
}

TEST_CASE("The layering check sees the source tree") {
    CHECK(fs::exists(fs::path(HEARTH_SOURCE_DIR) / "proto" / "device.hpp"));
    CHECK(fs::exists(fs::path(HEARTH_SOURCE_DIR) / "nlu" / "recognizer.hpp"));
    CHECK(module_named("devices")->rank < module_named("hub")->rank);
    CHECK(module_named("nlu")->rank == module_named("rules")->rank);
}
