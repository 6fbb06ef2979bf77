// The numeric tower's generic entry points: mixed int/float arithmetic and
// comparison (exact, as CPython's), and round().
#include "runtime/numbers.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

namespace {

bool v_small(Value v) { return v.is_small_int() || v.is_bool(); }

bool is_bitwise(BinaryOp op) {
    return op == BinaryOp::And || op == BinaryOp::Or || op == BinaryOp::Xor;
}

bool float_supports(BinaryOp op) {
    switch (op) {
        case BinaryOp::Add:
        case BinaryOp::Subtract:
        case BinaryOp::Multiply:
        case BinaryOp::TrueDivide:
        case BinaryOp::FloorDivide:
        case BinaryOp::Remainder:
        case BinaryOp::Power: return true;
        default: return false;
    }
}

bool to_double(Value v, double* out) {
    if (is_float(v)) {
        *out = float_value(v);
        return true;
    }
    return int_to_double(v, out);
}

// Sign of (i - d) for an int and a non-NaN double, exactly.
int compare_int_double(Value i, double d) {
    if (v_small(i)) {
        int64_t x = i.is_bool() ? i.is_true() : i.as_small_int();
        double dx = static_cast<double>(x);  // exact: small ints have 48 bits
        return dx < d ? -1 : dx > d ? 1 : 0;
    }
    if (std::isinf(d)) return d > 0 ? -1 : 1;
    int c = mpz_cmp_d(as<BigInt>(i)->value, d);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

Value compare_result(int c, CompareOp op) {
    switch (op) {
        case CompareOp::Lt: return Value::boolean(c < 0);
        case CompareOp::Le: return Value::boolean(c <= 0);
        case CompareOp::Eq: return Value::boolean(c == 0);
        case CompareOp::Ne: return Value::boolean(c != 0);
        case CompareOp::Gt: return Value::boolean(c > 0);
        case CompareOp::Ge: return Value::boolean(c >= 0);
    }
    return Value::boolean(false);
}

Value round_float(double x, Value ndigits) {
    if (ndigits.is_none()) {
        double rounded = std::round(x);
        if (std::fabs(x - rounded) == 0.5) rounded = 2.0 * std::round(x / 2.0);
        return int_from_double(rounded);
    }
    int64_t n;
    if (!to_index(ndigits, &n)) {
        if (!pending_is(exc.OverflowError)) return Value::null();
        clear_pending();
        n = mpz_sgn(as<BigInt>(ndigits)->value) < 0 ? INT64_MIN : INT64_MAX;
    }
    // Beyond these, rounding is the identity or gives zero (CPython's NDIGITS_MAX/MIN).
    if (n > 323 || !std::isfinite(x) || x == 0.0) return Value::from_double(x);
    if (n < -308) return Value::from_double(0.0 * x);
    if (n >= 0) {
        // glibc's printf rounds the exact binary value correctly, half to even.
        char buffer[700];
        std::snprintf(buffer, sizeof buffer, "%.*f", static_cast<int>(n), x);
        return Value::from_double(std::strtod(buffer, nullptr));
    }
    // Round x / 10^k to an integer, half to even, exactly.
    mpq_t q;
    mpz_t p, quotient, remainder;
    mpq_init(q);
    mpz_inits(p, quotient, remainder, nullptr);
    mpq_set_d(q, x);
    mpz_ui_pow_ui(p, 10, static_cast<unsigned long>(-n));
    mpz_mul(mpq_denref(q), mpq_denref(q), p);
    mpz_fdiv_qr(quotient, remainder, mpq_numref(q), mpq_denref(q));
    mpz_mul_2exp(remainder, remainder, 1);
    int c = mpz_cmp(remainder, mpq_denref(q));
    if (c > 0 || (c == 0 && mpz_odd_p(quotient))) mpz_add_ui(quotient, quotient, 1);
    mpz_mul(quotient, quotient, p);
    double result = 0.0;
    bool ok = mpz_to_double(quotient, &result);
    mpq_clear(q);
    mpz_clears(p, quotient, remainder, nullptr);
    if (!ok) return raise(exc.OverflowError, "rounded value too large to represent");
    return Value::from_double(result == 0.0 ? std::copysign(0.0, x) : result);
}

Value round_int(Value x, Value ndigits) {
    Value plain = to_int(x);
    if (plain.is_null() || ndigits.is_none()) return plain;
    if (!is_int(ndigits))
        return raise_format(exc.TypeError, "'%s' object cannot be interpreted as an integer",
                            type_name(ndigits).c_str());
    MpzView vn(ndigits);
    if (mpz_sgn(vn.get()) >= 0) return plain;
    if (!mpz_fits_slong_p(vn.get()) || mpz_get_si(vn.get()) < -1000000) return Value::small_int(0);
    MpzView vx(plain);
    mpz_t p, quotient, remainder;
    mpz_inits(p, quotient, remainder, nullptr);
    mpz_ui_pow_ui(p, 10, static_cast<unsigned long>(-mpz_get_si(vn.get())));
    mpz_fdiv_qr(quotient, remainder, vx.get(), p);
    mpz_mul_2exp(remainder, remainder, 1);
    int c = mpz_cmp(remainder, p);
    if (c > 0 || (c == 0 && mpz_odd_p(quotient))) mpz_add_ui(quotient, quotient, 1);
    mpz_mul(quotient, quotient, p);
    Value r = make_int_from_mpz(quotient);
    mpz_clears(p, quotient, remainder, nullptr);
    return r;
}

}  // namespace

Value number_binary(BinaryOp op, Value a, Value b) {
    if (a.is_double() && b.is_double()) return float_binary(op, a.as_double(), b.as_double());
    if (a.is_small_int() && b.is_small_int()) return int_binary(op, a, b);
    bool a_int = is_int(a), b_int = is_int(b);
    if (a_int && b_int) {
        if (a.is_bool() && b.is_bool() && is_bitwise(op)) {
            bool x = a.is_true(), y = b.is_true();
            return Value::boolean(op == BinaryOp::And ? (x && y) : op == BinaryOp::Or ? (x || y)
                                                                                      : (x != y));
        }
        return int_binary(op, a, b);
    }
    if (!(a_int || is_float(a)) || !(b_int || is_float(b)) || !float_supports(op))
        return Value::not_implemented();
    double x, y;
    if (!to_double(a, &x) || !to_double(b, &y)) return Value::null();
    return float_binary(op, x, y);
}

Value number_compare(Value a, Value b, CompareOp op) {
    if (v_small(a) && v_small(b)) {
        int64_t x = a.is_bool() ? a.is_true() : a.as_small_int();
        int64_t y = b.is_bool() ? b.is_true() : b.as_small_int();
        return compare_result(x < y ? -1 : x > y ? 1 : 0, op);
    }
    bool a_int = is_int(a), b_int = is_int(b);
    if (a_int && b_int) {
        MpzView x(a), y(b);
        return compare_result(mpz_cmp(x.get(), y.get()), op);
    }
    bool a_float = is_float(a), b_float = is_float(b);
    if (!(a_int || a_float) || !(b_int || b_float)) return Value::not_implemented();
    if ((a_float && std::isnan(float_value(a))) || (b_float && std::isnan(float_value(b))))
        return Value::boolean(op == CompareOp::Ne);
    if (a_float && b_float) {
        double x = float_value(a), y = float_value(b);
        return compare_result(x < y ? -1 : x > y ? 1 : 0, op);
    }
    if (a_int) return compare_result(compare_int_double(a, float_value(b)), op);
    return compare_result(-compare_int_double(b, float_value(a)), op);
}

Value number_divmod(Value a, Value b) {
    bool a_int = is_int(a), b_int = is_int(b);
    if (!(a_int || is_float(a)) || !(b_int || is_float(b))) return Value::not_implemented();
    Value pair[2];
    if (a_int && b_int) {
        pair[0] = int_binary(BinaryOp::FloorDivide, a, b);
        if (pair[0].is_null()) return pair[0];
        pair[1] = int_binary(BinaryOp::Remainder, a, b);
    } else {
        double x, y, q, r;
        if (!to_double(a, &x) || !to_double(b, &y)) return Value::null();
        if (y == 0.0) return raise(exc.ZeroDivisionError, "float divmod()");
        float_divmod(x, y, &q, &r);
        pair[0] = Value::from_double(q);
        pair[1] = Value::from_double(r);
    }
    return Value::object(make_tuple(pair, 2));
}

Value number_abs(Value v) {
    if (is_float(v)) return Value::from_double(std::fabs(float_value(v)));
    if (!is_int(v)) return Value::not_implemented();
    MpzView z(v);
    if (mpz_sgn(z.get()) >= 0) return to_int(v);
    return int_binary(BinaryOp::Subtract, Value::small_int(0), v);
}

Value round_number(Value x, Value ndigits) {
    if (ndigits.is_null()) ndigits = Value::none();
    if (is_int(x)) return round_int(x, ndigits);
    if (is_float(x)) return round_float(float_value(x), ndigits);
    static Str* const kRound = intern("__round__");
    Value method = lookup_in_type(type_of(x), kRound);
    if (method.is_null())
        return raise_format(exc.TypeError, "type %s doesn't define __round__ method",
                            type_name(x).c_str());
    Value args[2] = {x, ndigits};
    return call(method, args, ndigits.is_none() ? 1 : 2);
}

void setup_number_types() {
    setup_int_types();
    setup_float_type();
}

}  // namespace apy::rt
