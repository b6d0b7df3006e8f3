#include "care/air.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "proto/json.hpp"

namespace hearth::care {
namespace {

using proto::Errc;
using proto::make_error;

std::optional<PurifierLevel> level_from(std::string_view text) {
    for (const auto l : {PurifierLevel::off, PurifierLevel::low, PurifierLevel::medium, PurifierLevel::high})
        if (to_string(l) == text) return l;
    return std::nullopt;
}

PurifierLevel level_for(const std::vector<CurvePoint>& curve, double pm25) {
    auto level = PurifierLevel::off;
    for (const auto& p : curve)
        if (pm25 >= p.pm25) level = p.level;
    return level;
}

/// The PM2.5 band that gives `level` ("35–75"), for the reason.
std::string band_of(const std::vector<CurvePoint>& curve, PurifierLevel level) {
    const auto fmt = [](double d) {
        std::string s = std::to_string(d);
        s.erase(s.find_last_not_of('0') + 1);
        if (s.back() == '.') s.pop_back();
        return s;
    };
    for (std::size_t i = 0; i < curve.size(); ++i) {
        if (curve[i].level != level) continue;
        return i + 1 < curve.size() ? fmt(curve[i].pm25) + "–" + fmt(curve[i + 1].pm25) : "≥" + fmt(curve[i].pm25);
    }
    return curve.empty() ? "any" : "<" + fmt(curve.front().pm25);
}

PurifierLevel up_one(PurifierLevel l) {
    return l == PurifierLevel::high ? l : static_cast<PurifierLevel>(static_cast<int>(l) + 1);
}

}  // namespace

std::string_view to_string(PurifierLevel level) noexcept {
    switch (level) {
        case PurifierLevel::off: return "off";
        case PurifierLevel::low: return "low";
        case PurifierLevel::medium: return "medium";
        case PurifierLevel::high: return "high";
    }
    return "off";
}

std::string_view to_chinese(PurifierLevel level) noexcept {
    switch (level) {
        case PurifierLevel::off: return "关闭";
        case PurifierLevel::low: return "低档";
        case PurifierLevel::medium: return "中档";
        case PurifierLevel::high: return "高档";
    }
    return "关闭";
}

proto::Result<AirSettings> air_settings_from_json(const nlohmann::json& j, const AirSettings& base) {
    if (!j.is_object()) return make_error(Errc::invalid_field, "the air program's settings are an object");
    AirSettings s = base;
    auto enabled = proto::optional_bool(j, "enabled");
    if (!enabled) return enabled.error();
    if (*enabled) s.enabled = **enabled;
    auto hysteresis = proto::optional_number(j, "hysteresis");
    if (!hysteresis) return hysteresis.error();
    if (*hysteresis) {
        if (**hysteresis < 0 || **hysteresis > 100) {
            return make_error(Errc::out_of_range, "hysteresis is 0–100 µg/m³", "hysteresis");
        }
        s.hysteresis = **hysteresis;
    }
    if (j.contains("curve") && !j["curve"].is_null()) {
        const auto& list = j["curve"];
        if (!list.is_array() || list.empty() || list.size() > 8) {
            return make_error(Errc::invalid_field, "curve is a list of 1–8 points {pm25, level}", "curve");
        }
        s.curve.clear();
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string at = "curve[" + std::to_string(i) + "]";
            if (!list[i].is_object()) return make_error(Errc::invalid_field, "a curve point is {pm25, level}", at);
            auto pm25 = proto::optional_number(list[i], "pm25");
            if (!pm25) return make_error(Errc::invalid_field, pm25.error().message, at + ".pm25");
            if (!*pm25 || **pm25 < 0 || **pm25 > 1000) {
                return make_error(Errc::invalid_field, "pm25 is a number 0–1000 µg/m³", at + ".pm25");
            }
            auto level_text = proto::optional_string(list[i], "level");
            const auto level = level_text && *level_text ? level_from(**level_text) : std::nullopt;
            if (!level || *level == PurifierLevel::off) {
                return make_error(Errc::invalid_field, "level is one of: low, medium, high", at + ".level");
            }
            if (!s.curve.empty() && (**pm25 <= s.curve.back().pm25 || *level <= s.curve.back().level)) {
                return make_error(Errc::invalid_field, "curve points rise in both pm25 and level", at);
            }
            s.curve.push_back({**pm25, *level});
        }
    }
    if (j.contains("pollen_months") && !j["pollen_months"].is_null()) {
        const auto& list = j["pollen_months"];
        if (!list.is_array() || list.size() > 12) return make_error(Errc::invalid_field, "pollen_months is a list of months 1–12", "pollen_months");
        std::set<unsigned> months;
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (!list[i].is_number_integer() || list[i].get<std::int64_t>() < 1 || list[i].get<std::int64_t>() > 12) {
                return make_error(Errc::invalid_field, "a month is 1–12", "pollen_months[" + std::to_string(i) + "]");
            }
            months.insert(static_cast<unsigned>(list[i].get<std::int64_t>()));
        }
        s.pollen_months.assign(months.begin(), months.end());
    }
    return s;
}

nlohmann::json to_json(const AirSettings& s) {
    auto curve = nlohmann::json::array();
    for (const auto& p : s.curve) curve.push_back({{"pm25", p.pm25}, {"level", to_string(p.level)}});
    return {{"enabled", s.enabled}, {"curve", curve}, {"hysteresis", s.hysteresis}, {"pollen_months", s.pollen_months}};
}

AirDecision decide_air(const AirSettings& settings, double pm25, std::optional<PurifierLevel> last_curve_level,
                       const Household& household, unsigned month) {
    AirDecision d;
    const auto rising = level_for(settings.curve, pm25);
    d.curve_level = rising;
    // Leaving a level downwards waits until the reading is `hysteresis` below its point, so a
    // reading that wobbles around a boundary does not switch the purifier back and forth.
    if (last_curve_level && rising < *last_curve_level) {
        d.curve_level = std::min(*last_curve_level, level_for(settings.curve, pm25 + settings.hysteresis));
    }
    const auto reading = std::to_string(static_cast<long>(std::lround(pm25)));
    d.why_en = "PM2.5 " + reading + " µg/m³ (" + band_of(settings.curve, d.curve_level) + "): " +
               std::string(to_string(d.curve_level));
    d.why_zh = "PM2.5 " + reading + " µg/m³（" + band_of(settings.curve, d.curve_level) + "）：" +
               std::string(to_chinese(d.curve_level));
    if (d.curve_level != rising) {
        d.why_en += ", held until it is " + std::to_string(static_cast<long>(settings.hysteresis)) + " below the band";
        d.why_zh += "，降到区间下限以下 " + std::to_string(static_cast<long>(settings.hysteresis)) + " 才降档";
    }
    d.level = d.curve_level;
    const bool pollen_season =
        std::find(settings.pollen_months.begin(), settings.pollen_months.end(), month) != settings.pollen_months.end();
    std::vector<const Person*> pollen, dust;
    for (const auto& p : household.people) {
        if (pollen_season && p.allergic_to(Allergen::pollen)) pollen.push_back(&p);
        if (p.allergic_to(Allergen::dust)) dust.push_back(&p);
    }
    const auto who = [](const std::vector<const Person*>& people) {
        std::string out;
        for (const auto* p : people) out += (out.empty() ? "" : ", ") + p->name;
        return out;
    };
    if (!pollen.empty()) {
        d.level = up_one(d.level);
        d.why_en += "; one step up for " + who(pollen) + "'s pollen allergy in pollen season";
        d.why_zh += "；花粉季节，" + who(pollen) + " 对花粉过敏，升一档";
    } else if (!dust.empty() && d.level != PurifierLevel::off) {
        d.level = up_one(d.level);
        d.why_en += "; one step up for " + who(dust) + "'s dust allergy";
        d.why_zh += "；" + who(dust) + " 对尘螨过敏，升一档";
    }
    d.why_en += " → " + std::string(to_string(d.level));
    d.why_zh += " → " + std::string(to_chinese(d.level));
    return d;
}

}  // namespace hearth::care
