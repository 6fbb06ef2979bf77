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
// Parses a float() argument ("1.5", " -inf ", "1_000.5"); null with ValueError pending.
Value float_from_string(std::string_view text);
// Converts an int (small or big) to a double; false with OverflowError
// "int too large to convert to float" pending when too large.
bool int_to_double(Value v, double* out);
// int64 value of an int when it fits; false otherwise (no exception).
bool int_to_int64(Value v, int64_t* out);
// Decimal (or other base) text of an int, with no length limit (see int_repr).
std::string int_to_string(Value v, int base = 10);
// repr(int): decimal text; null with ValueError pending beyond CPython's 4300-digit limit.
Value int_repr(Value v);
// Python's repr of a float: shortest round-trip form ("0.1", "1e+16", "inf", "nan").
std::string float_repr(double d);
// Python's hash of ints and floats (equal numbers hash equal).
int64_t hash_int(Value v);
int64_t hash_double(double d);

// Arithmetic for ints, bools and floats (the VM tries its own small-int fast path first).
// NotImplemented when an operand is not a number.
Value number_binary(BinaryOp op, Value a, Value b);
Value number_compare(Value a, Value b, CompareOp op);

// divmod(a, b) and abs(v) for ints, bools and floats (CPython's messages and signed
// zeros); NotImplemented when not numbers.
Value number_divmod(Value a, Value b);
Value number_abs(Value v);
// pow(base, exp, mod) for ints (negative exp: the modular inverse, as Python 3.8+).
Value int_pow_mod(Value base, Value exp, Value mod);
// round(x, ndigits) for ints, bools and floats; ndigits None: round to an int. Other
// values: their __round__.
Value round_number(Value x, Value ndigits);
// A plain int with the value of an int (of a subclass, or bool).
Value exact_int(Value v);
// int(x) and float(x) of any value (strs, numbers, __int__/__index__/__float__).
Value to_int(Value v);
Value to_float(Value v);

// ------------------------------------------------------ shared by the number files

// An instance of a subclass of float (plain floats are unboxed).
struct BoxedFloat : Object {
    double value = 0.0;
};

inline bool is_float(Value v) { return v.is_double() || is_layout(v, Layout::Float); }
inline double float_value(Value v) {
    return v.is_double() ? v.as_double() : static_cast<BoxedFloat*>(v.as_object())->value;
}

// A read-only GMP view of any int (small, bool or big), without allocating.
class MpzView {
public:
    explicit MpzView(Value v);
    MpzView(const MpzView&) = delete;
    MpzView& operator=(const MpzView&) = delete;
    mpz_srcptr get() const { return ptr_; }

private:
    mp_limb_t limb_ = 0;
    mpz_t local_;
    mpz_srcptr ptr_;
};

// The float operations (float.cpp) and int operations (int.cpp) behind number_binary.
Value float_binary(BinaryOp op, double x, double y);
Value int_binary(BinaryOp op, Value a, Value b);
// (q, r) of x // y and x % y with CPython's sign rules; false with ZeroDivisionError pending.
bool float_divmod(double x, double y, double* q, double* r);
// Python's float(int): correctly rounded; false when out of range (no exception).
bool mpz_to_double(mpz_srcptr z, double* out);
// The int nearest d (whole, finite); null with OverflowError/ValueError for inf/nan.
Value int_from_double(double d);

void setup_int_types();   // int.cpp: int and bool
void setup_float_type();  // float.cpp

}  // namespace apy::rt
