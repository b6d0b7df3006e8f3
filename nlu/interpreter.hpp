#pragma once
// Decides what one request means, given its frame: a conversational turn (negation, undo, never
// mind), media or vacuum control, a question, a mood, a scene or device control; then resolves the
// devices, validates the commands and says the reply. One Interpreter per request; pure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/registry.hpp"
#include "nlu/action_plan.hpp"
#include "nlu/device_traits.hpp"
#include "nlu/frame.hpp"
#include "nlu/resolver.hpp"
#include "nlu/speech.hpp"
#include "nlu/understanding.hpp"

namespace hearth::nlu {

class Interpreter {
public:
    Interpreter(Frame& frame, const Request& request, const devices::Registry& registry, const Vocabulary& vocabulary)
        : frame_(frame), request_(request), registry_(registry), vocabulary_(vocabulary), speech_(frame.language()) {
        result_.language = frame.language();
        result_.context_id = request.context_id;
    }

    /// What the utterance means and the commands, scene or answer it calls for.
    Understanding interpret();

private:
    /// Sets the outcome and the reply and hands the result over; the interpreter is spent.
    Understanding finish(Outcome outcome, std::string speech);
    /// The intent with its confidence: `base` scaled by how well names matched and how much of the
    /// utterance was understood.
    void set_intent(std::string name, proto::Attributes slots, double base);
    bool unsure() const { return result_.intent && result_.intent->confidence < vocabulary_.confidence_threshold; }
    void add_target_slots(proto::Attributes& slots, const Resolution& res) const;
    Understanding clarify_which(const Resolution& res);
    const proto::Area* area_of(const Resolution& res) const;
    static bool target_word(const Frame& f);

    std::optional<Understanding> converse();
    std::optional<Understanding> media_or_vacuum();
    std::optional<Understanding> inquire(bool question);
    Understanding control();
    Understanding act(ActionPlan plan, Wanted wanted, double base);
    Understanding answer_temperature(double base);
    Understanding answer_state(double base);
    Understanding answer_reading(std::string_view attribute, double base);
    Understanding mood(Mood m, double base);
    Understanding scene(const Mention& m, double base);

    Frame& frame_;
    const Request& request_;
    const devices::Registry& registry_;
    const Vocabulary& vocabulary_;
    Speech speech_;
    Understanding result_;
    bool inferred_kind_ = false;  // the intent itself says which kind of device (lights for brightness)
};

}  // namespace hearth::nlu
