// hearth-nlu-eval: runs Home Assistant's intent test sentences through the recogniser, strictly.
//
// Each fixture home is loaded into a devices::Registry (HA domains mapped to Hearth kinds and
// capabilities; scenes and scripts into the scene catalogue; an overlay's area with the name of a
// fixture area is that area), every sentence is recognised with the request context the test gives
// (the satellite's area), and intent, outcome and slots are compared: names and areas by the
// fixture's entity and area, floors by the targets' areas, numbers by value, domains and device
// classes (slot or context) by the targets' HA domain and device_class, and the answer to a question
// against HA's expected response (its yes/no and its numbers). A command must come out as commands
// (a `failed` outcome passes only where HA's response is a failure too), a question as an answer.
// Only sentences of intents out of scope (timers, weather, date/time, lists, broadcast, media search,
// HassRespond) are counted apart; every sentence of an in-scope intent counts.
//
// Usage: hearth-nlu-eval [--data DIR] [--lang zh-cn,en,...] [--quiet] [--text SENTENCE]
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "devices/registry.hpp"
#include "nlu/recognizer.hpp"

namespace nlu = hearth::nlu;
namespace proto = hearth::proto;
using nlohmann::json;

namespace {

// The intents Hearth implements: every sentence of these counts.
const std::set<std::string> kInScopeIntents = {
    "HassTurnOn",      "HassTurnOff",      "HassLightSet",          "HassClimateSetTemperature",
    "HassClimateGetTemperature", "HassGetState", "HassMediaPause", "HassMediaUnpause",
    "HassMediaNext",   "HassMediaPrevious", "HassSetVolume",        "HassSetPosition",
    "HassVacuumStart", "HassVacuumReturnToBase", "HassNevermind"};

const std::set<std::string> kMappedBinaryClasses = {"motion", "occupancy", "presence", "door", "window",
                                                     "opening", "garage_door"};

std::string sanitize(std::string s) {
    std::string out;
    for (const unsigned char c : s) {
        const char l = static_cast<char>(std::tolower(c));
        out += (std::isalnum(c) && c < 0x80) || l == '_' || l == '-' || l == '.' ? l : '_';
    }
    if (out.size() > 64) out.resize(64);
    return out;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

proto::Capability cap(std::string attribute) { return *proto::canonical_capability(attribute); }
proto::Capability custom(std::string attribute, proto::ValueType type, proto::Access access) {
    proto::Capability c;
    c.attribute = std::move(attribute);
    c.type = type;
    c.access = access;
    return c;
}

// One fixture home: registry, scene catalogue, aliases and the lookups the comparison needs.
struct Home {
    hearth::devices::Registry registry;
    nlu::Vocabulary vocabulary;
    std::map<std::string, std::set<std::string>> ids_by_name;  // lower-case name → device/scene ids
    std::map<std::string, std::string> area_by_name;            // lower-case name or id → area id
    std::map<std::string, std::string> domain_of;               // device id → HA domain
    std::map<std::string, std::string> class_of;                // device id → HA device_class
    std::map<std::string, std::string> floor_of_area;           // area id → floor id
    std::map<std::string, std::string> floor_by_name;           // lower-case name or id → floor id
    std::map<std::string, std::string> floor_name;              // floor id → its name
};

std::optional<double> number_of(const json& j) {
    if (j.is_number()) return j.get<double>();
    if (j.is_string()) {
        try {
            std::size_t used = 0;
            const auto text = j.get<std::string>();
            const double d = std::stod(text, &used);
            if (used != text.size()) return std::nullopt;  // "2024-04-01" is a date, not 2024
            return d;
        } catch (...) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

void add_area(Home& h, const json& a, bool zh) {
    const auto name = a.value("name", std::string{});
    if (h.area_by_name.contains(lower(name))) return;  // an overlay's "Kitchen" is the fixture's kitchen
    const auto id = sanitize(a.value("id", name));
    if (a.contains("floor") && a["floor"].is_string()) h.floor_of_area[id] = sanitize(a["floor"].get<std::string>());
    proto::Area area{proto::AreaId(id), zh ? proto::LocalizedName{name, ""} : proto::LocalizedName{"", name}, std::nullopt};
    if (const auto f = h.floor_of_area.find(id); f != h.floor_of_area.end()) {
        const auto floor_name = h.floor_name.count(f->second) ? h.floor_name.at(f->second) : f->second;
        area.floor = proto::Floor{f->second, zh ? proto::LocalizedName{floor_name, ""} : proto::LocalizedName{"", floor_name}, std::nullopt};
    }
    h.registry.upsert_area(area);
    h.area_by_name[lower(name)] = id;
    h.area_by_name[lower(a.value("id", name))] = id;
    h.area_by_name[id] = id;
    for (const auto& v : a.value("name_variants", json::array())) h.area_by_name[lower(v.get<std::string>())] = id;
}

void add_entity(Home& h, const json& e, bool zh) {
    const auto name = e.value("name", std::string{});
    const auto domain = e.value("domain", std::string{});
    const auto id = sanitize(e.value("id", domain + "." + name));
    const auto lname = lower(name);
    if (domain == "scene" || domain == "script") {
        h.vocabulary.scenes.push_back({proto::SceneId(id), zh ? proto::LocalizedName{name, ""} : proto::LocalizedName{"", name}, {}});
        h.ids_by_name[lname].insert(id);
        return;
    }
    const auto attributes = e.value("attributes", json::object());
    const auto device_class = attributes.value("device_class", std::string{});
    proto::DeviceDescription d;
    d.id = proto::DeviceId(id);
    d.device_class = device_class;
    d.name = zh ? proto::LocalizedName{name, ""} : proto::LocalizedName{"", name};
    if (e.contains("area") && e["area"].is_string()) d.area = proto::AreaId(sanitize(e["area"].get<std::string>()));
    proto::Attributes state;
    const auto st = e.value("state", json{});
    const auto st_text = st.is_string() ? st.get<std::string>() : std::string{};
    using K = proto::DeviceKind;
    if (domain == "light") {
        d.kind = K::light;
        d.capabilities = {cap("on"), cap("brightness"), custom("color", proto::ValueType::text, proto::Access::read | proto::Access::write)};
        state["on"] = st_text == "on";
    } else if (domain == "switch") {
        d.kind = K::switch_;
        d.capabilities = {cap("on")};
        state["on"] = st_text == "on";
    } else if (domain == "fan") {
        d.kind = K::fan;
        d.capabilities = {cap("on")};
        state["on"] = st_text == "on";
    } else if (domain == "cover" || domain == "valve") {
        d.kind = domain == "cover" ? K::curtain : K::other;
        d.capabilities = {cap("position")};
        state["position"] = number_of(attributes.value("position", json{})).value_or(st_text == "open" ? 100.0 : 0.0);
    } else if (domain == "climate") {
        d.kind = K::thermostat;
        auto target = cap("target_temperature");
        target.min = 0;   // fixtures may use Fahrenheit
        target.max = 100;
        d.capabilities = {cap("on"), cap("hvac_mode"), target, cap("temperature")};
        if (const auto t = number_of(attributes.value("current_temperature", json{}))) state["temperature"] = *t;
    } else if (domain == "lock") {
        d.kind = K::lock;
        d.capabilities = {cap("locked")};
        state["locked"] = st_text == "locked";
    } else if (domain == "media_player") {
        d.kind = lower(name).find("tv") != std::string::npos ? K::tv : K::speaker;
        d.capabilities = {cap("on"), cap("playback"), cap("volume"), cap("skip")};
        state["playback"] = std::string(st_text == "playing" ? "playing" : "paused");
    } else if (domain == "vacuum") {
        d.kind = K::vacuum;
        d.capabilities = {cap("cleaning"), cap("battery")};
    } else if (domain == "sensor") {
        // A reading Hearth has a capability for goes under that attribute, so speech can read it.
        const auto unit = attributes.value("unit_of_measurement", std::string{});
        const auto reading = device_class.empty() && (unit == "°C" || unit == "°F") ? std::string("temperature") : device_class;
        const bool canonical = !reading.empty() && proto::canonical_capability(reading) != nullptr;
        const auto attribute = canonical ? reading : std::string("value");
        d.kind = reading == "temperature" || reading == "humidity" ? K::climate_sensor : K::sensor;
        if (canonical) {
            d.capabilities = {cap(attribute)};
            if (const auto v = number_of(st)) state[attribute] = *v;
        } else if (const auto v = number_of(st)) {
            d.capabilities = {custom(attribute, proto::ValueType::number, proto::Access::read)};
            state[attribute] = *v;
        } else {
            d.capabilities = {custom(attribute, proto::ValueType::text, proto::Access::read)};
            state[attribute] = st_text;
        }
    } else if (domain == "binary_sensor") {
        if (device_class == "motion" || device_class == "occupancy" || device_class == "presence") {
            d.kind = K::presence_sensor;
            d.capabilities = {cap("occupancy")};
            state["occupancy"] = st_text == "on";
        } else if (kMappedBinaryClasses.contains(device_class)) {
            d.kind = K::contact_sensor;
            d.capabilities = {cap("contact")};
            state["contact"] = st_text != "on";
        } else {
            d.kind = K::sensor;
            d.capabilities = {custom("detected", proto::ValueType::boolean, proto::Access::read)};
            state["detected"] = st_text == "on";
        }
    } else if (domain == "person" || domain == "device_tracker") {
        d.kind = K::other;  // Hearth has no kind for people; the sentence still counts
        d.capabilities = {custom("presence", proto::ValueType::text, proto::Access::read)};
        state["presence"] = st_text;
    } else {
        return;  // weather, todo: intents out of scope
    }
    if (h.registry.find(d.id)) {  // a second record of one entity: another name for it
        h.vocabulary.aliases.push_back({d.id, name});
        h.ids_by_name[lname].insert(id);
        return;
    }
    h.registry.upsert(d);
    h.registry.apply_state(d.id, state);
    h.registry.set_availability(d.id, hearth::devices::Availability::online);
    h.domain_of[id] = domain;
    h.class_of[id] = device_class;
    h.ids_by_name[lname].insert(id);
    for (const auto& v : e.value("name_variants", json::array())) {
        const auto variant = v.get<std::string>();
        h.ids_by_name[lower(variant)].insert(id);
        if (variant != name) h.vocabulary.aliases.push_back({d.id, variant});
    }
}

Home build_home(const json& fixture, const json* overlay, bool zh) {
    Home h;
    for (const auto& f : fixture.value("floors", json::array())) {
        const auto id = sanitize(f.value("id", f.value("name", std::string{})));
        h.floor_by_name[lower(f.value("name", std::string{}))] = id;
        h.floor_name[id] = f.value("name", std::string{});
        h.floor_by_name[id] = id;
        for (const auto& v : f.value("name_variants", json::array())) h.floor_by_name[lower(v.get<std::string>())] = id;
    }
    for (const auto& a : fixture.value("areas", json::array())) add_area(h, a, zh);
    const bool own_entities = overlay && overlay->contains("entities");
    if (overlay)
        for (const auto& a : overlay->value("areas", json::array())) add_area(h, a, zh);
    for (const auto& e : (own_entities ? (*overlay)["entities"] : fixture.value("entities", json::array())))
        add_entity(h, e, zh);
    return h;
}

struct Verdict {
    enum Kind { pass, fail, unsupported } kind = pass;
    std::string reason;
};

std::string equivalent_state(const std::string& s) {
    if (s == "open") return "on";
    if (s == "closed") return "off";
    return s;
}

// Values of a slot that may be a string or a list of acceptable strings.
std::set<std::string> one_or_many(const json& j) {
    std::set<std::string> out;
    if (j.is_string()) out.insert(j.get<std::string>());
    if (j.is_array())
        for (const auto& v : j)
            if (v.is_string()) out.insert(v.get<std::string>());
    return out;
}

std::optional<std::string> find_area(const Home& h, const std::string& name) {
    for (const auto& key : {lower(name), sanitize(name), sanitize(name) + "_id"})
        if (const auto it = h.area_by_name.find(key); it != h.area_by_name.end()) return it->second;
    return std::nullopt;
}

// True when the fixture home has a device of that HA domain (of one of the classes, in that area,
// when given).
bool home_has(const Home& h, const std::string& domain, const std::optional<std::string>& area,
              const std::set<std::string>& classes = {}) {
    for (const auto& [id, d] : h.domain_of) {
        if (d != domain) continue;
        if (!classes.empty() && !classes.contains(h.class_of.at(id))) continue;
        if (!area || h.registry.find(proto::DeviceId(id))->description.area.value == *area) return true;
    }
    return false;
}

// HA's tests match sentences without checking that the home has the device ("打开厨房的风扇" in a
// kitchen without a fan). Saying the device is missing is then the right reply, not a failure.
bool home_lacks_what_is_asked(const json& test, const Home& h) {
    const auto& slots = test["slots"];
    // The climate intents act on climate entities only, with or without a domain slot.
    const auto intent = test.value("intent", std::string{});
    const auto domain = slots.contains("domain") ? slots["domain"]
                        : intent == "HassClimateSetTemperature" || intent == "HassClimateGetTemperature" ? json("climate")
                                                                                                         : json{};
    if (!domain.is_string() || (slots.contains("name") && slots["name"] != "all")) return false;
    std::optional<std::string> area;
    if (slots.contains("area") && slots["area"].is_string()) {
        area = find_area(h, slots["area"].get<std::string>());
        if (!area) return true;
    }
    return !home_has(h, domain.get<std::string>(), area, one_or_many(slots.value("device_class", json{})));
}

std::string first_response(const json& test) {
    const auto r = test.value("response", json::array());
    return r.is_array() && !r.empty() && r[0].is_string() ? r[0].get<std::string>() : std::string{};
}

bool starts_with_any(const std::string& s, std::initializer_list<const char*> prefixes) {
    for (const auto* p : prefixes)
        if (s.starts_with(p)) return true;
    return false;
}

// The yes or no a reply starts with, if any.
std::optional<bool> polarity(const std::string& reply) {
    if (starts_with_any(reply, {"Yes", "yes", "是", "係", "對", "对"})) return true;
    if (starts_with_any(reply, {"No", "no", "Not any", "不", "唔", "沒", "没", "否"})) return false;
    return std::nullopt;
}

// Numbers standing on their own in a reply ("18", "1.5", "2024-04-01"), not inside names ("CO2").
std::set<std::string> numbers_in(const std::string& reply) {
    std::set<std::string> out;
    for (std::size_t i = 0; i < reply.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(reply[i]))) continue;
        const bool glued = i > 0 && (std::isalnum(static_cast<unsigned char>(reply[i - 1])) || reply[i - 1] == '.');
        std::size_t j = i;
        while (j < reply.size() && (std::isdigit(static_cast<unsigned char>(reply[j])) ||
                                    ((reply[j] == '.' || reply[j] == '-' || reply[j] == ':') && j + 1 < reply.size() &&
                                     std::isdigit(static_cast<unsigned char>(reply[j + 1])))))
            ++j;
        if (!glued) out.insert(reply.substr(i, j - i));
        i = j;
    }
    return out;
}

// HA's reply names some entities and "N more": the N is a count of names, not a value.
bool is_name_list(const std::string& reply) {
    return reply.find(" more") != std::string::npos || reply.find("另外") != std::string::npos;
}

bool ha_fails_too(const std::string& reply) {
    for (const auto* word : {"not found", "Sorry", "sorry", "抱歉", "對不起", "对不起", "無法", "无法"})
        if (reply.find(word) != std::string::npos) return true;
    return false;
}

// The answer to a question against HA's expected reply: the same yes or no, and its numbers.
std::optional<std::string> answer_problem(const json& test, const nlu::Understanding& u) {
    const auto expected = first_response(test);
    if (expected.empty()) return std::nullopt;
    if (const auto want = polarity(expected)) {
        const auto got = polarity(u.speech);
        if (got != want) return std::string("answer should say ") + (*want ? "yes" : "no") + " (HA: " + expected + ")";
    }
    if (is_name_list(expected)) return std::nullopt;
    const auto mine = numbers_in(u.speech);
    for (const auto& n : numbers_in(expected))
        if (!mine.contains(n)) return "answer lacks " + n + " (HA: " + expected + ")";
    return std::nullopt;
}

Verdict judge(const json& test, const nlu::Understanding& u, const Home& h) {
    const auto expected_intent = test["intent"].get<std::string>();
    const auto& slots = test["slots"];
    if (!u.intent) return {Verdict::fail, "no intent (" + std::string(nlu::to_string(u.outcome)) + "): " + u.speech};
    if (u.intent->name != expected_intent) return {Verdict::fail, "intent " + u.intent->name + " (" + u.speech + ")"};
    if (u.outcome == nlu::Outcome::clarify) return {Verdict::fail, "asked back: " + u.speech};
    const bool question = expected_intent == "HassGetState" || expected_intent == "HassClimateGetTemperature";
    if (u.outcome == nlu::Outcome::failed) {
        if (u.targets.empty() && home_lacks_what_is_asked(test, h)) return {};
        if (!ha_fails_too(first_response(test))) return {Verdict::fail, "failed: " + u.speech};
    }
    if (question && u.outcome != nlu::Outcome::answer) return {Verdict::fail, "no answer: " + u.speech};
    if (question)
        if (const auto problem = answer_problem(test, u)) return {Verdict::fail, *problem + " — got: " + u.speech};
    const auto mine = [&](const char* key) -> const proto::Value* {
        const auto it = u.intent->slots.find(key);
        return it == u.intent->slots.end() ? nullptr : &it->second;
    };
    const auto domain = slots.value("domain", json{});
    // Name: the entity (or scene) the test means.
    if (slots.contains("name") && slots["name"].is_string() && slots["name"] != "all") {
        const auto it = h.ids_by_name.find(lower(slots["name"].get<std::string>()));
        if (it == h.ids_by_name.end()) return {Verdict::fail, "fixture has no entity named " + slots["name"].dump()};
        if (domain == "scene" || domain == "script") {
            const auto* scene = mine("scene");
            if (!scene || !it->second.contains(proto::to_display(*scene))) return {Verdict::fail, "scene not matched"};
        } else {
            if (u.targets.empty()) return {Verdict::fail, "no target for name " + slots["name"].dump()};
            for (const auto& t : u.targets)
                if (!it->second.contains(t.value)) return {Verdict::fail, "target " + t.value + " is not " + slots["name"].dump()};
        }
    }
    if (slots.contains("area") && slots["area"].is_string()) {
        const auto expected = find_area(h, slots["area"].get<std::string>());
        if (!expected) return {Verdict::fail, "fixture has no area " + slots["area"].dump()};
        const auto* area = mine("area");
        bool ok = area && proto::to_display(*area) == *expected;
        if (!area && !u.targets.empty()) {
            ok = true;
            for (const auto& t : u.targets) ok = ok && h.registry.find(t)->description.area.value == *expected;
        }
        if (!ok) return {Verdict::fail, "area " + (area ? proto::to_display(*area) : std::string("none")) + " is not " + *expected};
    }
    if (domain.is_string() && domain != "scene" && domain != "script") {
        for (const auto& t : u.targets) {
            const auto d = h.domain_of.find(t.value);
            if (d != h.domain_of.end() && d->second != domain.get<std::string>())
                return {Verdict::fail, "target " + t.value + " is not a " + domain.get<std::string>()};
        }
        // An empty answer is right when the fixture home has no such device there.
        std::optional<std::string> area;
        if (slots.contains("area") && slots["area"].is_string()) area = find_area(h, slots["area"].get<std::string>());
        if (u.targets.empty() && expected_intent != "HassGetState" && home_has(h, domain.get<std::string>(), area))
            return {Verdict::fail, "no " + domain.get<std::string>() + " target"};
    }
    for (const auto& [theirs, ours] : std::vector<std::pair<std::string, std::string>>{
             {"brightness", "brightness"}, {"temperature", "temperature"}, {"position", "position"}, {"volume_level", "volume"}}) {
        if (!slots.contains(theirs) || !slots[theirs].is_number()) continue;
        const auto* v = mine(ours.c_str());
        const auto* n = v ? proto::as_number(*v) : nullptr;
        if (!n || std::fabs(*n - slots[theirs].get<double>()) > 0.01)
            return {Verdict::fail, ours + " " + (v ? proto::to_display(*v) : std::string("missing")) + " is not " + slots[theirs].dump()};
    }
    // Device class, from the slot or the request context: every target must be of one of them.
    auto classes = one_or_many(slots.value("device_class", json{}));
    const auto context = test.value("context", json::object());
    if (classes.empty()) classes = one_or_many(context.value("device_class", json{}));
    if (!classes.empty()) {
        for (const auto& t : u.targets) {
            const auto c = h.class_of.find(t.value);
            if (c == h.class_of.end() || !classes.contains(c->second))
                return {Verdict::fail, "target " + t.value + " is not of class " + *classes.begin()};
        }
        if (u.targets.empty() && !question) return {Verdict::fail, "no target of class " + *classes.begin()};
    }
    if (const auto domains = one_or_many(context.value("domain", json{})); !domains.empty())
        for (const auto& t : u.targets) {
            const auto d = h.domain_of.find(t.value);
            if (d == h.domain_of.end() || !domains.contains(d->second))
                return {Verdict::fail, "target " + t.value + " is not a " + *domains.begin()};
        }
    // Floor: every target on it, and something targeted.
    if (slots.contains("floor") && slots["floor"].is_string()) {
        const auto f = h.floor_by_name.find(lower(slots["floor"].get<std::string>()));
        if (f == h.floor_by_name.end()) return {Verdict::fail, "fixture has no floor " + slots["floor"].dump()};
        if (u.targets.empty()) return {Verdict::fail, "nothing targeted on floor " + f->second};
        for (const auto& t : u.targets) {
            const auto area = h.registry.find(t)->description.area.value;
            const auto on = h.floor_of_area.find(area);
            if (on == h.floor_of_area.end() || on->second != f->second)
                return {Verdict::fail, "target " + t.value + " is not on floor " + f->second};
        }
    }
    if (slots.contains("color") && slots["color"].is_string()) {
        const auto* v = mine("color");
        if (!v || proto::to_display(*v) != slots["color"].get<std::string>()) return {Verdict::fail, "colour not matched"};
    }
    if (slots.contains("state") && slots["state"].is_string()) {
        const auto* v = mine("state");
        if (!v || equivalent_state(proto::to_display(*v)) != equivalent_state(slots["state"].get<std::string>()))
            return {Verdict::fail, "state " + (v ? proto::to_display(*v) : std::string("missing")) + " is not " + slots["state"].dump()};
    }
    return {};
}

std::optional<std::string> unsupported(const json& test) {
    const auto intent = test["intent"].get<std::string>();
    if (!kInScopeIntents.contains(intent)) return "intent " + intent;
    return std::nullopt;
}

struct Tally {
    int total = 0, passed = 0, unsupported = 0, known_ha_failures = 0;
};

}  // namespace

int main(int argc, char** argv) {
    std::string data = std::string(HEARTH_SHARED_DIR) + "/testdata/ha-intents";
    std::vector<std::string> languages = {"zh-cn", "en", "zh-hk", "zh-tw"};
    bool quiet = false;
    std::string explain;  // --text: show the full answer for one sentence against the first language's home
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--data" && i + 1 < argc) data = argv[++i];
        else if (a == "--lang" && i + 1 < argc) {
            languages.clear();
            std::stringstream ss(argv[++i]);
            for (std::string l; std::getline(ss, l, ',');) languages.push_back(l);
        } else if (a == "--quiet") quiet = true;
        else if (a == "--text" && i + 1 < argc) explain = argv[++i];
        else {
            std::cerr << "usage: hearth-nlu-eval [--data DIR] [--lang zh-cn,en,zh-hk,zh-tw] [--quiet]\n";
            return 2;
        }
    }
    std::map<std::string, Tally> by_language;
    for (const auto& lang : languages) {
        std::ifstream fixture_file(data + "/" + lang + ".fixtures.json");
        std::ifstream tests_file(data + "/" + lang + ".tests.jsonl");
        if (!fixture_file || !tests_file) {
            std::cerr << "missing test data for " << lang << " in " << data << "\n";
            return 1;
        }
        const json fixture = json::parse(fixture_file);
        const bool zh = lang.starts_with("zh");
        std::map<std::string, std::pair<Home, std::unique_ptr<nlu::Recognizer>>> homes;
        const auto home_for = [&](const std::string& key) -> std::pair<Home, std::unique_ptr<nlu::Recognizer>>& {
            auto it = homes.find(key);
            if (it != homes.end()) return it->second;
            const json* overlay = nullptr;
            if (fixture.contains("per_file") && fixture["per_file"].contains(key)) overlay = &fixture["per_file"][key];
            auto& slot = homes[key];
            slot.first = build_home(fixture, overlay, zh);
            slot.second = std::make_unique<nlu::Recognizer>(slot.first.registry, slot.first.vocabulary);
            return slot;
        };
        if (!explain.empty()) {
            auto& [home, recognizer] = home_for("_fixtures.yaml");
            std::optional<proto::AreaId> area;
            if (const char* a = std::getenv("HEARTH_EVAL_AREA")) area = proto::AreaId(a);
            std::cout << nlu::to_json(recognizer->recognize({explain, area, "explain", {}}, home.registry)).dump(2) << "\n";
            return 0;
        }
        std::map<std::string, Tally> by_intent;
        Tally& all = by_language[lang];
        std::vector<std::string> failures, skipped;
        std::map<std::string, int> unsupported_by_reason;
        for (std::string line; std::getline(tests_file, line);) {
            if (line.empty()) continue;
            const json test = json::parse(line);
            const auto intent = test["intent"].get<std::string>();
            Tally& t = by_intent[intent];
            ++all.total;
            ++t.total;
            if (const auto why = unsupported(test)) {
                ++all.unsupported;
                ++t.unsupported;
                skipped.push_back(test["text"].get<std::string>() + "  [" + *why + "]");
                ++unsupported_by_reason[*why];
                continue;
            }
            auto& [home, recognizer] = home_for(test.value("fixtures", std::string("_fixtures.yaml")));
            nlu::Request request{test["text"].get<std::string>(), std::nullopt, "eval", {}};
            const auto context = test.value("context", json::object());
            if (context.contains("area")) {
                auto name = lower(context["area"].get<std::string>());
                if (name == "__context_area__") name = "living room";
                if (const auto area = find_area(home, name)) request.area = proto::AreaId(*area);
            } else if (test.value("fixtures", std::string{}).starts_with("tests/")) {
                request.area = proto::AreaId("living_room_id");
            }
            const auto u = recognizer->recognize(request, home.registry);
            const auto verdict = judge(test, u, home);
            if (verdict.kind == Verdict::pass) {
                ++all.passed;
                ++t.passed;
            } else {
                if (test.value("expected_to_fail", false)) ++all.known_ha_failures;
                failures.push_back(intent + " | " + test["text"].get<std::string>() + " | expected " + test["slots"].dump() +
                                   " | " + verdict.reason +
                                   (test.value("expected_to_fail", false) ? " [HA fails it too]" : ""));
            }
        }
        std::cout << "== " << lang << " ==\n";
        std::cout << std::left << std::setw(30) << "intent" << std::right << std::setw(8) << "passed" << std::setw(10)
                  << "supported" << std::setw(9) << "accuracy" << std::setw(13) << "unsupported" << "\n";
        for (const auto& [intent, t] : by_intent) {
            const int supported = t.total - t.unsupported;
            std::cout << std::left << std::setw(30) << intent << std::right << std::setw(8) << t.passed << std::setw(10)
                      << supported << std::setw(8) << std::fixed << std::setprecision(1)
                      << (supported ? 100.0 * t.passed / supported : 0.0) << "%" << std::setw(13) << t.unsupported << "\n";
        }
        const int supported = all.total - all.unsupported;
        std::cout << std::left << std::setw(30) << "TOTAL" << std::right << std::setw(8) << all.passed << std::setw(10)
                  << supported << std::setw(8) << std::fixed << std::setprecision(1)
                  << (supported ? 100.0 * all.passed / supported : 0.0) << "%" << std::setw(13) << all.unsupported << "\n";
        std::cout << "(" << all.known_ha_failures << " failures are sentences HA itself fails)\n";
        std::cout << "unsupported:";
        for (const auto& [why, count] : unsupported_by_reason) std::cout << " " << why << " " << count << ";";
        std::cout << "\n";
        if (!quiet) {
            std::cout << "-- failures (" << failures.size() << ")\n";
            for (const auto& f : failures) std::cout << "  " << f << "\n";
        }
        std::cout << "\n";
    }
    std::cout << "== summary ==\n";
    for (const auto& [lang, t] : by_language) {
        const int supported = t.total - t.unsupported;
        std::cout << std::left << std::setw(8) << lang << std::right << std::setw(6) << t.passed << " / " << supported
                  << "  " << std::fixed << std::setprecision(1) << (supported ? 100.0 * t.passed / supported : 0.0)
                  << "%   unsupported " << t.unsupported << " of " << t.total << "\n";
    }
    return 0;
}
