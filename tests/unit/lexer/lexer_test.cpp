// Tokens, texts and positions produced by the lexer.
#include "lexer/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace apy::lex {
namespace {

std::vector<Token> lex(const std::string& text) {
    Source source("<test>", text);
    Lexer lexer(source);
    std::vector<Token> tokens;
    for (;;) {
        tokens.push_back(lexer.next());
        if (tokens.back().kind == Tok::EndOfFile) return tokens;
    }
}

// "NAME:x NEWLINE ..." : kinds, and texts for Name and literals.
std::string kinds(const std::string& text) {
    std::string out;
    for (const Token& t : lex(text)) {
        if (!out.empty()) out += ' ';
        switch (t.kind) {
        case Tok::Name: out += "NAME:" + t.text; break;
        case Tok::Int: out += "INT:" + t.text; break;
        case Tok::Float: out += "FLOAT:" + t.text; break;
        case Tok::Imaginary: out += "IMAG:" + t.text; break;
        case Tok::String: out += "STR:" + t.text; break;
        case Tok::FString: out += std::string("F") + (t.raw ? "R" : "") + ":" + t.text; break;
        case Tok::Bytes: out += "BYTES:" + t.text; break;
        default: out += token_name(t.kind); break;
        }
    }
    return out;
}

std::string positions(const std::string& text) {
    std::string out;
    for (const Token& t : lex(text)) {
        if (!out.empty()) out += ' ';
        out += std::to_string(t.begin.line) + ":" + std::to_string(t.begin.col) + "-" +
               std::to_string(t.end.line) + ":" + std::to_string(t.end.col);
    }
    return out;
}

TEST(Lexer, Empty) {
    EXPECT_EQ(kinds(""), "ENDMARKER");
    EXPECT_EQ(positions(""), "1:0-1:0");
    EXPECT_EQ(kinds("\n\n  \n# c\n"), "ENDMARKER");
}

TEST(Lexer, SimpleStatement) {
    EXPECT_EQ(kinds("x = 1\n"), "NAME:x '=' INT:1 NEWLINE ENDMARKER");
    EXPECT_EQ(positions("x = 1\n"), "1:0-1:1 1:2-1:3 1:4-1:5 1:5-1:6 2:0-2:0");
}

TEST(Lexer, NoFinalNewline) {
    EXPECT_EQ(kinds("x"), "NAME:x NEWLINE ENDMARKER");
    EXPECT_EQ(positions("x"), "1:0-1:1 1:1-1:2 2:0-2:0");
    EXPECT_EQ(kinds("x # comment"), "NAME:x NEWLINE ENDMARKER");
}

TEST(Lexer, CrLfAndBom) {
    EXPECT_EQ(kinds("\xEF\xBB\xBFx = 1\r\nif y:\r\n    z\r\n"),
              "NAME:x '=' INT:1 NEWLINE 'if' NAME:y ':' NEWLINE INDENT NAME:z NEWLINE DEDENT "
              "ENDMARKER");
    EXPECT_EQ(positions("\xEF\xBB\xBFx\r\n"), "1:0-1:1 1:1-1:2 2:0-2:0");
    EXPECT_EQ(kinds("x\ry\r"), "NAME:x NEWLINE NAME:y NEWLINE ENDMARKER");
}

TEST(Lexer, IndentDedent) {
    const char* text = "if x:\n    y\n    if z:\n        w\nv\n";
    EXPECT_EQ(kinds(text),
              "'if' NAME:x ':' NEWLINE INDENT NAME:y NEWLINE 'if' NAME:z ':' NEWLINE INDENT "
              "NAME:w NEWLINE DEDENT DEDENT NAME:v NEWLINE ENDMARKER");
    EXPECT_EQ(positions("if x:\n  y\nz\n"),
              "1:0-1:2 1:3-1:4 1:4-1:5 1:5-1:6 2:0-2:2 2:2-2:3 2:3-2:4 3:0-3:0 3:0-3:1 "
              "3:1-3:2 4:0-4:0");
}

TEST(Lexer, DedentsAtEof) {
    EXPECT_EQ(kinds("if x:\n  if y:\n    z"),
              "'if' NAME:x ':' NEWLINE INDENT 'if' NAME:y ':' NEWLINE INDENT NAME:z NEWLINE "
              "DEDENT DEDENT ENDMARKER");
    EXPECT_EQ(positions("if x:\n  y"),
              "1:0-1:2 1:3-1:4 1:4-1:5 1:5-1:6 2:0-2:2 2:2-2:3 2:3-2:4 3:0-3:0 3:0-3:0");
}

TEST(Lexer, BlankAndCommentLinesIgnored) {
    const char* text = "if x:\n\n    # comment\n  # odd comment\n    y\n\n        \n# c\nz\n";
    EXPECT_EQ(kinds(text),
              "'if' NAME:x ':' NEWLINE INDENT NAME:y NEWLINE DEDENT NAME:z NEWLINE ENDMARKER");
}

TEST(Lexer, IndentAfterColonAndComment) {
    EXPECT_EQ(kinds("if x:  # c\n\n    y\n"),
              "'if' NAME:x ':' NEWLINE INDENT NAME:y NEWLINE DEDENT ENDMARKER");
    EXPECT_EQ(kinds("d = {1:\n  2}\n"), "NAME:d '=' '{' INT:1 ':' INT:2 '}' NEWLINE ENDMARKER");
}

TEST(Lexer, TabsAndFormFeeds) {
    EXPECT_EQ(kinds("if x:\n\ty\n\tz\n"),
              "'if' NAME:x ':' NEWLINE INDENT NAME:y NEWLINE NAME:z NEWLINE DEDENT ENDMARKER");
    // A form feed resets the column.
    EXPECT_EQ(kinds("if x:\n    y\n\f    z\n"),
              "'if' NAME:x ':' NEWLINE INDENT NAME:y NEWLINE NAME:z NEWLINE DEDENT ENDMARKER");
    EXPECT_EQ(kinds("x = 1 \f+ 2\n"), "NAME:x '=' INT:1 '+' INT:2 NEWLINE ENDMARKER");
}

TEST(Lexer, BracketsSuppressLayout) {
    EXPECT_EQ(kinds("x = (1,\n      2,\n\n# c\n   3)\ny\n"),
              "NAME:x '=' '(' INT:1 ',' INT:2 ',' INT:3 ')' NEWLINE NAME:y NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("if x:\n    f([\n1], {\n2: 3})\n    y\n"),
              "'if' NAME:x ':' NEWLINE INDENT NAME:f '(' '[' INT:1 ']' ',' '{' INT:2 ':' "
              "INT:3 '}' ')' NEWLINE NAME:y NEWLINE DEDENT ENDMARKER");
}

TEST(Lexer, BackslashContinuation) {
    EXPECT_EQ(kinds("x = 1 + \\\n    2\ny\n"),
              "NAME:x '=' INT:1 '+' INT:2 NEWLINE NAME:y NEWLINE ENDMARKER");
    EXPECT_EQ(positions("x \\\n y\n"), "1:0-1:1 2:1-2:2 2:2-2:3 3:0-3:0");
    EXPECT_EQ(kinds("\\\nx = 1\n"), "NAME:x '=' INT:1 NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("if x:\n    \\\n  y\n"),
              "'if' NAME:x ':' NEWLINE INDENT NAME:y NEWLINE DEDENT ENDMARKER");
}

TEST(Lexer, Keywords) {
    EXPECT_EQ(kinds("if elif else while for in not and or is None True False lambda\n"),
              "'if' 'elif' 'else' 'while' 'for' 'in' 'not' 'and' 'or' 'is' 'None' 'True' "
              "'False' 'lambda' NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("async await yield nonlocal global del pass raise return try with\n"),
              "'async' 'await' 'yield' 'nonlocal' 'global' 'del' 'pass' 'raise' 'return' "
              "'try' 'with' NEWLINE ENDMARKER");
    // Soft keywords are plain names.
    EXPECT_EQ(kinds("match case _ print If\n"),
              "NAME:match NAME:case NAME:_ NAME:print NAME:If NEWLINE ENDMARKER");
}

TEST(Lexer, UnicodeNames) {
    EXPECT_EQ(kinds("café = ñ_1 + π\n"), "NAME:café '=' NAME:ñ_1 '+' NAME:π NEWLINE ENDMARKER");
    EXPECT_EQ(positions("é = 1\n"), "1:0-1:2 1:3-1:4 1:5-1:6 1:6-1:7 2:0-2:0");
    EXPECT_EQ(kinds("变量 = 1\n"), "NAME:变量 '=' INT:1 NEWLINE ENDMARKER");
}

TEST(Lexer, Operators) {
    EXPECT_EQ(kinds("a += b // c ** d -> e := f ... g != h <= i >= j == k\n"),
              "NAME:a '+=' NAME:b '//' NAME:c '**' NAME:d '->' NAME:e ':=' NAME:f '...' "
              "NAME:g '!=' NAME:h '<=' NAME:i '>=' NAME:j '==' NAME:k NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("<<= >>= **= //= @= &= |= ^= %= ~ << >> . ..\n"),
              "'<<=' '>>=' '**=' '//=' '@=' '&=' '|=' '^=' '%=' '~' '<<' '>>' '.' '.' '.' "
              "NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("a.b;c\n"), "NAME:a '.' NAME:b ';' NAME:c NEWLINE ENDMARKER");
}

TEST(Lexer, Numbers) {
    EXPECT_EQ(kinds("0 00 0_0 7 1_000 0x1F 0XaB_cd 0o17 0O1_7 0b101 0B1_0\n"),
              "INT:0 INT:00 INT:00 INT:7 INT:1000 INT:0x1F INT:0XaBcd INT:0o17 INT:0O17 "
              "INT:0b101 INT:0B10 NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("1.5 .5 5. 1e10 1.5e-3 1E+5 1_0.0_1e1_0 09.5 0e0 00.1\n"),
              "FLOAT:1.5 FLOAT:.5 FLOAT:5. FLOAT:1e10 FLOAT:1.5e-3 FLOAT:1E+5 FLOAT:10.01e10 "
              "FLOAT:09.5 FLOAT:0e0 FLOAT:00.1 NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("3j 1.5J 012j 1e3j\n"),
              "IMAG:3j IMAG:1.5J IMAG:012j IMAG:1e3j NEWLINE ENDMARKER");
    EXPECT_EQ(positions("x=0x_f\n"), "1:0-1:1 1:1-1:2 1:2-1:6 1:6-1:7 2:0-2:0");
    // Keywords glued to numbers are only a warning in CPython 3.11.
    EXPECT_EQ(kinds("1if x else 2\n"),
              "INT:1 'if' NAME:x 'else' INT:2 NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("0x1for\n"), "INT:0x1f 'or' NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("1else\n"), "INT:1 'else' NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("1 .real\n"), "INT:1 '.' NAME:real NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("x[1:2]\n"), "NAME:x '[' INT:1 ':' INT:2 ']' NEWLINE ENDMARKER");
}

TEST(Lexer, Strings) {
    EXPECT_EQ(kinds("'a' \"b\" '''c\nd''' \"\"\"e\"\"\" '' \"\"\n"),
              "STR:a STR:b STR:c\nd STR:e STR: STR: NEWLINE ENDMARKER");
    EXPECT_EQ(positions("'''a\nbc''' + 1\n"), "1:0-2:5 2:6-2:7 2:8-2:9 2:9-2:10 3:0-3:0");
    EXPECT_EQ(kinds("u'x' U\"y\"\n"), "STR:x STR:y NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("'it''s' \"'\" '\"'\n"), "STR:it STR:s STR:' STR:\" NEWLINE ENDMARKER");
    EXPECT_EQ(kinds("'''a''b'''\n"), "STR:a''b NEWLINE ENDMARKER");
}

TEST(Lexer, Escapes) {
    EXPECT_EQ(lex(R"('\n\t\r\\\'\"\a\b\f\v\0')" "\n")[0].text,
              std::string("\n\t\r\\'\"\a\b\f\v") + std::string(1, '\0'));
    EXPECT_EQ(lex(R"('\101\7\777\x41\u00e9\U0001F600')" "\n")[0].text,
              "A\x07\xC7\xBF" "A\xC3\xA9\xF0\x9F\x98\x80");
    EXPECT_EQ(lex(R"('\d\w\ é')" "\n")[0].text, R"(\d\w\ é)");
    EXPECT_EQ(lex("'ab\\\ncd'\n")[0].text, "abcd");
    EXPECT_EQ(kinds("'ab\\\ncd' x\n"), "STR:abcd NAME:x NEWLINE ENDMARKER");
    EXPECT_EQ(positions("'ab\\\ncd' x\n"), "1:0-2:3 2:4-2:5 2:5-2:6 3:0-3:0");
}

TEST(Lexer, RawStrings) {
    EXPECT_EQ(lex(R"(r'\n\'' R"\d" rB'\x' bR'y' Rb"z")" "\n")[0].text, R"(\n\')");
    Token t = lex("r'\\n'\n")[0];
    EXPECT_EQ(t.kind, Tok::String);
    EXPECT_TRUE(t.raw);
    EXPECT_EQ(kinds("r'a\\\nb'\n"), "STR:a\\\nb NEWLINE ENDMARKER");
}

TEST(Lexer, BytesAndFStrings) {
    EXPECT_EQ(kinds(R"(b'\x00a' B"b" rb'\d' br'e')" "\n"),
              R"(BYTES:\x00a BYTES:b BYTES:\d BYTES:e NEWLINE ENDMARKER)");
    EXPECT_EQ(kinds(R"(f'a{b!r:>{w}}\n' F"x" fr'\d' Rf'{y}' f'''{z}''')" "\n"),
              R"(F:a{b!r:>{w}}\n F:x FR:\d FR:{y} F:{z} NEWLINE ENDMARKER)");
    Token t = lex("rb'x'\n")[0];
    EXPECT_EQ(t.kind, Tok::Bytes);
    EXPECT_TRUE(t.raw);
    // "ur" is no prefix: a name, then a string.
    EXPECT_EQ(kinds("ur'x'\n"), "NAME:ur STR:x NEWLINE ENDMARKER");
}

TEST(Lexer, DeepBracketsAreFine) {
    std::string text = "x = " + std::string(199, '(') + "1" + std::string(199, ')') + "\n";
    EXPECT_EQ(lex(text).size(), 2u + 199 * 2 + 1 + 2);
}

TEST(Lexer, EndOfFileRepeats) {
    Source source("<test>", "x");
    Lexer lexer(source);
    for (int i = 0; i < 3; ++i) lexer.next();
    EXPECT_EQ(lexer.next().kind, Tok::EndOfFile);
    EXPECT_EQ(lexer.next().kind, Tok::EndOfFile);
}

TEST(Lexer, TokenNames) {
    EXPECT_STREQ(token_name(Tok::Name), "NAME");
    EXPECT_STREQ(token_name(Tok::If), "'if'");
    EXPECT_STREQ(token_name(Tok::PlusEqual), "'+='");
    EXPECT_STREQ(token_name(Tok::Newline), "NEWLINE");
    EXPECT_STREQ(token_name(Tok::Indent), "INDENT");
    EXPECT_STREQ(token_name(Tok::EndOfFile), "ENDMARKER");
    EXPECT_STREQ(token_name(Tok::Float), "NUMBER");
    EXPECT_STREQ(token_name(Tok::FString), "STRING");
}

TEST(DecodeEscapes, Basics) {
    EXPECT_EQ(decode_escapes(R"(a\tb)", false), "a\tb");
    EXPECT_EQ(decode_escapes(R"(a\tb)", true), R"(a\tb)");
    EXPECT_EQ(decode_escapes("\\", false), "\\");
    EXPECT_EQ(decode_escapes(R"(\{)", false), R"(\{)");
    EXPECT_EQ(decode_escapes(R"(\N{bullet}\N{LATIN CAPITAL LETTER GHA}\N{HANGUL SYLLABLE GAG})",
                             false),
              "\u2022\u01a2\uac01");
}

}  // namespace
}  // namespace apy::lex

namespace apy::lex {
namespace {

// Random inputs built from the characters that matter to the lexer: it must always end,
// with tokens or a SyntaxErrorInfo, and never crash or loop.
TEST(Lexer, RandomInputsTerminate) {
    const std::vector<std::string> pieces = {
        " ", "  ", "\t", "\n", "\r\n", "\f", "\\", "\\\n", "#", "(", ")", "[", "]", "{", "}",
        "'", "\"", "'''", "\"\"\"", "r", "b", "f", "x", "if", ":", "0", "1", "9", "_", ".",
        "e", "j", "x", "o", "+", "=", "<", ">", "!", "é", "€", "\xa0", "\x01", "\\x", "\\N{",
        "0x", "0o", "0b", "1_", "\xff", std::string(1, '\0'), "\\u00", "$"};
    uint32_t seed = 12345;
    auto rand = [&seed]() {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 16) & 0x7fff;
    };
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        int n = rand() % 40;
        for (int i = 0; i < n; ++i) text += pieces[rand() % pieces.size()];
        Source source("<fuzz>", text);
        Lexer lexer(source);
        try {
            for (int guard = 0; guard < 10000; ++guard) {
                Token t = lexer.next();
                ASSERT_LE(t.begin.line, t.end.line);
                if (t.kind == Tok::EndOfFile) break;
                ASSERT_LT(guard, 9999) << "no end for: " << text;
            }
        } catch (const SyntaxErrorInfo& e) {
            EXPECT_FALSE(format_syntax_error(source, e).empty());
        }
    }
}

}  // namespace
}  // namespace apy::lex
