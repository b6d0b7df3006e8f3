#pragma once
// The cause of a change, carried from cause to effect so every command and every state change can
// answer "why?" (Home Assistant's Context, with the kind of cause spelled out).
//
// A command carries its context id to the device (`context_id` in the payload, see proto/README.md)
// and the device echoes it with the state it reports, so the change is linked to what caused it.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hearth::proto {

enum class Cause {
    device,      // the device itself: a person at the switch, a sensor reading, an unknown cause
    app,         // a client of the API (REST or WebSocket), `source` names its token
    voice,       // an utterance, `source` is its text
    rule,        // a rule's run, `source` is the rule id
    scene,       // a scene activated by id (REST or WebSocket), `source` is the scene id
    undo,        // an undo, `source` is how it was asked for (the app or voice)
    controller,  // another controller: the state carried a context id this hub never issued
};

std::string_view to_string(Cause cause) noexcept;
std::optional<Cause> cause_from(std::string_view text) noexcept;

struct Context {
    std::string id;      // unique; empty for a device's own change
    std::string parent;  // the context this one follows from (a rule run's trigger; a command's run)
    Cause cause = Cause::device;
    std::string source;  // who, within the kind (see Cause)
    friend bool operator==(const Context&, const Context&) = default;
};

/// {"id", "parent", "cause", "source"}; empty id, parent and source are left out.
nlohmann::json to_json(const Context& context);

}  // namespace hearth::proto
