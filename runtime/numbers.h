// Ints and floats: the numeric tower shared by the compiler (literals), the
// VM (arithmetic fast paths fall back here) and the builtins.
#pragma once

#include <string>
#include <string_view>

#include "runtime/objects.h"

namespace apy::rt {

// Parses an int literal or int() argument: [text] in [base] (0: auto from the
// prefix, as for literals). Underscores as Python allows. Null with ValueError
// "invalid literal for int() with base 10: 'x'" pending when malformed.
Value int_from_string(std::string_view text, int base);
// Converts an int (small or big) to a double; false with OverflowError
// "int too large to convert to float" pending when too large.
bool int_to_double(Value v, double* out);
// int64 value of an int when it fits; false otherwise (no exception).
bool int_to_int64(Value v, int64_t* out);
// Decimal (or other base) text of an int.
std::string int_to_string(Value v, int base = 10);
// Python's repr of a float: shortest round-trip form ("0.1", "1e+16", "inf", "nan").
std::string float_repr(double d);
// Python's hash of ints and floats (equal numbers hash equal).
int64_t hash_int(Value v);
int64_t hash_double(double d);

// Arithmetic for ints, bools and floats (the VM tries its own small-int fast path first).
// NotImplemented when an operand is not a number.
Value number_binary(BinaryOp op, Value a, Value b);
Value number_compare(Value a, Value b, CompareOp op);

// pow(base, exp, mod) for ints (negative exp: the modular inverse, as Python 3.8+).
Value int_pow_mod(Value base, Value exp, Value mod);

}  // namespace apy::rt
