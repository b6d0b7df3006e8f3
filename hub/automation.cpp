#include "hub/automation.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "proto/json.hpp"

namespace hearth::hub {

using proto::Errc;
using nlohmann::json;

Automation::Automation(boost::asio::io_context& io, AutomationLinks links)
    : io_(io),
      live_(links.live),
      undo_(links.store, links.clock),
      host_(io, links.registry, links.store, links.live, undo_, links.traces, links.clock, std::move(links.transmit)),
      definitions_(links.registry, links.store, host_, [this] { assistant_.words_changed(); }),
      phrasebook_(links.store, links.clock, definitions_, [this] { assistant_.words_changed(); }),
      actions_(links.registry, definitions_, undo_, host_, links.send_command),
      assistant_(links.registry, definitions_, phrasebook_, actions_, host_, std::move(links.publish), std::move(links.prefix)) {}

proto::Result<void> Automation::start(const std::vector<Document>& documents, const json& home) {
    if (auto loaded = definitions_.load(documents, home); !loaded) return loaded;
    host_.resume(documents);
    undo_.load(documents);
    phrasebook_.load(documents);
    assistant_.start();
    add_live_requests();
    started_ = true;
    return {};
}

void Automation::broker_ready() {
    if (started_) host_.start();
}

void Automation::stop() {
    if (!started_) return;
    started_ = false;
    host_.stop();
    undo_.save();
}

void Automation::devices_changed() {
    if (resolve_scheduled_ || !started_) return;
    resolve_scheduled_ = true;
    boost::asio::post(io_, [this] {
        resolve_scheduled_ = false;
        if (started_) definitions_.resolve();
    });
}

void Automation::add_live_requests() {
    const auto respond_with = [](const proto::Result<json>& answer, const LiveFeed::Respond& respond) {
        if (!answer) return respond({{"error", error_json(answer.error())}});
        respond(*answer);
    };
    live_.add_request("conversation", Scope::control, [this, respond_with](const json& request, const std::string&, LiveFeed::Respond respond) {
        respond_with(assistant_.converse(request), respond);
    });
    live_.add_request("activate", Scope::control, [this, respond_with](const json& request, const std::string&, LiveFeed::Respond respond) {
        const auto scene = proto::required_string(request, "scene");
        if (!scene) return respond_with(scene.error(), respond);
        const auto transition = proto::optional_number(request, "transition");
        if (!transition) return respond_with(transition.error(), respond);
        respond_with(actions_.activate_scene(proto::SceneId{*scene}, *transition), respond);
    });
    live_.add_request("undo", Scope::control, [this, respond_with](const json&, const std::string&, LiveFeed::Respond respond) {
        respond_with(actions_.undo(), respond);
    });
}

}  // namespace hearth::hub
