// str at the C++ level: UTF-8 helpers, Unicode tables, CPython's hash, repr,
// construction, and the formatting entry points.
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "runtime/str_format.h"
#include "runtime/unicode.h"

#include <gtest/gtest.h>

namespace apy::rt {
namespace {

class StrTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        // The runtime is shared by every test of the binary: initialise it once.
        if (!types.str_) init_runtime({"str_test"});
    }
};

std::string text_of(Value v) {
    EXPECT_FALSE(v.is_null());
    if (v.is_null()) {
        clear_pending();
        return "<error>";
    }
    return std::string(str_view(v));
}

std::string pending_message() {
    Value e = take_pending();
    if (e.is_null()) return "<no exception>";
    Value message = to_str(e);
    return type_name(e) + ": " + std::string(str_view(message));
}

TEST(Utf8Test, EncodeDecodeRoundTrip) {
    for (uint32_t cp : {0x24u, 0xA2u, 0x939u, 0x20ACu, 0xD55Cu, 0x10348u, 0xD800u, 0x10FFFFu}) {
        std::string s;
        utf8_encode(cp, s);
        EXPECT_EQ(static_cast<int>(s.size()), utf8_width(cp));
        size_t pos = 0;
        EXPECT_EQ(utf8_decode(s, pos), cp);
        EXPECT_EQ(pos, s.size());
    }
}

TEST(Utf8Test, RejectsMalformedInput) {
    EXPECT_TRUE(utf8_valid("a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80"));
    EXPECT_FALSE(utf8_valid("\xc3"));              // truncated
    EXPECT_FALSE(utf8_valid("\xc0\x80"));          // overlong
    EXPECT_FALSE(utf8_valid("\xe0\x80\x80"));      // overlong
    EXPECT_FALSE(utf8_valid("\xf4\x90\x80\x80"));  // past U+10FFFF
    EXPECT_FALSE(utf8_valid("\x80"));
    size_t pos = 0;
    EXPECT_EQ(utf8_decode("\xffx", pos), kInvalidCodePoint);
    EXPECT_EQ(pos, 1u);
}

TEST(Utf8Test, OffsetsAndIndexes) {
    std::string_view s = "a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80z";  // a é 中 😀 z
    EXPECT_EQ(utf8_length(s), 5);
    EXPECT_EQ(utf8_offset(s, 0), 0u);
    EXPECT_EQ(utf8_offset(s, 2), 3u);
    EXPECT_EQ(utf8_offset(s, 4), 10u);
    EXPECT_EQ(utf8_offset(s, 5), 11u);
    EXPECT_EQ(utf8_index(s, 6), 3);
}

TEST(UnicodeTest, CharacterClasses) {
    EXPECT_TRUE(is_alpha(0xE9));
    EXPECT_TRUE(is_alpha(0x4E2D));
    EXPECT_FALSE(is_alpha('1'));
    EXPECT_TRUE(is_decimal(0x663));  // Arabic-Indic three
    EXPECT_EQ(decimal_value(0x663), 3);
    EXPECT_EQ(decimal_value(0x1D7CE + 12), 2);  // mathematical digits, second run
    EXPECT_EQ(decimal_value('x'), -1);
    EXPECT_TRUE(is_digit(0xB2));
    EXPECT_FALSE(is_decimal(0xB2));
    EXPECT_TRUE(is_numeric(0xBD));
    EXPECT_TRUE(is_space(0x85));
    EXPECT_TRUE(is_space(0x3000));
    EXPECT_FALSE(is_space(0x200B));
    EXPECT_TRUE(is_printable(' '));
    EXPECT_FALSE(is_printable(0xA0));
    EXPECT_FALSE(is_printable(0xAD));
    EXPECT_TRUE(is_id_start('_'));
    EXPECT_FALSE(is_id_start('1'));
    EXPECT_TRUE(is_id_continue('1'));
    EXPECT_TRUE(is_title(0x1C5));
    EXPECT_TRUE(is_linebreak(0x2029));
}

TEST(UnicodeTest, CaseMappings) {
    uint32_t out[3];
    ASSERT_EQ(case_map(CaseMapping::Upper, 0xDF, out), 2);  // ß -> SS
    EXPECT_EQ(out[0], 'S');
    EXPECT_EQ(out[1], 'S');
    ASSERT_EQ(case_map(CaseMapping::Lower, 0x130, out), 2);  // İ -> i̇
    EXPECT_EQ(out[0], 'i');
    EXPECT_EQ(out[1], 0x307u);
    ASSERT_EQ(case_map(CaseMapping::Upper, 0x3B1, out), 1);  // α -> Α
    EXPECT_EQ(out[0], 0x391u);
    ASSERT_EQ(case_map(CaseMapping::Lower, 0x416, out), 1);  // Ж -> ж
    EXPECT_EQ(out[0], 0x436u);
    ASSERT_EQ(case_map(CaseMapping::Title, 0x1C6, out), 1);  // ǆ -> ǅ
    EXPECT_EQ(out[0], 0x1C5u);
    ASSERT_EQ(case_map(CaseMapping::Upper, 0x101, out), 1);  // every-other run
    EXPECT_EQ(out[0], 0x100u);
    ASSERT_EQ(case_map(CaseMapping::Upper, 0x100, out), 1);
    EXPECT_EQ(out[0], 0x100u);
    ASSERT_EQ(case_map(CaseMapping::Fold, 0xFB03, out), 3);  // ﬃ -> ffi
    EXPECT_EQ(out[2], 'i');
}

TEST(UnicodeTest, ReprOfStr) {
    EXPECT_EQ(repr_of_str("abc"), "'abc'");
    EXPECT_EQ(repr_of_str("it's"), "\"it's\"");
    EXPECT_EQ(repr_of_str("a'b\"c"), "'a\\'b\"c'");
    EXPECT_EQ(repr_of_str("a\"b"), "'a\"b'");
    EXPECT_EQ(repr_of_str("\t\n\r\\"), "'\\t\\n\\r\\\\'");
    EXPECT_EQ(repr_of_str(std::string_view("\x00\x7f", 2)), "'\\x00\\x7f'");
    EXPECT_EQ(repr_of_str("\xc2\x80\xc2\xa0\xc2\xad\xc3\xa9"), "'\\x80\\xa0\\xad\xc3\xa9'");
    EXPECT_EQ(repr_of_str("\xe2\x80\xa8\xed\xa0\x80\xf0\x9f\x98\x80\xf3\xa0\x80\x81"),
              "'\\u2028\\ud800\xf0\x9f\x98\x80\\U000e0001'");
    EXPECT_EQ(ascii_of_str("\xc3\xa9\n\xe4\xb8\xad\xf0\x9f\x98\x80"),
              "'\\xe9\\n\\u4e2d\\U0001f600'");
}

TEST_F(StrTest, MakeStrComputesLengthAndAscii) {
    Str* s = make_str("abc");
    EXPECT_EQ(s->length, 3);
    EXPECT_EQ(s->size, 3);
    EXPECT_TRUE(s->ascii);
    Str* u = make_str("a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80");
    EXPECT_EQ(u->length, 4);
    EXPECT_EQ(u->size, 10);
    EXPECT_FALSE(u->ascii);
    EXPECT_EQ(u->data[u->size], '\0');
}

TEST_F(StrTest, InternReturnsOneObjectPerText) {
    Str* a = intern("some_identifier");
    Str* b = intern(std::string("some_") + "identifier");
    EXPECT_EQ(a, b);
    EXPECT_TRUE(a->interned);
    EXPECT_NE(intern("other"), a);
}

TEST_F(StrTest, HashMatchesCPythonWithZeroSeed) {
    // PYTHONHASHSEED=0 python3 -c 'print(hash(...))'
    struct Case {
        const char* text;
        int64_t hash;
    };
    const Case cases[] = {
        {"", 0},
        {"a", 4644417185603328019},
        {"abc", -4594863902769663758},
        {"\xc3\xa9", 6047309291227476195},  // é (latin-1)
        {"caf\xc3\xa9", 137524001917817222},
        {"\xe4\xb8\xad\xe6\x96\x87", 501833946989431548},  // 中文 (UCS2)
        {"\xf0\x9f\x98\x80", -3536540696076613844},        // 😀 (UCS4)
        {"a\xf0\x9f\x98\x80\xc3\xa9", -8497194953991201300},
        {"hello world, this is longer than sixteen bytes", -1688205437304812346},
        {"\xc4\x80", 75343234424780393},  // Ā
    };
    for (const Case& c : cases) {
        int64_t h;
        ASSERT_TRUE(hash(str_value(c.text), &h));
        EXPECT_EQ(h, c.hash) << c.text;
    }
    int64_t h;
    ASSERT_TRUE(hash(str_value(std::string_view("a\0b", 3)), &h));
    EXPECT_EQ(h, -2562947060344435835);
}

TEST_F(StrTest, ComparisonIsByCodePoint) {
    Value a = str_value("\xc3\xa9");  // é
    Value b = str_value("z");
    Value c = str_value("\xf0\x9f\x98\x80");  // 😀
    EXPECT_EQ(less_than(b, a), 1);
    EXPECT_EQ(less_than(a, c), 1);
    EXPECT_EQ(equals(str_value("abc"), str_value("abc")), 1);
}

TEST_F(StrTest, PercentFormatting) {
    Value args[3] = {str_value("x"), make_int(42), Value::from_double(3.14159)};
    Value tuple = Value::object(make_tuple(args, 3));
    EXPECT_EQ(text_of(str_percent_format(str_value("%s|%5d|%-7.2f|%%"), tuple)),
              "x|   42|3.14   |%");
    Value pair[2] = {make_int(255), str_value("a")};
    EXPECT_EQ(
        text_of(str_percent_format(str_value("%#06x %r"), Value::object(make_tuple(pair, 2)))),
        "0x00ff 'a'");
    EXPECT_TRUE(str_percent_format(str_value("%d %d"), make_int(1)).is_null());
    EXPECT_EQ(pending_message(), "TypeError: not enough arguments for format string");
    EXPECT_TRUE(str_percent_format(str_value("abc"), make_int(1)).is_null());
    EXPECT_EQ(pending_message(), "TypeError: not all arguments converted during string formatting");
}

TEST_F(StrTest, FormatMethod) {
    Value args[2] = {make_int(7), str_value("ab")};
    EXPECT_EQ(text_of(str_format(make_str("{} {!r:>6} {{}}"), args, 2, Value::null())),
              "7   'ab' {}");
    EXPECT_TRUE(str_format(make_str("{0}{}"), args, 2, Value::null()).is_null());
    EXPECT_EQ(pending_message(), "ValueError: cannot switch from manual field specification to "
                                 "automatic field numbering");
    EXPECT_TRUE(str_format(make_str("}"), args, 2, Value::null()).is_null());
    EXPECT_EQ(pending_message(), "ValueError: Single '}' encountered in format string");
}

}  // namespace
}  // namespace apy::rt
