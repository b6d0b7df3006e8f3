#pragma once
// Domain error codes and the error value every fallible operation returns.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>

namespace hearth::proto {

enum class Errc {
    bad_json = 1,        // not parseable JSON, or not the JSON shape expected
    payload_too_large,   // over a size or depth limit
    invalid_field,       // a field is missing, of the wrong type or has an invalid value
    unknown_device,
    unknown_attribute,   // the device has no such capability
    wrong_type,          // the value's type does not match the capability
    out_of_range,        // below min, above max or not one of the options
    read_only,           // the capability cannot be written
    device_unavailable,  // the device is offline or failed to load
    broker_unavailable,  // the MQTT broker stayed unreachable: a command was not sent
    not_found,           // any other resource that does not exist
    conflict,            // the resource exists already or changed meanwhile
    unauthorized,
    forbidden,
    rate_limited,
    storage_failed,
    storage_full,        // the disk (or file system) holding the data is full; nothing was written
    internal,
};

const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// Stable machine-readable name of a code ("out_of_range"), used in the API's error shape.
std::string_view to_string(Errc e) noexcept;

/// An expected failure: a code, a message for people, and the offending field when there is one.
struct Error {
    Errc code = Errc::internal;
    std::string message;
    std::string field;

    boost::system::error_code error_code() const noexcept { return make_error_code(code); }
    friend bool operator==(const Error&, const Error&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const Error& e) {
    return os << "error " << to_string(e.code) << ": " << e.message << (e.field.empty() ? "" : " [" + e.field + "]");
}

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

inline Error make_error(Errc code, std::string message, std::string field = {}) {
    return Error{code, std::move(message), std::move(field)};
}

}  // namespace hearth::proto

template <>
struct boost::system::is_error_code_enum<hearth::proto::Errc> : std::true_type {};
