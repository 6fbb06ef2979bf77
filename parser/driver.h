// The parser's public API: source text in, AST out.
#pragma once

#include <memory>

#include "lexer/source.h"
#include "parser/ast.h"

namespace apy::parse {

enum class Mode {
    File,         // a whole module
    Interactive,  // one REPL entry: one statement, possibly compound
    Eval,         // one expression (the Module has one ExprStmt); used for f-string fields
};

// Throws apy::SyntaxErrorInfo with CPython 3.11's message and position.
std::unique_ptr<ast::Module> parse(const apy::Source& source, Mode mode);

// For the REPL: true when the input so far is incomplete and another line should be read:
// the parse failed at the end of input (inside an open block, bracket or triple-quoted
// string, or after a trailing backslash), or, in Interactive mode, the entry is a compound
// statement not yet ended by an empty line.
bool is_incomplete_input(const apy::Source& source, Mode mode);

}  // namespace apy::parse
