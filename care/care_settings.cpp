#include "care/care_settings.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include "proto/json.hpp"

namespace hearth::care {
namespace {

using proto::Errc;
using proto::make_error;

proto::Error under(std::string prefix, proto::Error e) {
    e.field = prefix + (e.field.empty() ? "" : (e.field.front() == '[' ? "" : ".") + e.field);
    return e;
}

}  // namespace

proto::Result<Webhook> webhook_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return make_error(Errc::invalid_field, "a webhook is {\"url\": \"http://…\"}");
    Webhook w;
    auto url = proto::required_string(j, "url");
    if (!url) return url.error();
    if (url->size() > 2000) return make_error(Errc::invalid_field, "a webhook URL is at most 2000 bytes", "url");
    const auto parsed = boost::urls::parse_uri(*url);
    if (!parsed) return make_error(Errc::invalid_field, "not a URL: " + parsed.error().message(), "url");
    if (parsed->scheme() != "http") return make_error(Errc::invalid_field, "a webhook URL is http:// (receivers on the home's network)", "url");
    if (parsed->host().empty()) return make_error(Errc::invalid_field, "a webhook URL names a host", "url");
    if (parsed->has_userinfo()) return make_error(Errc::invalid_field, "a webhook URL carries no credentials", "url");
    w.url = *url;
    w.host = parsed->host();
    w.port = parsed->has_port() ? std::string(parsed->port()) : "80";
    if (parsed->has_port() && (parsed->port_number() == 0)) return make_error(Errc::invalid_field, "the port is 1–65535", "url");
    w.target = std::string(parsed->encoded_target());
    if (w.target.empty()) w.target = "/";
    auto attempts = proto::optional_integer(j, "attempts");
    if (!attempts) return attempts.error();
    if (*attempts) {
        if (**attempts < 1 || **attempts > 10) return make_error(Errc::out_of_range, "attempts is 1–10", "attempts");
        w.attempts = static_cast<int>(**attempts);
    }
    auto backoff = proto::optional_integer(j, "backoff_ms");
    if (!backoff) return backoff.error();
    if (*backoff) {
        if (**backoff < 10 || **backoff > 600000) return make_error(Errc::out_of_range, "backoff_ms is 10–600000", "backoff_ms");
        w.backoff = std::chrono::milliseconds(**backoff);
    }
    return w;
}

proto::Result<CareSettings> care_settings_from_json(const nlohmann::json& j, const CareSettings& base) {
    if (!j.is_object()) return make_error(Errc::invalid_field, "the care settings are an object");
    CareSettings s = base;
    if (j.contains("notifications")) {
        auto n = notification_settings_from_json(j["notifications"], base.notifications);
        if (!n) return under("notifications", n.error());
        s.notifications = std::move(*n);
    }
    if (j.contains("webhooks")) {
        const auto& list = j["webhooks"];
        if (!list.is_array() || list.size() > 8) return make_error(Errc::invalid_field, "webhooks is a list of at most 8", "webhooks");
        s.webhooks.clear();
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto w = webhook_from_json(list[i]);
            if (!w) return under("webhooks[" + std::to_string(i) + "]", w.error());
            s.webhooks.push_back(std::move(*w));
        }
    }
    if (j.contains("air")) {
        auto air = air_settings_from_json(j["air"], base.air);
        if (!air) return under("air", air.error());
        s.air = std::move(*air);
    }
    if (j.contains("watch")) {
        if (!j["watch"].is_object()) return make_error(Errc::invalid_field, "watch is {\"enabled\"}", "watch");
        auto enabled = proto::optional_bool(j["watch"], "enabled");
        if (!enabled) return under("watch", enabled.error());
        if (*enabled) s.watch.enabled = **enabled;
    }
    for (const auto& [key, value] : j.items()) {
        if (key != "notifications" && key != "webhooks" && key != "air" && key != "watch") {
            return make_error(Errc::invalid_field, "unknown care setting " + key, key);
        }
    }
    return s;
}

nlohmann::json to_json(const CareSettings& s) {
    auto hooks = nlohmann::json::array();
    for (const auto& w : s.webhooks) hooks.push_back({{"url", w.url}, {"attempts", w.attempts}, {"backoff_ms", w.backoff.count()}});
    return {{"notifications", to_json(s.notifications)},
            {"webhooks", hooks},
            {"air", to_json(s.air)},
            {"watch", {{"enabled", s.watch.enabled}}}};
}

}  // namespace hearth::care
