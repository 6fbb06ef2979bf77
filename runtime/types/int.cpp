// int and bool: small ints live unboxed in the Value (48 bits), bigger ones in a
// BigInt (GMP). Every result is normalised: a value in the small range is never boxed.
#include <charconv>
#include <cinttypes>
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

constexpr int kMaxStrDigits = 4300;  // CPython's default sys.int_info.default_max_str_digits
constexpr uint64_t kHashModulus = (uint64_t(1) << 61) - 1;
// Results beyond this many bits are refused with MemoryError rather than attempted.
constexpr uint64_t kMaxBits = uint64_t(1) << 36;

Value box_mpz(Type* type, mpz_srcptr z) {
    BigInt* b = heap().make<BigInt>(type);
    mpz_set(b->value, z);
    heap().note_external(mpz_size(z) * sizeof(mp_limb_t));
    return Value::object(b);
}

// RAII for a GMP temporary.
struct Mpz {
    Mpz() { mpz_init(z); }
    ~Mpz() { mpz_clear(z); }
    Mpz(const Mpz&) = delete;
    Mpz& operator=(const Mpz&) = delete;
    mpz_t z;
};

bool small_value(Value v, int64_t* out) {
    if (v.is_small_int()) {
        *out = v.as_small_int();
        return true;
    }
    if (v.is_bool()) {
        *out = v.is_true();
        return true;
    }
    return false;
}

Value zero_division(BinaryOp op) {
    return raise(exc.ZeroDivisionError, op == BinaryOp::Remainder
                                            ? "integer modulo by zero"
                                            : "integer division or modulo by zero");
}

// The repr of [text] cut to 200 characters, as CPython's "%.200R".
std::string short_repr(std::string_view text) {
    std::string r = repr_of_str(text);
    size_t pos = 0;
    for (int i = 0; i < 200 && pos < r.size(); ++i) pos += utf8_lead_width(r[pos]);
    return r.substr(0, pos);
}

Value invalid_literal(std::string_view text, int base) {
    return raise_format(exc.ValueError, "invalid literal for int() with base %d: %s", base,
                        short_repr(text).c_str());
}

int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

// int / int, correctly rounded as CPython does.
Value int_true_divide(Value a, Value b) {
    MpzView va(a), vb(b);
    if (mpz_sgn(vb.get()) == 0) return raise(exc.ZeroDivisionError, "division by zero");
    bool negative = (mpz_sgn(va.get()) < 0) != (mpz_sgn(vb.get()) < 0);
    if (mpz_sgn(va.get()) == 0) return Value::from_double(negative ? -0.0 : 0.0);
    Mpz n, d, q, r;
    mpz_abs(n.z, va.get());
    mpz_abs(d.z, vb.get());
    long a_bits = static_cast<long>(mpz_sizeinbase(n.z, 2));
    long b_bits = static_cast<long>(mpz_sizeinbase(d.z, 2));
    if (a_bits <= 53 && b_bits <= 53) {
        double x = mpz_get_d(n.z) / mpz_get_d(d.z);
        return Value::from_double(negative ? -x : x);
    }
    if (a_bits - b_bits > 1025)
        return raise(exc.OverflowError, "integer division result too large for a float");
    if (a_bits - b_bits < -1080) return Value::from_double(negative ? -0.0 : 0.0);
    // Scale so that the quotient has at least 55 bits, then round once.
    long shift = a_bits - b_bits - 55;
    if (shift < 0)
        mpz_mul_2exp(n.z, n.z, static_cast<mp_bitcnt_t>(-shift));
    else
        mpz_mul_2exp(d.z, d.z, static_cast<mp_bitcnt_t>(shift));
    mpz_tdiv_qr(q.z, r.z, n.z, d.z);
    if (mpz_sgn(r.z) != 0) mpz_setbit(q.z, 0);  // sticky bit: below the rounding position
    // q * 2^shift, rounded to the double grid (53 bits, or fewer when subnormal).
    long top = static_cast<long>(mpz_sizeinbase(q.z, 2)) - 1 + shift;
    if (top >= 1024)
        return raise(exc.OverflowError, "integer division result too large for a float");
    long low = std::max(top - 52, -1074L);
    long drop = low - shift;
    bool half = mpz_tstbit(q.z, drop - 1);
    bool rest = mpz_scan1(q.z, 0) < static_cast<mp_bitcnt_t>(drop - 1);
    mpz_fdiv_q_2exp(q.z, q.z, drop);
    if (half && (rest || mpz_odd_p(q.z))) mpz_add_ui(q.z, q.z, 1);
    double x = std::ldexp(mpz_get_d(q.z), static_cast<int>(low));
    if (std::isinf(x))
        return raise(exc.OverflowError, "integer division result too large for a float");
    return Value::from_double(negative ? -x : x);
}

Value int_power(Value a, Value b) {
    MpzView vb(b);
    if (mpz_sgn(vb.get()) < 0) {
        double x, y;
        if (!int_to_double(a, &x) || !int_to_double(b, &y)) return Value::null();
        return float_binary(BinaryOp::Power, x, y);
    }
    MpzView va(a);
    if (mpz_cmpabs_ui(va.get(), 1) <= 0) {
        if (mpz_sgn(va.get()) >= 0 || mpz_even_p(vb.get()))
            return mpz_sgn(va.get()) == 0 && mpz_sgn(vb.get()) != 0 ? Value::small_int(0)
                                                                    : Value::small_int(1);
        return Value::small_int(-1);
    }
    if (!mpz_fits_ulong_p(vb.get()) ||
        mpz_get_ui(vb.get()) > kMaxBits / mpz_sizeinbase(va.get(), 2))
        return raise(exc.MemoryError, "");
    Mpz r;
    mpz_pow_ui(r.z, va.get(), mpz_get_ui(vb.get()));
    return make_int_from_mpz(r.z);
}

Value int_shift(BinaryOp op, Value a, Value b) {
    MpzView va(a), vb(b);
    if (mpz_sgn(vb.get()) < 0) return raise(exc.ValueError, "negative shift count");
    if (mpz_sgn(va.get()) == 0) return Value::small_int(0);
    bool huge = !mpz_fits_ulong_p(vb.get());
    unsigned long count = huge ? 0 : mpz_get_ui(vb.get());
    if (op == BinaryOp::RShift) {
        if (huge || count >= mpz_sizeinbase(va.get(), 2))
            return Value::small_int(mpz_sgn(va.get()) < 0 ? -1 : 0);
        Mpz r;
        mpz_fdiv_q_2exp(r.z, va.get(), count);
        return make_int_from_mpz(r.z);
    }
    if (huge) return raise(exc.OverflowError, "too many digits in integer");
    if (count > kMaxBits) return raise(exc.MemoryError, "");
    Mpz r;
    mpz_mul_2exp(r.z, va.get(), count);
    return make_int_from_mpz(r.z);
}

// Two small ints: the common case, without GMP when the result stays in 64 bits.
Value small_binary(BinaryOp op, int64_t x, int64_t y, bool* done) {
    *done = true;
    int64_t r;
    switch (op) {
        case BinaryOp::Add: return make_int(x + y);
        case BinaryOp::Subtract: return make_int(x - y);
        case BinaryOp::Multiply:
            if (!__builtin_mul_overflow(x, y, &r)) return make_int(r);
            break;
        case BinaryOp::FloorDivide:
        case BinaryOp::Remainder: {
            if (y == 0) return zero_division(op);
            int64_t q = x / y, m = x % y;
            if (m != 0 && ((m < 0) != (y < 0))) {
                m += y;
                --q;
            }
            return make_int(op == BinaryOp::FloorDivide ? q : m);
        }
        case BinaryOp::And: return Value::small_int(x & y);
        case BinaryOp::Or: return Value::small_int(x | y);
        case BinaryOp::Xor: return Value::small_int(x ^ y);
        case BinaryOp::LShift:
            if (y < 0) return raise(exc.ValueError, "negative shift count");
            if (y <= 16) return make_int(x * (int64_t(1) << y));
            break;
        case BinaryOp::RShift:
            if (y < 0) return raise(exc.ValueError, "negative shift count");
            return Value::small_int(y >= 63 ? (x < 0 ? -1 : 0) : x >> y);
        case BinaryOp::TrueDivide:
            if (y == 0) return raise(exc.ZeroDivisionError, "division by zero");
            return Value::from_double(static_cast<double>(x) / static_cast<double>(y));
        case BinaryOp::Power:
            if (y >= 0) {
                int64_t result = 1, base = x;
                bool overflow = false;
                for (int64_t e = y; e > 0 && !overflow; e >>= 1) {
                    if (e & 1) overflow = __builtin_mul_overflow(result, base, &result);
                    if (e > 1 && !overflow) overflow = __builtin_mul_overflow(base, base, &base);
                }
                if (!overflow) return make_int(result);
            }
            break;
        default: break;
    }
    *done = false;
    return Value::null();
}

// Strips Python whitespace and maps Unicode decimal digits to ASCII, as CPython
// does before parsing int() and float() arguments; false when a character is not ASCII.
bool normalise_number_text(std::string_view text, std::string* out) {
    size_t pos = 0;
    std::string s;
    while (pos < text.size()) {
        uint32_t cp = utf8_decode(text, pos);
        if (cp < 0x80) {
            s += static_cast<char>(cp);
        } else if (is_space(cp)) {
            s += ' ';
        } else {
            int d = decimal_value(cp);
            if (d < 0) return false;
            s += static_cast<char>('0' + d);
        }
    }
    size_t b = 0, e = s.size();
    auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); };
    while (b < e && space(s[b])) ++b;
    while (e > b && space(s[e - 1])) --e;
    *out = s.substr(b, e - b);
    return true;
}

}  // namespace

// ------------------------------------------------------------------ construction

MpzView::MpzView(Value v) {
    if (is_layout(v, Layout::Int)) {
        ptr_ = static_cast<BigInt*>(v.as_object())->value;
        return;
    }
    int64_t i = v.is_bool() ? v.is_true() : v.as_small_int();
    limb_ = static_cast<mp_limb_t>(i < 0 ? -static_cast<uint64_t>(i) : static_cast<uint64_t>(i));
    ptr_ = mpz_roinit_n(local_, &limb_, i < 0 ? -1 : (i > 0 ? 1 : 0));
}

Value make_big_int(int64_t i) {
    BigInt* b = heap().make<BigInt>(types.int_);
    mpz_set_si(b->value, i);
    return Value::object(b);
}

Value make_int_from_mpz(const mpz_t value) {
    if (mpz_fits_slong_p(value)) {
        long i = mpz_get_si(value);
        if (Value::fits_small_int(i)) return Value::small_int(i);
    }
    return box_mpz(types.int_, value);
}

bool int_to_int64(Value v, int64_t* out) {
    if (small_value(v, out)) return true;
    mpz_srcptr z = as<BigInt>(v)->value;
    if (!mpz_fits_slong_p(z)) return false;
    *out = mpz_get_si(z);
    return true;
}

bool mpz_to_double(mpz_srcptr z, double* out) {
    size_t bits = mpz_sizeinbase(z, 2);
    if (bits <= 53) {
        *out = mpz_get_d(z);
        return true;
    }
    if (bits > 1024) return false;
    // Keep the top 53 bits, rounding half to even on the rest.
    Mpz t;
    mpz_abs(t.z, z);
    mp_bitcnt_t drop = bits - 53;
    bool half = mpz_tstbit(t.z, drop - 1);
    bool rest = mpz_scan1(t.z, 0) < drop - 1;
    mpz_fdiv_q_2exp(t.z, t.z, drop);
    if (half && (rest || mpz_odd_p(t.z))) mpz_add_ui(t.z, t.z, 1);
    double x = std::ldexp(mpz_get_d(t.z), static_cast<int>(drop));
    if (std::isinf(x)) return false;
    *out = mpz_sgn(z) < 0 ? -x : x;
    return true;
}

bool int_to_double(Value v, double* out) {
    int64_t i;
    if (small_value(v, &i)) {
        *out = static_cast<double>(i);
        return true;
    }
    if (mpz_to_double(as<BigInt>(v)->value, out)) return true;
    raise(exc.OverflowError, "int too large to convert to float");
    return false;
}

Value int_from_double(double d) {
    if (std::isinf(d)) return raise(exc.OverflowError, "cannot convert float infinity to integer");
    if (std::isnan(d)) return raise(exc.ValueError, "cannot convert float NaN to integer");
    d = std::trunc(d);
    if (std::fabs(d) < 9.2e18) return make_int(static_cast<int64_t>(d));
    Mpz z;
    mpz_set_d(z.z, d);
    return make_int_from_mpz(z.z);
}

std::string int_to_string(Value v, int base) {
    int64_t i;
    if (base == 10 && small_value(v, &i)) return std::to_string(i);
    MpzView z(v);
    std::string s(mpz_sizeinbase(z.get(), base) + 2, '\0');
    mpz_get_str(s.data(), base, z.get());
    s.resize(std::strlen(s.c_str()));
    return s;
}

Value int_repr(Value v) {
    int64_t i;
    if (small_value(v, &i)) {
        char digits[24];
        char* end = std::to_chars(digits, digits + sizeof digits, i).ptr;
        return str_value(std::string_view(digits, end - digits));
    }
    mpz_srcptr z = as<BigInt>(v)->value;
    // sizeinbase may overshoot by one: check the text itself when near the limit.
    if (mpz_sizeinbase(z, 10) > kMaxStrDigits + 1 ||
        int_to_string(v).size() - (mpz_sgn(z) < 0) > kMaxStrDigits)
        return raise(exc.ValueError,
                     "Exceeds the limit (4300 digits) for integer string conversion; use "
                     "sys.set_int_max_str_digits() to increase the limit");
    return str_value(int_to_string(v));
}

Value int_from_string(std::string_view text, int base) {
    std::string s;
    if (!normalise_number_text(text, &s)) return invalid_literal(text, base);
    size_t pos = 0;
    bool negative = false;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) negative = s[pos++] == '-';
    int actual = base;
    bool after_prefix = false;  // "0x_1" allows an underscore right after the prefix
    if (s.size() - pos >= 2 && s[pos] == '0') {
        char p = static_cast<char>(s[pos + 1] | 0x20);
        int prefix_base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
        if (prefix_base && (base == 0 || base == prefix_base)) {
            actual = prefix_base;
            pos += 2;
            after_prefix = true;
        }
    }
    if (actual == 0) actual = 10;
    std::string digits;
    bool allow_underscore = after_prefix;  // "0x_1f" is valid, "_1" is not
    bool need_digit = true;
    for (; pos < s.size(); ++pos) {
        char c = s[pos];
        if (c == '_') {
            if (!allow_underscore) return invalid_literal(text, base);
            allow_underscore = false;
            need_digit = true;
            continue;
        }
        if (digit_value(c) >= actual) return invalid_literal(text, base);
        digits += c;
        allow_underscore = true;
        need_digit = false;
    }
    if (need_digit) return invalid_literal(text, base);
    // Base 0 forbids leading zeros on a nonzero decimal ("017").
    if (base == 0 && actual == 10 && digits.size() > 1 && digits[0] == '0' &&
        digits.find_first_not_of('0') != std::string::npos)
        return invalid_literal(text, base);
    bool power_of_two = (actual & (actual - 1)) == 0;
    if (!power_of_two && digits.size() > kMaxStrDigits)
        return raise_format(exc.ValueError,
                            "Exceeds the limit (4300 digits) for integer string conversion: "
                            "value has %zu digits; use sys.set_int_max_str_digits() to "
                            "increase the limit",
                            digits.size());
    if (digits.size() <= 10 || (actual <= 10 && digits.size() <= 18)) {
        int64_t r = 0;
        for (char c : digits) r = r * actual + digit_value(c);
        return make_int(negative ? -r : r);
    }
    Mpz z;
    mpz_set_str(z.z, digits.c_str(), actual);
    if (negative) mpz_neg(z.z, z.z);
    return make_int_from_mpz(z.z);
}

int64_t hash_int(Value v) {
    int64_t i;
    if (small_value(v, &i)) return i == -1 ? -2 : i;
    mpz_srcptr z = as<BigInt>(v)->value;
    Mpz a;
    mpz_abs(a.z, z);
    int64_t h = static_cast<int64_t>(mpz_fdiv_ui(a.z, kHashModulus));
    if (mpz_sgn(z) < 0) h = -h;
    return h == -1 ? -2 : h;
}

// ------------------------------------------------------------------ arithmetic

Value int_binary(BinaryOp op, Value a, Value b) {
    int64_t x, y;
    if (small_value(a, &x) && small_value(b, &y)) {
        bool done;
        Value r = small_binary(op, x, y, &done);
        if (done) return r;
    }
    MpzView va(a), vb(b);
    Mpz r;
    switch (op) {
        case BinaryOp::Add: mpz_add(r.z, va.get(), vb.get()); break;
        case BinaryOp::Subtract: mpz_sub(r.z, va.get(), vb.get()); break;
        case BinaryOp::Multiply:
            if (mpz_sizeinbase(va.get(), 2) + mpz_sizeinbase(vb.get(), 2) > kMaxBits)
                return raise(exc.MemoryError, "");
            mpz_mul(r.z, va.get(), vb.get());
            break;
        case BinaryOp::FloorDivide:
            if (mpz_sgn(vb.get()) == 0) return zero_division(op);
            mpz_fdiv_q(r.z, va.get(), vb.get());
            break;
        case BinaryOp::Remainder:
            if (mpz_sgn(vb.get()) == 0) return zero_division(op);
            mpz_fdiv_r(r.z, va.get(), vb.get());
            break;
        case BinaryOp::And: mpz_and(r.z, va.get(), vb.get()); break;
        case BinaryOp::Or: mpz_ior(r.z, va.get(), vb.get()); break;
        case BinaryOp::Xor: mpz_xor(r.z, va.get(), vb.get()); break;
        case BinaryOp::LShift:
        case BinaryOp::RShift: return int_shift(op, a, b);
        case BinaryOp::TrueDivide: return int_true_divide(a, b);
        case BinaryOp::Power: return int_power(a, b);
        case BinaryOp::MatMul: return Value::not_implemented();
    }
    heap().note_external(mpz_size(r.z) * sizeof(mp_limb_t));
    return make_int_from_mpz(r.z);
}

Value int_pow_mod(Value base, Value exp, Value mod) {
    if (!is_int(base) || !is_int(exp) || !is_int(mod))
        return raise(exc.TypeError, "pow() 3rd argument not allowed unless all arguments are integers");
    MpzView vb(base), ve(exp), vm(mod);
    if (mpz_sgn(vm.get()) == 0) return raise(exc.ValueError, "pow() 3rd argument cannot be 0");
    Mpz m, b, e, r;
    mpz_abs(m.z, vm.get());
    mpz_set(b.z, vb.get());
    mpz_set(e.z, ve.get());
    if (mpz_sgn(e.z) < 0) {
        if (mpz_cmp_ui(m.z, 1) == 0) return Value::small_int(0);
        if (!mpz_invert(b.z, b.z, m.z))
            return raise(exc.ValueError, "base is not invertible for the given modulus");
        mpz_neg(e.z, e.z);
    }
    mpz_powm(r.z, b.z, e.z, m.z);
    if (mpz_sgn(vm.get()) < 0 && mpz_sgn(r.z) != 0) mpz_sub(r.z, r.z, m.z);
    return make_int_from_mpz(r.z);
}

// ------------------------------------------------------------------ the int type

namespace {

Value int_repr_slot(Value self) {
    if (self.is_bool()) return str_value(self.is_true() ? "True" : "False");
    return int_repr(self);
}

bool int_hash_slot(Value self, int64_t* out) {
    *out = hash_int(self);
    return true;
}

int int_truth(Value self) {
    int64_t i;
    if (small_value(self, &i)) return i != 0;
    return mpz_sgn(as<BigInt>(self)->value) != 0;
}

Value int_unary(UnaryOp op, Value self) {
    int64_t i;
    if (small_value(self, &i)) {
        switch (op) {
            case UnaryOp::Negative: return make_int(-i);
            case UnaryOp::Positive: return make_int(i);
            case UnaryOp::Invert: return make_int(~i);
        }
    }
    MpzView v(self);
    Mpz r;
    switch (op) {
        case UnaryOp::Negative: mpz_neg(r.z, v.get()); break;
        case UnaryOp::Positive: mpz_set(r.z, v.get()); break;
        case UnaryOp::Invert: mpz_com(r.z, v.get()); break;
    }
    return make_int_from_mpz(r.z);
}

// Calls the dunder [name] of v if its type has one; null without exception when absent.
Value call_dunder(Value v, const char* name, bool* found) {
    Str* key = intern(name);
    Value method = lookup_in_type(type_of(v), key);
    *found = !method.is_null();
    if (!*found) return Value::null();
    return call1(method, v);
}

Value int_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("int", "x=?, /, base=?");
    for (int64_t i = 0; kwnames && i < kwnames->size; ++i)
        if (str_view(kwnames->items[i]) != "base")
            return raise_format(exc.TypeError, "'%s' is an invalid keyword argument for int()",
                                std::string(str_view(kwnames->items[i])).c_str());
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    Value result;
    if (a[1].is_null()) {
        result = a[0].is_null() ? Value::small_int(0) : to_int(a[0]);
    } else {
        int64_t base;
        if (is_int(a[1]) && !int_to_int64(a[1], &base))
            base = -1;  // out of range either way
        else if (!to_index(a[1], &base))
            return Value::null();
        if (base != 0 && (base < 2 || base > 36))
            return raise(exc.ValueError, "int() base must be >= 2 and <= 36, or 0");
        if (a[0].is_null()) return raise(exc.TypeError, "int() missing string argument");
        if (!is_str(a[0]))
            return raise(exc.TypeError, "int() can't convert non-string with explicit base");
        result = int_from_string(str_view(a[0]), static_cast<int>(base));
    }
    if (result.is_null() || type == types.int_) return result;
    MpzView v(result);
    return box_mpz(type, v.get());
}

Value bool_new(Type*, Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("bool", kwnames) || !check_arg_count("bool", nargs, 0, 1))
        return Value::null();
    if (nargs == 0) return Value::boolean(false);
    int t = truthy(args[0]);
    if (t < 0) return Value::null();
    return Value::boolean(t);
}

Value int_bit_length(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("bit_length", kwnames) || !check_arg_count("bit_length", nargs, 1, 1))
        return Value::null();
    MpzView v(args[0]);
    if (mpz_sgn(v.get()) == 0) return Value::small_int(0);
    return make_int(static_cast<int64_t>(mpz_sizeinbase(v.get(), 2)));
}

Value int_bit_count(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("bit_count", kwnames) || !check_arg_count("bit_count", nargs, 1, 1))
        return Value::null();
    MpzView v(args[0]);
    Mpz a;
    mpz_abs(a.z, v.get());
    return make_int(static_cast<int64_t>(mpz_popcount(a.z)));
}

Value int_self(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__int__", kwnames) || !check_arg_count("__int__", nargs, 1, 1))
        return Value::null();
    return exact_int(args[0]);
}

// The data attributes (CPython's getset descriptors): an int is its own real part and numerator.
Value int_getattr(Value self, Str* name) {
    std::string_view n = name->view();
    if (n == "real" || n == "numerator") return exact_int(self);
    if (n == "imag") return Value::small_int(0);
    if (n == "denominator") return Value::small_int(1);
    return generic_getattr(self, name);
}

Value int_float(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__float__", kwnames) || !check_arg_count("__float__", nargs, 1, 1))
        return Value::null();
    double d;
    if (!int_to_double(args[0], &d)) return Value::null();
    return Value::from_double(d);
}

Value int_abs(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__abs__", kwnames) || !check_arg_count("__abs__", nargs, 1, 1))
        return Value::null();
    MpzView v(args[0]);
    if (mpz_sgn(v.get()) < 0) return int_unary(UnaryOp::Negative, args[0]);
    return exact_int(args[0]);
}

Value int_round(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__round__", kwnames) || !check_arg_count("__round__", nargs, 1, 2))
        return Value::null();
    return round_number(args[0], nargs > 1 ? args[1] : Value::none());
}

Value int_as_integer_ratio(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("as_integer_ratio", kwnames) ||
        !check_arg_count("as_integer_ratio", nargs, 1, 1))
        return Value::null();
    Value pair[2] = {exact_int(args[0]), Value::small_int(1)};
    return Value::object(make_tuple(pair, 2));
}

Value int_format(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__format__", kwnames) || !check_arg_count("__format__", nargs, 2, 2))
        return Value::null();
    if (!is_str(args[1]))
        return raise_format(exc.TypeError, "__format__() argument must be str, not %s",
                            type_name(args[1]).c_str());
    return format_number(args[0], str_view(args[1]));
}

Value int_divmod(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__divmod__", kwnames) || !check_arg_count("__divmod__", nargs, 2, 2))
        return Value::null();
    return number_divmod(args[0], args[1]);
}

void destroy_big_int(Object* self) { static_cast<BigInt*>(self)->~BigInt(); }
// BigInts hold no references; set explicitly so that object's tracer is not inherited.
void trace_nothing(Object*, Tracer&) {}

}  // namespace

// A plain int with the value of an int (of a subclass, or bool).
Value exact_int(Value v) {
    if (v.is_bool()) return Value::small_int(v.is_true());
    if (v.is_small_int() || type_of(v) == types.int_) return v;
    return make_int_from_mpz(as<BigInt>(v)->value);
}

Value to_int(Value v) {
    if (is_int(v)) return exact_int(v);
    if (is_float(v)) return int_from_double(float_value(v));
    if (is_str(v)) return int_from_string(str_view(v), 10);
    bool found;
    for (const char* name : {"__int__", "__index__", "__trunc__"}) {
        Value r = call_dunder(v, name, &found);
        if (!found) continue;
        if (r.is_null()) return r;
        if (!is_int(r))
            return raise_format(exc.TypeError, "%s returned non-int (type %s)", name,
                                type_name(r).c_str());
        return exact_int(r);
    }
    return raise_format(exc.TypeError,
                        "int() argument must be a string, a bytes-like object or a real number, "
                        "not '%s'",
                        type_name(v).c_str());
}

void setup_int_types() {
    Type* t = types.int_;
    t->destroy = destroy_big_int;
    t->trace = trace_nothing;
    t->repr = int_repr_slot;
    t->hash = int_hash_slot;
    t->compare = number_compare;
    t->binary = number_binary;
    t->unary = int_unary;
    t->truth = int_truth;
    t->new_instance = int_new;
    t->getattr = int_getattr;
    static const MethodDef kIntMethods[] = {
        {"bit_length", int_bit_length},
        {"bit_count", int_bit_count},
        {"__index__", int_self},
        {"__int__", int_self},
        {"__trunc__", int_self},
        {"__floor__", int_self},
        {"__ceil__", int_self},
        {"conjugate", int_self},
        {"__float__", int_float},
        {"__abs__", int_abs},
        {"__round__", int_round},
        {"__format__", int_format},
        {"__divmod__", int_divmod},
        {"as_integer_ratio", int_as_integer_ratio},
        {nullptr, nullptr},
    };
    add_methods(t, kIntMethods);

    Type* b = types.bool_;
    b->repr = int_repr_slot;
    b->hash = int_hash_slot;
    b->compare = number_compare;
    b->binary = number_binary;
    b->unary = int_unary;
    b->truth = int_truth;
    b->new_instance = bool_new;
    b->getattr = int_getattr;
    b->destroy = destroy_big_int;
    b->trace = trace_nothing;
}

}  // namespace apy::rt
