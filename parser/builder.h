// Internal to the parser: the helpers grammar actions use to build and check AST nodes.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "lexer/source.h"
#include "lexer/token.h"
#include "parser/ast.h"

namespace apy::parse {

// Bison's location type: the first token's begin to the last token's end.
struct Span {
    lex::Pos begin;
    lex::Pos end;
};

// One adjacent piece of a string literal: a plain String (already decoded) or an FString body.
struct StrPart {
    bool is_f = false;
    bool raw = false;
    std::string text;
    Span span;
};
using StrParts = std::vector<StrPart>;

// An FString token's value.
struct FStrTok {
    std::string text;
    bool raw = false;
};

// One argument of a call or class header, checked and sorted once the list is complete.
struct CallArg {
    enum Kind { Positional, Star, Keyword, DoubleStar, Generator } kind = Positional;
    ast::Expr* value = nullptr;
    ast::Expr* key = nullptr;  // Keyword: the expression left of '='
    Span span;
    Span key_span;  // Keyword: the span of `key =`
};
struct CallArgs {
    std::vector<CallArg> items;
    bool trailing_comma = false;
};

// One item of a def or lambda parameter list, checked once the list is complete.
struct Param {
    enum Kind { Plain, Slash, Star, DoubleStar } kind = Plain;
    std::string name;  // empty for a bare '*' or '/'
    ast::Expr* annotation = nullptr;
    ast::Expr* default_value = nullptr;
    Span span;
    Span default_span;
};
using Params = std::vector<Param>;

// Targets the checks of set_target distinguish, as CPython's _PyPegen_get_invalid_target does.
enum class TargetKind { Star, Del, For };

// Handlers and whether they used except*.
struct Handlers {
    std::vector<ast::ExceptHandler*> list;
    bool star = false;
    bool plain = false;
};

struct ImportTargets {
    std::vector<ast::Alias*> names;
};

class Builder {
public:
    Builder(ast::Arena& arena, const Source& source, int line_offset, int col_offset);

    ast::Loc loc(const Span& s) const;

    template <class T>
    T* node(const Span& s) {
        return arena_.make<T>(loc(s));
    }

    [[noreturn]] void error(const std::string& message, const Span& s) const;
    [[noreturn]] void error_at(const std::string& message, const ast::Loc& l) const;

    // Expressions.
    ast::Expr* name(std::string id, const Span& s);
    ast::Expr* constant(ast::ConstKind kind, const Span& s);
    ast::Expr* int_literal(std::string text, const Span& s);
    ast::Expr* float_literal(const std::string& text, const Span& s);
    ast::Expr* strings(StrParts parts, const Span& s);
    ast::Expr* binop(ast::Expr* l, ast::BinOpKind op, ast::Expr* r, const Span& s);
    ast::Expr* unary(ast::UnaryOpKind op, ast::Expr* operand, const Span& s);
    ast::Expr* boolop(ast::BoolOpKind op, ast::ExprList values, const Span& s);
    ast::Expr* compare(ast::Expr* left, std::vector<ast::CmpOpKind> ops, ast::ExprList comps,
                       const Span& s);
    ast::Expr* named(ast::Expr* target, ast::Expr* value, const Span& s);
    ast::Expr* if_exp(ast::Expr* body, ast::Expr* test, ast::Expr* orelse, const Span& s);
    ast::Expr* lambda(Params params, ast::Expr* body, const Span& s);
    ast::Expr* await(ast::Expr* value, const Span& s);
    ast::Expr* yield(ast::Expr* value, const Span& s);
    ast::Expr* yield_from(ast::Expr* value, const Span& s);
    ast::Expr* starred(ast::Expr* value, const Span& s);
    ast::Expr* attribute(ast::Expr* value, std::string attr, const Span& s);
    ast::Expr* subscript(ast::Expr* value, ast::Expr* slice, const Span& s);
    ast::Expr* slice(ast::Expr* lower, ast::Expr* upper, ast::Expr* step, const Span& s);
    ast::Expr* call(ast::Expr* func, CallArgs args, const Span& close, const Span& s);
    ast::Expr* tuple(ast::ExprList elts, const Span& s);
    ast::Expr* list(ast::ExprList elts, const Span& s);
    ast::Expr* set(ast::ExprList elts, const Span& s);
    ast::Expr* dict(ast::ExprList keys, ast::ExprList values, const Span& s);
    ast::Expr* list_comp(ast::Expr* elt, ast::ComprehensionList gens, const Span& s);
    ast::Expr* set_comp(ast::Expr* elt, ast::ComprehensionList gens, const Span& s);
    ast::Expr* dict_comp(ast::Expr* k, ast::Expr* v, ast::ComprehensionList gens, const Span& s);
    ast::Expr* generator(ast::Expr* elt, ast::ComprehensionList gens, const Span& s);
    ast::Comprehension* comprehension(ast::Expr* target, ast::Expr* iter, bool is_async,
                                      const Span& s);
    void add_comp_if(ast::ComprehensionList& gens, ast::Expr* cond);

    // Statements.
    ast::Stmt* expr_stmt(ast::Expr* value, const Span& s);
    ast::Stmt* assign(ast::ExprList targets, ast::Expr* value, const Span& s);
    ast::Stmt* aug_assign(ast::Expr* target, ast::BinOpKind op, ast::Expr* value,
                          const Span& target_span, const Span& s);
    ast::Stmt* ann_assign(ast::Expr* target, const Span& target_span, ast::Expr* annotation,
                          ast::Expr* value, const Span& s);
    ast::Stmt* del(ast::ExprList targets, const Span& s);
    ast::ExceptHandler* handler(ast::Expr* type, std::string name, ast::StmtList body,
                                const Span& s);
    ast::Stmt* function_def(std::string name, Params params, ast::Expr* returns,
                            ast::StmtList body, const Span& s);
    ast::Stmt* class_def(std::string name, CallArgs args, const Span& close, ast::StmtList body,
                         const Span& s);
    ast::Stmt* decorate(ast::ExprList decorators, ast::Stmt* def, const Span& s);
    ast::Stmt* make_async(ast::Stmt* stmt, const Span& s);
    ast::Stmt* for_stmt(ast::Expr* target, ast::Expr* iter, ast::StmtList body,
                        ast::StmtList orelse, const Span& s);
    ast::Stmt* try_stmt(ast::StmtList body, Handlers handlers, ast::StmtList orelse,
                        ast::StmtList finalbody, const Span& s);
    ast::WithItem* with_item(ast::Expr* ctx, ast::Expr* vars, const Span& s);
    // Finishes a statement node built with node<>(): depth check.
    ast::Stmt* done(ast::Stmt* stmt);

    // Sets Store/Del context on a target, raising CPython's error for an invalid one.
    void set_target(ast::Expr* e, ast::Ctx ctx, TargetKind kind);
    // CPython's name for an expression kind in messages ("literal", "function call"...).
    static const char* expr_name(const ast::Expr* e);

private:
    ast::Expr* track(ast::Expr* e);
    int depth(const ast::Node* n) const;
    void note_depth(const ast::Node* n, int d);
    ast::Arguments* arguments(Params params, bool is_lambda, const Span& s);
    const ast::Expr* invalid_target(const ast::Expr* e, TargetKind kind) const;

    ast::Arena& arena_;
    const Source& source_;
    int line_offset_;  // f-string fields: where the substring starts in the file
    int col_offset_;
    std::unordered_map<const ast::Node*, int> depth_;
};

// Splits an f-string body into a JoinedStr's values (fstring.cpp). [span] is the token's.
void split_fstring(Builder& b, const Source& source, const StrPart& part, ast::ExprList& out,
                   int line_offset, int col_offset, ast::Arena& arena);

}  // namespace apy::parse
