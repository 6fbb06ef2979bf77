// Internal to the parser: the Driver feeds lexer tokens to the Bison parser and turns Bison's
// syntax errors into CPython's messages by looking at the tokens around the error.
#pragma once

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "grammar.hpp"
#include "lexer/lexer.h"
#include "parser/builder.h"
#include "parser/driver.h"

namespace apy::parse {

class Driver {
public:
    // [line_offset]/[col_offset]: where [source] sits in the enclosing file (f-string fields,
    // whose source is "(expr)"); [fstring] prefixes messages with "f-string: ".
    Driver(const Source& source, Mode mode, ast::Arena& arena, int line_offset = 0,
           int col_offset = 0, bool fstring = false);

    ast::StmtList run();

    // For the grammar.
    Parser::symbol_type next_symbol();
    Builder& builder() { return builder_; }
    void set_body(ast::StmtList body) { body_ = std::move(body); }
    void count_statement(const Span& s) { statements_.push_back(s); }
    [[noreturn]] void syntax_error(int lookahead, const Span& where,
                                   const std::vector<int>& expected);
    [[noreturn]] void bison_error(const Span& where, const std::string& message);

    // After a failed run(): whether the parser stopped at the end of the input.
    bool error_at_eof() const { return error_at_eof_; }

private:
    const lex::Token& tok(size_t i);  // lexes on demand; EndOfFile past the end
    int depth_at(size_t i) const { return depth_[std::min(i, depth_.size() - 1)]; }
    bool with_paren_form(size_t lparen);
    size_t line_start(size_t i) const;
    size_t expr_start_back(size_t last);
    const ast::Expr* reparse(size_t first, size_t last, ast::Arena& arena);
    size_t expr_end_forward(size_t first, bool bitwise_only);
    [[noreturn]] void fail(const std::string& type, const std::string& message, lex::Pos begin,
                           int end_col);
    [[noreturn]] void fail_range(const std::string& message, lex::Pos begin, lex::Pos end);

    const Source& source_;
    Mode mode_;
    Builder builder_;
    int line_offset_, col_offset_;
    bool fstring_;
    lex::Lexer lexer_;
    std::deque<lex::Token> toks_;  // a deque: references survive lexing further ahead
    std::vector<int> depth_;  // bracket depth before each token
    std::optional<SyntaxErrorInfo> lex_error_;
    size_t delivered_ = 0;
    bool started_ = false;
    bool error_at_eof_ = false;
    std::vector<Span> statements_;  // top-level statement lines, for Interactive mode
    ast::StmtList body_;
};

}  // namespace apy::parse
