#include "hub/system_routes.hpp"

#include <optional>

#include <nlohmann/json.hpp>

#include "devices/registry.hpp"
#include "hub/clock.hpp"
#include "hub/live_feed.hpp"
#include "hub/metrics.hpp"
#include "hub/request_bodies.hpp"
#include "hub/store.hpp"
#include "scenes/timestamp.hpp"
#include "proto/json.hpp"

namespace hearth::hub {
namespace {

using proto::Errc;

std::int64_t millis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

/// "ok" while writes commit; "full" while the disk refuses them; "failing" for any other write failure.
const char* store_health(const std::optional<proto::Error>& failing) {
    if (!failing) return "ok";
    return failing->code == Errc::storage_full ? "full" : "failing";
}

std::string metrics_text(const SystemRouteLinks& links) {
    const auto& s = links.stats;
    const auto store = links.store.stats();
    std::size_t online = 0;
    for (const auto* d : links.registry.list()) online += d->availability == devices::Availability::online;
    std::string out;
    out.reserve(8192);
    out += "# HELP hearth_build_info the running hearthd's version\n# TYPE hearth_build_info gauge\n";
    out += "hearth_build_info{version=\"" + escape_label_value(HEARTH_VERSION) + "\"} 1\n";
    render_metric(out, "hearth_mqtt_messages_in_total", "counter", "MQTT messages received", double(s.mqtt_messages_in));
    render_metric(out, "hearth_mqtt_retained_in_total", "counter", "retained MQTT messages received (re-read after every (re)connection)",
                  double(s.mqtt_retained_in));
    render_metric(out, "hearth_mqtt_messages_out_total", "counter", "MQTT messages published", double(s.mqtt_messages_out));
    render_metric(out, "hearth_mqtt_rejected_total", "counter", "MQTT payloads refused (malformed, oversized, invalid)", double(s.mqtt_rejected));
    render_metric(out, "hearth_mqtt_flood_dropped_total", "counter", "MQTT messages dropped because their topic was over its rate",
                  double(links.flood().dropped));
    render_metric(out, "hearth_internal_errors_total", "counter", "exceptions that reached the event loop (logged; the hub went on)",
                  double(s.internal_errors));
    render_metric(out, "hearth_mqtt_connected", "gauge", "1 when the broker is connected", links.mqtt_connected() ? 1 : 0);
    render_metric(out, "hearth_broker_connections_total", "counter", "successful broker (re)connections", double(s.broker_connections));
    render_metric(out, "hearth_broker_synced", "gauge", "1 when the broker's retained state has been re-read since the last connection",
                  links.broker.availability_known() ? 1 : 0);
    render_metric(out, "hearth_commands_held", "gauge", "commands waiting for the broker", double(links.held_commands()));
    render_metric(out, "hearth_commands_held_total", "counter", "commands held while the broker was unreachable", double(s.commands_held));
    render_metric(out, "hearth_commands_held_sent_total", "counter", "held commands sent on reconnection", double(s.commands_held_sent));
    render_metric(out, "hearth_commands_held_refused_total", "counter", "held commands refused when their hold ran out (broker_unavailable)",
                  double(s.commands_held_refused));
    render_metric(out, "hearth_state_changes_total", "counter", "attribute changes applied", double(s.state_changes));
    render_metric(out, "hearth_commands_sent_total", "counter", "commands published to devices", double(s.commands_sent));
    render_metric(out, "hearth_commands_refused_total", "counter", "commands refused by validation or transport", double(s.commands_refused));
    render_metric(out, "hearth_commands_confirmed_total", "counter", "commands whose state came back with their context id", double(s.commands_confirmed));
    render_metric(out, "hearth_devices", "gauge", "registered devices", double(links.registry.size()));
    render_metric(out, "hearth_devices_online", "gauge", "devices online", double(online));
    s.http_requests.render(out, "hearth_http_requests_total", "HTTP requests answered, by method, route pattern and status code");
    render_metric(out, "hearth_http_errors_total", "counter", "HTTP answers with status >= 400", double(s.http_errors));
    render_metric(out, "hearth_websocket_clients", "gauge", "connected WebSocket clients", double(links.live.client_count()));
    render_metric(out, "hearth_websocket_messages_total", "counter", "WebSocket messages queued to clients", double(links.live.messages_sent()));
    render_metric(out, "hearth_websocket_slow_clients_dropped_total", "counter", "WebSocket clients cut off because their queue was full",
                  double(links.live.slow_clients_dropped()));
    render_metric(out, "hearth_store_queue_depth", "gauge", "tasks waiting for the SQLite writer", double(store.queue_depth));
    render_metric(out, "hearth_store_rows_written_total", "counter", "rows committed", double(store.rows_written));
    render_metric(out, "hearth_store_rows_dropped_total", "counter", "history/trace rows dropped under overload", double(store.rows_dropped));
    render_metric(out, "hearth_store_failed_writes_total", "counter", "writes SQLite refused (a full disk, a lock held too long)",
                  double(store.failed_writes));
    render_metric(out, "hearth_store_failing", "gauge", "1 while the last transaction failed (e.g. the disk is full)", store.failing ? 1 : 0);
    render_metric(out, "hearth_store_commits_total", "counter", "SQLite transactions committed", double(store.commits));
    render_metric(out, "hearth_store_last_commit_seconds", "gauge", "duration of the last commit",
                  std::chrono::duration<double>(store.last_commit_latency).count());
    const auto& guard = links.guard.stats();
    render_metric(out, "hearth_auth_failures_total", "counter", "requests and WebSocket logins with a missing or wrong token",
                  double(guard.bad_tokens));
    render_metric(out, "hearth_auth_lockouts_total", "counter", "client addresses locked out after repeated bad tokens",
                  double(guard.lockouts));
    render_metric(out, "hearth_auth_locked_refused_total", "counter", "requests and logins refused while their address was locked out",
                  double(guard.locked_refusals));
    render_metric(out, "hearth_http_rate_limited_total", "counter", "requests refused because their address was over its rate",
                  double(guard.rate_limited));
    const auto http = links.http();
    render_metric(out, "hearth_http_connections", "gauge", "open HTTP and WebSocket connections", double(http.connections));
    render_metric(out, "hearth_http_connections_refused_total", "counter",
                  "connections closed at once because the total or per-address cap was reached", double(http.refused));
    render_metric(out, "hearth_http_header_timeouts_total", "counter",
                  "connections closed because a request header did not arrive in time", double(http.header_timeouts));
    render_metric(out, "hearth_websocket_rate_limited_total", "counter",
                  "WebSocket messages refused because their connection was over its message rate", double(links.live.rate_limited()));
    s.http_latency.render(out, "hearth_http_request_seconds", "time to answer an HTTP request, by route pattern");
    links.rule_runs.render(out, "hearth_rule_runs_total", "rule runs and non-runs by result (ran, condition_false, dropped, …)");
    links.utterances.render(out, "hearth_utterances_total",
                            "utterances (REST, WebSocket, MQTT assist) by outcome (acted, answered, not_understood, invalid, …)");
    s.mqtt_handling.render(out, "hearth_mqtt_message_seconds", "time to handle one MQTT message on the hub thread");
    s.command_confirmation.render(out, "hearth_command_confirmation_seconds", "command published until the device reports it applied");
    return out;
}

nlohmann::json broker_json(const SystemRouteLinks& links) {
    const auto& b = links.broker;
    nlohmann::json j{{"state", to_string(b.state())},
                     {"since_ms", millis(b.since())},
                     {"reconnects", b.reconnects()},
                     {"held_commands", links.held_commands()}};
    if (b.synced_at()) j["synced_at_ms"] = millis(*b.synced_at());
    if (b.last_resync()) j["last_resync_ms"] = b.last_resync()->count();
    if (b.last_outage()) j["last_outage_ms"] = b.last_outage()->count();
    if (!b.error().empty()) j["error"] = b.error();
    return j;
}

}  // namespace

nlohmann::json health_json(const SystemRouteLinks& links) {
    // Availability is only known while the broker's retained state is read: during an outage (and
    // until the re-read after it) no device counts as online.
    const bool known = links.broker.availability_known();
    std::size_t online = 0, unknown = 0;
    for (const auto* d : links.registry.list()) {
        online += d->availability == devices::Availability::online;
        unknown += d->availability == devices::Availability::unknown;
    }
    const bool mqtt = links.mqtt_connected();
    const auto failing = links.store.stats().failing;
    const auto& zone = links.time_zone();
    const auto flood = links.flood();
    auto flooding = nlohmann::json::array();
    for (const auto& [topic, dropped] : flood.worst) flooding.push_back({{"topic", topic}, {"dropped", dropped}});
    nlohmann::json health{{"status", mqtt && known && !failing ? "ok" : "degraded"},
            {"mqtt", mqtt ? "connected" : "disconnected"},
            {"store", store_health(failing)},
            {"broker", broker_json(links)},
            {"devices", links.registry.size()},
            {"devices_online", known ? online : 0},
            {"devices_unknown", known ? unknown : links.registry.size()},
            {"devices_availability", known ? "known" : "unknown"},
            {"mqtt_flood", {{"dropped", flood.dropped}, {"worst", std::move(flooding)}}},
            {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(links.uptime()).count()},
            {"time_zone", zone.name()},
            {"local_time", scenes::format_iso8601(links.clock.now(), zone)}};
    if (failing) health["store_error"] = failing->message;
    return health;
}

void add_system_routes(Router& router, SystemRouteLinks links) {
    router.add_public("GET", "/api/v1/health", [links](const HttpRequest&, const PathParams&, Reply reply) {
        reply(json_response(health_json(links)));
    });

    router.add("GET", "/metrics", Scope::read, [links](const HttpRequest&, const PathParams&, Reply reply) {
        reply(HttpResponse{200, metrics_text(links), "text/plain; version=0.0.4", {}});
    });

    router.add("GET", "/api/v1/openapi.json", Scope::read, [](const HttpRequest&, const PathParams&, Reply reply) {
        reply(HttpResponse{200, openapi_document(), "application/json", {}});
    });

    router.add("GET", "/api/v1/tokens", Scope::admin, [links](const HttpRequest&, const PathParams&, Reply reply) {
        auto list = nlohmann::json::array();
        for (const auto* t : links.tokens.list()) list.push_back(to_public_json(*t));
        reply(json_response({{"tokens", std::move(list)}}));
    });

    router.add("POST", "/api/v1/tokens", Scope::admin, [links](const HttpRequest& request, const PathParams&, Reply reply) {
        auto body = proto::parse_json(request.body);
        if (!body) return reply(error_response(body.error()));
        const auto wanted = token_request_from_json(*body);
        if (!wanted) return reply(error_response(wanted.error()));
        const auto now = links.clock.now();
        auto issued = links.tokens.issue(wanted->name, wanted->scope, now);
        auto answer = to_public_json(issued.token);
        answer["secret"] = issued.secret;
        links.store.put_document("tokens", issued.token.id, to_json(issued.token), now,
                                 [links, reply, answer, id = issued.token.id](proto::Result<void> saved) {
                                     if (!saved) {
                                         links.tokens.revoke(id);
                                         return reply(error_response(saved.error()));
                                     }
                                     reply(json_response(answer, 201));
                                 });
    });

    router.add("DELETE", "/api/v1/tokens/{id}", Scope::admin, [links](const HttpRequest&, const PathParams& params, Reply reply) {
        const auto id = params.at("id");
        if (!links.tokens.revoke(id)) {
            return reply(error_response(404, Errc::not_found, "no token with id '" + id + "'", "id"));
        }
        links.store.erase_document("tokens", id, [reply, id](proto::Result<void> saved) {
            if (!saved) return reply(error_response(saved.error()));
            reply(json_response({{"id", id}, {"revoked", true}}));
        });
    });

    router.add("GET", "/api/v1/notifications", Scope::read, [links](const HttpRequest& request, const PathParams&, Reply reply) {
        std::size_t limit = 100;
        if (const auto it = request.query.find("limit"); it != request.query.end()) {
            limit = std::clamp<std::size_t>(std::strtoull(it->second.c_str(), nullptr, 10), 1, 1000);
        }
        auto rows = links.store.notifications(limit);
        if (!rows) return reply(error_response(rows.error()));
        auto out = nlohmann::json::array();
        for (const auto& n : *rows) {
            auto j = n.body;
            j["id"] = n.id;
            j["time_ms"] = millis(n.at);
            out.push_back(std::move(j));
        }
        reply(json_response({{"notifications", std::move(out)}}));
    });
}

}  // namespace hearth::hub
