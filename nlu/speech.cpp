#include "nlu/speech.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <tuple>

namespace hearth::nlu {
namespace {

std::string number_text(double v) {
    char buffer[320];  // any double, fixed notation, one decimal
    const int decimals = std::fabs(v - std::round(v)) < 1e-9 ? 0 : 1;
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, decimals).ptr;
    return std::string(buffer, end);
}

// How a binary sensor of a Home Assistant class says on and off, in English and Chinese.
struct ClassWords {
    std::string_view device_class, on_en, off_en, on_zh, off_zh;
};
constexpr ClassWords kClassWords[] = {
    {"battery", "low", "normal", "电量低", "电量正常"},
    {"battery_charging", "charging", "not charging", "在充电", "没在充电"},
    {"cold", "cold", "normal", "偏冷", "正常"},
    {"connectivity", "connected", "disconnected", "已连接", "未连接"},
    {"heat", "hot", "normal", "发热", "正常"},
    {"light", "light detected", "no light", "有光", "没有光"},
    {"lock", "unlocked", "locked", "没锁", "锁着"},
    {"moisture", "wet", "dry", "潮湿", "干燥"},
    {"plug", "plugged in", "unplugged", "插着", "拔掉了"},
    {"power", "powered", "not powered", "有电", "没电"},
    {"presence", "home", "away", "在家", "不在家"},
    {"problem", "a problem", "OK", "有问题", "正常"},
    {"running", "running", "not running", "在运行", "没在运行"},
    {"safety", "unsafe", "safe", "不安全", "安全"},
    {"tamper", "tampered with", "clear", "被动过", "正常"},
    {"update", "an update available", "up to date", "有更新", "已是最新"},
    {"vibration", "vibrating", "not vibrating", "在震动", "没有震动"},
};

// Whether a binary sensor is on in Home Assistant's sense (open, occupied, detected, wet, …).
std::optional<bool> binary_on(const devices::Device& d) {
    const auto get = [&](const char* a) -> const bool* {
        const auto it = d.state.find(a);
        return it == d.state.end() ? nullptr : proto::as_bool(it->second);
    };
    if (const auto* v = get("occupancy")) return *v;
    if (const auto* v = get("contact")) return !*v;
    if (const auto* v = get("detected")) return *v;
    if (d.description.kind == proto::DeviceKind::sensor)  // an adopted sensor's own yes-or-no reading
        for (const auto& c : d.description.capabilities)
            if (c.type == proto::ValueType::boolean)
                if (const auto* v = get(c.attribute.c_str())) return *v;
    return std::nullopt;
}

std::string_view mood_zh(Mood m) {
    switch (m) {
        case Mood::sleepy: return "晚安";
        case Mood::wake: return "早上好";
        case Mood::leave: return "路上小心";
        case Mood::home: return "欢迎回家";
        case Mood::movie: return "享受电影吧";
        case Mood::reading: return "祝阅读愉快";
        case Mood::too_hot: return "给您降降温";
        case Mood::too_cold: return "给您升升温";
        case Mood::too_dark: return "给您调亮一些";
        case Mood::too_bright: return "给您调暗一些";
        case Mood::stuffy: return "给您净化一下空气";
    }
    return "";
}

std::string_view mood_en(Mood m) {
    switch (m) {
        case Mood::sleepy: return "Good night";
        case Mood::wake: return "Good morning";
        case Mood::leave: return "See you later";
        case Mood::home: return "Welcome home";
        case Mood::movie: return "Enjoy the movie";
        case Mood::reading: return "Happy reading";
        case Mood::too_hot: return "Cooling things down";
        case Mood::too_cold: return "Warming things up";
        case Mood::too_dark: return "Brightening up";
        case Mood::too_bright: return "Dimming down";
        case Mood::stuffy: return "Freshening the air";
    }
    return "";
}

}  // namespace

std::string Speech::name(const proto::LocalizedName& n) const {
    if (zh()) return n.zh.empty() ? n.en : n.zh;
    return n.en.empty() ? n.zh : n.en;
}

std::string Speech::device(const devices::Device& d, const devices::Registry& r) const {
    auto own = name(d.description.name);
    const auto* area = r.find_area(d.description.area);
    if (!area) return own;
    const auto area_name = name(area->name);
    if (area_name.empty() || own.find(area_name) != std::string::npos) return own;
    return zh() ? area_name + own : area_name + " " + own;
}

std::string Speech::list(const std::vector<std::string>& items) const {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += i + 1 == items.size() ? (zh() ? "和" : " and ") : (zh() ? "、" : ", ");
        out += items[i];
    }
    return out;
}

std::string Speech::action(const std::string& intent) const {
    static const std::vector<std::tuple<std::string_view, std::string_view, std::string_view>> table = {
        {"HassTurnOn", "打开", "turned on"},          {"HassTurnOff", "关闭", "turned off"},
        {"HassLightSet", "调好", "adjusted"},         {"HassClimateSetTemperature", "设好温度", "set the temperature of"},
        {"HassSetVolume", "调好音量", "set the volume of"}, {"HassSetPosition", "调好", "set"},
        {"HassMediaPause", "暂停", "paused"},         {"HassMediaUnpause", "继续播放", "resumed"},
        {"HassMediaNext", "切到下一首", "skipped"},   {"HassMediaPrevious", "切到上一首", "went back on"},
        {"HassVacuumStart", "开始打扫", "started"},   {"HassVacuumReturnToBase", "让它回去充电", "sent home"},
    };
    for (const auto& [name, z, e] : table)
        if (name == intent) return std::string(zh() ? z : e);
    return zh() ? "处理" : "handled";
}

// One phrase per distinct payload: "已把卧室灯的亮度调到70%", "turned off the kitchen light".
std::string Speech::phrase(const proto::Attributes& set, const std::string& names) const {
    const auto number = [&](const char* a) -> std::optional<double> {
        const auto it = set.find(a);
        if (it == set.end() || !proto::as_number(it->second)) return std::nullopt;
        return *proto::as_number(it->second);
    };
    const auto boolean = [&](const char* a) -> std::optional<bool> {
        const auto it = set.find(a);
        if (it == set.end() || !proto::as_bool(it->second)) return std::nullopt;
        return *proto::as_bool(it->second);
    };
    const auto text = [&](const char* a) -> std::string {
        const auto it = set.find(a);
        return it == set.end() || !proto::as_text(it->second) ? std::string() : *proto::as_text(it->second);
    };
    std::string mode = text("hvac_mode");
    if (!mode.empty()) {
        static const std::vector<std::pair<std::string_view, std::string_view>> zh_modes = {
            {"cool", "制冷"}, {"heat", "制热"}, {"dry", "除湿"}, {"fan_only", "送风"}, {"auto", "自动"}, {"off", "关闭"}};
        for (const auto& [en, z] : zh_modes)
            if (zh() && en == mode) mode = std::string(z);
        mode = zh() ? "（" + mode + "）" : " (" + mode + ")";
    }
    if (const auto t = number("target_temperature"))
        return (zh() ? "已把" + names + "调到" + number_text(*t) + "度" : "set the " + names + " to " + number_text(*t) + " °C") + mode;
    if (const auto b = number("brightness"))
        return zh() ? "已把" + names + "的亮度调到" + number_text(*b) + "%" : "set the " + names + " brightness to " + number_text(*b) + "%";
    if (const auto v = number("volume"))
        return zh() ? "已把" + names + "的音量调到" + number_text(*v) + "%" : "set the " + names + " volume to " + number_text(*v) + "%";
    if (const auto p = number("position")) {
        if (*p >= 100) return zh() ? "已打开" + names : "opened the " + names;
        if (*p <= 0) return zh() ? "已关上" + names : "closed the " + names;
        return zh() ? "已把" + names + "开到" + number_text(*p) + "%" : "set the " + names + " to " + number_text(*p) + "% open";
    }
    if (const auto l = boolean("locked"))
        return zh() ? (*l ? "已锁上" : "已打开") + names : (*l ? "locked the " : "unlocked the ") + names;
    if (const auto c = boolean("cleaning"))
        return zh() ? (*c ? "已让" + names + "开始打扫" : "已让" + names + "停止打扫、回去充电")
                    : (*c ? "started the " + names : "sent the " + names + " back to its dock");
    if (const auto skip = text("skip"); !skip.empty())
        return zh() ? "已在" + names + (skip == "next" ? "上切到下一首" : "上切到上一首")
                    : (skip == "next" ? "skipped to the next track on the " : "went back a track on the ") + names;
    if (const auto playback = text("playback"); !playback.empty())
        return zh() ? (playback == "playing" ? "已继续播放" : "已暂停") + names
                    : (playback == "playing" ? "resumed the " : "paused the ") + names;
    if (const auto color = text("color"); !color.empty())
        return zh() ? "已把" + names + "调成了" + color : "made the " + names + " " + color;
    if (const auto on = boolean("on"))
        return (zh() ? (*on ? "已打开" : "已关闭") + names : (*on ? "turned on the " : "turned off the ") + names) + mode;
    return zh() ? "已调整" + names : "adjusted the " + names;
}

std::string Speech::done(const std::string&, const std::vector<DeviceCommand>& commands,
                         const devices::Registry& r) const {
    std::vector<std::pair<const proto::Attributes*, std::vector<std::string>>> groups;
    for (const auto& c : commands) {
        const auto* d = r.find(c.device);
        if (!d) continue;
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return *g.first == c.command.set; });
        if (it == groups.end()) {
            groups.push_back({&c.command.set, {}});
            it = std::prev(groups.end());
        }
        it->second.push_back(device(*d, r));
    }
    std::string out = zh() ? "好的，" : "OK, ";
    for (std::size_t i = 0; i < groups.size(); ++i) {
        if (i > 0) out += zh() ? "，" : "; ";
        out += phrase(*groups[i].first, list(groups[i].second));
    }
    return out + (zh() ? "。" : ".");
}

std::string Speech::temperatures(const std::vector<std::pair<const devices::Device*, double>>& readings,
                                 const devices::Registry& r) const {
    std::vector<std::string> parts;
    for (const auto& [d, t] : readings) {
        if (parts.size() == 4) break;
        const auto* area = r.find_area(d->description.area);
        const auto where = area ? name(area->name) : device(*d, r);
        parts.push_back(zh() ? where + number_text(t) + "度" : "the " + where + " is " + number_text(t) + " °C");
    }
    if (readings.size() == 1) {
        return zh() ? "现在是" + number_text(readings.front().second) + "度。"
                    : "It is " + number_text(readings.front().second) + " °C.";
    }
    if (zh()) return "现在" + list(parts) + "。";
    auto s = list(parts);
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s + ".";
}

std::string Speech::states(const std::vector<const devices::Device*>& devices, const std::string& state,
                           const devices::Registry& r, Asked asked) const {
    const auto describe = [&](const devices::Device& d) -> std::string {
        const auto& s = d.state;
        const auto get = [&](const char* a) -> const proto::Value* {
            const auto it = s.find(a);
            return it == s.end() ? nullptr : &it->second;
        };
        if (const auto* v = get("locked"); v && proto::as_bool(*v))
            return *proto::as_bool(*v) ? (zh() ? "锁着" : "locked") : (zh() ? "没锁" : "unlocked");
        if (const auto* v = get("position"); v && proto::as_number(*v))
            return *proto::as_number(*v) > 0 ? (zh() ? "开着" : "open") : (zh() ? "关着" : "closed");
        if (const auto* v = get("on"); v && proto::as_bool(*v))
            return *proto::as_bool(*v) ? (zh() ? "开着" : "on") : (zh() ? "关着" : "off");
        if (const auto* v = get("contact"); v && proto::as_bool(*v))
            return *proto::as_bool(*v) ? (zh() ? "关着" : "closed") : (zh() ? "开着" : "open");
        if (const auto* v = get("occupancy"); v && proto::as_bool(*v))
            return *proto::as_bool(*v) ? (zh() ? "有人" : "occupied") : (zh() ? "没人" : "clear");
        if (const auto on = binary_on(d))
            for (const auto& w : kClassWords)
                if (w.device_class == d.description.device_class)
                    return std::string(*on ? (zh() ? w.on_zh : w.on_en) : (zh() ? w.off_zh : w.off_en));
        if (const auto on = binary_on(d))
            return *on ? (zh() ? "有检测到" : "detected") : (zh() ? "没有检测到" : "not detected");
        for (const auto* a : {"temperature", "humidity", "pm25", "illuminance", "power", "battery"})
            if (const auto* v = get(a); v && proto::as_number(*v)) {
                const auto* c = d.description.find(a);
                return number_text(*proto::as_number(*v)) + (c ? c->unit : "");
            }
        // Any other reading the device reports: its first number or text.
        for (const auto& c : d.description.capabilities) {
            const auto* v = get(c.attribute.c_str());
            if (!v || c.attribute == "transition") continue;
            if (const auto* n = proto::as_number(*v)) return number_text(*n) + (c.unit.empty() ? "" : " " + c.unit);
            if (const auto* t = proto::as_text(*v); t && !t->empty()) return *t;
        }
        return zh() ? "状态未知" : "in an unknown state";
    };
    const auto matches = [&](const devices::Device& d, const std::string& said) {
        if (state.empty()) return true;
        const std::string s = state == "on" || state == "open" ? "on" : state == "locked" ? "locked" : state == "unlocked" ? "unlocked" : "off";
        if (const auto on = binary_on(d); on && (s == "on" || s == "off")) return *on == (s == "on");
        if (s == "on") return said == "开着" || said == "on" || said == "open" || said == "有人" || said == "occupied" || said == "有检测到" || said == "detected";
        if (s == "off") return said == "关着" || said == "off" || said == "closed" || said == "没人" || said == "clear" || said == "没有检测到" || said == "not detected";
        if (s == "locked") return said == "锁着" || said == "locked";
        return said == "没锁" || said == "unlocked";
    };
    const std::string yes = zh() ? "是的，" : "Yes, ", no = zh() ? "不，" : "No, ";
    if (devices.size() == 1 && asked != Asked::count && asked != Asked::which) {
        const auto said = describe(*devices.front());
        const auto sentence = zh() ? device(*devices.front(), r) + "现在" + said + "。"
                                   : std::string(state.empty() ? "The " : "the ") + device(*devices.front(), r) + " is " + said + ".";
        if (state.empty()) return sentence;
        return (matches(*devices.front(), said) ? yes : no) + sentence;
    }
    std::vector<std::string> hits, misses;
    for (const auto* d : devices) (matches(*d, describe(*d)) ? hits : misses).push_back(device(*d, r));
    if (state.empty()) {
        std::vector<std::string> all;
        for (const auto* d : devices) all.push_back(device(*d, r) + (zh() ? describe(*d) : " " + describe(*d)));
        return list(all) + (zh() ? "。" : ".");
    }
    const auto count = std::to_string(hits.size());
    switch (asked) {
        case Asked::count:
            if (hits.empty()) return zh() ? "0个。" : "0.";
            return zh() ? count + "个：" + list(hits) + "。" : count + ": " + list(hits) + ".";
        case Asked::all:
            if (misses.empty()) return zh() ? "是的，都是。" : "Yes, all of them.";
            return zh() ? "不，" + list(misses) + "不是。" : "No, not the " + list(misses) + ".";
        case Asked::which:
            if (hits.empty()) return zh() ? "没有。" : "None.";
            return zh() ? list(hits) + "。" : list(hits) + ".";
        default:
            if (hits.empty()) return zh() ? "没有。" : "No, none.";
            return zh() ? yes + "有" + count + "个：" + list(hits) + "。" : yes + count + ": " + list(hits) + ".";
    }
}

std::string Speech::readings(std::string_view attribute,
                             const std::vector<std::pair<const devices::Device*, double>>& readings,
                             const devices::Registry& r) const {
    static const std::vector<std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>> labels = {
        {"humidity", "湿度", "humidity", "%"}, {"pm25", "PM2.5", "PM2.5", " µg/m³"},
        {"illuminance", "光照", "illuminance", " lx"}, {"battery", "电量", "battery", "%"}, {"power", "功率", "power", " W"}};
    std::string label_zh(attribute), label_en(attribute), unit;
    for (const auto& [a, z, e, u] : labels)
        if (a == attribute) {
            label_zh = z;
            label_en = e;
            unit = u;
        }
    std::vector<std::string> parts;
    for (const auto& [d, v] : readings) {
        if (parts.size() == 4) break;
        parts.push_back(zh() ? device(*d, r) + label_zh + number_text(v) + unit
                             : "the " + device(*d, r) + " " + label_en + " is " + number_text(v) + unit);
    }
    auto s = list(parts);
    if (!zh() && !s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s + (zh() ? "。" : ".");
}

std::string Speech::scene(const std::string& n) const {
    return zh() ? "好的，已切换到" + n + "。" : "OK, " + n + " is on.";
}
std::string Speech::mood_scene(Mood m, const std::string& n) const {
    return zh() ? std::string(mood_zh(m)) + "，已为您开启" + n + "。" : std::string(mood_en(m)) + ", " + n + " is on.";
}
std::string Speech::mood_done(Mood m, const std::vector<DeviceCommand>& commands, const devices::Registry& r) const {
    std::vector<std::string> names;
    for (const auto& c : commands)
        if (const auto* d = r.find(c.device)) names.push_back(device(*d, r));
    return zh() ? std::string(mood_zh(m)) + "：已调整" + list(names) + "。"
                : std::string(mood_en(m)) + ": adjusted the " + list(names) + ".";
}
std::string Speech::which(const std::vector<std::string>& names) const {
    std::vector<std::string> shown(names.begin(), names.begin() + static_cast<long>(std::min<std::size_t>(names.size(), 5)));
    if (zh()) {
        std::string s = "您说的是哪一个：";
        for (std::size_t i = 0; i < shown.size(); ++i) s += (i ? (i + 1 == shown.size() ? "还是" : "、") : "") + shown[i];
        return s + "？";
    }
    std::string s = "Which one do you mean: ";
    for (std::size_t i = 0; i < shown.size(); ++i) s += (i ? (i + 1 == shown.size() ? " or the " : ", the ") : "the ") + shown[i];
    return s + "?";
}
std::string Speech::which_room() const { return zh() ? "您在哪个房间？" : "Which room are you in?"; }
std::string Speech::confirm(const std::string& intent, const std::vector<const devices::Device*>& devices,
                            const devices::Registry& r) const {
    std::vector<std::string> names;
    for (const auto* d : devices) names.push_back(device(*d, r));
    return zh() ? "您是想" + action(intent) + list(names) + "吗？"
                : "Did you want me to " + (intent == "HassTurnOn" ? std::string("turn on") : intent == "HassTurnOff" ? "turn off" : "adjust") +
                      " the " + list(names) + "?";
}
std::string Speech::confirm_scene(const std::string& n) const {
    return zh() ? "您是想切换到" + n + "吗？" : "Did you want " + n + "?";
}
std::string Speech::confirm_mood(Mood m) const {
    return zh() ? "您是想让我" + std::string(mood_zh(m)) + "吗？" : "Should I help with that (" + std::string(to_string(m)) + ")?";
}
std::string Speech::no_device(const proto::Area* area) const {
    if (area) return zh() ? name(area->name) + "没有这样的设备。" : "There is no such device in the " + name(area->name) + ".";
    return zh() ? "没有找到这样的设备。" : "I couldn't find that device.";
}
std::string Speech::missing(const std::string& what, const proto::Area* area) const {
    if (zh()) return (area ? name(area->name) : std::string("家里")) + "没有" + what + "。";
    return "There is no " + what + (area ? " in the " + name(area->name) : std::string(" here")) + ".";
}
std::string Speech::what(const std::string& intent) const {
    if (zh()) return intent == "HassTurnOn" ? "您想打开什么？" : intent == "HassTurnOff" ? "您想关掉什么？" : "您想调哪个设备？";
    return intent == "HassTurnOn" ? "What should I turn on?" : intent == "HassTurnOff" ? "What should I turn off?" : "Which device do you mean?";
}
std::string Speech::no_reading() const {
    return zh() ? "现在还没有读数。" : "There is no reading yet.";
}
std::string Speech::no_scene(Mood) const {
    return zh() ? "还没有为这种情况设置场景。" : "No scene is set up for that yet.";
}
std::string Speech::nothing_for(Mood) const {
    return zh() ? "这个房间没有可以调整的设备。" : "There is nothing in this room I can adjust for that.";
}
std::string Speech::cannot(const devices::Device& d, const std::string&) const {
    return zh() ? name(d.description.name) + "不支持这个操作。" : "The " + name(d.description.name) + " can't do that.";
}
std::string Speech::invalid(const devices::Device& d, const proto::Error& e) const {
    return zh() ? "没法操作" + name(d.description.name) + "：" + e.message + "。"
                : "I can't do that on the " + name(d.description.name) + ": " + e.message + ".";
}
std::string Speech::not_understood() const {
    return zh() ? "抱歉，我没听懂。" : "Sorry, I didn't understand that.";
}
std::string Speech::too_long() const {
    return "That is too long for me (太长了，请说短一点).";
}
std::string Speech::declined() const {
    return zh() ? "好的，我什么也不做。" : "OK, I won't do anything.";
}
std::string Speech::nevermind() const { return zh() ? "好的。" : "OK."; }
std::string Speech::undo() const { return zh() ? "好的，撤销刚才的操作。" : "OK, undoing that."; }
std::string Speech::custom() const { return zh() ? "好的。" : "OK."; }

std::string Speech::scene_unavailable(const std::string& n) const {
    return zh() ? "场景" + n + "现在无法使用" : "The scene " + n + " cannot be used right now";
}
std::string Speech::nothing_to_undo() const { return zh() ? "没有可以撤销的操作" : "There is nothing to undo"; }
std::string Speech::rule_unavailable(const std::string& rule) const {
    return zh() ? "规则" + rule + "现在无法运行" : "The rule " + rule + " cannot run right now";
}

}  // namespace hearth::nlu
