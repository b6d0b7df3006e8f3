#pragma once
// The Air program's decision, pure: a purifier's level from indoor PM2.5 by a user-editable curve
// with hysteresis, stepped up for the household's allergies. Time comes in as the local month.
// Every decision carries its reason in English and Chinese.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "care/household.hpp"
#include "proto/errc.hpp"

namespace hearth::care {

/// A purifier's level: off, or a fan speed (the canonical fan_speed options).
enum class PurifierLevel { off = 0, low = 1, medium = 2, high = 3 };
std::string_view to_string(PurifierLevel level) noexcept;
std::string_view to_chinese(PurifierLevel level) noexcept;

/// From `pm25` µg/m³ up, at least `level`.
struct CurvePoint {
    double pm25 = 0;
    PurifierLevel level = PurifierLevel::off;
    friend bool operator==(const CurvePoint&, const CurvePoint&) = default;
};

struct AirSettings {
    bool enabled = true;
    /// Ascending PM2.5 with ascending levels; below the first point the purifier is off. The
    /// defaults follow the common bands: 35 (good), 75 (light), 115 (moderate) µg/m³.
    std::vector<CurvePoint> curve = {{35, PurifierLevel::low}, {75, PurifierLevel::medium}, {115, PurifierLevel::high}};
    /// A level is left downwards only once PM2.5 is this far below the point that set it.
    double hysteresis = 5;
    /// Months (1–12) when pollen is in the air; an allergic member steps the level up by one then.
    std::vector<unsigned> pollen_months = {3, 4, 5, 9, 10};
    friend bool operator==(const AirSettings&, const AirSettings&) = default;
};

/// {"enabled", "curve": [{"pm25": 35, "level": "low"}, …], "hysteresis", "pollen_months"}; every
/// field optional. Errors name the field ("curve[1].pm25").
proto::Result<AirSettings> air_settings_from_json(const nlohmann::json& j, const AirSettings& base = {});
nlohmann::json to_json(const AirSettings& settings);

struct AirDecision {
    PurifierLevel curve_level = PurifierLevel::off;  // the curve's, with hysteresis (remember it)
    PurifierLevel level = PurifierLevel::off;        // after the allergy step
    std::string why_en;
    std::string why_zh;
};

/// The level for `pm25`, given the curve level decided last time for this purifier (none at first).
/// `month` is the local month (1–12).
AirDecision decide_air(const AirSettings& settings, double pm25, std::optional<PurifierLevel> last_curve_level,
                       const Household& household, unsigned month);

}  // namespace hearth::care
