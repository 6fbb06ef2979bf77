// Lexer errors: type, message and position, checked through format_syntax_error against
// CPython 3.11's output (the expected texts were produced by running python3 on each source).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lexer/lexer.h"

namespace apy::lex {
namespace {

// Lexes [text] as the file /tmp/s.py to the end; returns the formatted error or "".
std::string error_of(const std::string& text) {
    Source source("/tmp/s.py", text);
    Lexer lexer(source);
    try {
        while (lexer.next().kind != Tok::EndOfFile) {
        }
    } catch (const SyntaxErrorInfo& error) {
        return format_syntax_error(source, error);
    }
    return "";
}

SyntaxErrorInfo info_of(const std::string& text) {
    Source source("/tmp/s.py", text);
    Lexer lexer(source);
    try {
        while (lexer.next().kind != Tok::EndOfFile) {
        }
    } catch (const SyntaxErrorInfo& error) {
        return error;
    }
    return SyntaxErrorInfo("none", "", 0, 0);
}

struct Case {
    const char* source;
    const char* python_stderr;
};

const Case kCases[] = {
    {"x = 1\n"
     "    y = 2\n",
     "  File \"/tmp/s.py\", line 2\n"
     "    y = 2\n"
     "IndentationError: unexpected indent\n"},
    {"  x = 1\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1\n"
     "IndentationError: unexpected indent\n"},
    {"if x:\n"
     "    y\n"
     "  z\n",
     "  File \"/tmp/s.py\", line 3\n"
     "    z\n"
     "     ^\n"
     "IndentationError: unindent does not match any outer indentation level\n"},
    {"if x:\n"
     "    y\n"
     "  z = 1 # c\n",
     "  File \"/tmp/s.py\", line 3\n"
     "    z = 1 # c\n"
     "             ^\n"
     "IndentationError: unindent does not match any outer indentation level\n"},
    {"if x:\n"
     "\ty\n"
     "        z\n",
     "  File \"/tmp/s.py\", line 3\n"
     "    z\n"
     "TabError: inconsistent use of tabs and spaces in indentation\n"},
    {"if x:\n"
     "        y\n"
     "\tz\n",
     "  File \"/tmp/s.py\", line 3\n"
     "    z\n"
     "TabError: inconsistent use of tabs and spaces in indentation\n"},
    {"x = (1 +\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = (1 +\n"
     "        ^\n"
     "SyntaxError: '(' was never closed\n"},
    {"x = [1,\n"
     "2,\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = [1,\n"
     "        ^\n"
     "SyntaxError: '[' was never closed\n"},
    {"x = [1, 2)\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = [1, 2)\n"
     "             ^\n"
     "SyntaxError: closing parenthesis ')' does not match opening parenthesis '['\n"},
    {"x = [1,\n"
     " 2)\n",
     "  File \"/tmp/s.py\", line 2\n"
     "    2)\n"
     "     ^\n"
     "SyntaxError: closing parenthesis ')' does not match opening parenthesis '[' on line 1\n"},
    {"x = 1)\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1)\n"
     "         ^\n"
     "SyntaxError: unmatched ')'\n"},
    {"x = 1]\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1]\n"
     "         ^\n"
     "SyntaxError: unmatched ']'\n"},
    {"x = {1: (2, 3]}\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = {1: (2, 3]}\n"
     "                 ^\n"
     "SyntaxError: closing parenthesis ']' does not match opening parenthesis '('\n"},
    {"x = 'abc\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 'abc\n"
     "        ^\n"
     "SyntaxError: unterminated string literal (detected at line 1)\n"},
    {"x = 'abc\\\n"
     "def\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 'abc\\\n"
     "        ^\n"
     "SyntaxError: unterminated string literal (detected at line 2)\n"},
    {"x = '''abc\n"
     "def\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = '''abc\n"
     "        ^\n"
     "SyntaxError: unterminated triple-quoted string literal (detected at line 2)\n"},
    {"x = '''abc\n"
     "\n"
     "\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = '''abc\n"
     "        ^\n"
     "SyntaxError: unterminated triple-quoted string literal (detected at line 3)\n"},
    {"x = '''abc",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = '''abc\n"
     "        ^\n"
     "SyntaxError: unterminated triple-quoted string literal (detected at line 1)\n"},
    {"x = rb'abc\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = rb'abc\n"
     "        ^\n"
     "SyntaxError: unterminated string literal (detected at line 1)\n"},
    {"x = 'abc\\\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 'abc\\\n"
     "        ^\n"
     "SyntaxError: unterminated string literal (detected at line 1)\n"},
    {"x = f'abc\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = f'abc\n"
     "        ^\n"
     "SyntaxError: unterminated string literal (detected at line 1)\n"},
    {"\xC3""\xA9"" = '\xC3""\xA9""\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = '\xC3""\xA9""\n"
     "        ^\n"
     "SyntaxError: unterminated string literal (detected at line 1)\n"},
    {"x = 012\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 012\n"
     "        ^\n"
     "SyntaxError: leading zeros in decimal integer literals are not permitted; use an 0o"
     " prefix for octal integers\n"},
    {"x = 0012\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0012\n"
     "        ^^\n"
     "SyntaxError: leading zeros in decimal integer literals are not permitted; use an 0o"
     " prefix for octal integers\n"},
    {"x = 0_7\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0_7\n"
     "        ^^\n"
     "SyntaxError: leading zeros in decimal integer literals are not permitted; use an 0o"
     " prefix for octal integers\n"},
    {"x = 1_\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1_\n"
     "         ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 0x\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0x\n"
     "         ^\n"
     "SyntaxError: invalid hexadecimal literal\n"},
    {"x = 0xg\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0xg\n"
     "         ^\n"
     "SyntaxError: invalid hexadecimal literal\n"},
    {"x = 0x_\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0x_\n"
     "          ^\n"
     "SyntaxError: invalid hexadecimal literal\n"},
    {"x = 0o8\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0o8\n"
     "          ^\n"
     "SyntaxError: invalid digit '8' in octal literal\n"},
    {"x = 0o18\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0o18\n"
     "           ^\n"
     "SyntaxError: invalid digit '8' in octal literal\n"},
    {"x = 0o\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0o\n"
     "         ^\n"
     "SyntaxError: invalid octal literal\n"},
    {"x = 0b2\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0b2\n"
     "          ^\n"
     "SyntaxError: invalid digit '2' in binary literal\n"},
    {"x = 0b12\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0b12\n"
     "           ^\n"
     "SyntaxError: invalid digit '2' in binary literal\n"},
    {"x = 0b1_\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0b1_\n"
     "           ^\n"
     "SyntaxError: invalid binary literal\n"},
    {"x = 1__0\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1__0\n"
     "         ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 1a\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1a\n"
     "        ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 12abc\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 12abc\n"
     "         ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 1.5e\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1.5e\n"
     "          ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 1e+\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1e+\n"
     "          ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 1e\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1e\n"
     "        ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 1.5j_\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1.5j_\n"
     "           ^\n"
     "SyntaxError: invalid imaginary literal\n"},
    {"x = 1.real\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1.real\n"
     "         ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 1_000.0_\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1_000.0_\n"
     "               ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 0_\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0_\n"
     "         ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 0a\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0a\n"
     "        ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = a\xC2""\xA4""b\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = a\xC2""\xA4""b\n"
     "         ^\n"
     "SyntaxError: invalid character '\xC2""\xA4""' (U+00A4)\n"},
    {"x = \xC2""\xA4""\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \xC2""\xA4""\n"
     "        ^\n"
     "SyntaxError: invalid character '\xC2""\xA4""' (U+00A4)\n"},
    {"x = \xC2""\xA0""y\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \xC2""\xA0""y\n"
     "        ^\n"
     "SyntaxError: invalid non-printable character U+00A0\n"},
    {"x = \xC3""\xA9""\xE2""\x82""\xAC""\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \xC3""\xA9""\xE2""\x82""\xAC""\n"
     "         ^\n"
     "SyntaxError: invalid character '\xE2""\x82""\xAC""' (U+20AC)\n"},
    {"x = $\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = $\n"
     "        ^\n"
     "SyntaxError: invalid syntax\n"},
    {"x = ?\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = ?\n"
     "        ^\n"
     "SyntaxError: invalid syntax\n"},
    {"x = !\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = !\n"
     "        ^\n"
     "SyntaxError: invalid syntax\n"},
    {"x = `\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = `\n"
     "        ^\n"
     "SyntaxError: invalid syntax\n"},
    {"x = \x01""\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \x01""\n"
     "        ^\n"
     "SyntaxError: invalid non-printable character U+0001\n"},
    {"x = \x7F""\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \x7F""\n"
     "        ^\n"
     "SyntaxError: invalid non-printable character U+007F\n"},
    {"x = 1 \\ y\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1 \\ y\n"
     "           ^\n"
     "SyntaxError: unexpected character after line continuation character\n"},
    {"x = 1 \\\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1 \\\n"
     "           ^\n"
     "SyntaxError: unexpected EOF while parsing\n"},
    {"x = 1 \\",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1 \\\n"
     "           ^\n"
     "SyntaxError: unexpected EOF while parsing\n"},
    {"x = (1 \\\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = (1 \\\n"
     "        ^\n"
     "SyntaxError: '(' was never closed\n"},
    {"x = 1 <> 2\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1 <> 2\n"
     "          ^^\n"
     "SyntaxError: invalid syntax\n"},
    {"x = \"\\x4\"\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \"\\x4\"\n"
     "             ^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 0-2: truncated \\xXX escape\n"},
    {"x = \"ab\\u12\"\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \"ab\\u12\"\n"
     "                ^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 2-5: truncated \\uXXXX escape\n"},
    {"x = \"\xC3""\xA9""\\x4\"\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \"\xC3""\xA9""\\x4\"\n"
     "               ^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 10-12: truncated \\xXX escape\n"},
    {"x = \"\\U00110000\"\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \"\\U00110000\"\n"
     "                    ^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 0-9: illegal Unicode character\n"},
    {"x = 1; y = (\"a\"\n"
     "  \"\\x4\")\n",
     "  File \"/tmp/s.py\", line 2\n"
     "    \"\\x4\")\n"
     "         ^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 0-2: truncated \\xXX escape\n"},
    {"x = \"\\x4\" == 1\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \"\\x4\" == 1\n"
     "              ^^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 0-2: truncated \\xXX escape\n"},
    {"x = \"\\x4\" \"b\" + 1\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \"\\x4\" \"b\" + 1\n"
     "                  ^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 0-2: truncated \\xXX escape\n"},
    {"x = \"\\N\"\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \"\\N\"\n"
     "            ^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 0-1: malformed \\N character escape\n"},
    {"x = \"\\N{\"\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \"\\N{\"\n"
     "             ^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 0-2: malformed \\N character escape\n"},
    {"x = \"\\N{}\"\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \"\\N{}\"\n"
     "              ^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 0-2: malformed \\N character escape\n"},
    {"x = \"\\x\xC3""\xA9""\"\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \"\\x\xC3""\xA9""\"\n"
     "              ^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 0-1: truncated \\xXX escape\n"},
    {"x = \"\xFF""\"\n",
     "SyntaxError: Non-UTF-8 code starting with '\\xff' in file /tmp/s.py on line 1, but"
     " no encoding declared; see https://peps.python.org/pep-0263/ for details\n"},
    {"x = 1\n"
     "y = \"\xC3""(\"\n",
     "SyntaxError: Non-UTF-8 code starting with '\\xc3' in file /tmp/s.py on line 2, but"
     " no encoding declared; see https://peps.python.org/pep-0263/ for details\n"},
    {"x = 1.__class__\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1.__class__\n"
     "         ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = ( )\n"
     "  )\n",
     "  File \"/tmp/s.py\", line 2\n"
     "    )\n"
     "IndentationError: unexpected indent\n"},
    {"x = (\n"
     "]\n",
     "  File \"/tmp/s.py\", line 2\n"
     "    ]\n"
     "    ^\n"
     "SyntaxError: closing parenthesis ']' does not match opening parenthesis '(' on line 1\n"},
    {"if x:\n"
     "  y\n"
     "\tz\n",
     "  File \"/tmp/s.py\", line 3\n"
     "    z\n"
     "TabError: inconsistent use of tabs and spaces in indentation\n"},
    {"if x:\n"
     " \ty\n"
     "\t z\n",
     "  File \"/tmp/s.py\", line 3\n"
     "    z\n"
     "TabError: inconsistent use of tabs and spaces in indentation\n"},
    {"x = 'a\\\n"
     "\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 'a\\\n"
     "        ^\n"
     "SyntaxError: unterminated string literal (detected at line 2)\n"},
    {"x = '''a\n"
     "  b\n"
     "  c",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = '''a\n"
     "        ^\n"
     "SyntaxError: unterminated triple-quoted string literal (detected at line 3)\n"},
    {"x = \\\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = \\\n"
     "         ^\n"
     "SyntaxError: unexpected EOF while parsing\n"},
    {"x = [)\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = [)\n"
     "         ^\n"
     "SyntaxError: closing parenthesis ')' does not match opening parenthesis '['\n"},
    {"x = {\n"
     "\n"
     ")\n",
     "  File \"/tmp/s.py\", line 3\n"
     "    )\n"
     "    ^\n"
     "SyntaxError: closing parenthesis ')' does not match opening parenthesis '{' on line 1\n"},
    {"\xC2""\xA4""x\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC2""\xA4""x\n"
     "    ^\n"
     "SyntaxError: invalid character '\xC2""\xA4""' (U+00A4)\n"},
    {"x\xE2""\x80""\x8B"" = 1\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x\xE2""\x80""\x8B"" = 1\n"
     "     ^\n"
     "SyntaxError: invalid non-printable character U+200B\n"},
    {"x = 1\n"
     "\n"
     "  y\n",
     "  File \"/tmp/s.py\", line 3\n"
     "    y\n"
     "IndentationError: unexpected indent\n"},
    {"if x:\n"
     "    pass\n"
     "      y\n",
     "  File \"/tmp/s.py\", line 3\n"
     "    y\n"
     "IndentationError: unexpected indent\n"},
    {"x = 1\n"
     "  y = (\n",
     "  File \"/tmp/s.py\", line 2\n"
     "    y = (\n"
     "IndentationError: unexpected indent\n"},
    {"\xC3""\xA9"" = (1,\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = (1,\n"
     "         ^\n"
     "SyntaxError: '(' was never closed\n"},
    {"\xC3""\xA9"" = $\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = $\n"
     "         ^\n"
     "SyntaxError: invalid syntax\n"},
    {"\xC3""\xA9"" = 012\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = 012\n"
     "         ^\n"
     "SyntaxError: leading zeros in decimal integer literals are not permitted; use an 0o"
     " prefix for octal integers\n"},
    {"\xC3""\xA9"" = 1 \\ x\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = 1 \\ x\n"
     "            ^\n"
     "SyntaxError: unexpected character after line continuation character\n"},
    {"if x:\n"
     "    y\n"
     "  \xC3""\xA9"" = 1\n",
     "  File \"/tmp/s.py\", line 3\n"
     "    \xC3""\xA9"" = 1\n"
     "          ^\n"
     "IndentationError: unindent does not match any outer indentation level\n"},
    {"\xC3""\xA9"" = 1 <> 2\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = 1 <> 2\n"
     "           ^^\n"
     "SyntaxError: invalid syntax\n"},
    {"\xC3""\xA9"" = [1)\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = [1)\n"
     "          ^\n"
     "SyntaxError: closing parenthesis ')' does not match opening parenthesis '['\n"},
    {"\xC3""\xA9"" = '\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = '\n"
     "        ^\n"
     "SyntaxError: unterminated string literal (detected at line 1)\n"},
    {"\xC3""\xA9"" = 1_\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = 1_\n"
     "         ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"\xC3""\xA9"" = \x01""\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = \x01""\n"
     "        ^\n"
     "SyntaxError: invalid non-printable character U+0001\n"},
    {"\xC3""\xA9"" = \"\\x4\" + 1\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = \"\\x4\" + 1\n"
     "               ^\n"
     "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position"
     " 0-2: truncated \\xXX escape\n"},
    {"\xC3""\xA9"" = 1 + '''\n"
     "ab\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    \xC3""\xA9"" = 1 + '''\n"
     "            ^\n"
     "SyntaxError: unterminated triple-quoted string literal (detected at line 2)\n"},
    {"x = 1andy\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 1andy\n"
     "        ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 0_1\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0_1\n"
     "        ^^\n"
     "SyntaxError: leading zeros in decimal integer literals are not permitted; use an 0o"
     " prefix for octal integers\n"},
    {"x = 0e\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0e\n"
     "        ^\n"
     "SyntaxError: invalid decimal literal\n"},
    {"x = 0j_\n",
     "  File \"/tmp/s.py\", line 1\n"
     "    x = 0j_\n"
     "         ^\n"
     "SyntaxError: invalid imaginary literal\n"},

};

TEST(LexerErrors, MatchCPython) {
    for (const Case& c : kCases) {
        EXPECT_EQ(error_of(c.source), c.python_stderr) << "source: " << c.source;
    }
}

TEST(LexerErrors, Fields) {
    SyntaxErrorInfo e = info_of("x = (1 +\n");
    EXPECT_EQ(e.type, "SyntaxError");
    EXPECT_EQ(e.message, "'(' was never closed");
    EXPECT_EQ(e.line, 1);
    EXPECT_EQ(e.col, 4);
    EXPECT_EQ(e.end_col, -1);

    e = info_of("if x:\n\ty\n        z\n");
    EXPECT_EQ(e.type, "TabError");
    EXPECT_EQ(e.line, 3);

    e = info_of("x = 1\n  y\n");
    EXPECT_EQ(e.type, "IndentationError");
    EXPECT_EQ(e.message, "unexpected indent");
    EXPECT_EQ(e.col, -1);

    e = info_of("x = 0012\n");
    EXPECT_EQ(e.col, 4);
    EXPECT_EQ(e.end_col, 6);
}

TEST(LexerErrors, TooManyNestedParentheses) {
    std::string text = "x = " + std::string(201, '(') + "\n";
    SyntaxErrorInfo e = info_of(text);
    EXPECT_EQ(e.message, "too many nested parentheses");
    EXPECT_EQ(e.line, 1);
    EXPECT_EQ(e.col, 204);
    // 200 levels are fine, then it is only unclosed.
    EXPECT_EQ(info_of("x = " + std::string(200, '(') + "\n").message, "'(' was never closed");
    // Far deeper nesting must not crash either.
    EXPECT_EQ(info_of(std::string(100000, '[')).message, "too many nested parentheses");
}

TEST(LexerErrors, TooManyLevelsOfIndentation) {
    std::string text;
    for (int i = 0; i < 101; ++i) text += std::string(i, ' ') + "if x:\n";
    text += std::string(101, ' ') + "pass\n";
    SyntaxErrorInfo e = info_of(text);
    EXPECT_EQ(e.type, "IndentationError");
    EXPECT_EQ(e.message, "too many levels of indentation");
    EXPECT_EQ(e.line, 101);
    EXPECT_EQ(error_of(text),
              "  File \"/tmp/s.py\", line 101\n    if x:\n"
              "IndentationError: too many levels of indentation\n");

    // 99 nested blocks are fine.
    text.clear();
    for (int i = 0; i < 99; ++i) text += std::string(i, ' ') + "if x:\n";
    text += std::string(99, ' ') + "pass\n";
    EXPECT_EQ(error_of(text), "");
}

TEST(LexerErrors, NullBytesAndBadUtf8) {
    EXPECT_EQ(error_of(std::string("x = 1\0\n", 7)),
              "  File \"/tmp/s.py\", line 1\n    x = 1\n"
              "SyntaxError: source code cannot contain null bytes\n");
    EXPECT_EQ(error_of(std::string("x = '\0'\n", 8)),
              "  File \"/tmp/s.py\", line 1\n    x = '\n"
              "SyntaxError: source code cannot contain null bytes\n");
    EXPECT_EQ(error_of("x = 1\ny = \"\xff\"\n"),
              "SyntaxError: Non-UTF-8 code starting with '\\xff' in file /tmp/s.py on line 2, "
              "but no encoding declared; see https://peps.python.org/pep-0263/ for details\n");
    EXPECT_NE(error_of("\xed\xa0\x80\n"), "");  // an encoded surrogate
    EXPECT_NE(error_of("\xc0\xaf\n"), "");      // an overlong form
}

TEST(LexerErrors, UnicodeErrorComesAfterTheStrings) {
    // The string token itself is handed out; the error comes with the next token.
    Source source("/tmp/s.py", "x = '\\x4' 'b' + 1\n");
    Lexer lexer(source);
    EXPECT_EQ(lexer.next().kind, Tok::Name);
    EXPECT_EQ(lexer.next().kind, Tok::Equal);
    EXPECT_EQ(lexer.next().kind, Tok::String);
    EXPECT_EQ(lexer.next().kind, Tok::String);
    try {
        lexer.next();
        FAIL() << "no error";
    } catch (const SyntaxErrorInfo& e) {
        EXPECT_EQ(e.line, 1);
        EXPECT_EQ(e.col, 14);
        EXPECT_EQ(e.end_col, -1);
    }
}

TEST(LexerErrors, TokenizerErrorsOnly) {
    // The scan a parser makes after its own error: only CPython's tokenizer errors count.
    auto scan = [](const std::string& text) {
        Source source("/tmp/s.py", text);
        Lexer lexer(source);
        lexer.set_tokenizer_errors_only(true);
        try {
            while (lexer.next().kind != Tok::EndOfFile) {
            }
        } catch (const SyntaxErrorInfo& error) {
            return error.message;
        }
        return std::string("ok");
    };
    EXPECT_EQ(scan("x = 1\n  y = '\\x4' $ ? <> 2\n"), "ok");
    EXPECT_EQ(scan("x = 1\n  y = $ (\n"), "'(' was never closed");
    EXPECT_EQ(scan("x = $\ny = 012\n"),
              "leading zeros in decimal integer literals are not permitted; use an 0o prefix "
              "for octal integers");
}

TEST(DecodeEscapes, Errors) {
    auto message = [](std::string_view raw) {
        try {
            decode_escapes(raw, false);
        } catch (const SyntaxErrorInfo& e) {
            EXPECT_EQ(e.line, 0);
            EXPECT_EQ(e.col, -1);
            return e.message;
        }
        return std::string("ok");
    };
    EXPECT_EQ(message("ab\\x"), "(unicode error) 'unicodeescape' codec can't decode bytes in "
                                "position 2-3: truncated \\xXX escape");
    EXPECT_EQ(message("\\U0000004"), "(unicode error) 'unicodeescape' codec can't decode bytes "
                                     "in position 0-8: truncated \\UXXXXXXXX escape");
    EXPECT_EQ(message("é\\u1"), "(unicode error) 'unicodeescape' codec can't decode bytes in "
                               "position 10-12: truncated \\uXXXX escape");
    EXPECT_EQ(message("\\N{x"), "(unicode error) 'unicodeescape' codec can't decode bytes in "
                                "position 0-3: malformed \\N character escape");
    EXPECT_EQ(message("\\é"), "ok");
    EXPECT_EQ(message("é\\N{NO SUCH NAME}"),
              "(unicode error) 'unicodeescape' codec can't decode bytes in position 10-25: "
              "unknown Unicode character name");
}

}  // namespace
}  // namespace apy::lex
