// The math module, after CPython's Modules/mathmodule.c: the same special
// cases, the same exceptions ("math domain error", "math range error") and an
// exactly rounded fsum.
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <vector>

#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

namespace {

// ---- arguments

bool arity(const char* name, int nargs, Tuple* kwnames, int min, int max) {
    if (kwnames && kwnames->size > 0) {
        raise_format(exc.TypeError, "math.%s() takes no keyword arguments", name);
        return false;
    }
    if (nargs >= min && nargs <= max) return true;
    if (min == 1 && max == 1)
        raise_format(exc.TypeError, "math.%s() takes exactly one argument (%d given)", name, nargs);
    else if (min == max)
        raise_format(exc.TypeError, "%s expected %d arguments, got %d", name, min, nargs);
    else if (nargs < min)
        raise_format(exc.TypeError, "%s expected at least %d argument%s, got %d", name, min,
                     min == 1 ? "" : "s", nargs);
    else
        raise_format(exc.TypeError, "%s expected at most %d argument%s, got %d", name, max,
                     max == 1 ? "" : "s", nargs);
    return false;
}

// PyFloat_AsDouble: floats, ints and objects with __float__ (or __index__), not strs.
bool real_arg(Value v, double* out) {
    if (is_float(v)) {
        *out = float_value(v);
        return true;
    }
    if (is_int(v)) return int_to_double(v, out);
    static Str* const kFloat = intern("__float__");
    static Str* const kIndex = intern("__index__");
    Type* t = type_of(v);
    if (is_str(v) || (lookup_in_type(t, kFloat).is_null() && lookup_in_type(t, kIndex).is_null())) {
        raise_format(exc.TypeError, "must be real number, not %s", type_name(v).c_str());
        return false;
    }
    Value f = to_float(v);
    if (f.is_null()) return false;
    *out = f.as_double();
    return true;
}

bool int_arg(Value v) {
    if (is_int(v)) return true;
    raise_format(exc.TypeError, "'%s' object cannot be interpreted as an integer",
                 type_name(v).c_str());
    return false;
}

Value domain_error() { return raise(exc.ValueError, "math domain error"); }
Value range_error() { return raise(exc.OverflowError, "math range error"); }

Value make_pair(Value a, Value b) {
    Value pair[2] = {a, b};
    return Value::object(make_tuple(pair, 2));
}

// ---- one-argument float functions (CPython's math_1)

Value math_1(const char* name, Value* args, int nargs, Tuple* kw, double (*fn)(double),
             bool can_overflow) {
    double x;
    if (!arity(name, nargs, kw, 1, 1) || !real_arg(args[0], &x)) return Value::null();
    errno = 0;
    double r = fn(x);
    if (std::isnan(r) && !std::isnan(x)) return domain_error();
    if (std::isinf(r) && std::isfinite(x)) return can_overflow ? range_error() : domain_error();
    if (std::isfinite(r) && errno == ERANGE && std::fabs(r) >= 1.5) return range_error();
    if (std::isfinite(r) && errno == EDOM) return domain_error();
    return Value::from_double(r);
}

// CPython's own gamma and lgamma (Lanczos approximation), for identical results.
constexpr int kLanczosN = 13;
constexpr double kLanczosG = 6.024680040776729583740234375;
constexpr double kLanczosGMinusHalf = 5.524680040776729583740234375;
constexpr double kLanczosNum[kLanczosN] = {
    23531376880.410759688572007674451636754734846804940,
    42919803642.649098768957899047001988850926355848959,
    35711959237.355668049440185451547166705960488635843,
    17921034426.037209699919755754458931112671403265390,
    6039542586.3520280050642916443072979210699388420708,
    1439720407.3117216736632230727949123939715485786772,
    248874557.86205415651146038641322942321632125127801,
    31426415.585400194380614231628318205362874684987640,
    2876370.6289353724412254090516208496135991145378768,
    186056.26539522349504029498971604569928220784236328,
    8071.6720023658162106380029022722506138218516325024,
    210.82427775157934587250973392071336271166969580291,
    2.5066282746310002701649081771338373386264310793408};
constexpr double kLanczosDen[kLanczosN] = {0.0,      39916800.0, 120543840.0, 150917976.0,
                                           105258076.0, 45995730.0, 13339535.0, 2637558.0,
                                           357423.0, 32670.0,    1925.0,      66.0,
                                           1.0};
constexpr double kGammaIntegral[23] = {
    1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0, 5040.0, 40320.0, 362880.0,
    3628800.0, 39916800.0, 479001600.0, 6227020800.0, 87178291200.0,
    1307674368000.0, 20922789888000.0, 355687428096000.0,
    6402373705728000.0, 121645100408832000.0, 2432902008176640000.0,
    51090942171709440000.0, 1124000727777607680000.0};
constexpr double kPi = 3.141592653589793238462643383279502884197;
constexpr double kLogPi = 1.144729885849400174143427351353058711647;

double lanczos_sum(double x) {
    double num = 0.0, den = 0.0;
    if (x < 5.0) {
        for (int i = kLanczosN; --i >= 0;) {
            num = num * x + kLanczosNum[i];
            den = den * x + kLanczosDen[i];
        }
    } else {
        for (int i = 0; i < kLanczosN; i++) {
            num = num / x + kLanczosNum[i];
            den = den / x + kLanczosDen[i];
        }
    }
    return num / den;
}

double m_sinpi(double x) {
    double y = std::fmod(std::fabs(x), 2.0);
    int n = static_cast<int>(std::round(2.0 * y));
    double r;
    switch (n) {
        case 0: r = std::sin(kPi * y); break;
        case 1: r = std::cos(kPi * (y - 0.5)); break;
        case 2: r = std::sin(kPi * (1.0 - y)); break;
        case 3: r = -std::cos(kPi * (y - 1.5)); break;
        default: r = std::sin(kPi * (y - 2.0)); break;
    }
    return std::copysign(1.0, x) * r;
}

double m_tgamma(double x) {
    if (!std::isfinite(x)) {
        if (std::isnan(x) || x > 0.0) return x;
        errno = EDOM;
        return NAN;
    }
    if (x == 0.0) {
        errno = EDOM;
        return std::copysign(HUGE_VAL, x);
    }
    if (x == std::floor(x)) {
        if (x < 0.0) {
            errno = EDOM;
            return NAN;
        }
        if (x <= 23) return kGammaIntegral[static_cast<int>(x) - 1];
    }
    double absx = std::fabs(x);
    if (absx < 1e-20) {
        double r = 1.0 / x;
        if (std::isinf(r)) errno = ERANGE;
        return r;
    }
    if (absx > 200.0) {
        if (x < 0.0) return 0.0 / m_sinpi(x);
        errno = ERANGE;
        return HUGE_VAL;
    }
    double y = absx + kLanczosGMinusHalf;
    double z;
    if (absx > kLanczosGMinusHalf) {
        double q = y - absx;
        z = q - kLanczosGMinusHalf;
    } else {
        double q = y - kLanczosGMinusHalf;
        z = q - absx;
    }
    z = z * kLanczosG / y;
    double r;
    if (x < 0.0) {
        r = -kPi / m_sinpi(absx) / absx * std::exp(y) / lanczos_sum(absx);
        r -= z * r;
        if (absx < 140.0) {
            r /= std::pow(y, absx - 0.5);
        } else {
            double sqrtpow = std::pow(y, absx / 2.0 - 0.25);
            r /= sqrtpow;
            r /= sqrtpow;
        }
    } else {
        r = lanczos_sum(absx) / std::exp(y);
        r += z * r;
        if (absx < 140.0) {
            r *= std::pow(y, absx - 0.5);
        } else {
            double sqrtpow = std::pow(y, absx / 2.0 - 0.25);
            r *= sqrtpow;
            r *= sqrtpow;
        }
    }
    if (std::isinf(r)) errno = ERANGE;
    return r;
}

double m_lgamma(double x) {
    if (!std::isfinite(x)) return std::isnan(x) ? x : HUGE_VAL;
    if (x == std::floor(x) && x <= 2.0) {
        if (x <= 0.0) {
            errno = EDOM;
            return HUGE_VAL;
        }
        return 0.0;
    }
    double absx = std::fabs(x);
    if (absx < 1e-20) return -std::log(absx);
    double r = std::log(lanczos_sum(absx)) - kLanczosG;
    r += (absx - 0.5) * (std::log(absx + kLanczosG - 0.5) - 1);
    if (x < 0.0) r = kLogPi - std::log(std::fabs(m_sinpi(absx))) - std::log(absx) - r;
    if (std::isinf(r)) errno = ERANGE;
    return r;
}

// CPython's math_1a: errors come from errno alone (gamma, lgamma).
Value math_1a(const char* name, Value* args, int nargs, Tuple* kw, double (*fn)(double)) {
    double x;
    if (!arity(name, nargs, kw, 1, 1) || !real_arg(args[0], &x)) return Value::null();
    errno = 0;
    double r = fn(x);
    if (errno == EDOM) return domain_error();
    if (errno == ERANGE && std::fabs(r) >= 1.5) return range_error();
    return Value::from_double(r);
}

Value math_gamma(Value* args, int nargs, Tuple* kw) {
    return math_1a("gamma", args, nargs, kw, m_tgamma);
}
Value math_lgamma(Value* args, int nargs, Tuple* kw) {
    return math_1a("lgamma", args, nargs, kw, m_lgamma);
}

double m_degrees(double x) { return x * (180.0 / M_PI); }
double m_radians(double x) { return x * (M_PI / 180.0); }

#define MATH_FUNC1(name, fn, overflow)                                  \
    Value math_##name(Value* args, int nargs, Tuple* kw) {              \
        return math_1(#name, args, nargs, kw, fn, overflow);            \
    }
MATH_FUNC1(sqrt, [](double x) { return std::sqrt(x); }, false)
MATH_FUNC1(exp, [](double x) { return std::exp(x); }, true)
MATH_FUNC1(exp2, [](double x) { return std::exp2(x); }, true)
MATH_FUNC1(expm1, [](double x) { return std::expm1(x); }, true)
MATH_FUNC1(sin, [](double x) { return std::sin(x); }, false)
MATH_FUNC1(cos, [](double x) { return std::cos(x); }, false)
MATH_FUNC1(tan, [](double x) { return std::tan(x); }, false)
MATH_FUNC1(asin, [](double x) { return std::asin(x); }, false)
MATH_FUNC1(acos, [](double x) { return std::acos(x); }, false)
MATH_FUNC1(atan, [](double x) { return std::atan(x); }, false)
MATH_FUNC1(sinh, [](double x) { return std::sinh(x); }, true)
MATH_FUNC1(cosh, [](double x) { return std::cosh(x); }, true)
MATH_FUNC1(tanh, [](double x) { return std::tanh(x); }, false)
MATH_FUNC1(asinh, [](double x) { return std::asinh(x); }, false)
MATH_FUNC1(acosh, [](double x) { return std::acosh(x); }, false)
MATH_FUNC1(atanh, [](double x) { return std::atanh(x); }, false)
MATH_FUNC1(fabs, [](double x) { return std::fabs(x); }, false)
MATH_FUNC1(cbrt, [](double x) { return std::cbrt(x); }, false)
MATH_FUNC1(erf, [](double x) { return std::erf(x); }, false)
MATH_FUNC1(erfc, [](double x) { return std::erfc(x); }, false)
MATH_FUNC1(degrees, m_degrees, true)
MATH_FUNC1(radians, m_radians, false)
#undef MATH_FUNC1

// ---- logarithms: ints of any size (CPython's loghelper)

bool log_of(Value v, double (*fn)(double), double* out) {
    if (is_int(v)) {
        MpzView z(v);
        if (mpz_sgn(z.get()) <= 0) {
            domain_error();
            return false;
        }
        double x;
        if (mpz_to_double(z.get(), &x)) {
            *out = fn(x);
            return true;
        }
        long e;
        double m = mpz_get_d_2exp(&e, z.get());  // z = m * 2^e, m in [0.5, 1)
        *out = fn(m) + fn(2.0) * static_cast<double>(e);
        return true;
    }
    double x;
    if (!real_arg(v, &x)) return false;
    if (std::isnan(x) || (std::isinf(x) && x > 0)) {
        *out = x;
        return true;
    }
    if (x <= 0) {
        domain_error();
        return false;
    }
    *out = fn(x);
    return true;
}

double ln(double x) { return std::log(x); }
double lg2(double x) { return std::log2(x); }
double lg10(double x) { return std::log10(x); }

Value math_log(Value* args, int nargs, Tuple* kw) {
    if (kw && kw->size > 0) return raise(exc.TypeError, "math.log() takes no keyword arguments");
    if (nargs < 1 || nargs > 2) return raise(exc.TypeError, "math.log requires 1 to 2 arguments");
    double num, den;
    if (!log_of(args[0], ln, &num)) return Value::null();
    if (nargs == 1) return Value::from_double(num);
    if (!log_of(args[1], ln, &den)) return Value::null();
    if (den == 0.0) return raise(exc.ZeroDivisionError, "float division by zero");
    return Value::from_double(num / den);
}

Value math_log2(Value* args, int nargs, Tuple* kw) {
    double r;
    if (!arity("log2", nargs, kw, 1, 1) || !log_of(args[0], lg2, &r)) return Value::null();
    return Value::from_double(r);
}

Value math_log10(Value* args, int nargs, Tuple* kw) {
    double r;
    if (!arity("log10", nargs, kw, 1, 1) || !log_of(args[0], lg10, &r)) return Value::null();
    return Value::from_double(r);
}

Value math_log1p(Value* args, int nargs, Tuple* kw) {
    return math_1("log1p", args, nargs, kw, [](double x) { return std::log1p(x); }, false);
}

// ---- rounding to ints

Value round_via(const char* name, Value v, const char* dunder, double (*fn)(double)) {
    if (is_int(v)) return to_int(v);
    if (is_float(v)) return int_from_double(fn(float_value(v)));
    Value method = lookup_in_type(type_of(v), intern(dunder));
    if (!method.is_null()) return call1(method, v);
    if (std::string_view(name) == "trunc")
        return raise_format(exc.TypeError, "type %s doesn't define __trunc__ method",
                            type_name(v).c_str());
    double x;
    if (!real_arg(v, &x)) return Value::null();
    return int_from_double(fn(x));
}

Value math_floor(Value* args, int nargs, Tuple* kw) {
    if (!arity("floor", nargs, kw, 1, 1)) return Value::null();
    return round_via("floor", args[0], "__floor__", [](double x) { return std::floor(x); });
}

Value math_ceil(Value* args, int nargs, Tuple* kw) {
    if (!arity("ceil", nargs, kw, 1, 1)) return Value::null();
    return round_via("ceil", args[0], "__ceil__", [](double x) { return std::ceil(x); });
}

Value math_trunc(Value* args, int nargs, Tuple* kw) {
    if (!arity("trunc", nargs, kw, 1, 1)) return Value::null();
    return round_via("trunc", args[0], "__trunc__", [](double x) { return std::trunc(x); });
}

// ---- two-argument float functions

bool two_reals(const char* name, Value* args, int nargs, Tuple* kw, double* x, double* y) {
    return arity(name, nargs, kw, 2, 2) && real_arg(args[0], x) && real_arg(args[1], y);
}

Value math_pow(Value* args, int nargs, Tuple* kw) {
    double x, y, r = 0.0;
    if (!two_reals("pow", args, nargs, kw, &x, &y)) return Value::null();
    if (!std::isfinite(x) || !std::isfinite(y)) {
        if (std::isnan(x)) {
            r = y == 0.0 ? 1.0 : x;
        } else if (std::isnan(y)) {
            r = x == 1.0 ? 1.0 : y;
        } else if (std::isinf(x)) {
            bool odd_y = std::isfinite(y) && std::fmod(std::fabs(y), 2.0) == 1.0;
            if (y > 0.0)
                r = odd_y ? x : std::fabs(x);
            else if (y == 0.0)
                r = 1.0;
            else
                r = odd_y ? std::copysign(0.0, x) : 0.0;
        } else {
            if (std::fabs(x) == 1.0)
                r = 1.0;
            else if (y > 0.0 && std::fabs(x) > 1.0)
                r = y;
            else if (y < 0.0 && std::fabs(x) < 1.0)
                r = -y;
            else
                r = 0.0;
        }
        return Value::from_double(r);
    }
    r = std::pow(x, y);
    if (std::isnan(r)) return domain_error();
    if (std::isinf(r)) return x == 0.0 ? domain_error() : range_error();
    return Value::from_double(r);
}

Value math_atan2(Value* args, int nargs, Tuple* kw) {
    double y, x;
    if (!two_reals("atan2", args, nargs, kw, &y, &x)) return Value::null();
    return Value::from_double(std::atan2(y, x));
}

Value math_copysign(Value* args, int nargs, Tuple* kw) {
    double x, y;
    if (!two_reals("copysign", args, nargs, kw, &x, &y)) return Value::null();
    return Value::from_double(std::copysign(x, y));
}

Value math_fmod(Value* args, int nargs, Tuple* kw) {
    double x, y;
    if (!two_reals("fmod", args, nargs, kw, &x, &y)) return Value::null();
    if (std::isinf(y) && std::isfinite(x)) return Value::from_double(x);
    double r = std::fmod(x, y);
    if (std::isnan(r) && !std::isnan(x) && !std::isnan(y)) return domain_error();
    return Value::from_double(r);
}

Value math_remainder(Value* args, int nargs, Tuple* kw) {
    double x, y;
    if (!two_reals("remainder", args, nargs, kw, &x, &y)) return Value::null();
    if (std::isnan(x)) return Value::from_double(x);
    if (std::isnan(y)) return Value::from_double(y);
    if (std::isinf(x) || y == 0.0) return domain_error();
    if (std::isinf(y)) return Value::from_double(x);
    return Value::from_double(std::remainder(x, y));
}

Value math_nextafter(Value* args, int nargs, Tuple* kw) {
    double x, y;
    if (!two_reals("nextafter", args, nargs, kw, &x, &y)) return Value::null();
    return Value::from_double(std::nextafter(x, y));
}

Value math_ulp(Value* args, int nargs, Tuple* kw) {
    double x;
    if (!arity("ulp", nargs, kw, 1, 1) || !real_arg(args[0], &x)) return Value::null();
    if (std::isnan(x)) return Value::from_double(x);
    x = std::fabs(x);
    if (std::isinf(x)) return Value::from_double(x);
    double next = std::nextafter(x, INFINITY);
    if (std::isinf(next)) return Value::from_double(x - std::nextafter(x, -INFINITY));
    return Value::from_double(next - x);
}

Value math_ldexp(Value* args, int nargs, Tuple* kw) {
    double x;
    if (!arity("ldexp", nargs, kw, 2, 2) || !real_arg(args[0], &x)) return Value::null();
    if (!is_int(args[1]))
        return raise(exc.TypeError, "Expected an int as second argument to ldexp.");
    MpzView e(args[1]);
    long exp = mpz_fits_slong_p(e.get()) ? mpz_get_si(e.get())
                                          : (mpz_sgn(e.get()) < 0 ? LONG_MIN : LONG_MAX);
    if (x == 0.0 || !std::isfinite(x)) return Value::from_double(x);
    if (exp > INT_MAX) return range_error();
    if (exp < INT_MIN) return Value::from_double(std::copysign(0.0, x));
    double r = std::ldexp(x, static_cast<int>(exp));
    if (std::isinf(r)) return range_error();
    return Value::from_double(r);
}

Value math_frexp(Value* args, int nargs, Tuple* kw) {
    double x;
    if (!arity("frexp", nargs, kw, 1, 1) || !real_arg(args[0], &x)) return Value::null();
    int e = 0;
    double m = (std::isnan(x) || std::isinf(x) || x == 0.0) ? x : std::frexp(x, &e);
    return make_pair(Value::from_double(m), make_int(e));
}

Value math_modf(Value* args, int nargs, Tuple* kw) {
    double x;
    if (!arity("modf", nargs, kw, 1, 1) || !real_arg(args[0], &x)) return Value::null();
    if (std::isinf(x))
        return make_pair(Value::from_double(std::copysign(0.0, x)), Value::from_double(x));
    double whole;
    double frac = std::modf(x, &whole);
    return make_pair(Value::from_double(frac), Value::from_double(whole));
}

// ---- predicates

Value predicate(const char* name, Value* args, int nargs, Tuple* kw, bool (*fn)(double)) {
    double x;
    if (!arity(name, nargs, kw, 1, 1) || !real_arg(args[0], &x)) return Value::null();
    return Value::boolean(fn(x));
}

Value math_isnan(Value* args, int nargs, Tuple* kw) {
    return predicate("isnan", args, nargs, kw, [](double x) { return std::isnan(x); });
}
Value math_isinf(Value* args, int nargs, Tuple* kw) {
    return predicate("isinf", args, nargs, kw, [](double x) { return std::isinf(x); });
}
Value math_isfinite(Value* args, int nargs, Tuple* kw) {
    return predicate("isfinite", args, nargs, kw, [](double x) { return std::isfinite(x); });
}

Value math_isclose(Value* args, int nargs, Tuple* kw) {
    static const Signature sig("isclose", "a, b, /, *, rel_tol=1e-09, abs_tol=0.0");
    if (nargs < 2)
        return raise_format(exc.TypeError, "isclose() missing required argument '%s' (pos %d)",
                            nargs == 0 ? "a" : "b", nargs + 1);
    Value a[4];
    if (!sig.bind(args, nargs, kw, a)) return Value::null();
    double x, y, rel, abs_tol;
    if (!real_arg(a[0], &x) || !real_arg(a[1], &y) || !real_arg(a[2], &rel) ||
        !real_arg(a[3], &abs_tol))
        return Value::null();
    if (rel < 0.0 || abs_tol < 0.0) return raise(exc.ValueError, "tolerances must be non-negative");
    if (x == y) return Value::boolean(true);
    if (std::isinf(x) || std::isinf(y)) return Value::boolean(false);
    double diff = std::fabs(y - x);
    return Value::boolean(diff <= std::fabs(rel * y) || diff <= std::fabs(rel * x) ||
                          diff <= abs_tol);
}

// ---- norms

// sqrt of the sum of squares, scaled to avoid overflow; nan and inf as CPython.
double vector_norm(const std::vector<double>& v) {
    double max = 0.0;
    bool found_nan = false;
    for (double x : v) {
        double ax = std::fabs(x);
        found_nan |= std::isnan(ax);
        if (ax > max) max = ax;
    }
    if (std::isinf(max)) return max;
    if (found_nan) return NAN;
    if (max == 0.0 || v.size() <= 1) return max;
    if (v.size() == 2) return std::hypot(v[0], v[1]);
    int e;
    std::frexp(max, &e);
    long double sum = 0.0L;
    for (double x : v) {
        long double s = std::ldexp(x, -e);
        sum += s * s;
    }
    return std::ldexp(static_cast<double>(std::sqrt(sum)), e);
}

Value math_hypot(Value* args, int nargs, Tuple* kw) {
    if (kw && kw->size > 0) return raise(exc.TypeError, "hypot() takes no keyword arguments");
    std::vector<double> v(nargs);
    for (int i = 0; i < nargs; ++i)
        if (!real_arg(args[i], &v[i])) return Value::null();
    return Value::from_double(vector_norm(v));
}

Value math_dist(Value* args, int nargs, Tuple* kw) {
    if (!arity("dist", nargs, kw, 2, 2)) return Value::null();
    std::vector<Value> p, q;
    VectorRoot keep_p(p), keep_q(q);  // iterating q and __float__ may collect
    if (!collect_iterable(args[0], p) || !collect_iterable(args[1], q)) return Value::null();
    if (p.size() != q.size())
        return raise(exc.ValueError, "both points must have the same number of dimensions");
    std::vector<double> diff(p.size());
    for (size_t i = 0; i < p.size(); ++i) {
        double x, y;
        if (!real_arg(p[i], &x) || !real_arg(q[i], &y)) return Value::null();
        diff[i] = x - y;
    }
    return Value::from_double(vector_norm(diff));
}

// ---- sums and products

Value math_fsum(Value* args, int nargs, Tuple* kw) {
    if (!arity("fsum", nargs, kw, 1, 1)) return Value::null();
    Value iter = get_iter(args[0]);
    if (iter.is_null()) return iter;
    Root keep(iter);
    // CPython's msum: exact partial sums (Shewchuk), then one correctly rounded total.
    std::vector<double> p;
    double special_sum = 0.0, inf_sum = 0.0;
    while (true) {
        Value item = iter_next(iter);
        if (item.is_null()) {
            if (has_pending()) return Value::null();
            break;
        }
        double x;
        if (!real_arg(item, &x)) return Value::null();
        double xsave = x;
        size_t i = 0;
        for (size_t j = 0; j < p.size(); ++j) {
            double y = p[j];
            if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
            double hi = x + y;
            double yr = hi - x;
            double lo = y - yr;
            if (lo != 0.0) p[i++] = lo;
            x = hi;
        }
        p.resize(i);
        if (x != 0.0) {
            if (!std::isfinite(x)) {
                if (std::isfinite(xsave))
                    return raise(exc.OverflowError, "intermediate overflow in fsum");
                if (std::isinf(xsave)) inf_sum += xsave;
                special_sum += xsave;
                p.clear();
            } else {
                p.push_back(x);
            }
        }
    }
    if (special_sum != 0.0) {
        if (std::isnan(inf_sum)) return raise(exc.ValueError, "-inf + inf in fsum");
        return Value::from_double(special_sum);
    }
    double hi = 0.0;
    size_t n = p.size();
    if (n > 0) {
        double lo = 0.0;
        hi = p[--n];
        while (n > 0) {
            double x = hi;
            double y = p[--n];
            hi = x + y;
            double yr = hi - x;
            lo = y - yr;
            if (lo != 0.0) break;
        }
        // Half-even rounding across partials: sum([1e-16, 1, 1e16]) rounds up.
        if (n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0))) {
            double y = lo * 2.0;
            double x = hi + y;
            double yr = x - hi;
            if (y == yr) hi = x;
        }
    }
    return Value::from_double(hi);
}

Value math_prod(Value* args, int nargs, Tuple* kw) {
    static const Signature sig("prod", "iterable, /, *, start=1");
    Value a[2];
    if (!sig.bind(args, nargs, kw, a)) return Value::null();
    Value iter = get_iter(a[0]);
    if (iter.is_null()) return iter;
    Root keep_iter(iter);
    Root result(a[1]);
    while (true) {
        Value item = iter_next(iter);
        if (item.is_null()) return has_pending() ? Value::null() : result.get();
        Root keep_item(item);
        Value r = binary_op(BinaryOp::Multiply, result.get(), item);
        if (r.is_null()) return r;
        result.set(r);
    }
}

// ---- integer functions

Value math_gcd(Value* args, int nargs, Tuple* kw) {
    if (kw && kw->size > 0) return raise(exc.TypeError, "gcd() takes no keyword arguments");
    mpz_t r;
    mpz_init(r);
    for (int i = 0; i < nargs; ++i) {
        if (!int_arg(args[i])) {
            mpz_clear(r);
            return Value::null();
        }
        MpzView z(args[i]);
        mpz_gcd(r, r, z.get());
    }
    Value out = make_int_from_mpz(r);
    mpz_clear(r);
    return out;
}

Value math_lcm(Value* args, int nargs, Tuple* kw) {
    if (kw && kw->size > 0) return raise(exc.TypeError, "lcm() takes no keyword arguments");
    mpz_t r;
    mpz_init_set_ui(r, 1);
    for (int i = 0; i < nargs; ++i) {
        if (!int_arg(args[i])) {
            mpz_clear(r);
            return Value::null();
        }
        MpzView z(args[i]);
        mpz_lcm(r, r, z.get());
    }
    Value out = make_int_from_mpz(r);
    mpz_clear(r);
    return out;
}

Value math_factorial(Value* args, int nargs, Tuple* kw) {
    if (!arity("factorial", nargs, kw, 1, 1) || !int_arg(args[0])) return Value::null();
    MpzView n(args[0]);
    if (mpz_sgn(n.get()) < 0)
        return raise(exc.ValueError, "factorial() not defined for negative values");
    if (!mpz_fits_slong_p(n.get()))
        return raise_format(exc.OverflowError, "factorial() argument should not exceed %ld",
                            LONG_MAX);
    if (mpz_get_ui(n.get()) > 10000000) return raise(exc.MemoryError, "");
    mpz_t r;
    mpz_init(r);
    mpz_fac_ui(r, mpz_get_ui(n.get()));
    Value out = make_int_from_mpz(r);
    mpz_clear(r);
    return out;
}

// Shared checks of comb and perm; false with an exception pending.
bool comb_args(Value n, Value k, unsigned long* kk, bool* k_too_big) {
    if (!int_arg(n) || !int_arg(k)) return false;
    MpzView vn(n), vk(k);
    if (mpz_sgn(vn.get()) < 0) {
        raise(exc.ValueError, "n must be a non-negative integer");
        return false;
    }
    if (mpz_sgn(vk.get()) < 0) {
        raise(exc.ValueError, "k must be a non-negative integer");
        return false;
    }
    *k_too_big = mpz_cmp(vk.get(), vn.get()) > 0;
    if (!*k_too_big && !mpz_fits_slong_p(vk.get())) {
        raise_format(exc.OverflowError, "k must not exceed %ld", LONG_MAX);
        return false;
    }
    *kk = *k_too_big ? 0 : mpz_get_ui(vk.get());
    return true;
}

Value math_comb(Value* args, int nargs, Tuple* kw) {
    if (!arity("comb", nargs, kw, 2, 2)) return Value::null();
    unsigned long k;
    bool too_big;
    if (!comb_args(args[0], args[1], &k, &too_big)) return Value::null();
    if (too_big) return Value::small_int(0);
    MpzView n(args[0]);
    mpz_t r;
    mpz_init(r);
    mpz_bin_ui(r, n.get(), k);
    Value out = make_int_from_mpz(r);
    mpz_clear(r);
    return out;
}

Value math_perm(Value* args, int nargs, Tuple* kw) {
    if (!arity("perm", nargs, kw, 1, 2)) return Value::null();
    if (nargs == 1 || args[1].is_none()) {
        Value one[1] = {args[0]};
        return math_factorial(one, 1, nullptr);
    }
    unsigned long k;
    bool too_big;
    if (!comb_args(args[0], args[1], &k, &too_big)) return Value::null();
    if (too_big) return Value::small_int(0);
    MpzView n(args[0]);
    mpz_t r, f;
    mpz_inits(r, f, nullptr);
    mpz_bin_ui(r, n.get(), k);
    mpz_fac_ui(f, k);
    mpz_mul(r, r, f);
    Value out = make_int_from_mpz(r);
    mpz_clears(r, f, nullptr);
    return out;
}

Value math_isqrt(Value* args, int nargs, Tuple* kw) {
    if (!arity("isqrt", nargs, kw, 1, 1)) return Value::null();
    Value n = args[0];
    if (!is_int(n)) {
        int64_t unused;
        if (!to_index(n, &unused)) return Value::null();
    }
    MpzView z(n);
    if (mpz_sgn(z.get()) < 0) return raise(exc.ValueError, "isqrt() argument must be nonnegative");
    mpz_t r;
    mpz_init(r);
    mpz_sqrt(r, z.get());
    Value out = make_int_from_mpz(r);
    mpz_clear(r);
    return out;
}

}  // namespace

Module* make_math_module() {
    Module* m = make_module("math");
    static const MethodDef kFunctions[] = {
        {"sqrt", math_sqrt},         {"exp", math_exp},           {"exp2", math_exp2},
        {"expm1", math_expm1},       {"sin", math_sin},           {"cos", math_cos},
        {"tan", math_tan},           {"asin", math_asin},         {"acos", math_acos},
        {"atan", math_atan},         {"sinh", math_sinh},         {"cosh", math_cosh},
        {"tanh", math_tanh},         {"asinh", math_asinh},       {"acosh", math_acosh},
        {"atanh", math_atanh},       {"fabs", math_fabs},         {"cbrt", math_cbrt},
        {"erf", math_erf},           {"erfc", math_erfc},         {"gamma", math_gamma},
        {"lgamma", math_lgamma},     {"degrees", math_degrees},   {"radians", math_radians},
        {"log", math_log},           {"log2", math_log2},         {"log10", math_log10},
        {"log1p", math_log1p},       {"floor", math_floor},       {"ceil", math_ceil},
        {"trunc", math_trunc},       {"pow", math_pow},           {"atan2", math_atan2},
        {"copysign", math_copysign}, {"fmod", math_fmod},         {"remainder", math_remainder},
        {"nextafter", math_nextafter}, {"ulp", math_ulp},         {"ldexp", math_ldexp},
        {"frexp", math_frexp},       {"modf", math_modf},         {"isnan", math_isnan},
        {"isinf", math_isinf},       {"isfinite", math_isfinite}, {"isclose", math_isclose},
        {"hypot", math_hypot},       {"dist", math_dist},         {"fsum", math_fsum},
        {"prod", math_prod},         {"gcd", math_gcd},           {"lcm", math_lcm},
        {"factorial", math_factorial}, {"comb", math_comb},       {"perm", math_perm},
        {"isqrt", math_isqrt},       {nullptr, nullptr},
    };
    for (const MethodDef* f = kFunctions; f->name; ++f)
        dict_set_str(m->dict, f->name, Value::object(make_builtin(f->name, f->fn)));
    dict_set_str(m->dict, "pi", Value::from_double(M_PI));
    dict_set_str(m->dict, "e", Value::from_double(M_E));
    dict_set_str(m->dict, "tau", Value::from_double(2 * M_PI));
    dict_set_str(m->dict, "inf", Value::from_double(INFINITY));
    dict_set_str(m->dict, "nan", Value::from_double(NAN));
    return m;
}

}  // namespace apy::rt
