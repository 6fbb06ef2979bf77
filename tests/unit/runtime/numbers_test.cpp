// Numbers at the C++ level: normalisation of ints, parsing, conversions with
// correct rounding, CPython's hashes, float repr and format specs, round().
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/errors.h"
#include "runtime/format_spec.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {
namespace {

class NumbersTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        // The runtime is shared by every test of the binary: initialise it once.
        if (!types.str_) init_runtime({"numbers_test"});
    }
    void TearDown() override { EXPECT_FALSE(has_pending()); }
};

std::string text(Value v) {
    EXPECT_FALSE(v.is_null());
    if (v.is_null()) {
        clear_pending();
        return "<error>";
    }
    bool ok;
    std::string s = is_str(v) ? std::string(str_view(v)) : repr_string(v, &ok);
    return s;
}

std::string pending_message() {
    Value e = take_pending();
    if (e.is_null()) return "<no exception>";
    return type_name(e) + ": " + std::string(str_view(to_str(e)));
}

Value big(const char* decimal) { return int_from_string(decimal, 10); }

TEST_F(NumbersTest, IntsAreNormalised) {
    EXPECT_TRUE(make_int(Value::kSmallIntMax).is_small_int());
    EXPECT_FALSE(make_int(Value::kSmallIntMax + 1).is_small_int());
    EXPECT_TRUE(make_int(Value::kSmallIntMin).is_small_int());
    EXPECT_FALSE(make_int(Value::kSmallIntMin - 1).is_small_int());
    // A big result that shrinks back into the small range is unboxed.
    Value a = big("1000000000000000000000");
    Value b = big("999999999999999999999");
    Value d = number_binary(BinaryOp::Subtract, a, b);
    ASSERT_TRUE(d.is_small_int());
    EXPECT_EQ(d.as_small_int(), 1);
    mpz_t z;
    mpz_init_set_si(z, -42);
    EXPECT_TRUE(make_int_from_mpz(z).is(Value::small_int(-42)));
    mpz_clear(z);
}

TEST_F(NumbersTest, SmallIntOverflowGoesBig) {
    Value m = make_int(Value::kSmallIntMax);
    EXPECT_EQ(text(number_binary(BinaryOp::Add, m, Value::small_int(1))), "140737488355328");
    EXPECT_EQ(text(number_binary(BinaryOp::Multiply, m, m)), "19807040628565802923409276929");
    EXPECT_EQ(text(number_binary(BinaryOp::Power, Value::small_int(3), Value::small_int(50))),
              "717897987691852588770249");
    EXPECT_EQ(text(number_binary(BinaryOp::LShift, Value::small_int(-1), Value::small_int(100))),
              "-1267650600228229401496703205376");
}

TEST_F(NumbersTest, FloorDivisionAndModuloRoundTowardNegativeInfinity) {
    auto op = [](BinaryOp o, int64_t a, int64_t b) {
        return text(number_binary(o, make_int(a), make_int(b)));
    };
    EXPECT_EQ(op(BinaryOp::FloorDivide, -7, 2), "-4");
    EXPECT_EQ(op(BinaryOp::Remainder, -7, 2), "1");
    EXPECT_EQ(op(BinaryOp::Remainder, 7, -2), "-1");
    EXPECT_EQ(text(number_binary(BinaryOp::Remainder, Value::from_double(-7.5),
                                 Value::small_int(2))),
              "0.5");
    EXPECT_TRUE(number_binary(BinaryOp::FloorDivide, Value::small_int(1), Value::small_int(0))
                    .is_null());
    EXPECT_EQ(pending_message(), "ZeroDivisionError: integer division or modulo by zero");
    EXPECT_TRUE(number_binary(BinaryOp::Remainder, Value::small_int(1), Value::small_int(0))
                    .is_null());
    EXPECT_EQ(pending_message(), "ZeroDivisionError: integer modulo by zero");
    EXPECT_TRUE(number_binary(BinaryOp::TrueDivide, Value::small_int(1), Value::small_int(0))
                    .is_null());
    EXPECT_EQ(pending_message(), "ZeroDivisionError: division by zero");
}

TEST_F(NumbersTest, BoolsAreIntsButBitwiseStaysBool) {
    EXPECT_TRUE(number_binary(BinaryOp::And, Value::boolean(true), Value::boolean(false))
                    .is(Value::boolean(false)));
    EXPECT_TRUE(number_binary(BinaryOp::Add, Value::boolean(true), Value::small_int(1))
                    .is(Value::small_int(2)));
    EXPECT_TRUE(number_binary(BinaryOp::Or, Value::boolean(true), Value::small_int(0))
                    .is(Value::small_int(1)));
}

TEST_F(NumbersTest, ParsesIntText) {
    EXPECT_EQ(text(int_from_string(" -1_000 ", 10)), "-1000");
    EXPECT_EQ(text(int_from_string("0x_ff", 0)), "255");
    EXPECT_EQ(text(int_from_string("0b101", 2)), "5");
    EXPECT_EQ(text(int_from_string("zz", 36)), "1295");
    EXPECT_TRUE(int_from_string("1__0", 10).is_null());
    EXPECT_EQ(pending_message(), "ValueError: invalid literal for int() with base 10: '1__0'");
    EXPECT_TRUE(int_from_string("017", 0).is_null());
    EXPECT_EQ(pending_message(), "ValueError: invalid literal for int() with base 0: '017'");
}

TEST_F(NumbersTest, IntToDoubleRoundsHalfToEven) {
    double d;
    // 2**53 + 1 is a tie between 2**53 and 2**53 + 2: even wins.
    ASSERT_TRUE(int_to_double(big("9007199254740993"), &d));
    EXPECT_EQ(d, 9007199254740992.0);
    ASSERT_TRUE(int_to_double(big("9007199254740995"), &d));
    EXPECT_EQ(d, 9007199254740996.0);
    Value huge = number_binary(BinaryOp::Power, Value::small_int(2), Value::small_int(1024));
    EXPECT_FALSE(int_to_double(huge, &d));
    EXPECT_EQ(pending_message(), "OverflowError: int too large to convert to float");
}

TEST_F(NumbersTest, IntTrueDivisionIsCorrectlyRounded) {
    Value a = number_binary(BinaryOp::Power, Value::small_int(2), Value::small_int(1000));
    Value b = number_binary(BinaryOp::Power, Value::small_int(3), Value::small_int(500));
    EXPECT_EQ(text(number_binary(BinaryOp::TrueDivide, a, b)), "2.9469197145111386e+62");
    Value c = number_binary(BinaryOp::Power, Value::small_int(2), Value::small_int(1024));
    EXPECT_TRUE(number_binary(BinaryOp::TrueDivide, c, Value::small_int(1)).is_null());
    EXPECT_EQ(pending_message(), "OverflowError: integer division result too large for a float");
}

TEST_F(NumbersTest, MixedComparisonIsExact) {
    Value n = big("9007199254740993");  // 2**53 + 1
    Value f = Value::from_double(9007199254740992.0);
    EXPECT_TRUE(number_compare(n, f, CompareOp::Gt).is_true());
    EXPECT_TRUE(number_compare(n, f, CompareOp::Ne).is_true());
    EXPECT_TRUE(number_compare(Value::small_int(1), Value::from_double(1.0), CompareOp::Eq)
                    .is_true());
    Value nan = Value::from_double(NAN);
    EXPECT_TRUE(number_compare(Value::small_int(1), nan, CompareOp::Ne).is_true());
    EXPECT_TRUE(number_compare(Value::small_int(1), nan, CompareOp::Lt).is_false());
    Value huge = number_binary(BinaryOp::Power, Value::small_int(10), Value::small_int(400));
    EXPECT_TRUE(number_compare(huge, Value::from_double(INFINITY), CompareOp::Lt).is_true());
}

TEST_F(NumbersTest, HashesMatchCPython) {
    EXPECT_EQ(hash_int(Value::small_int(-1)), -2);
    EXPECT_EQ(hash_int(big("2305843009213693952")), 1);  // 2**61
    EXPECT_EQ(hash_int(big("-1267650600228229401496703205376")), -549755813888);
    EXPECT_EQ(hash_double(1.5), 1152921504606846977);
    EXPECT_EQ(hash_double(0.1), 230584300921369408);
    EXPECT_EQ(hash_double(-0.5), -1152921504606846976);
    EXPECT_EQ(hash_double(INFINITY), 314159);
    EXPECT_EQ(hash_double(3.0), hash_int(Value::small_int(3)));
}

TEST_F(NumbersTest, FloatReprIsShortestRoundTrip) {
    EXPECT_EQ(float_repr(0.1), "0.1");
    EXPECT_EQ(float_repr(1.0), "1.0");
    EXPECT_EQ(float_repr(-0.0), "-0.0");
    EXPECT_EQ(float_repr(1e16), "1e+16");
    EXPECT_EQ(float_repr(1e15), "1000000000000000.0");
    EXPECT_EQ(float_repr(1e-5), "1e-05");
    EXPECT_EQ(float_repr(0.0001), "0.0001");
    EXPECT_EQ(float_repr(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(float_repr(5e-324), "5e-324");
    EXPECT_EQ(float_repr(INFINITY), "inf");
    EXPECT_EQ(float_repr(-INFINITY), "-inf");
    EXPECT_EQ(float_repr(NAN), "nan");
}

TEST_F(NumbersTest, ParsesFloatText) {
    EXPECT_EQ(text(float_from_string(" 1_0.5 ")), "10.5");
    EXPECT_EQ(text(float_from_string("-Infinity")), "-inf");
    EXPECT_EQ(text(float_from_string("1e500")), "inf");
    EXPECT_EQ(text(float_from_string("5e-324")), "5e-324");
    EXPECT_TRUE(float_from_string("0x10").is_null());
    EXPECT_EQ(pending_message(), "ValueError: could not convert string to float: '0x10'");
}

TEST_F(NumbersTest, FormatsNumbers) {
    auto fmt = [](Value v, const char* spec) { return text(format_number(v, spec)); };
    EXPECT_EQ(fmt(Value::small_int(1234567), ","), "1,234,567");
    EXPECT_EQ(fmt(Value::small_int(123), "010,"), "00,000,123");
    EXPECT_EQ(fmt(Value::small_int(255), "#_b"), "0b1111_1111");
    EXPECT_EQ(fmt(Value::small_int(-255), "#012x"), "-0x0000000ff");
    EXPECT_EQ(fmt(Value::boolean(true), ""), "True");
    EXPECT_EQ(fmt(Value::from_double(1.5), ".0"), "2e+00");
    EXPECT_EQ(fmt(Value::from_double(12345.678), ",.2f"), "12,345.68");
    EXPECT_EQ(fmt(Value::from_double(0.5), "%"), "50.000000%");
    EXPECT_EQ(fmt(Value::from_double(-0.0), "z.1f"), "0.0");
    EXPECT_EQ(fmt(Value::from_double(NAN), "08.2f"), "00000nan");
    EXPECT_EQ(text(format_str("hello", "*^12.2")), "*****he*****");
    EXPECT_TRUE(format_number(Value::from_double(1.0), "d").is_null());
    EXPECT_EQ(pending_message(), "ValueError: Unknown format code 'd' for object of type 'float'");
    EXPECT_TRUE(format_number(Value::small_int(1), "abc").is_null());
    EXPECT_EQ(pending_message(),
              "ValueError: Invalid format specifier 'abc' for object of type 'int'");
    EXPECT_TRUE(format_str("a", "+").is_null());
    EXPECT_EQ(pending_message(), "ValueError: Sign not allowed in string format specifier");
}

TEST_F(NumbersTest, RoundsLikeCPython) {
    auto rnd = [](Value x, Value n) { return text(round_number(x, n)); };
    EXPECT_EQ(rnd(Value::from_double(2.5), Value::none()), "2");
    EXPECT_EQ(rnd(Value::from_double(3.5), Value::none()), "4");
    EXPECT_EQ(rnd(Value::from_double(2.675), Value::small_int(2)), "2.67");
    EXPECT_EQ(rnd(Value::from_double(123.456), Value::small_int(-1)), "120.0");
    EXPECT_EQ(rnd(Value::small_int(12345), Value::small_int(-2)), "12300");
    EXPECT_EQ(rnd(Value::small_int(25), Value::small_int(-1)), "20");
    EXPECT_TRUE(round_number(Value::from_double(INFINITY), Value::none()).is_null());
    EXPECT_EQ(pending_message(), "OverflowError: cannot convert float infinity to integer");
}

TEST_F(NumbersTest, PowWithModulus) {
    EXPECT_EQ(text(int_pow_mod(Value::small_int(2), Value::small_int(-1), Value::small_int(5))),
              "3");
    EXPECT_EQ(text(int_pow_mod(Value::small_int(3), Value::small_int(4), Value::small_int(-5))),
              "-4");
    EXPECT_TRUE(
        int_pow_mod(Value::small_int(2), Value::small_int(-1), Value::small_int(4)).is_null());
    EXPECT_EQ(pending_message(), "ValueError: base is not invertible for the given modulus");
}

TEST_F(NumbersTest, BigIntDecimalLimit) {
    Value huge = number_binary(BinaryOp::Power, Value::small_int(10), Value::small_int(4300));
    EXPECT_TRUE(int_repr(huge).is_null());
    EXPECT_EQ(pending_message(),
              "ValueError: Exceeds the limit (4300 digits) for integer string conversion; use "
              "sys.set_int_max_str_digits() to increase the limit");
    Value below = number_binary(BinaryOp::Subtract, huge, Value::small_int(1));
    EXPECT_EQ(text(int_repr(below)).size(), 4300u);
}

}  // namespace
}  // namespace apy::rt
