// The public parse API, the lexer-to-Bison adapter and the syntax error heuristics.
#include "parser/driver_impl.h"

#include <algorithm>

namespace apy::parse {

using lex::Tok;
using SK = Parser::symbol_kind;

namespace {

bool is_soft_keyword(const lex::Token& t) {
    return t.kind == Tok::Name && (t.text == "match" || t.text == "case" || t.text == "_");
}

// Tokens that may begin an expression where an atom ended (CPython's `b` of "forgot a comma").
bool starts_expression(Tok k) {
    switch (k) {
    case Tok::Name:
    case Tok::Int:
    case Tok::Float:
    case Tok::Imaginary:
    case Tok::String:
    case Tok::FString:
    case Tok::Bytes:
    case Tok::LParen:
    case Tok::LBracket:
    case Tok::LBrace:
    case Tok::None:
    case Tok::True:
    case Tok::False:
    case Tok::Ellipsis:
    case Tok::Not:
    case Tok::Lambda:
    case Tok::Await:
    case Tok::Minus:
    case Tok::Plus:
    case Tok::Tilde: return true;
    default: return false;
    }
}

bool ends_atom(Tok k) {
    switch (k) {
    case Tok::Name:
    case Tok::Int:
    case Tok::Float:
    case Tok::Imaginary:
    case Tok::String:
    case Tok::FString:
    case Tok::Bytes:
    case Tok::RParen:
    case Tok::RBracket:
    case Tok::RBrace:
    case Tok::None:
    case Tok::True:
    case Tok::False:
    case Tok::Ellipsis: return true;
    default: return false;
    }
}

// Tokens that may appear inside a bitwise_or (besides bracketed groups).
bool in_bitwise_or(Tok k) {
    switch (k) {
    case Tok::Dot:
    case Tok::Plus:
    case Tok::Minus:
    case Tok::Star:
    case Tok::DoubleStar:
    case Tok::Slash:
    case Tok::DoubleSlash:
    case Tok::Percent:
    case Tok::At:
    case Tok::LShift:
    case Tok::RShift:
    case Tok::Amper:
    case Tok::VBar:
    case Tok::Circumflex:
    case Tok::Tilde:
    case Tok::Await: return true;
    default: return ends_atom(k);
    }
}

// ...and inside a disjunction.
bool in_disjunction(Tok k) {
    switch (k) {
    case Tok::Not:
    case Tok::And:
    case Tok::Or:
    case Tok::In:
    case Tok::Is:
    case Tok::Less:
    case Tok::Greater:
    case Tok::LessEqual:
    case Tok::GreaterEqual:
    case Tok::EqEqual:
    case Tok::NotEqual: return true;
    default: return in_bitwise_or(k);
    }
}

bool is_open(Tok k) { return k == Tok::LParen || k == Tok::LBracket || k == Tok::LBrace; }
bool is_close(Tok k) { return k == Tok::RParen || k == Tok::RBracket || k == Tok::RBrace; }

const char* block_name(const lex::Token& first, const lex::Token* second) {
    switch (first.kind) {
    case Tok::If: return "'if' statement";
    case Tok::Elif: return "'elif' statement";
    case Tok::Else: return "'else' statement";
    case Tok::While: return "'while' statement";
    case Tok::For: return "'for' statement";
    case Tok::With: return "'with' statement";
    case Tok::Try: return "'try' statement";
    case Tok::Except:
        return second && second->kind == Tok::Star ? "'except*' statement" : "'except' statement";
    case Tok::Finally: return "'finally' statement";
    case Tok::Def: return "function definition";
    case Tok::Class: return "class definition";
    case Tok::Async:
        if (second && second->kind == Tok::Def) return "function definition";
        if (second && second->kind == Tok::For) return "'for' statement";
        if (second && second->kind == Tok::With) return "'with' statement";
        return nullptr;
    default: return nullptr;
    }
}

}  // namespace

Driver::Driver(const Source& source, Mode mode, ast::Arena& arena, int line_offset,
               int col_offset, bool fstring)
    : source_(source), mode_(mode), builder_(arena, source, line_offset, col_offset),
      line_offset_(line_offset), col_offset_(col_offset), fstring_(fstring), lexer_(source) {}

ast::StmtList Driver::run() {
    Parser parser(*this);
    try {
        parser.parse();
    } catch (SyntaxErrorInfo& e) {
        // Errors in an f-string field are reported in the enclosing file's coordinates.
        if (fstring_ && e.message.rfind("f-string", 0) != 0)
            throw SyntaxErrorInfo(e.type, "f-string: " + e.message, e.line, e.col, e.end_col);
        throw;
    }
    if (mode_ == Mode::Interactive && statements_.size() > 1) {
        // CPython: a compound statement must be the whole entry; simple lines give the
        // "multiple statements" error at the end of the first one.
        const Span& first = statements_[0];
        const Span& second = statements_[1];
        if (first.end.line > first.begin.line || body_[0]->kind == ast::StmtKind::If ||
            body_[0]->kind == ast::StmtKind::While || body_[0]->kind == ast::StmtKind::For ||
            body_[0]->kind == ast::StmtKind::Try || body_[0]->kind == ast::StmtKind::With ||
            body_[0]->kind == ast::StmtKind::FunctionDef ||
            body_[0]->kind == ast::StmtKind::ClassDef) {
            int end_col = second.begin.col + 1;
            for (const auto& t : toks_)
                if (t.begin.line == second.begin.line && t.begin.col == second.begin.col)
                    end_col = t.end.col;
            throw SyntaxErrorInfo("SyntaxError", "invalid syntax", second.begin.line,
                                  second.begin.col, end_col);
        }
        // The statement span ends after its NEWLINE: use the last token before it.
        lex::Pos end = first.begin;
        for (const auto& t : toks_) {
            if (t.kind == Tok::Newline && t.begin.line >= first.begin.line) {
                end = t.begin;
                break;
            }
        }
        throw SyntaxErrorInfo("SyntaxError",
                              "multiple statements found while compiling a single statement",
                              end.line, end.col, end.col);
    }
    return std::move(body_);
}

const lex::Token& Driver::tok(size_t i) {
    while (toks_.size() <= i) {
        if (!toks_.empty() && toks_.back().kind == Tok::EndOfFile) return toks_.back();
        if (lex_error_) throw *lex_error_;
        try {
            lex::Token t = lexer_.next();
            int d = depth_.empty() ? 0 : depth_.back();
            if (!toks_.empty()) {
                Tok prev = toks_.back().kind;
                if (is_open(prev)) ++d;
                if (is_close(prev) && d > 0) --d;
            }
            toks_.push_back(std::move(t));
            depth_.push_back(d);
        } catch (SyntaxErrorInfo& e) {
            if (fstring_) e.line += line_offset_;
            lex_error_ = e;
            throw;
        }
    }
    return toks_[i];
}

// `with (a as b, c):` is the parenthesized form when the ')' matching [lparen] is followed by
// ':'; otherwise the parenthesis starts an expression.
bool Driver::with_paren_form(size_t lparen) {
    try {
        int depth = 0;
        for (size_t i = lparen;; ++i) {
            Tok k = tok(i).kind;
            if (k == Tok::EndOfFile || k == Tok::Newline) return false;
            if (is_open(k)) ++depth;
            if (is_close(k) && --depth == 0) return tok(i + 1).kind == Tok::Colon;
        }
    } catch (const SyntaxErrorInfo&) {
        return false;  // reported when the parser gets there
    }
}

Parser::symbol_type Driver::next_symbol() {
    if (!started_) {
        started_ = true;
        switch (mode_) {
        case Mode::File: return Parser::make_START_FILE(Span{});
        case Mode::Interactive: return Parser::make_START_INTERACTIVE(Span{});
        case Mode::Eval: return Parser::make_START_EVAL(Span{});
        }
    }
    size_t i = delivered_;
    const lex::Token& t = tok(i);
    if (t.kind != Tok::EndOfFile) ++delivered_;
    Span loc{t.begin, t.end};
    if (t.kind == Tok::LParen && i > 0 && toks_[i - 1].kind == Tok::With && with_paren_form(i))
        return Parser::make_WITH_LPAREN(loc);
    switch (t.kind) {
    case Tok::EndOfFile: return Parser::make_EndOfFile(loc);
    case Tok::Newline: return Parser::make_Newline(loc);
    case Tok::Indent: return Parser::make_Indent(loc);
    case Tok::Dedent: return Parser::make_Dedent(loc);
    case Tok::Name: return Parser::make_Name(t.text, loc);
    case Tok::Int: return Parser::make_Int(t.text, loc);
    case Tok::Float: return Parser::make_Float(t.text, loc);
    case Tok::Imaginary: return Parser::make_Imaginary(t.text, loc);
    case Tok::String: return Parser::make_String(t.text, loc);
    case Tok::Bytes: return Parser::make_Bytes(t.text, loc);
    case Tok::FString: return Parser::make_FString(FStrTok{t.text, t.raw}, loc);
#define KEYWORD(name, text) \
    case Tok::name: return Parser::make_##name(loc);
#define PUNCT(name, text) \
    case Tok::name: return Parser::make_##name(loc);
#include "lexer/tokens.def"
    }
    return Parser::make_EndOfFile(loc);
}

void Driver::bison_error(const Span& where, const std::string& message) {
    // Only reached for Bison's own errors such as memory exhaustion.
    throw SyntaxErrorInfo("SyntaxError", message == "memory exhausted" ? "too complex" : message,
                          where.begin.line + line_offset_, where.begin.col);
}

void Driver::fail(const std::string& type, const std::string& message, lex::Pos begin,
                  int end_col) {
    // In an f-string field CPython 3.11 keeps the column within "(expr)": so do we.
    throw SyntaxErrorInfo(type, message, begin.line + line_offset_, begin.col, end_col);
}

void Driver::fail_range(const std::string& message, lex::Pos begin, lex::Pos end) {
    fail("SyntaxError", message, begin, end.line == begin.line ? end.col : -1);
}

// The index of the first token of the logical line holding token [i].
size_t Driver::line_start(size_t i) const {
    while (i > 0) {
        Tok k = toks_[i - 1].kind;
        if (k == Tok::Newline || k == Tok::Indent || k == Tok::Dedent) break;
        --i;
    }
    return i;
}

// Walks back from token [last] over a disjunction at its bracket depth; returns its first token.
size_t Driver::expr_start_back(size_t last) {
    size_t i = last;
    // depth_ is the depth before a token: a closing bracket's is one more than its group's.
    int d = is_close(toks_[last].kind) ? depth_[last] - 1 : depth_[last];
    while (true) {
        Tok k = toks_[i].kind;
        if (is_close(k)) {
            // Jump to the matching opening bracket.
            size_t j = i;
            while (j > 0 && !(depth_[j] == d && is_open(toks_[j].kind))) --j;
            i = j;
        }
        if (i == 0) return 0;
        Tok prev = toks_[i - 1].kind;
        int prev_depth = is_close(prev) ? depth_[i - 1] - 1 : depth_[i - 1];
        if (prev_depth != d || !in_disjunction(prev)) return i;
        --i;
    }
}

// Walks forward from token [first] over one expression (a bitwise_or when [bitwise_only]);
// returns its last token. A small state machine: operand, then trailers or an operator.
size_t Driver::expr_end_forward(size_t first, bool bitwise_only) {
    size_t last = first;
    try {
        size_t i = first;
        bool want_operand = true;
        while (true) {
            const Tok k = tok(i).kind;
            if (want_operand) {
                bool prefix = k == Tok::Minus || k == Tok::Plus || k == Tok::Tilde ||
                              k == Tok::Await || (!bitwise_only && k == Tok::Not);
                if (prefix) {
                    ++i;
                    continue;
                }
                if (!ends_atom(k) && !is_open(k)) return last;
                want_operand = false;
            } else if (k == Tok::Dot) {
                if (tok(i + 1).kind != Tok::Name) return last;
                ++i;
            } else if (is_open(k) || k == Tok::String || k == Tok::FString) {
                // A call, a subscript or an adjacent string.
            } else if (in_bitwise_or(k) && !ends_atom(k) && k != Tok::Tilde && k != Tok::Await) {
                want_operand = true;
                ++i;
                continue;
            } else if (!bitwise_only && in_disjunction(k) && !ends_atom(k)) {
                // Comparisons, and/or; `not in` and `is not` take two tokens.
                if ((k == Tok::Not && tok(i + 1).kind == Tok::In) ||
                    (k == Tok::Is && tok(i + 1).kind == Tok::Not))
                    ++i;
                want_operand = true;
                ++i;
                continue;
            } else {
                return last;
            }
            // Skip a bracketed group as a whole.
            if (is_open(tok(i).kind)) {
                int d = depth_at(i);
                size_t j = i + 1;
                while (tok(j).kind != Tok::EndOfFile &&
                       !(depth_at(j) == d + 1 && is_close(tok(j).kind)))
                    ++j;
                if (tok(j).kind == Tok::EndOfFile) return last;
                i = j;
            }
            last = i;
            ++i;
        }
    } catch (const SyntaxErrorInfo&) {
        return last;
    }
}

// Parses tokens [first, last] of one line again as an expression, for messages that name
// what the user wrote ("cannot assign to attribute here"). Null when that fails.
const ast::Expr* Driver::reparse(size_t first, size_t last, ast::Arena& arena) {
    if (toks_[first].begin.line != toks_[last].end.line) return nullptr;
    std::string line = source_.line_text(toks_[first].begin.line);
    int from = toks_[first].begin.col, to = toks_[last].end.col;
    if (from < 0 || to > static_cast<int>(line.size()) || from >= to) return nullptr;
    try {
        Source sub("<expr>", "(" + line.substr(from, to - from) + ")");
        Driver d(sub, Mode::Eval, arena);
        ast::StmtList body = d.run();
        return static_cast<ast::ExprStmt*>(body[0])->value;
    } catch (const SyntaxErrorInfo&) {
        return nullptr;
    }
}

void Driver::syntax_error(int lookahead, const Span& where, const std::vector<int>& expected) {
    auto has = [&](SK::symbol_kind_type k) {
        return std::find(expected.begin(), expected.end(), static_cast<int>(k)) != expected.end();
    };
    if (delivered_ == 0 || toks_.empty()) fail("SyntaxError", "invalid syntax", where.begin, -1);
    size_t idx = lookahead == SK::S_YYEOF ? toks_.size() - 1 : delivered_ - 1;
    // Copies: looking ahead below may grow toks_.
    const lex::Token t = toks_[idx];
    lex::Token p;
    p.kind = Tok::Newline;
    if (idx > 0) p = toks_[idx - 1];
    error_at_eof_ = t.kind == Tok::EndOfFile;
    int t_end = t.end.line == t.begin.line ? t.end.col : -1;
    if (t.kind == Tok::Newline) t_end = t.begin.col;

    // `match x:` or `match (x):` (an annotation without a value, to the grammar): the soft
    // keyword starts a statement apy does not have.
    if (size_t h = line_start(idx);
        toks_[h].kind == Tok::Name && toks_[h].text == "match" &&
        (idx == h + 1 || t.kind == Tok::Colon || (t.kind == Tok::Newline && p.kind == Tok::Colon)))
        fail("SyntaxError", "the match statement is not supported by apy", toks_[h].begin,
             toks_[h].end.col);

    if (t.kind == Tok::Indent) {
        std::string line = source_.line_text(t.begin.line);
        int width = static_cast<int>(line.find_first_not_of(" \t\f"));
        fail("IndentationError", "unexpected indent",
             lex::Pos{t.begin.line, std::max(0, width - 1)}, -1);
    }

    if (has(SK::S_Indent) && idx > 0 && p.kind == Tok::Newline) {
        size_t h = line_start(idx - 1);
        const char* what = block_name(toks_[h], h + 1 < toks_.size() ? &toks_[h + 1] : nullptr);
        if (what) {
            std::string msg = std::string("expected an indented block after ") + what +
                              " on line " + std::to_string(toks_[h].begin.line);
            if (t.kind == Tok::Dedent) {
                // The next line is less indented: CPython gives its line and no column,
                // or the header's end at the end of the input.
                lex::Token next = t;
                try {
                    for (size_t j = idx; next.kind == Tok::Dedent; ++j) next = tok(j);
                } catch (const SyntaxErrorInfo&) {
                }
                if (next.kind == Tok::EndOfFile) {
                    error_at_eof_ = true;
                    fail("IndentationError", msg, p.begin, -1);
                }
                fail("IndentationError", msg, lex::Pos{next.begin.line, -1}, -1);
            }
            if (t.kind == Tok::EndOfFile) fail("IndentationError", msg, p.begin, -1);
            fail("IndentationError", msg, t.begin, t_end);
        }
    }

    if (t.kind == Tok::Newline && has(SK::S_Colon)) {
        size_t h = line_start(idx);
        if (block_name(toks_[h], h + 1 < toks_.size() ? &toks_[h + 1] : nullptr))
            fail("SyntaxError", "expected ':'", t.begin, t.begin.col);
    }

    if (has(SK::S_LParen) && t.kind != Tok::LParen && idx >= 2 && p.kind == Tok::Name &&
        toks_[idx - 2].kind == Tok::Def)
        fail("SyntaxError", "expected '('", t.begin, t_end);

    if (has(SK::S_Except) && has(SK::S_Finally) && t.kind != Tok::Except &&
        t.kind != Tok::Finally) {
        fail("SyntaxError", "expected 'except' or 'finally' block", t.begin, t_end);
    }

    // `x := 1` where only an expression statement can be: name a bad target as CPython does.
    if (t.kind == Tok::Walrus && idx > 0 && ends_atom(p.kind)) {
        size_t start = expr_start_back(idx - 1);
        ast::Arena arena;
        const ast::Expr* e = reparse(start, idx - 1, arena);
        if (e && e->kind != ast::ExprKind::Name) {
            // The reparsed text sits after a '(' at the start of its line.
            int shift = toks_[start].begin.col - 1;
            fail_range(std::string("cannot use assignment expressions with ") +
                           Builder::expr_name(e),
                       lex::Pos{t.begin.line, e->loc.col + shift},
                       lex::Pos{t.begin.line, e->loc.end_col + shift});
        }
    }

    if (t.kind == Tok::Equal && idx > 0 && !has(SK::S_Equal) && has(SK::S_Walrus)) {
        if (p.kind == Tok::Name && (idx < 2 || toks_[idx - 2].kind != Tok::Dot)) {
            size_t end = expr_end_forward(idx + 1, true);
            fail_range("invalid syntax. Maybe you meant '==' or ':=' instead of '='?", p.begin,
                       toks_[end].end);
        }
        // `if x.y = 1:` where a comparison was meant.
        size_t start = expr_start_back(idx - 1);
        ast::Arena arena;
        const ast::Expr* e = reparse(start, idx - 1, arena);
        if (e && e->kind != ast::ExprKind::Name && e->kind != ast::ExprKind::Tuple &&
            e->kind != ast::ExprKind::List && e->kind != ast::ExprKind::GeneratorExp) {
            bool keyword_const = false;
            if (e->kind == ast::ExprKind::Constant) {
                auto k = static_cast<const ast::Constant*>(e)->value_kind;
                keyword_const = k == ast::ConstKind::True || k == ast::ConstKind::False ||
                                k == ast::ConstKind::None;
            }
            if (!keyword_const)
                fail_range(std::string("cannot assign to ") + Builder::expr_name(e) +
                               " here. Maybe you meant '==' instead of '='?",
                           toks_[start].begin, p.end);
        }
    }

    if (has(SK::S_Else) && t.kind != Tok::Else) {
        // `a if b` without else: find the `if` at this depth.
        for (size_t i = idx; i-- > 0;) {
            if (depth_[i] < depth_[idx] || toks_[i].kind == Tok::Newline) break;
            if (toks_[i].kind == Tok::If && depth_[i] == depth_[idx] && i > 0) {
                size_t start = expr_start_back(i - 1);
                fail_range("expected 'else' after 'if' expression", toks_[start].begin, p.end);
            }
        }
    }

    if (idx > 0 && starts_expression(t.kind) && ends_atom(p.kind)) {
        size_t start = expr_start_back(idx - 1);
        const lex::Token a = toks_[start];
        bool name_string = a.kind == Tok::Name && start + 1 < toks_.size() &&
                           (toks_[start + 1].kind == Tok::String ||
                            toks_[start + 1].kind == Tok::FString);
        // Not for `for x in a b`: CPython's rule is not tried on a comprehension's iterable.
        bool comp_iter = start > 0 && toks_[start - 1].kind == Tok::For;
        if (depth_[idx] > 0 && !name_string && !is_soft_keyword(a) && !comp_iter) {
            size_t end = expr_end_forward(idx, false);
            fail_range("invalid syntax. Perhaps you forgot a comma?", a.begin, toks_[end].end);
        }
        if (p.kind == Tok::Name && (p.text == "print" || p.text == "exec") &&
            t.kind != Tok::LParen) {
            size_t end = idx;
            try {
                while (true) {
                    Tok n = tok(end + 1).kind;
                    if (depth_at(end + 1) == depth_at(idx) &&
                        (n == Tok::Newline || n == Tok::Semi || n == Tok::EndOfFile ||
                         is_close(n)))
                        break;
                    ++end;
                }
            } catch (const SyntaxErrorInfo&) {
            }
            fail_range("Missing parentheses in call to '" + p.text + "'. Did you mean " +
                           p.text + "(...)?",
                       p.begin, toks_[end].end);
        }
    }

    fail("SyntaxError", "invalid syntax", t.begin, t_end);
}

// ---------------------------------------------------------------- public API

std::unique_ptr<ast::Module> parse(const Source& source, Mode mode) {
    auto module = std::make_unique<ast::Module>();
    Driver driver(source, mode, module->arena);
    module->body = driver.run();
    return module;
}

bool is_incomplete_input(const Source& source, Mode mode) {
    auto module = std::make_unique<ast::Module>();
    Driver driver(source, mode, module->arena);
    try {
        module->body = driver.run();
    } catch (const SyntaxErrorInfo& e) {
        if (driver.error_at_eof()) return true;
        const std::string& m = e.message;
        return m.find("was never closed") != std::string::npos ||
               m.find("unterminated triple-quoted string") != std::string::npos ||
               m.find("unexpected EOF") != std::string::npos ||
               m.find("EOF in multi-line") != std::string::npos;
    }
    if (mode != Mode::Interactive || module->body.empty()) return false;
    switch (module->body.back()->kind) {
    case ast::StmtKind::FunctionDef:
    case ast::StmtKind::ClassDef:
    case ast::StmtKind::For:
    case ast::StmtKind::While:
    case ast::StmtKind::If:
    case ast::StmtKind::With:
    case ast::StmtKind::Try: break;
    default: return false;
    }
    // A compound statement ends at an empty line, as in CPython's REPL.
    const std::string& text = source.text;
    size_t end = text.find_last_not_of(" \t\f\n");
    if (end == std::string::npos) return false;
    size_t nl = text.find('\n', end);
    return nl == std::string::npos || text.find('\n', nl + 1) == std::string::npos;
}

}  // namespace apy::parse
