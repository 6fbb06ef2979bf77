// The re2c-generated raw scanner (scanner.re): it classifies what starts at a position.
// Layout (indentation, NEWLINE), brackets, numbers and string bodies are handled by Lexer.
#pragma once

#include "lexer/token.h"

namespace apy::lex::detail {

enum class Raw : uint8_t {
    End,           // a NUL byte: the end of the text, or a stray NUL inside it
    Newline,       // '\n'
    Space,         // spaces, tabs and form feeds
    Comment,       // '#' up to (not including) the newline
    Continuation,  // a backslash followed by a newline
    LoneBackslash, // a backslash followed by anything else
    Name,          // a potential identifier: ASCII letters, digits, '_' and any non-ASCII
    Number,        // a digit, or '.' followed by a digit: Lexer scans the rest
    String,        // an optional prefix and the opening quote
    Punct,         // an operator or delimiter; see RawToken::punct
    NotEqualAlt,   // "<>", which CPython 3.11 tokenizes but rejects
    Bad,           // a character that starts no token
};

struct RawToken {
    Raw kind;
    Tok punct;        // for Raw::Punct
    const char* end;  // just past the match
};

// Scans one raw token at [p]. The text must be NUL-terminated and valid UTF-8.
RawToken scan_raw(const char* p);

}  // namespace apy::lex::detail
