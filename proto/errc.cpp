#include "proto/errc.hpp"

#include <stdexcept>

namespace hearth::proto {
namespace {

class Category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "hearth"; }
    std::string message(int ev) const override { return std::string(to_string(static_cast<Errc>(ev))); }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
    static const Category category;
    return category;
}

std::string_view to_string(Errc e) noexcept {
    switch (e) {
        case Errc::bad_json: return "bad_json";
        case Errc::payload_too_large: return "payload_too_large";
        case Errc::invalid_field: return "invalid_field";
        case Errc::unknown_device: return "unknown_device";
        case Errc::unknown_attribute: return "unknown_attribute";
        case Errc::wrong_type: return "wrong_type";
        case Errc::out_of_range: return "out_of_range";
        case Errc::read_only: return "read_only";
        case Errc::device_unavailable: return "device_unavailable";
        case Errc::broker_unavailable: return "broker_unavailable";
        case Errc::not_found: return "not_found";
        case Errc::conflict: return "conflict";
        case Errc::unauthorized: return "unauthorized";
        case Errc::forbidden: return "forbidden";
        case Errc::rate_limited: return "rate_limited";
        case Errc::storage_failed: return "storage_failed";
        case Errc::storage_full: return "storage_full";
        case Errc::internal: return "internal";
    }
    return "unknown";
}

void throw_exception_from_error(const Error& e, const boost::source_location&) {
    throw std::runtime_error(std::string(to_string(e.code)) + ": " + e.message);
}

}  // namespace hearth::proto
