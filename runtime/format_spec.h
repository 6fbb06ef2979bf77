// The format-spec mini-language of format() and str.format for the builtin
// types: [[fill]align][sign][z][#][0][width][grouping][.precision][type].
#pragma once

#include <string>
#include <string_view>

#include "runtime/objects.h"

namespace apy::rt {

// format(v, spec) for an int, bool or float: a Str, or null with ValueError pending.
Value format_number(Value v, std::string_view spec);
// format(s, spec) for a str.
Value format_str(std::string_view s, std::string_view spec);

// Flags of format_double.
inline constexpr unsigned kFloatSign = 1;       // always write a sign ('+')
inline constexpr unsigned kFloatAddDot0 = 2;    // "1.0" rather than "1" when the result is an integer
inline constexpr unsigned kFloatAlt = 4;        // '#': keep the point and trailing zeros
inline constexpr unsigned kFloatNoNegZero = 8;  // 'z': "-0.0" becomes "0.0"
// CPython's PyOS_double_to_string: [type] is one of e E f F g G r ('r': repr, the
// shortest round-trip digits; precision ignored).
std::string format_double(double d, char type, int precision, unsigned flags);

}  // namespace apy::rt
