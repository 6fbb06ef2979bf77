// String formatting: str.format / str.format_map and the % operator on strs.
#pragma once

#include "runtime/objects.h"

namespace apy::rt {

// format % args: args is a tuple, a mapping (for %(name)s) or a single value.
Value str_percent_format(Value format, Value args);
// format.format(*args, **kwargs): positional args[0..nargs), keyword arguments from
// [mapping] (a dict for format, any mapping for format_map; null when none).
Value str_format(Str* format, const Value* args, int64_t nargs, Value mapping);

// Registers str.format, str.format_map and str.__format__.
void add_str_format_methods(Type* type);

}  // namespace apy::rt
