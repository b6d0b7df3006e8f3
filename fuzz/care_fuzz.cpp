// The care documents from outside (REST PUT /household and /care, POST /care/notifications, the home
// file's `household` and `care` sections): the first byte picks the parser. Invariant: what parses
// writes JSON that parses to the same value.
#include <nlohmann/json.hpp>

#include "care/care_settings.hpp"
#include "care/household.hpp"
#include "care/notification_desk.hpp"
#include "fuzz/support.hpp"
#include "proto/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hearth;
    if (size == 0) return 0;
    const auto body = proto::parse_json(fuzz::as_text(data + 1, size - 1));
    if (!body) return 0;
    switch (data[0] % 3) {
        case 0: {
            const auto household = care::household_from_json(*body);
            if (!household) return 0;
            const auto reread = care::household_from_json(care::to_json(*household));
            fuzz::require(reread.has_value() && *reread == *household, "a household survives its own JSON");
            const auto n = care::notification_from_json(nlohmann::json{{"text", "x"}, {"person", household->people.empty() ? "" : household->people[0].id}}, *household);
            fuzz::require(household->people.empty() || n.has_value(), "a household member can be notified");
            break;
        }
        case 1: {
            const auto settings = care::care_settings_from_json(*body);
            if (!settings) return 0;
            const auto reread = care::care_settings_from_json(care::to_json(*settings));
            fuzz::require(reread.has_value() && *reread == *settings, "care settings survive their own JSON");
            for (const double pm25 : {0.0, 35.0, 74.0, 1000.0})
                (void)care::decide_air(settings->air, pm25, care::PurifierLevel::high, {}, 4);
            break;
        }
        default: (void)care::notification_from_json(*body, {}); break;
    }
    return 0;
}
