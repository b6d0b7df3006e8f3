// hearth-nlu-everyday: runs Hearth's everyday set (bench/everyday/demo_home.txt) against the demo
// home and reports accuracy and the wrong-action rate.
//
// The set's file states the home's state and, per utterance, the speaker's room and what should
// happen (the commands, a scene, an answer, a question back, "missing", or nothing); its header
// explains the format. An utterance passes when exactly that happens. A *wrong action* is an
// utterance after which something was sent that was not asked for: a command to a device not
// expected, an attribute with another value or one not asked for, or a scene that was not meant.
// Commands that are right but incomplete (one of the two lights) fail without being wrong actions.
//
// Usage: hearth-nlu-everyday [--set FILE] [--home PATH] [--lang zh-CN,zh-HK,en] [--quiet]
//                            [--text SENTENCE --area AREA]
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "nlu/recognizer.hpp"
#include "proto/home.hpp"

namespace nlu = hearth::nlu;
namespace proto = hearth::proto;

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string part; std::getline(ss, part, sep);) out.push_back(trim(part));
    return out;
}

proto::Value parse_value(const std::string& text) {
    if (text == "true") return true;
    if (text == "false") return false;
    try {
        std::size_t used = 0;
        const double d = std::stod(text, &used);
        if (used == text.size()) return d;
    } catch (...) {
    }
    return text;
}

// One expected attribute: attr=value, attr>N or attr<N.
struct Check {
    std::string attribute;
    char op = '=';
    proto::Value value;

    bool holds(const proto::Value& got) const {
        const auto* n = proto::as_number(got);
        const auto* want = proto::as_number(value);
        if (op == '=') return n && want ? std::fabs(*n - *want) < 0.01 : got == value;
        if (!n || !want) return false;
        return op == '>' ? *n > *want : *n < *want;
    }
    std::string show() const { return attribute + op + proto::to_display(value); }
};

// TARGET: checks — TARGET a device id, KIND@AREA or KIND@*.
struct CommandSpec {
    std::string target;
    std::vector<Check> checks;
};

struct Expected {
    enum Kind { commands, scene, answer, ask, missing, ask_or_missing, nothing } kind = nothing;
    std::vector<CommandSpec> specs;
    std::string text;  // scene id, or text the answer must contain
};

struct Case {
    std::string language, area, category, utterance, expected_text;
    Expected expected;
    int line = 0;
};

std::vector<Check> parse_checks(const std::string& text) {
    std::vector<Check> checks;
    for (const auto& item : split(text, ',')) {
        const auto at = item.find_first_of("=<>");
        if (at == std::string::npos) throw std::runtime_error("bad attribute check: " + item);
        checks.push_back({trim(item.substr(0, at)), item[at], parse_value(trim(item.substr(at + 1)))});
    }
    return checks;
}

Expected parse_expected(const std::string& text) {
    Expected e;
    if (text == "ask") e.kind = Expected::ask;
    else if (text == "missing") e.kind = Expected::missing;
    else if (text == "ask/missing") e.kind = Expected::ask_or_missing;
    else if (text == "nothing") e.kind = Expected::nothing;
    else if (text.starts_with("scene ")) {
        e.kind = Expected::scene;
        e.text = trim(text.substr(6));
    } else if (text.starts_with("answer")) {
        e.kind = Expected::answer;
        if (const auto tilde = text.find('~'); tilde != std::string::npos) e.text = trim(text.substr(tilde + 1));
    } else {
        e.kind = Expected::commands;
        for (const auto& spec : split(text, ';')) {
            const auto colon = spec.find(':');
            if (colon == std::string::npos) throw std::runtime_error("bad command: " + spec);
            e.specs.push_back({trim(spec.substr(0, colon)), parse_checks(spec.substr(colon + 1))});
        }
    }
    return e;
}

struct Set {
    std::map<std::string, proto::Attributes> state;
    std::vector<Case> cases;
};

Set read_set(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    Set set;
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        line = trim(line);
        if (line.empty() || line.starts_with('#')) continue;
        if (line.starts_with("state ")) {
            const auto colon = line.find(':');
            auto& attributes = set.state[trim(line.substr(6, colon - 6))];
            for (const auto& c : parse_checks(line.substr(colon + 1))) attributes[c.attribute] = c.value;
            continue;
        }
        const auto fields = split(line, '|');
        const auto head = split(fields.at(0), ' ');
        if (fields.size() != 3 || head.size() != 3) throw std::runtime_error("line " + std::to_string(number) + ": bad case");
        set.cases.push_back({head[0], head[1], head[2], fields[1], fields[2], parse_expected(fields[2]), number});
    }
    return set;
}

// Devices a target names: one id, or every device of a kind in an area (or the home).
std::set<std::string> devices_of(const std::string& target, const hearth::devices::Registry& registry) {
    const auto at = target.find('@');
    if (at == std::string::npos) return {target};
    const auto kind = target.substr(0, at);
    const auto area = target.substr(at + 1);
    std::set<std::string> out;
    for (const auto* device : registry.list()) {
        const auto& d = device->description;
        if (proto::to_string(d.kind) != kind) continue;
        if (area == "*" || d.area.value == area) out.insert(d.id.value);
    }
    return out;
}

struct Verdict {
    bool pass = false;
    bool wrong_action = false;
    std::string why;
};

// Attributes that may ride along with an asked-for value: switching on to set a brightness,
// a mode with a temperature, a transition.
bool tolerated_extra(const std::string& attribute, const proto::Value& value) {
    if (attribute == "on") return value == proto::Value(true);
    return attribute == "hvac_mode" || attribute == "transition";
}

Verdict judge(const Case& c, const nlu::Understanding& u, const hearth::devices::Registry& registry) {
    const auto& e = c.expected;
    const bool scene_sent = u.outcome == nlu::Outcome::scene || u.outcome == nlu::Outcome::custom;
    const bool sent = !u.commands.empty() || scene_sent;
    Verdict v;
    if (e.kind == Expected::scene) {
        v.pass = u.outcome == nlu::Outcome::scene && u.scene && u.scene->value == e.text && u.commands.empty();
        v.wrong_action = sent && !v.pass;
        return v;
    }
    if (e.kind != Expected::commands) {
        v.wrong_action = sent;
        switch (e.kind) {
            case Expected::answer:
                v.pass = !sent && u.outcome == nlu::Outcome::answer && u.speech.find(e.text) != std::string::npos;
                break;
            case Expected::ask: v.pass = !sent && u.outcome == nlu::Outcome::clarify; break;
            case Expected::missing: v.pass = !sent && u.outcome == nlu::Outcome::failed; break;
            case Expected::ask_or_missing:
                v.pass = !sent && (u.outcome == nlu::Outcome::clarify || u.outcome == nlu::Outcome::failed);
                break;
            default:
                v.pass = !sent && (u.outcome == nlu::Outcome::declined || u.outcome == nlu::Outcome::not_understood);
        }
        return v;
    }
    std::map<std::string, std::vector<Check>> expected;
    for (const auto& spec : e.specs)
        for (const auto& id : devices_of(spec.target, registry))
            expected[id].insert(expected[id].end(), spec.checks.begin(), spec.checks.end());
    if (scene_sent) {
        v.wrong_action = true;
        v.why = "scene " + (u.scene ? u.scene->value : std::string("?"));
        return v;
    }
    std::set<std::string> commanded;
    bool all_checks_met = true;
    for (const auto& dc : u.commands) {
        commanded.insert(dc.device.value);
        const auto it = expected.find(dc.device.value);
        if (it == expected.end()) {
            v.wrong_action = true;
            v.why += " unasked device " + dc.device.value + ";";
            continue;
        }
        for (const auto& [attribute, value] : dc.command.set) {
            const Check* check = nullptr;
            for (const auto& k : it->second)
                if (k.attribute == attribute) check = &k;
            if (check ? !check->holds(value) : !tolerated_extra(attribute, value)) {
                v.wrong_action = true;
                v.why += " " + dc.device.value + " " + attribute + "=" + proto::to_display(value) + ";";
            }
        }
        for (const auto& k : it->second)
            if (!dc.command.set.contains(k.attribute)) all_checks_met = false;
    }
    for (const auto& [id, checks] : expected)
        if (!commanded.contains(id)) {
            all_checks_met = false;
            v.why += " nothing for " + id + ";";
        }
    v.pass = !v.wrong_action && all_checks_met && u.outcome == nlu::Outcome::command;
    return v;
}

std::string got_text(const nlu::Understanding& u) {
    std::string out = std::string(nlu::to_string(u.outcome));
    if (u.scene) out += " " + u.scene->value;
    for (const auto& dc : u.commands) out += " " + dc.device.value + proto::to_json(dc.command.set).dump();
    return out + " «" + u.speech + "»";
}

struct Tally {
    int total = 0, passed = 0, wrong = 0;
    void add(const Verdict& v) {
        ++total;
        passed += v.pass;
        wrong += v.wrong_action;
    }
};

std::string percent(int part, int whole) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << (whole ? 100.0 * part / whole : 0.0) << "%";
    return out.str();
}

}  // namespace

int main(int argc, char** argv) {
    std::string set_path = std::string(HEARTH_SOURCE_DIR) + "/bench/everyday/demo_home.txt";
    std::string home_path = std::string(HEARTH_SOURCE_DIR) + "/sim/homes/demo.yaml";
    std::set<std::string> languages;
    bool quiet = false;
    std::string explain, explain_area;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--set" && i + 1 < argc) set_path = argv[++i];
        else if (a == "--home" && i + 1 < argc) home_path = argv[++i];
        else if (a == "--lang" && i + 1 < argc) {
            for (const auto& l : split(argv[++i], ',')) languages.insert(l);
        } else if (a == "--quiet") quiet = true;
        else if (a == "--text" && i + 1 < argc) explain = argv[++i];
        else if (a == "--area" && i + 1 < argc) explain_area = argv[++i];
        else {
            std::cerr << "usage: hearth-nlu-everyday [--set FILE] [--home PATH] [--lang zh-CN,zh-HK,en] [--quiet] "
                         "[--text SENTENCE --area AREA]\n";
            return 2;
        }
    }
    std::ifstream in(home_path);
    std::stringstream yaml;
    yaml << in.rdbuf();
    const auto home = proto::home_from_yaml(yaml.str());
    if (!home) {
        std::cerr << "cannot load " << home_path << ": " << home.error() << "\n";
        return 1;
    }
    Set set;
    try {
        set = read_set(set_path);
    } catch (const std::exception& e) {
        std::cerr << set_path << ": " << e.what() << "\n";
        return 1;
    }
    hearth::devices::Registry registry;
    for (const auto& a : home->areas) registry.upsert_area(a);
    for (const auto& d : home->devices) {
        registry.upsert(d.description);
        registry.set_availability(d.description.id, hearth::devices::Availability::online);
    }
    for (const auto& [id, attributes] : set.state) {
        const auto update = registry.apply_state(proto::DeviceId(id), attributes);
        if (!update || !update->rejected.empty()) {
            std::cerr << set_path << ": state of " << id << " refused\n";
            return 1;
        }
    }
    nlu::Vocabulary vocabulary;
    for (const auto& s : home->scenes) {
        std::optional<proto::AreaId> area;
        if (s.contains("area")) area = proto::AreaId(s["area"].get<std::string>());
        const auto name = s.value("name", nlohmann::json::object());
        vocabulary.scenes.push_back({proto::SceneId(s["id"].get<std::string>()),
                                     {name.value("zh", std::string{}), name.value("en", std::string{})}, area});
    }
    const nlu::Recognizer recognizer(registry, vocabulary);
    const auto request_for = [](const std::string& text, const std::string& area) {
        nlu::Request r{text, std::nullopt, "everyday", {}};
        if (!area.empty() && area != "-") r.area = proto::AreaId(area);
        return r;
    };
    if (!explain.empty()) {
        std::cout << nlu::to_json(recognizer.recognize(request_for(explain, explain_area), registry)).dump(2) << "\n";
        return 0;
    }

    std::map<std::string, Tally> by_language, by_category;
    Tally all;
    std::vector<std::string> misses;
    for (const auto& c : set.cases) {
        if (!languages.empty() && !languages.contains(c.language)) continue;
        const auto u = recognizer.recognize(request_for(c.utterance, c.area), registry);
        const auto v = judge(c, u, registry);
        all.add(v);
        by_language[c.language].add(v);
        by_category[c.category].add(v);
        if (!v.pass)
            misses.push_back(std::string(v.wrong_action ? "WRONG " : "miss  ") + c.language + " " + c.area + " | " +
                             c.utterance + " | expected " + c.expected_text + " | got " + got_text(u) + v.why);
    }
    const auto row = [](const std::string& name, const Tally& t) {
        std::cout << std::left << std::setw(14) << name << std::right << std::setw(6) << t.passed << " / " << std::setw(4)
                  << std::left << t.total << std::right << std::setw(9) << percent(t.passed, t.total) << std::setw(8)
                  << t.wrong << std::setw(10) << percent(t.wrong, t.total) << "\n";
    };
    std::cout << std::left << std::setw(14) << "" << std::right << std::setw(13) << "passed" << std::setw(9) << "accuracy"
              << std::setw(8) << "wrong" << std::setw(10) << "wrong %" << "\n";
    for (const auto& [language, t] : by_language) row(language, t);
    std::cout << "--\n";
    for (const auto& [category, t] : by_category) row(category, t);
    std::cout << "--\n";
    row("ALL", all);
    if (!quiet) {
        std::cout << "\n-- misses (" << misses.size() << "; WRONG = something sent that was not asked for)\n";
        for (const auto& m : misses) std::cout << "  " << m << "\n";
    }
    return 0;
}
