#include "scenes/timestamp.hpp"

#include <charconv>

namespace hearth::scenes {

using namespace std::chrono;

namespace {

/// Reads exactly `n` digits at `at`, advancing it.
std::optional<int> digits(std::string_view text, std::size_t& at, std::size_t n) {
    if (at + n > text.size()) return std::nullopt;
    int v = 0;
    const auto* first = text.data() + at;
    const auto [end, ec] = std::from_chars(first, first + n, v);
    if (ec != std::errc{} || end != first + n || *first == '-' || *first == '+') return std::nullopt;
    at += n;
    return v;
}

bool expect(std::string_view text, std::size_t& at, char c) {
    if (at >= text.size() || text[at] != c) return false;
    ++at;
    return true;
}

/// `Z`, `±HH:MM`, `±HHMM`, `±HH` or nothing (UTC), to the end of the text.
std::optional<minutes> offset_at_end(std::string_view text, std::size_t at) {
    if (at == text.size()) return minutes(0);
    if ((text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) return minutes(0);
    if (text[at] != '+' && text[at] != '-') return std::nullopt;
    const int sign = text[at++] == '-' ? -1 : 1;
    const auto h = digits(text, at, 2);
    if (!h || *h > 23) return std::nullopt;
    int m = 0;
    if (at < text.size()) {
        if (text[at] == ':') ++at;
        const auto mm = digits(text, at, 2);
        if (!mm || *mm > 59) return std::nullopt;
        m = *mm;
    }
    if (at != text.size()) return std::nullopt;
    return minutes(sign * (*h * 60 + m));
}

}  // namespace

std::optional<TimePoint> parse_iso8601(std::string_view text) noexcept {
    std::size_t at = 0;
    const auto y = digits(text, at, 4);
    if (!y || !expect(text, at, '-')) return std::nullopt;
    const auto mo = digits(text, at, 2);
    if (!mo || !expect(text, at, '-')) return std::nullopt;
    const auto d = digits(text, at, 2);
    if (!d || !(expect(text, at, 'T') || expect(text, at, 't'))) return std::nullopt;
    const auto h = digits(text, at, 2);
    if (!h || !expect(text, at, ':')) return std::nullopt;
    const auto mi = digits(text, at, 2);
    if (!mi || !expect(text, at, ':')) return std::nullopt;
    const auto s = digits(text, at, 2);
    if (!s) return std::nullopt;
    milliseconds fraction{0};
    if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
        ++at;
        const auto start = at;
        int scale = 100;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            fraction += milliseconds((text[at] - '0') * scale);
            scale /= 10;
            ++at;
        }
        if (at == start) return std::nullopt;
    }
    const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
    if (!date.ok() || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;
    const auto offset = offset_at_end(text, at);
    if (!offset) return std::nullopt;
    const auto ms = sys_days{date} + hours(*h) + minutes(*mi) + seconds(*s) + fraction - *offset;
    constexpr auto kLimit = duration_cast<milliseconds>(TimePoint::duration::max()) - days(1);
    if (ms.time_since_epoch() > kLimit || ms.time_since_epoch() < -kLimit) return std::nullopt;
    return TimePoint{ms.time_since_epoch()};
}

std::string format_iso8601(TimePoint t, const TimeZone& zone) {
    const auto utc = floor<seconds>(t);
    const auto offset = zone.offset_at(utc);
    const auto local = utc + offset;
    const auto day = floor<days>(local);
    const year_month_day date{day};
    const hh_mm_ss time{local - day};
    const auto digits = [](long long v, int width) {
        std::string s(static_cast<std::size_t>(width), '0');
        for (auto i = s.size(); i-- > 0; v /= 10) s[i] = static_cast<char>('0' + v % 10);
        return s;
    };
    return digits(static_cast<int>(date.year()), 4) + "-" + digits(static_cast<unsigned>(date.month()), 2) + "-" +
           digits(static_cast<unsigned>(date.day()), 2) + "T" + digits(time.hours().count(), 2) + ":" +
           digits(time.minutes().count(), 2) + ":" + digits(time.seconds().count(), 2) + format_offset(offset);
}

}  // namespace hearth::scenes
