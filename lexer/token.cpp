#include "lexer/token.h"

namespace apy::lex {

const char* token_name(Tok kind) {
    switch (kind) {
    case Tok::EndOfFile: return "ENDMARKER";
    case Tok::Newline: return "NEWLINE";
    case Tok::Indent: return "INDENT";
    case Tok::Dedent: return "DEDENT";
    case Tok::Name: return "NAME";
    case Tok::Int:
    case Tok::Float:
    case Tok::Imaginary: return "NUMBER";
    case Tok::String:
    case Tok::FString:
    case Tok::Bytes: return "STRING";
#define KEYWORD(name, text) \
    case Tok::name: return "'" text "'";
#define PUNCT(name, text) \
    case Tok::name: return "'" text "'";
#include "lexer/tokens.def"
    }
    return "?";
}

}  // namespace apy::lex
