#pragma once
// The recogniser's replies, in the user's language.
#include <string>
#include <utility>
#include <vector>

#include "devices/registry.hpp"
#include "nlu/understanding.hpp"

namespace hearth::nlu {

class Speech {
public:
    explicit Speech(Language language) : language_(language) {}

    std::string name(const proto::LocalizedName& n) const;
    /// The device's name, with its area when the name alone does not say it.
    std::string device(const devices::Device& d, const devices::Registry& r) const;

    std::string done(const std::string& intent, const std::vector<DeviceCommand>& commands,
                     const devices::Registry& r) const;
    std::string temperatures(const std::vector<std::pair<const devices::Device*, double>>& readings,
                             const devices::Registry& r) const;
    /// How a question about states was asked: which one, whether any, whether all, how many, or
    /// just "what state". Questions with a state and an answer that is yes or no start with it.
    enum class Asked { state, any, all, count, which };
    std::string states(const std::vector<const devices::Device*>& devices, const std::string& state,
                       const devices::Registry& r, Asked asked = Asked::state) const;
    std::string readings(std::string_view attribute,
                         const std::vector<std::pair<const devices::Device*, double>>& readings,
                         const devices::Registry& r) const;
    std::string scene(const std::string& scene_name) const;
    std::string mood_scene(Mood m, const std::string& scene_name) const;
    std::string mood_done(Mood m, const std::vector<DeviceCommand>& commands, const devices::Registry& r) const;

    std::string which(const std::vector<std::string>& names) const;
    std::string which_room() const;
    std::string confirm(const std::string& intent, const std::vector<const devices::Device*>& devices,
                        const devices::Registry& r) const;
    std::string confirm_scene(const std::string& scene_name) const;
    std::string confirm_mood(Mood m) const;

    std::string no_device(const proto::Area* area) const;
    /// "家里没有加湿器。" / "There is no humidifier here.": `what` as the user said it.
    std::string missing(const std::string& what, const proto::Area* area) const;
    /// Nothing was named to act on: "您想打开什么？"
    std::string what(const std::string& intent) const;
    std::string no_reading() const;
    std::string no_scene(Mood m) const;
    std::string nothing_for(Mood m) const;
    std::string cannot(const devices::Device& d, const std::string& intent) const;
    std::string invalid(const devices::Device& d, const proto::Error& e) const;

    std::string not_understood() const;
    std::string too_long() const;
    std::string declined() const;
    std::string nevermind() const;
    std::string undo() const;
    std::string custom() const;

    // Replies of the hub's assistant when the understanding cannot be acted on.
    std::string scene_unavailable(const std::string& scene_name) const;
    std::string nothing_to_undo() const;
    std::string rule_unavailable(const std::string& rule) const;

private:
    bool zh() const { return language_ == Language::zh; }
    std::string list(const std::vector<std::string>& items) const;
    std::string action(const std::string& intent) const;
    std::string phrase(const proto::Attributes& set, const std::string& names) const;

    Language language_;
};

}  // namespace hearth::nlu
