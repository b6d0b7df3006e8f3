#include "rules/sun.hpp"

#include <libnova/solar.h>
#include <libnova/transform.h>

namespace hearth::rules {

using namespace std::chrono;

namespace {

constexpr double kUnixEpochJd = 2440587.5;

double julian_day(scenes::TimePoint t) {
    return duration<double>(t.time_since_epoch()).count() / 86400.0 + kUnixEpochJd;
}

scenes::TimePoint from_julian_day(double jd) {
    return scenes::TimePoint{duration_cast<scenes::Clock::duration>(duration<double>((jd - kUnixEpochJd) * 86400.0))};
}

ln_lnlat_posn observer(const scenes::Place& place) {
    ln_lnlat_posn o{};
    o.lat = place.latitude;
    o.lng = place.longitude;
    return o;
}

}  // namespace

std::string_view to_string(SunEvent e) noexcept { return e == SunEvent::sunrise ? "sunrise" : "sunset"; }

std::optional<SunEvent> sun_event_from(std::string_view s) noexcept {
    if (s == "sunrise") return SunEvent::sunrise;
    if (s == "sunset") return SunEvent::sunset;
    return std::nullopt;
}

std::optional<scenes::TimePoint> next_sun_event(SunEvent event, scenes::TimePoint after, const scenes::Place& place) {
    auto o = observer(place);
    const auto local_day = scenes::to_local(after, place).date;
    for (int d = -1; d <= 3; ++d) {
        const auto noon = scenes::at_local(year_month_day{sys_days{local_day} + days(d)}, hours(12), place);
        ln_rst_time rst{};
        if (ln_get_solar_rst(julian_day(noon), &o, &rst) != 0) continue;
        const auto when = floor<seconds>(from_julian_day(event == SunEvent::sunrise ? rst.rise : rst.set));
        if (when > after) return when;
    }
    return std::nullopt;
}

double sun_elevation(scenes::TimePoint t, const scenes::Place& place) {
    auto o = observer(place);
    const double jd = julian_day(t);
    ln_equ_posn equ{};
    ln_get_solar_equ_coords(jd, &equ);
    ln_hrz_posn hrz{};
    ln_get_hrz_from_equ(&equ, &o, jd, &hrz);
    return hrz.alt;
}

}  // namespace hearth::rules
