// Tokens as the lexer hands them to the parser. The kinds come from tokens.def.
#pragma once

#include <cstdint>
#include <string>

namespace apy::lex {

enum class Tok : uint8_t {
#define TOKEN(name) name,
#define KEYWORD(name, text) name,
#define PUNCT(name, text) name,
#include "lexer/tokens.def"
};

// How the token is named in messages and in `apy --tokens`: "NAME", "'if'", "'+='".
const char* token_name(Tok kind);

// A position in the source: 1-based line, 0-based byte column (CPython's col_offset).
struct Pos {
    int line = 1;
    int col = 0;
};

struct Token {
    Tok kind = Tok::EndOfFile;
    std::string text;  // see tokens.def for what each kind carries
    bool raw = false;  // String, FString, Bytes: the literal had an r/R prefix
    Pos begin;
    Pos end;
};

}  // namespace apy::lex
