// The raw scanner, compiled by re2c (see CMakeLists.txt). It only classifies what starts
// at a position; lexer.cpp does the rest. Keep the rules here and the logic in lexer.cpp.
#include "lexer/scanner.h"

namespace apy::lex::detail {

namespace {

RawToken raw(Raw kind, const char* end) {
    return {kind, Tok::EndOfFile, end};
}

RawToken punct(Tok kind, const char* end) {
    return {Raw::Punct, kind, end};
}

}  // namespace

RawToken scan_raw(const char* p) {
    const char* marker = p;
    (void)marker;
    /*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:define:YYCURSOR = p;
    re2c:define:YYMARKER = marker;
    re2c:yyfill:enable = 0;
    re2c:indent:string = "    ";

    // Like CPython's tokenizer, every non-ASCII character may be part of a name; Lexer
    // then checks the name against XID_Start/XID_Continue and reports the bad character.
    nonascii = [\x80-\U0010FFFF];
    name_start = [a-zA-Z_] | nonascii;
    name_char = [a-zA-Z0-9_] | nonascii;
    // The prefixes CPython accepts, in any case; "ur" is not one of them.
    prefix = [bBrRuUfF] | [bB][rR] | [rR][bB] | [fF][rR] | [rR][fF];

    "\x00"              { return raw(Raw::End, p); }
    "\n"                { return raw(Raw::Newline, p); }
    [ \t\f]+            { return raw(Raw::Space, p); }
    "#" [^\n\x00]*      { return raw(Raw::Comment, p); }
    "\\\n"              { return raw(Raw::Continuation, p); }
    "\\"                { return raw(Raw::LoneBackslash, p); }
    name_start name_char* { return raw(Raw::Name, p); }
    [0-9] | "." [0-9]   { return raw(Raw::Number, p); }
    prefix? ['"]        { return raw(Raw::String, p); }
    "<>"                { return raw(Raw::NotEqualAlt, p); }
    "("    { return punct(Tok::LParen, p); }
    ")"    { return punct(Tok::RParen, p); }
    "["    { return punct(Tok::LBracket, p); }
    "]"    { return punct(Tok::RBracket, p); }
    "{"    { return punct(Tok::LBrace, p); }
    "}"    { return punct(Tok::RBrace, p); }
    ":"    { return punct(Tok::Colon, p); }
    ","    { return punct(Tok::Comma, p); }
    ";"    { return punct(Tok::Semi, p); }
    "."    { return punct(Tok::Dot, p); }
    "..."  { return punct(Tok::Ellipsis, p); }
    "->"   { return punct(Tok::Arrow, p); }
    ":="   { return punct(Tok::Walrus, p); }
    "+"    { return punct(Tok::Plus, p); }
    "-"    { return punct(Tok::Minus, p); }
    "*"    { return punct(Tok::Star, p); }
    "**"   { return punct(Tok::DoubleStar, p); }
    "/"    { return punct(Tok::Slash, p); }
    "//"   { return punct(Tok::DoubleSlash, p); }
    "%"    { return punct(Tok::Percent, p); }
    "@"    { return punct(Tok::At, p); }
    "<<"   { return punct(Tok::LShift, p); }
    ">>"   { return punct(Tok::RShift, p); }
    "&"    { return punct(Tok::Amper, p); }
    "|"    { return punct(Tok::VBar, p); }
    "^"    { return punct(Tok::Circumflex, p); }
    "~"    { return punct(Tok::Tilde, p); }
    "<"    { return punct(Tok::Less, p); }
    ">"    { return punct(Tok::Greater, p); }
    "<="   { return punct(Tok::LessEqual, p); }
    ">="   { return punct(Tok::GreaterEqual, p); }
    "=="   { return punct(Tok::EqEqual, p); }
    "!="   { return punct(Tok::NotEqual, p); }
    "="    { return punct(Tok::Equal, p); }
    "+="   { return punct(Tok::PlusEqual, p); }
    "-="   { return punct(Tok::MinusEqual, p); }
    "*="   { return punct(Tok::StarEqual, p); }
    "/="   { return punct(Tok::SlashEqual, p); }
    "//="  { return punct(Tok::DoubleSlashEqual, p); }
    "%="   { return punct(Tok::PercentEqual, p); }
    "@="   { return punct(Tok::AtEqual, p); }
    "&="   { return punct(Tok::AmperEqual, p); }
    "|="   { return punct(Tok::VBarEqual, p); }
    "^="   { return punct(Tok::CircumflexEqual, p); }
    "<<="  { return punct(Tok::LShiftEqual, p); }
    ">>="  { return punct(Tok::RShiftEqual, p); }
    "**="  { return punct(Tok::DoubleStarEqual, p); }
    *                   { return raw(Raw::Bad, p); }
    */
}

}  // namespace apy::lex::detail
