#pragma once
// A small, safe expression language for scene targets and rule conditions. Parsed once into a
// tree, evaluated many times against the live state; it can read state and time and compute,
// never call out, loop or allocate without bound.
//
//   literals      26   0.5   'sleep_music'   "text"   true   false   null
//   current       the target's own attribute (in a scene target), null elsewhere
//   arithmetic    + - * / %   (+ also joins text)      unary -
//   comparison    == != < <= > >=
//   logic         and  or  not   (operands must be bool; short-circuit)
//   functions     state('bedroom.ac', 'temperature')   min(a, b, …)   max(a, b, …)
//                 clamp(x, lo, hi)   abs(x)   round(x)   if(condition, then, else)
//                 time()  → minutes since local midnight      at('22:30') → 1350
//                 time_between('22:00', '06:00')  (wraps past midnight)
//                 hour()   weekday() 1 = Monday … 7 = Sunday   month()
//                 season() → 'spring' | 'summer' | 'autumn' | 'winter' (by hemisphere)
//
// Errors, at parse and at evaluation, name the 1-based column ("at column 7: …").
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "devices/registry.hpp"
#include "proto/errc.hpp"
#include "proto/value.hpp"
#include "scenes/calendar.hpp"

namespace hearth::scenes {

/// What an evaluation may read. Everything is borrowed for the duration of the call.
struct EvalContext {
    const devices::Registry* registry = nullptr;  // for state(); null makes state() an error
    const proto::Value* current = nullptr;         // for `current`; null reads as null
    TimePoint now{};
    Place place{};
};

/// A device attribute an expression reads with literal arguments.
struct StateReference {
    proto::DeviceId device;
    std::string attribute;
    friend bool operator==(const StateReference&, const StateReference&) = default;
};

class Expression {
public:
    static constexpr std::size_t kMaxSource = 1024;
    static constexpr int kMaxDepth = 32;

    static proto::Result<Expression> parse(std::string_view source);

    proto::Result<proto::Value> evaluate(const EvalContext& context) const;
    /// Evaluates and requires a bool.
    proto::Result<bool> test(const EvalContext& context) const;

    const std::string& source() const noexcept { return source_; }
    const std::vector<StateReference>& references() const noexcept { return references_; }
    bool uses_current() const noexcept { return uses_current_; }

    enum class Op : std::uint8_t {
        literal, current, neg, not_, add, sub, mul, div, mod, eq, ne, lt, le, gt, ge, and_, or_,
        state, min, max, clamp, abs, round, if_, time, at, time_between, hour, weekday, month, season,
    };
    struct Node {
        Op op = Op::literal;
        proto::Value value;
        std::vector<std::uint32_t> args;
        std::uint32_t column = 1;
    };

private:
    friend class Parser;
    proto::Result<proto::Value> eval(std::uint32_t node, const EvalContext& context) const;

    std::string source_;
    std::vector<Node> nodes_;
    std::uint32_t root_ = 0;
    std::vector<StateReference> references_;
    bool uses_current_ = false;
};

}  // namespace hearth::scenes
