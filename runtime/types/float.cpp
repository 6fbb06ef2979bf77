// float: IEEE doubles, unboxed in the Value (instances of float subclasses are
// BoxedFloats). Arithmetic, repr and hash follow CPython's float object.
#include <cerrno>
#include <cfloat>
#include <cstdlib>
#include <cmath>
#include <string>

#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/format_spec.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "runtime/unicode.h"

namespace apy::rt {

namespace {

constexpr uint64_t kHashModulus = (uint64_t(1) << 61) - 1;
constexpr int kHashBits = 61;

bool is_odd_integer(double x) { return std::fmod(std::fabs(x), 2.0) == 1.0; }

Value float_pow(double iv, double iw) {
    // CPython's float_pow: C99 pow, with Python's exceptions instead of errno.
    if (iw == 0) return Value::from_double(1.0);
    if (std::isnan(iv)) return Value::from_double(iv);
    if (std::isnan(iw)) return Value::from_double(iv == 1.0 ? 1.0 : iw);
    if (std::isinf(iw)) {
        iv = std::fabs(iv);
        if (iv == 1.0) return Value::from_double(1.0);
        if ((iw > 0.0) == (iv > 1.0)) return Value::from_double(std::fabs(iw));
        return Value::from_double(0.0);
    }
    if (std::isinf(iv)) {
        bool odd = is_odd_integer(iw);
        if (iw > 0.0) return Value::from_double(odd ? iv : std::fabs(iv));
        return Value::from_double(odd ? std::copysign(0.0, iv) : 0.0);
    }
    if (iv == 0.0) {
        if (iw < 0.0)
            return raise(exc.ZeroDivisionError, "0.0 cannot be raised to a negative power");
        return Value::from_double(is_odd_integer(iw) ? iv : 0.0);
    }
    bool negate = false;
    if (iv < 0.0) {
        if (iw != std::floor(iw))
            return raise(exc.NotImplementedError, "complex numbers are not supported by apy");
        iv = -iv;
        negate = is_odd_integer(iw);
    }
    if (iv == 1.0) return Value::from_double(negate ? -1.0 : 1.0);
    double ix = std::pow(iv, iw);
    if (std::isinf(ix)) return raise(exc.OverflowError, "(34, 'Numerical result out of range')");
    return Value::from_double(negate ? -ix : ix);
}

bool parse_digit_part(const std::string& s, size_t* pos, std::string* out) {
    size_t start = *pos;
    while (*pos < s.size()) {
        char c = s[*pos];
        if (c >= '0' && c <= '9') {
            *out += c;
            ++*pos;
        } else if (c == '_' && *pos > start && *pos + 1 < s.size() && s[*pos + 1] >= '0' &&
                   s[*pos + 1] <= '9') {
            ++*pos;
        } else {
            break;
        }
    }
    return *pos > start;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if ((a[i] | 0x20) != b[i]) return false;
    return true;
}

}  // namespace

// ------------------------------------------------------------------ conversions

std::string float_repr(double d) { return format_double(d, 'r', 0, kFloatAddDot0); }

int64_t hash_double(double v) {
    // CPython's _Py_HashDouble, with nan hashing to 0.
    if (!std::isfinite(v)) return std::isinf(v) ? (v > 0 ? 314159 : -314159) : 0;
    int e;
    double m = std::frexp(v, &e);
    int sign = 1;
    if (m < 0) {
        sign = -1;
        m = -m;
    }
    uint64_t x = 0;
    while (m) {
        x = ((x << 28) & kHashModulus) | x >> (kHashBits - 28);
        m *= 268435456.0;
        e -= 28;
        uint64_t y = static_cast<uint64_t>(m);
        m -= static_cast<double>(y);
        x += y;
        if (x >= kHashModulus) x -= kHashModulus;
    }
    e = e >= 0 ? e % kHashBits : kHashBits - 1 - ((-1 - e) % kHashBits);
    x = ((x << e) & kHashModulus) | x >> (kHashBits - e);
    int64_t h = static_cast<int64_t>(x) * sign;
    return h == -1 ? -2 : h;
}

Value float_from_string(std::string_view text) {
    auto fail = [&] {
        return raise_format(exc.ValueError, "could not convert string to float: %s",
                            repr_of_str(text).c_str());
    };
    std::string s;
    size_t cp_pos = 0;
    while (cp_pos < text.size()) {
        uint32_t cp = utf8_decode(text, cp_pos);
        if (cp < 0x80) {
            s += static_cast<char>(cp);
        } else if (is_space(cp)) {
            s += ' ';
        } else {
            int d = decimal_value(cp);
            if (d < 0) return fail();
            s += static_cast<char>('0' + d);
        }
    }
    auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); };
    size_t b = 0, e = s.size();
    while (b < e && space(s[b])) ++b;
    while (e > b && space(s[e - 1])) --e;
    s = s.substr(b, e - b);
    size_t pos = 0;
    bool negative = false;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) negative = s[pos++] == '-';
    std::string_view rest = std::string_view(s).substr(pos);
    double value;
    if (equals_ignore_case(rest, "inf") || equals_ignore_case(rest, "infinity")) {
        value = HUGE_VAL;
    } else if (equals_ignore_case(rest, "nan")) {
        value = NAN;
    } else {
        std::string clean;
        bool int_part = parse_digit_part(s, &pos, &clean);
        bool frac_part = false;
        if (pos < s.size() && s[pos] == '.') {
            clean += '.';
            ++pos;
            frac_part = parse_digit_part(s, &pos, &clean);
        }
        if (!int_part && !frac_part) return fail();
        if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
            clean += 'e';
            ++pos;
            if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) clean += s[pos++];
            if (!parse_digit_part(s, &pos, &clean)) return fail();
        }
        if (pos != s.size()) return fail();
        // strtod rounds correctly (subnormals included) and saturates to inf or 0.
        value = std::strtod(clean.c_str(), nullptr);
    }
    return Value::from_double(negative ? -value : value);
}

Value to_float(Value v) {
    if (v.is_double()) return v;
    if (is_float(v)) return Value::from_double(float_value(v));
    if (is_int(v)) {
        double d;
        if (!int_to_double(v, &d)) return Value::null();
        return Value::from_double(d);
    }
    if (is_str(v)) return float_from_string(str_view(v));
    static Str* const kFloat = intern("__float__");
    static Str* const kIndex = intern("__index__");
    Value method = lookup_in_type(type_of(v), kFloat);
    if (!method.is_null()) {
        Value r = call1(method, v);
        if (r.is_null()) return r;
        if (!is_float(r))
            return raise_format(exc.TypeError, "%s.__float__ returned non-float (type %s)",
                                type_name(v).c_str(), type_name(r).c_str());
        return Value::from_double(float_value(r));
    }
    method = lookup_in_type(type_of(v), kIndex);
    if (!method.is_null()) {
        Value r = call1(method, v);
        if (r.is_null()) return r;
        if (!is_int(r))
            return raise_format(exc.TypeError, "__index__ returned non-int (type %s)",
                                type_name(r).c_str());
        return to_float(r);
    }
    return raise_format(exc.TypeError, "float() argument must be a string or a real number, not '%s'",
                        type_name(v).c_str());
}

// ------------------------------------------------------------------ arithmetic

bool float_divmod(double vx, double wx, double* q, double* r) {
    // CPython's _float_div_mod.
    double mod = std::fmod(vx, wx);
    double div = (vx - mod) / wx;
    if (mod) {
        if ((wx < 0) != (mod < 0)) {
            mod += wx;
            div -= 1.0;
        }
    } else {
        mod = std::copysign(0.0, wx);
    }
    double floordiv;
    if (div) {
        floordiv = std::floor(div);
        if (div - floordiv > 0.5) floordiv += 1.0;
    } else {
        floordiv = std::copysign(0.0, vx / wx);
    }
    *q = floordiv;
    *r = mod;
    return true;
}

Value float_binary(BinaryOp op, double x, double y) {
    switch (op) {
        case BinaryOp::Add: return Value::from_double(x + y);
        case BinaryOp::Subtract: return Value::from_double(x - y);
        case BinaryOp::Multiply: return Value::from_double(x * y);
        case BinaryOp::TrueDivide:
            if (y == 0.0) return raise(exc.ZeroDivisionError, "float division by zero");
            return Value::from_double(x / y);
        case BinaryOp::FloorDivide: {
            if (y == 0.0) return raise(exc.ZeroDivisionError, "float floor division by zero");
            double q, r;
            float_divmod(x, y, &q, &r);
            return Value::from_double(q);
        }
        case BinaryOp::Remainder: {
            if (y == 0.0) return raise(exc.ZeroDivisionError, "float modulo");
            double mod = std::fmod(x, y);
            if (mod) {
                if ((y < 0) != (mod < 0)) mod += y;
            } else {
                mod = std::copysign(0.0, y);
            }
            return Value::from_double(mod);
        }
        case BinaryOp::Power: return float_pow(x, y);
        default: return Value::not_implemented();
    }
}

// ------------------------------------------------------------------ the float type

namespace {

// BoxedFloats hold no references; set explicitly so that object's tracer is not inherited.
void trace_nothing(Object*, Tracer&) {}

Value float_repr_slot(Value self) { return str_value(float_repr(float_value(self))); }

bool float_hash_slot(Value self, int64_t* out) {
    *out = hash_double(float_value(self));
    return true;
}

int float_truth(Value self) { return float_value(self) != 0.0; }

Value float_unary(UnaryOp op, Value self) {
    double d = float_value(self);
    switch (op) {
        case UnaryOp::Negative: return Value::from_double(-d);
        case UnaryOp::Positive: return Value::from_double(d);
        case UnaryOp::Invert: break;
    }
    return Value::not_implemented();
}

Value float_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("float", kwnames) || !check_arg_count("float", nargs, 0, 1))
        return Value::null();
    Value r = nargs == 0 ? Value::from_double(0.0) : to_float(args[0]);
    if (r.is_null() || type == types.float_) return r;
    BoxedFloat* boxed = heap().make<BoxedFloat>(type);
    boxed->value = r.as_double();
    return Value::object(boxed);
}

bool check_method(const char* name, int nargs, Tuple* kwnames, int max = 1) {
    return check_no_kwargs(name, kwnames) && check_arg_count(name, nargs, 1, max);
}

Value float_is_integer(Value* args, int nargs, Tuple* kwnames) {
    if (!check_method("is_integer", nargs, kwnames)) return Value::null();
    double d = float_value(args[0]);
    return Value::boolean(std::isfinite(d) && d == std::floor(d));
}

Value float_as_integer_ratio(Value* args, int nargs, Tuple* kwnames) {
    if (!check_method("as_integer_ratio", nargs, kwnames)) return Value::null();
    double d = float_value(args[0]);
    if (std::isinf(d)) return raise(exc.OverflowError, "cannot convert Infinity to integer ratio");
    if (std::isnan(d)) return raise(exc.ValueError, "cannot convert NaN to integer ratio");
    int e;
    double m = std::frexp(d, &e);
    for (int i = 0; i < 300 && m != std::floor(m); ++i) {
        m *= 2.0;
        --e;
    }
    mpz_t num, den;
    mpz_init_set_d(num, m);
    mpz_init_set_ui(den, 1);
    if (e > 0)
        mpz_mul_2exp(num, num, static_cast<mp_bitcnt_t>(e));
    else
        mpz_mul_2exp(den, den, static_cast<mp_bitcnt_t>(-e));
    // Reduce: the denominator is a power of two.
    mp_bitcnt_t twos = std::min(mpz_sgn(num) ? mpz_scan1(num, 0) : 0, mpz_scan1(den, 0));
    mpz_fdiv_q_2exp(num, num, twos);
    mpz_fdiv_q_2exp(den, den, twos);
    Value pair[2] = {make_int_from_mpz(num), make_int_from_mpz(den)};
    mpz_clear(num);
    mpz_clear(den);
    return Value::object(make_tuple(pair, 2));
}

Value float_hex(Value* args, int nargs, Tuple* kwnames) {
    if (!check_method("hex", nargs, kwnames)) return Value::null();
    double x = float_value(args[0]);
    if (std::isnan(x) || std::isinf(x)) return str_value(float_repr(x));
    if (x == 0.0) return str_value(std::copysign(1.0, x) < 0 ? "-0x0.0p+0" : "0x0.0p+0");
    // CPython's float_hex: a leading hex digit, 13 more, and a binary exponent.
    int e;
    double m = std::frexp(std::fabs(x), &e);
    int shift = 1 - std::max(DBL_MIN_EXP - e, 0);
    m = std::ldexp(m, shift);
    e -= shift;
    static const char kHex[] = "0123456789abcdef";
    std::string s = x < 0 ? "-0x" : "0x";
    s += kHex[static_cast<int>(m)];
    m -= static_cast<int>(m);
    s += '.';
    for (int i = 0; i < 13; ++i) {
        m *= 16.0;
        s += kHex[static_cast<int>(m)];
        m -= static_cast<int>(m);
    }
    s += 'p';
    s += e < 0 ? '-' : '+';
    s += std::to_string(e < 0 ? -e : e);
    return str_value(s);
}

Value float_int(Value* args, int nargs, Tuple* kwnames) {
    if (!check_method("__int__", nargs, kwnames)) return Value::null();
    return int_from_double(float_value(args[0]));
}

Value float_floor(Value* args, int nargs, Tuple* kwnames) {
    if (!check_method("__floor__", nargs, kwnames)) return Value::null();
    return int_from_double(std::floor(float_value(args[0])));
}

Value float_ceil(Value* args, int nargs, Tuple* kwnames) {
    if (!check_method("__ceil__", nargs, kwnames)) return Value::null();
    return int_from_double(std::ceil(float_value(args[0])));
}

Value float_self(Value* args, int nargs, Tuple* kwnames) {
    if (!check_method("__float__", nargs, kwnames)) return Value::null();
    return Value::from_double(float_value(args[0]));
}

Value float_abs(Value* args, int nargs, Tuple* kwnames) {
    if (!check_method("__abs__", nargs, kwnames)) return Value::null();
    return Value::from_double(std::fabs(float_value(args[0])));
}

Value float_round(Value* args, int nargs, Tuple* kwnames) {
    if (!check_method("__round__", nargs, kwnames, 2)) return Value::null();
    return round_number(Value::from_double(float_value(args[0])),
                        nargs > 1 ? args[1] : Value::none());
}

Value float_format(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__format__", kwnames) || !check_arg_count("__format__", nargs, 2, 2))
        return Value::null();
    if (!is_str(args[1]))
        return raise_format(exc.TypeError, "__format__() argument must be str, not %s",
                            type_name(args[1]).c_str());
    return format_number(Value::from_double(float_value(args[0])), str_view(args[1]));
}

Value float_divmod_method(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__divmod__", kwnames) || !check_arg_count("__divmod__", nargs, 2, 2))
        return Value::null();
    return number_divmod(Value::from_double(float_value(args[0])), args[1]);
}

}  // namespace

// The data attributes (CPython's getset descriptors).
Value float_getattr(Value self, Str* name) {
    std::string_view n = name->view();
    if (n == "real") return Value::from_double(float_value(self));
    if (n == "imag") return Value::from_double(0.0);
    return generic_getattr(self, name);
}

void setup_float_type() {
    Type* t = types.float_;
    // Plain floats are unboxed; instances of subclasses are BoxedFloats.
    t->layout = Layout::Float;
    t->trace = trace_nothing;
    t->repr = float_repr_slot;
    t->hash = float_hash_slot;
    t->compare = number_compare;
    t->binary = number_binary;
    t->unary = float_unary;
    t->truth = float_truth;
    t->new_instance = float_new;
    t->getattr = float_getattr;
    static const MethodDef kFloatMethods[] = {
        {"is_integer", float_is_integer},
        {"as_integer_ratio", float_as_integer_ratio},
        {"hex", float_hex},
        {"__int__", float_int},
        {"__trunc__", float_int},
        {"__floor__", float_floor},
        {"__ceil__", float_ceil},
        {"__float__", float_self},
        {"conjugate", float_self},
        {"__abs__", float_abs},
        {"__round__", float_round},
        {"__format__", float_format},
        {"__divmod__", float_divmod_method},
        {nullptr, nullptr},
    };
    add_methods(t, kFloatMethods);
}

}  // namespace apy::rt
