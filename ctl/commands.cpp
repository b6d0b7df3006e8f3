#include "ctl/commands.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <istream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "ctl/assignments.hpp"
#include "ctl/views.hpp"
#include "proto/yaml.hpp"

namespace hearth::ctl {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kDevicePage = 5000;
constexpr std::chrono::seconds kHandshakeWait{30};
constexpr double kDefaultWaitSeconds = 10;

/// Percent-encodes everything but RFC 3986's unreserved characters.
std::string encode(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

Exit exit_for_status(int status) {
    if (status == 401 || status == 403) return Exit::unauthorized;
    if (status == 404) return Exit::not_found;
    return Exit::refused;
}

Failure api_failure(const HttpAnswer& answer) {
    const auto body = json::parse(answer.body, nullptr, false);
    std::string text = "the hub answered HTTP " + std::to_string(answer.status);
    if (!body.is_discarded() && body.is_object() && body.contains("error") &&
        body["error"].is_object()) {
        const auto& e = body["error"];
        text +=
            " " + e.value("code", std::string("error")) + ": " + e.value("message", std::string());
        if (const auto field = e.value("field", std::string()); !field.empty())
            text += " (field " + field + ")";
    } else if (!answer.body.empty()) {
        text += ": " + answer.body.substr(0, 200);
    }
    return Failure{exit_for_status(answer.status), text};
}

Result<std::size_t> positive_integer(const CommandLine& line, std::string_view name,
                                     std::size_t fallback) {
    const auto text = line.option(name);
    if (!text) return fallback;
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value == 0) {
        return usage_error("--" + std::string(name) + " must be a whole number above 0, not '" +
                           *text + "'");
    }
    return value;
}

/// Seconds as typed ("2", "0.5"); nothing when the option is absent.
Result<std::optional<double>> seconds(const CommandLine& line, std::string_view name,
                                      bool zero_allowed) {
    const auto text = line.option(name);
    if (!text) return std::optional<double>();
    char* end = nullptr;
    const double value = std::strtod(text->c_str(), &end);
    if (text->empty() || end != text->c_str() + text->size() || !std::isfinite(value) ||
        value < 0 || (value == 0 && !zero_allowed)) {
        return usage_error("--" + std::string(name) + " must be seconds (" +
                           (zero_allowed ? "0" : "above 0") + " or more), not '" + *text + "'");
    }
    return std::optional<double>(value);
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
}

/// The next message as JSON by `until`; a timeout or a message that is not JSON is a failure.
Result<json> receive_json(EventStream& ws, std::chrono::steady_clock::time_point until) {
    auto message = ws.receive(until);
    if (!message) return message.error();
    if (!*message)
        return Failure{Exit::unreachable, "the hub did not answer on the WebSocket in time"};
    auto parsed = json::parse(**message, nullptr, false);
    if (parsed.is_discarded()) return Failure{Exit::unreachable, "a WebSocket message is not JSON"};
    return parsed;
}

class Runner {
  public:
    Runner(const CommandLine& line, Api& api, const Console& console)
        : line_(line), api_(api), console_(console) {}

    Result<Exit> run() {
        static const std::map<std::string, Result<Exit> (Runner::*)()> commands = {
            {"health", &Runner::health},
            {"areas", &Runner::areas},
            {"devices", &Runner::devices},
            {"device", &Runner::device},
            {"history", &Runner::history},
            {"command", &Runner::command},
            {"set", &Runner::set},
            {"scenes", &Runner::scenes},
            {"scene show", &Runner::scene_show},
            {"scene activate", &Runner::scene_activate},
            {"undo", &Runner::undo},
            {"rules", &Runner::rules},
            {"rule show", &Runner::rule_show},
            {"rule create", &Runner::rule_create},
            {"rule delete", &Runner::rule_delete},
            {"rule enable", &Runner::rule_switch},
            {"rule disable", &Runner::rule_switch},
            {"rule run", &Runner::rule_run},
            {"rule traces", &Runner::rule_traces},
            {"explain", &Runner::explain},
            {"export", &Runner::export_home},
            {"import", &Runner::import_home},
            {"say", &Runner::say},
            {"tail", &Runner::tail},
            {"tokens", &Runner::tokens},
            {"token create", &Runner::token_create},
            {"token revoke", &Runner::token_revoke},
        };
        const auto it = commands.find(line_.command);
        if (it == commands.end()) return usage_error("unknown command '" + line_.command + "'");
        return (this->*(it->second))();
    }

  private:
    const CommandLine& line_;
    Api& api_;
    const Console& console_;

    std::ostream& out() const { return console_.out; }
    const std::string& arg(std::size_t i) const { return line_.args.at(i); }

    Result<json> call(const std::string& method, const std::string& target,
                      const std::string& body = {},
                      const std::string& content_type = "application/json") {
        auto answer = api_.call(HttpCall{method, target, body, content_type});
        if (!answer) return answer.error();
        if (answer->status < 200 || answer->status >= 300) return api_failure(*answer);
        if (answer->body.empty()) return json::object();
        auto parsed = json::parse(answer->body, nullptr, false);
        if (parsed.is_discarded()) {
            return Failure{Exit::unreachable,
                           "the hub's answer to " + method + " " + target + " is not JSON"};
        }
        return parsed;
    }

    /// Prints the answer raw with --json, else as `show` renders it.
    Result<Exit> print(const json& answer, const std::function<std::string(const json&)>& show) {
        if (line_.global.json)
            out() << answer.dump(2) << "\n";
        else
            out() << show(answer);
        return Exit::ok;
    }

    Result<Exit> print_json(const json& answer) {
        out() << answer.dump(2) << "\n";
        return Exit::ok;
    }

    Result<std::string> read_input(const std::string& path) {
        std::ostringstream text;
        if (path == "-") {
            text << console_.in.rdbuf();
            return text.str();
        }
        std::ifstream file(path, std::ios::binary);
        if (!file) return usage_error("cannot read " + path);
        text << file.rdbuf();
        return text.str();
    }

    Result<Exit> health() {
        auto answer = call("GET", "/api/v1/health");
        if (!answer) return answer.error();
        print(*answer, [](const json& j) { return health_text(j) + "\n"; });
        return answer->value("status", std::string()) == "ok" ? Exit::ok : Exit::refused;
    }

    Result<Exit> areas() {
        auto answer = call("GET", "/api/v1/areas");
        if (!answer) return answer.error();
        return print(*answer,
                     [](const json& j) { return areas_table(j.value("areas", json())).render(); });
    }

    Result<Exit> devices() {
        std::string filters;
        for (const char* name : {"area", "kind", "capability"}) {
            if (const auto v = line_.option(name))
                filters += "&" + std::string(name) + "=" + encode(*v);
        }
        auto all = json::array();
        std::size_t total = 0;
        do {
            auto page = call("GET", "/api/v1/devices?limit=" + std::to_string(kDevicePage) +
                                        "&offset=" + std::to_string(all.size()) + filters);
            if (!page) return page.error();
            total = page->value("total", std::size_t{0});
            const auto devices = page->value("devices", json::array());
            if (devices.empty()) break;
            for (const auto& d : devices) all.push_back(d);
        } while (all.size() < total);
        return print(json{{"devices", all}, {"total", total}},
                     [](const json& j) { return devices_table(j["devices"]).render(); });
    }

    Result<Exit> device() {
        auto answer = call("GET", "/api/v1/devices/" + encode(arg(0)));
        if (!answer) return answer.error();
        return print_json(*answer);
    }

    Result<Exit> history() {
        std::string query;
        for (const char* name : {"attribute", "from", "to", "limit"}) {
            if (const auto v = line_.option(name))
                query += (query.empty() ? "?" : "&") + std::string(name) + "=" + encode(*v);
        }
        auto answer = call("GET", "/api/v1/devices/" + encode(arg(0)) + "/history" + query);
        if (!answer) return answer.error();
        return print(*answer, [this](const json& j) {
            Table table({"TIME", "ATTRIBUTE", "VALUE"});
            for (const auto& p : j.value("points", json::array())) {
                table.add_row(
                    {format_time(p.value("time_ms", std::int64_t{0}), console_.utc_offset, true),
                     p.value("attribute", std::string()), display_value(p.value("value", json()))});
            }
            return table.render();
        });
    }

    static std::string sent_text(const json& j) {
        return "sent to " + j.value("device", std::string()) + ": " +
               j.value("set", json::object()).dump() + " (context " +
               j.value("context_id", std::string()) + ")\n";
    }

    Result<Exit> send_command(const std::string& device, const json& body) {
        if (line_.flag("wait")) return send_and_wait(device, body);
        if (line_.option("timeout")) return usage_error("--timeout goes with --wait");
        auto answer = call("POST", "/api/v1/devices/" + encode(device) + "/commands", body.dump());
        if (!answer) return answer.error();
        return print(*answer, sent_text);
    }

    /// Subscribes to the device's confirmations first, so none can pass unseen, then sends the
    /// command and waits for the confirmation carrying its context id.
    Result<Exit> send_and_wait(const std::string& device, const json& body) {
        const auto timeout = seconds(line_, "timeout", false);
        if (!timeout) return timeout.error();
        const double wait_seconds = timeout->value_or(kDefaultWaitSeconds);
        const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(wait_seconds));
        auto stream = api_.open_events();
        if (!stream) return stream.error();
        auto& ws = **stream;
        const json subscribe{{"id", 1},
                             {"type", "subscribe"},
                             {"events", {"confirmation"}},
                             {"devices", {device}}};
        if (auto ready = tail_handshake(ws, subscribe, std::min(deadline, Clock::now() + kHandshakeWait));
            !ready)
            return ready.error();
        auto answer = call("POST", "/api/v1/devices/" + encode(device) + "/commands", body.dump());
        if (!answer) return answer.error();
        const auto context = answer->value("context_id", std::string());
        if (!line_.global.json) out() << sent_text(*answer) << std::flush;
        for (;;) {
            auto message = ws.receive(deadline);
            if (!message) return message.error();
            if (!*message) {
                std::ostringstream waited;
                waited << wait_seconds;
                return Failure{Exit::timed_out, device + " did not confirm the command (context " +
                                                    context + ") within " + waited.str() + " s"};
            }
            const auto parsed = json::parse(**message, nullptr, false);
            if (parsed.is_discarded() || parsed.value("type", std::string()) != "confirmation" ||
                parsed.value("context_id", std::string()) != context)
                continue;
            const double latency = parsed.value("latency_ms", 0.0);
            if (line_.global.json) {
                auto confirmed = *answer;
                confirmed["confirmed"] = true;
                confirmed["latency_ms"] = latency;
                return print_json(confirmed);
            }
            std::ostringstream ms;
            ms.precision(1);
            ms << std::fixed << latency;
            out() << "confirmed by " << device << " in " << ms.str() << " ms\n";
            return Exit::ok;
        }
    }

    Result<Exit> command() {
        auto text = read_input_or_literal(arg(1));
        if (!text) return text.error();
        const auto body = json::parse(*text, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
            return usage_error("the command must be a JSON object such as '{\"on\": true}'");
        }
        return send_command(arg(0), body);
    }

    Result<std::string> read_input_or_literal(const std::string& text) {
        if (text == "-") return read_input(text);
        return text;
    }

    Result<Exit> set() {
        auto body =
            parse_assignments(std::vector<std::string>(line_.args.begin() + 1, line_.args.end()));
        if (!body) return body.error();
        auto transition = seconds(line_, "transition", true);
        if (!transition) return transition.error();
        if (*transition) (*body)["transition"] = **transition;
        return send_command(arg(0), *body);
    }

    Result<Exit> scenes() {
        auto answer = call("GET", "/api/v1/scenes");
        if (!answer) return answer.error();
        return print(*answer, [](const json& j) {
            return scenes_table(j.value("scenes", json())).render();
        });
    }

    Result<Exit> scene_show() {
        auto answer = call("GET", "/api/v1/scenes/" + encode(arg(0)));
        if (!answer) return answer.error();
        return print_json(*answer);
    }

    Result<Exit> scene_activate() {
        auto transition = seconds(line_, "transition", true);
        if (!transition) return transition.error();
        const std::string body =
            *transition ? json{{"transition", **transition}}.dump() : std::string();
        auto answer = call("POST", "/api/v1/scenes/" + encode(arg(0)) + "/activate", body);
        if (!answer) return answer.error();
        return print(*answer, activation_text);
    }

    Result<Exit> undo() {
        auto answer = call("POST", "/api/v1/undo");
        if (!answer) return answer.error();
        return print(*answer, activation_text);
    }

    Result<Exit> rules() {
        auto answer = call("GET", "/api/v1/rules");
        if (!answer) return answer.error();
        return print(*answer,
                     [](const json& j) { return rules_table(j.value("rules", json())).render(); });
    }

    Result<Exit> rule_show() {
        auto answer = call("GET", "/api/v1/rules/" + encode(arg(0)));
        if (!answer) return answer.error();
        return print_json(*answer);
    }

    Result<Exit> rule_create() {
        auto text = read_input(arg(0));
        if (!text) return text.error();
        auto rule = proto::yaml_to_json(*text);
        if (!rule) return usage_error(arg(0) + " is not YAML or JSON: " + rule.error().message);
        if (!rule->is_object()) {
            return usage_error(arg(0) +
                               " must hold one rule (an object with id, triggers, actions); "
                               "several rules go in a home document for hearthctl import");
        }
        auto answer = call("POST", "/api/v1/rules", rule->dump());
        if (!answer) return answer.error();
        return print(*answer, [](const json& j) {
            return "created rule " + j.value("id", std::string()) + "\n";
        });
    }

    Result<Exit> rule_delete() {
        auto answer = call("DELETE", "/api/v1/rules/" + encode(arg(0)));
        if (!answer) return answer.error();
        return print(*answer, [this](const json&) { return "deleted rule " + arg(0) + "\n"; });
    }

    Result<Exit> rule_switch() {
        const bool enable = line_.command == "rule enable";
        auto answer =
            call("POST", "/api/v1/rules/" + encode(arg(0)) + (enable ? "/enable" : "/disable"));
        if (!answer) return answer.error();
        return print(*answer, [&](const json&) {
            return "rule " + arg(0) + (enable ? " enabled\n" : " disabled\n");
        });
    }

    Result<Exit> rule_run() {
        auto answer = call("POST", "/api/v1/rules/" + encode(arg(0)) + "/run");
        if (!answer) return answer.error();
        return print(*answer, [this](const json&) { return "rule " + arg(0) + " started\n"; });
    }

    Result<Exit> show_traces(const std::string& target) {
        auto limit = positive_integer(line_, "limit", 20);
        if (!limit) return limit.error();
        auto answer = call("GET", target + "?limit=" + std::to_string(*limit));
        if (!answer) return answer.error();
        return print(*answer, [this](const json& j) {
            return traces_table(j.value("traces", json()), console_.utc_offset).render();
        });
    }

    Result<Exit> rule_traces() {
        return show_traces("/api/v1/rules/" + encode(arg(0)) + "/traces");
    }

    Result<Exit> explain() {
        auto limit = positive_integer(line_, "limit", 20);
        if (!limit) return limit.error();
        auto answer = call(
            "GET", "/api/v1/traces?device=" + encode(arg(0)) + "&limit=" + std::to_string(*limit));
        if (!answer) return answer.error();
        return print(*answer, [this](const json& j) {
            return traces_table(j.value("traces", json()), console_.utc_offset).render();
        });
    }

    Result<Exit> export_home() {
        auto answer = api_.call(HttpCall{"GET", "/api/v1/export", {}, {}});
        if (!answer) return answer.error();
        if (answer->status != 200) return api_failure(*answer);
        out() << answer->body;
        if (!answer->body.empty() && answer->body.back() != '\n') out() << "\n";
        return Exit::ok;
    }

    Result<Exit> import_home() {
        auto text = read_input(arg(0));
        if (!text) return text.error();
        auto answer = call("POST", "/api/v1/import", *text, "application/yaml");
        if (!answer) return answer.error();
        return print(*answer, [](const json& j) {
            std::string text = "imported";
            const auto counts = j.value("imported", json::object());
            const char* separator = ": ";
            for (const char* kind : {"areas", "devices", "scenes", "rules"}) {
                text += separator + std::string(kind) + " " +
                        display_value(counts.value(kind, json(0)));
                separator = ", ";
            }
            return text + "\n";
        });
    }

    Result<Exit> say() {
        std::string text;
        for (const auto& word : line_.args) text += (text.empty() ? "" : " ") + word;
        json body{{"text", text}, {"dry_run", line_.flag("dry-run")}};
        if (const auto area = line_.option("area")) body["area"] = *area;
        if (const auto language = line_.option("language")) body["language"] = *language;
        auto answer = call("POST", "/api/v1/conversation", body.dump());
        if (!answer) return answer.error();
        return print(*answer, conversation_text);
    }

    /// The subscribe message for tail's filters; unknown event kinds are a usage failure.
    Result<json> tail_subscription() const {
        static const std::vector<std::string> kinds = {"state", "availability", "event", "trace",
                                                       "notification"};
        const auto events = line_.list("events");
        for (const auto& e : events) {
            if (std::find(kinds.begin(), kinds.end(), e) == kinds.end()) {
                return usage_error("--events takes " + join(kinds) + "; not '" + e + "'");
            }
        }
        json subscribe{{"id", 1}, {"type", "subscribe"}};
        if (!events.empty()) subscribe["events"] = events;
        if (const auto devices = line_.list("device"); !devices.empty())
            subscribe["devices"] = devices;
        if (const auto areas = line_.list("area"); !areas.empty()) subscribe["areas"] = areas;
        return subscribe;
    }

    /// Authenticates (the first message must be the token) and subscribes, both by `until`.
    Result<void> tail_handshake(EventStream& ws, const json& subscribe, Clock::time_point until) {
        if (auto sent = ws.send(json{{"type", "auth"}, {"token", api_.bearer_token()}}.dump());
            !sent)
            return sent.error();
        auto auth = receive_json(ws, until);
        if (!auth) return auth.error();
        if (auth->value("type", std::string()) != "auth_ok") {
            return Failure{Exit::unauthorized, "the hub refused the token on the WebSocket: " +
                                                   auth->value("message", auth->dump())};
        }
        if (auto sent = ws.send(subscribe.dump()); !sent) return sent.error();
        for (;;) {
            auto reply = receive_json(ws, until);
            if (!reply) return reply.error();
            if (reply->value("type", std::string()) != "result" || reply->value("id", 0) != 1)
                continue;
            if (reply->value("success", false)) return {};
            return Failure{Exit::refused, "the hub refused the subscription: " +
                                              reply->value("error", json()).dump()};
        }
    }

    Result<Exit> tail() {
        const auto subscribe = tail_subscription();
        if (!subscribe) return subscribe.error();
        const auto count =
            line_.option("count") ? positive_integer(line_, "count", 0) : Result<std::size_t>(0);
        if (!count) return count.error();
        const auto timeout = seconds(line_, "timeout", false);
        if (!timeout) return timeout.error();
        std::optional<Clock::time_point> deadline;
        if (*timeout) {
            deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(**timeout));
        }
        const auto handshake_until =
            std::min(deadline.value_or(Clock::time_point::max()), Clock::now() + kHandshakeWait);

        auto stream = api_.open_events();
        if (!stream) return stream.error();
        auto& ws = **stream;
        if (auto ready = tail_handshake(ws, *subscribe, handshake_until); !ready)
            return ready.error();
        console_.err << "hearthctl: subscribed; one line per message"
                     << (*count ? " until " + std::to_string(*count) : "") << std::endl;

        std::size_t seen = 0;
        while (!*count || seen < *count) {
            auto message = ws.receive(deadline);
            if (!message) return message.error();
            if (!*message) {
                if (!*count) return Exit::ok;
                return Failure{Exit::timed_out, std::to_string(seen) + " of " +
                                                    std::to_string(*count) +
                                                    " messages before the timeout"};
            }
            const auto parsed = json::parse(**message, nullptr, false);
            if (parsed.is_discarded()) continue;
            const auto type = parsed.value("type", std::string());
            if (type == "result" || type == "pong") continue;
            out() << (line_.global.json ? parsed.dump() : event_line(parsed, console_.utc_offset))
                  << std::endl;
            ++seen;
        }
        return Exit::ok;
    }

    Result<Exit> tokens() {
        auto answer = call("GET", "/api/v1/tokens");
        if (!answer) return answer.error();
        return print(*answer, [this](const json& j) {
            return tokens_table(j.value("tokens", json()), console_.utc_offset).render();
        });
    }

    Result<Exit> token_create() {
        const auto scope = line_.option("scope").value_or("read");
        if (scope != "read" && scope != "control" && scope != "admin") {
            return usage_error("--scope is read, control or admin, not '" + scope + "'");
        }
        auto answer =
            call("POST", "/api/v1/tokens", json{{"name", arg(0)}, {"scope", scope}}.dump());
        if (!answer) return answer.error();
        if (line_.global.json) return print_json(*answer);
        out() << answer->value("secret", std::string()) << "\n";
        console_.err << "hearthctl: created token " << answer->value("id", std::string()) << " ("
                     << arg(0) << ", scope " << scope
                     << "); the secret above is shown only this once" << std::endl;
        return Exit::ok;
    }

    Result<Exit> token_revoke() {
        auto answer = call("DELETE", "/api/v1/tokens/" + encode(arg(0)));
        if (!answer) return answer.error();
        return print(*answer, [this](const json&) { return "revoked token " + arg(0) + "\n"; });
    }
};

}  // namespace

void throw_exception_from_error(const Failure& failure, const boost::source_location&) {
    throw std::runtime_error(failure.message);
}

bool needs_token(const CommandLine& line) {
    return line.command != "health" && line.command != "help";
}

Exit run_command(const CommandLine& line, Api& api, const Console& console) {
    if (line.command == "help") {
        console.out << usage_text();
        return Exit::ok;
    }
    auto result = Runner(line, api, console).run();
    if (result) return *result;
    console.err << "hearthctl: " << result.error().message << std::endl;
    return result.error().exit;
}

}  // namespace hearth::ctl
