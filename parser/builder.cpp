// AST construction helpers for the grammar actions, with CPython's checks and messages.
#include "parser/builder.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_set>

namespace apy::parse {

using namespace ast;

namespace {

// Deeper trees are refused: the compiler and the dumper recurse on them, and CPython itself
// gives up a little above 1000 levels ("maximum recursion depth exceeded during compilation").
constexpr int kMaxDepth = 1200;

}  // namespace

Builder::Builder(Arena& arena, const Source& source, int line_offset, int col_offset)
    : arena_(arena), source_(source), line_offset_(line_offset), col_offset_(col_offset) {}

Loc Builder::loc(const Span& s) const {
    Loc l;
    l.line = s.begin.line + line_offset_;
    l.col = s.begin.col + (s.begin.line == 1 ? col_offset_ : 0);
    l.end_line = s.end.line + line_offset_;
    l.end_col = s.end.col + (s.end.line == 1 ? col_offset_ : 0);
    return l;
}

void Builder::error(const std::string& message, const Span& s) const {
    error_at(message, loc(s));
}

void Builder::error_at(const std::string& message, const Loc& l) const {
    int end_col = l.end_line == l.line ? l.end_col : -1;
    throw SyntaxErrorInfo("SyntaxError", message, l.line, l.col, end_col);
}

int Builder::depth(const Node* n) const {
    if (!n) return 0;
    auto it = depth_.find(n);
    return it == depth_.end() ? 1 : it->second;
}

void Builder::note_depth(const Node* n, int d) {
    if (d > kMaxDepth) error_at("too many nested expressions", n->loc);
    if (d > 1) depth_[n] = d;
}

// Records the depth of a new expression from its children's (children are always built first).
Expr* Builder::track(Expr* e) {
    int d = 0;
    auto see = [&](const Node* c) { d = std::max(d, depth(c)); };
    auto see_all = [&](const ExprList& l) {
        for (auto* c : l) see(c);
    };
    auto see_gens = [&](const ComprehensionList& gens) {
        for (auto* g : gens) see(g);
    };
    switch (e->kind) {
    case ExprKind::BoolOp: see_all(static_cast<BoolOp*>(e)->values); break;
    case ExprKind::NamedExpr: {
        auto* n = static_cast<NamedExpr*>(e);
        see(n->target);
        see(n->value);
        break;
    }
    case ExprKind::BinOp: {
        auto* n = static_cast<BinOp*>(e);
        see(n->left);
        see(n->right);
        break;
    }
    case ExprKind::UnaryOp: see(static_cast<UnaryOp*>(e)->operand); break;
    case ExprKind::Lambda: {
        auto* n = static_cast<Lambda*>(e);
        see(n->args);
        see(n->body);
        break;
    }
    case ExprKind::IfExp: {
        auto* n = static_cast<IfExp*>(e);
        see(n->test);
        see(n->body);
        see(n->orelse);
        break;
    }
    case ExprKind::Dict: {
        auto* n = static_cast<Dict*>(e);
        see_all(n->keys);
        see_all(n->values);
        break;
    }
    case ExprKind::Set: see_all(static_cast<Set*>(e)->elts); break;
    case ExprKind::ListComp: {
        auto* n = static_cast<ListComp*>(e);
        see(n->elt);
        see_gens(n->generators);
        break;
    }
    case ExprKind::SetComp: {
        auto* n = static_cast<SetComp*>(e);
        see(n->elt);
        see_gens(n->generators);
        break;
    }
    case ExprKind::DictComp: {
        auto* n = static_cast<DictComp*>(e);
        see(n->key);
        see(n->value);
        see_gens(n->generators);
        break;
    }
    case ExprKind::GeneratorExp: {
        auto* n = static_cast<GeneratorExp*>(e);
        see(n->elt);
        see_gens(n->generators);
        break;
    }
    case ExprKind::Await: see(static_cast<Await*>(e)->value); break;
    case ExprKind::Yield: see(static_cast<Yield*>(e)->value); break;
    case ExprKind::YieldFrom: see(static_cast<YieldFrom*>(e)->value); break;
    case ExprKind::Compare: {
        auto* n = static_cast<Compare*>(e);
        see(n->left);
        see_all(n->comparators);
        break;
    }
    case ExprKind::Call: {
        auto* n = static_cast<Call*>(e);
        see(n->func);
        see_all(n->args);
        for (auto* k : n->keywords) see(k->value);
        break;
    }
    case ExprKind::FormattedValue: {
        auto* n = static_cast<FormattedValue*>(e);
        see(n->value);
        see(n->format_spec);
        break;
    }
    case ExprKind::JoinedStr: see_all(static_cast<JoinedStr*>(e)->values); break;
    case ExprKind::Constant: break;
    case ExprKind::Attribute: see(static_cast<Attribute*>(e)->value); break;
    case ExprKind::Subscript: {
        auto* n = static_cast<Subscript*>(e);
        see(n->value);
        see(n->slice);
        break;
    }
    case ExprKind::Starred: see(static_cast<Starred*>(e)->value); break;
    case ExprKind::Name: break;
    case ExprKind::List: see_all(static_cast<List*>(e)->elts); break;
    case ExprKind::Tuple: see_all(static_cast<Tuple*>(e)->elts); break;
    case ExprKind::Slice: {
        auto* n = static_cast<Slice*>(e);
        see(n->lower);
        see(n->upper);
        see(n->step);
        break;
    }
    }
    note_depth(e, d + 1);
    return e;
}

// ---------------------------------------------------------------- expressions

Expr* Builder::name(std::string id, const Span& s) {
    auto* n = node<Name>(s);
    n->id = std::move(id);
    return n;
}

Expr* Builder::constant(ConstKind kind, const Span& s) {
    auto* c = node<Constant>(s);
    c->value_kind = kind;
    return c;
}

Expr* Builder::int_literal(std::string text, const Span& s) {
    auto* c = node<Constant>(s);
    c->value_kind = ConstKind::Int;
    c->text = std::move(text);
    return c;
}

Expr* Builder::float_literal(const std::string& text, const Span& s) {
    auto* c = node<Constant>(s);
    c->value_kind = ConstKind::Float;
    c->text = text;
    c->number = std::strtod(text.c_str(), nullptr);  // overflow gives inf, as in CPython
    return c;
}

Expr* Builder::strings(StrParts parts, const Span& s) {
    bool any_f = std::any_of(parts.begin(), parts.end(), [](const StrPart& p) { return p.is_f; });
    if (!any_f) {
        auto* c = node<Constant>(s);
        c->value_kind = ConstKind::Str;
        for (auto& p : parts) c->text += p.text;
        return c;
    }
    ExprList pieces;
    for (auto& p : parts) {
        if (!p.is_f) {
            auto* c = node<Constant>(s);
            c->value_kind = ConstKind::Str;
            c->text = p.text;
            pieces.push_back(c);
            continue;
        }
        // The body starts after the prefix and the quotes: find it from the token's end.
        Loc tok = loc(p.span);
        std::string line = source_.line_text(p.span.begin.line);
        // Where the body begins in this source: skip the prefix letters and the quote(s).
        int col = p.span.begin.col;
        while (col < static_cast<int>(line.size()) && line[col] != '\'' && line[col] != '"') ++col;
        int quote_len = 1;
        if (col + 2 < static_cast<int>(line.size()) && line[col + 1] == line[col] &&
            line[col + 2] == line[col])
            quote_len = 3;
        Loc body = tok;
        body.col = tok.col + (col - p.span.begin.col) + quote_len;
        split_fstring(*this, source_, p, pieces, body.line, body.col, arena_);
    }
    // Merge adjacent constants and drop empty ones, as CPython does.
    auto* j = node<JoinedStr>(s);
    for (auto* e : pieces) {
        if (e->kind == ExprKind::Constant) {
            auto* c = static_cast<Constant*>(e);
            if (c->text.empty()) continue;
            if (!j->values.empty() && j->values.back()->kind == ExprKind::Constant) {
                auto* prev = static_cast<Constant*>(j->values.back());
                auto* merged = node<Constant>(s);
                merged->value_kind = ConstKind::Str;
                merged->text = prev->text + c->text;
                j->values.back() = merged;
                continue;
            }
            c->loc = loc(s);
        }
        j->values.push_back(e);
    }
    return track(j);
}

Expr* Builder::binop(Expr* l, BinOpKind op, Expr* r, const Span& s) {
    auto* n = node<BinOp>(s);
    n->left = l;
    n->op = op;
    n->right = r;
    return track(n);
}

Expr* Builder::unary(UnaryOpKind op, Expr* operand, const Span& s) {
    auto* n = node<UnaryOp>(s);
    n->op = op;
    n->operand = operand;
    return track(n);
}

Expr* Builder::boolop(BoolOpKind op, ExprList values, const Span& s) {
    auto* n = node<BoolOp>(s);
    n->op = op;
    n->values = std::move(values);
    return track(n);
}

Expr* Builder::compare(Expr* left, std::vector<CmpOpKind> ops, ExprList comps, const Span& s) {
    auto* n = node<Compare>(s);
    n->left = left;
    n->ops = std::move(ops);
    n->comparators = std::move(comps);
    return track(n);
}

Expr* Builder::named(Expr* target, Expr* value, const Span& s) {
    if (target->kind != ExprKind::Name)
        error_at(std::string("cannot use assignment expressions with ") + expr_name(target),
                 target->loc);
    static_cast<Name*>(target)->ctx = Ctx::Store;
    auto* n = node<NamedExpr>(s);
    n->target = target;
    n->value = value;
    return track(n);
}

Expr* Builder::if_exp(Expr* body, Expr* test, Expr* orelse, const Span& s) {
    auto* n = node<IfExp>(s);
    n->test = test;
    n->body = body;
    n->orelse = orelse;
    return track(n);
}

Expr* Builder::lambda(Params params, Expr* body, const Span& s) {
    auto* n = node<Lambda>(s);
    n->args = arguments(std::move(params), true, s);
    n->body = body;
    return track(n);
}

Expr* Builder::await(Expr* value, const Span& s) {
    auto* n = node<Await>(s);
    n->value = value;
    return track(n);
}

Expr* Builder::yield(Expr* value, const Span& s) {
    auto* n = node<Yield>(s);
    n->value = value;
    return track(n);
}

Expr* Builder::yield_from(Expr* value, const Span& s) {
    auto* n = node<YieldFrom>(s);
    n->value = value;
    return track(n);
}

Expr* Builder::starred(Expr* value, const Span& s) {
    auto* n = node<Starred>(s);
    n->value = value;
    return track(n);
}

Expr* Builder::attribute(Expr* value, std::string attr, const Span& s) {
    auto* n = node<Attribute>(s);
    n->value = value;
    n->attr = std::move(attr);
    return track(n);
}

Expr* Builder::subscript(Expr* value, Expr* slice, const Span& s) {
    auto* n = node<Subscript>(s);
    n->value = value;
    n->slice = slice;
    return track(n);
}

Expr* Builder::slice(Expr* lower, Expr* upper, Expr* step, const Span& s) {
    auto* n = node<Slice>(s);
    n->lower = lower;
    n->upper = upper;
    n->step = step;
    return track(n);
}

Expr* Builder::call(Expr* func, CallArgs args, const Span& close, const Span& s) {
    auto* n = node<Call>(s);
    n->func = func;
    bool seen_keyword = false, seen_double_star = false;
    for (auto& a : args.items) {
        switch (a.kind) {
        case CallArg::Generator:
            if (args.items.size() > 1 || args.trailing_comma)
                error("Generator expression must be parenthesized", a.span);
            // CPython's location for a lone generator argument includes the call's parentheses.
            a.value->loc.line = func->loc.end_line;
            a.value->loc.col = func->loc.end_col;
            a.value->loc.end_line = n->loc.end_line;
            a.value->loc.end_col = n->loc.end_col;
            [[fallthrough]];
        case CallArg::Positional:
            // CPython reports these at the closing parenthesis.
            if (seen_double_star)
                error("positional argument follows keyword argument unpacking", close);
            if (seen_keyword) error("positional argument follows keyword argument", close);
            n->args.push_back(a.value);
            break;
        case CallArg::Star:
            if (seen_double_star)
                error("iterable argument unpacking follows keyword argument unpacking",
                      Span{a.span.begin, {a.span.begin.line, a.span.begin.col + 1}});
            n->args.push_back(a.value);
            break;
        case CallArg::Keyword: {
            // `f((a)=1)` is refused too: the key must be a bare name.
            Loc key_loc = a.key->loc;
            Loc span_loc = loc(a.span);
            if (a.key->kind == ExprKind::Constant) {
                auto k = static_cast<Constant*>(a.key)->value_kind;
                if (k == ConstKind::True || k == ConstKind::False || k == ConstKind::None)
                    error(std::string("cannot assign to ") + expr_name(a.key), a.key_span);
            }
            if (a.key->kind != ExprKind::Name || key_loc.col != span_loc.col ||
                key_loc.line != span_loc.line)
                error("expression cannot contain assignment, perhaps you meant \"==\"?",
                      a.key_span);
            auto* k = node<Keyword>(a.span);
            k->arg = static_cast<Name*>(a.key)->id;
            k->value = a.value;
            n->keywords.push_back(k);
            seen_keyword = true;
            break;
        }
        case CallArg::DoubleStar: {
            auto* k = node<Keyword>(a.span);
            k->value = a.value;
            n->keywords.push_back(k);
            seen_double_star = true;
            break;
        }
        }
    }
    return track(n);
}

Expr* Builder::tuple(ExprList elts, const Span& s) {
    auto* n = node<Tuple>(s);
    n->elts = std::move(elts);
    return track(n);
}

Expr* Builder::list(ExprList elts, const Span& s) {
    auto* n = node<List>(s);
    n->elts = std::move(elts);
    return track(n);
}

Expr* Builder::set(ExprList elts, const Span& s) {
    auto* n = node<Set>(s);
    n->elts = std::move(elts);
    return track(n);
}

Expr* Builder::dict(ExprList keys, ExprList values, const Span& s) {
    auto* n = node<Dict>(s);
    n->keys = std::move(keys);
    n->values = std::move(values);
    return track(n);
}

Expr* Builder::list_comp(Expr* elt, ComprehensionList gens, const Span& s) {
    auto* n = node<ListComp>(s);
    n->elt = elt;
    n->generators = std::move(gens);
    return track(n);
}

Expr* Builder::set_comp(Expr* elt, ComprehensionList gens, const Span& s) {
    auto* n = node<SetComp>(s);
    n->elt = elt;
    n->generators = std::move(gens);
    return track(n);
}

Expr* Builder::dict_comp(Expr* k, Expr* v, ComprehensionList gens, const Span& s) {
    auto* n = node<DictComp>(s);
    n->key = k;
    n->value = v;
    n->generators = std::move(gens);
    return track(n);
}

Expr* Builder::generator(Expr* elt, ComprehensionList gens, const Span& s) {
    auto* n = node<GeneratorExp>(s);
    n->elt = elt;
    n->generators = std::move(gens);
    return track(n);
}

Comprehension* Builder::comprehension(Expr* target, Expr* iter, bool is_async, const Span& s) {
    set_target(target, Ctx::Store, TargetKind::For);
    auto* c = node<Comprehension>(s);
    c->target = target;
    c->iter = iter;
    c->is_async = is_async;
    note_depth(c, std::max(depth(target), depth(iter)) + 1);
    return c;
}

void Builder::add_comp_if(ComprehensionList& gens, Expr* cond) {
    Comprehension* c = gens.back();
    c->ifs.push_back(cond);
    note_depth(c, std::max(depth(c), depth(cond) + 1));
}

// ----------------------------------------------------------------- statements

namespace {

// A compound statement ends where its last inner statement ends (not at the NEWLINE or
// DEDENT that closes its block), as in CPython.
void end_at(Node* n, const StmtList& last) {
    if (last.empty()) return;
    n->loc.end_line = last.back()->loc.end_line;
    n->loc.end_col = last.back()->loc.end_col;
}

void fix_compound_end(Stmt* stmt) {
    switch (stmt->kind) {
    case StmtKind::FunctionDef: end_at(stmt, static_cast<FunctionDef*>(stmt)->body); break;
    case StmtKind::ClassDef: end_at(stmt, static_cast<ClassDef*>(stmt)->body); break;
    case StmtKind::With: end_at(stmt, static_cast<With*>(stmt)->body); break;
    case StmtKind::For: {
        auto* s = static_cast<For*>(stmt);
        end_at(s, s->orelse.empty() ? s->body : s->orelse);
        break;
    }
    case StmtKind::While: {
        auto* s = static_cast<While*>(stmt);
        end_at(s, s->orelse.empty() ? s->body : s->orelse);
        break;
    }
    case StmtKind::If: {
        auto* s = static_cast<If*>(stmt);
        end_at(s, s->orelse.empty() ? s->body : s->orelse);
        break;
    }
    case StmtKind::Try: {
        auto* s = static_cast<Try*>(stmt);
        for (auto* h : s->handlers) end_at(h, h->body);
        if (!s->finalbody.empty())
            end_at(s, s->finalbody);
        else if (!s->orelse.empty())
            end_at(s, s->orelse);
        else if (!s->handlers.empty())
            end_at(s, s->handlers.back()->body);
        else
            end_at(s, s->body);
        break;
    }
    default: break;
    }
}

}  // namespace

Stmt* Builder::done(Stmt* stmt) {
    fix_compound_end(stmt);
    int d = 0;
    auto see = [&](const Node* c) { d = std::max(d, depth(c)); };
    auto see_body = [&](const StmtList& l) {
        for (auto* c : l) see(c);
    };
    auto see_exprs = [&](const ExprList& l) {
        for (auto* c : l) see(c);
    };
    switch (stmt->kind) {
    case StmtKind::FunctionDef: {
        auto* s = static_cast<FunctionDef*>(stmt);
        see(s->args);
        see_body(s->body);
        see_exprs(s->decorator_list);
        see(s->returns);
        break;
    }
    case StmtKind::ClassDef: {
        auto* s = static_cast<ClassDef*>(stmt);
        see_exprs(s->bases);
        for (auto* k : s->keywords) see(k->value);
        see_body(s->body);
        see_exprs(s->decorator_list);
        break;
    }
    case StmtKind::Return: see(static_cast<Return*>(stmt)->value); break;
    case StmtKind::Delete: see_exprs(static_cast<Delete*>(stmt)->targets); break;
    case StmtKind::Assign: {
        auto* s = static_cast<Assign*>(stmt);
        see_exprs(s->targets);
        see(s->value);
        break;
    }
    case StmtKind::AugAssign: {
        auto* s = static_cast<AugAssign*>(stmt);
        see(s->target);
        see(s->value);
        break;
    }
    case StmtKind::AnnAssign: {
        auto* s = static_cast<AnnAssign*>(stmt);
        see(s->target);
        see(s->annotation);
        see(s->value);
        break;
    }
    case StmtKind::For: {
        auto* s = static_cast<For*>(stmt);
        see(s->target);
        see(s->iter);
        see_body(s->body);
        see_body(s->orelse);
        break;
    }
    case StmtKind::While: {
        auto* s = static_cast<While*>(stmt);
        see(s->test);
        see_body(s->body);
        see_body(s->orelse);
        break;
    }
    case StmtKind::If: {
        auto* s = static_cast<If*>(stmt);
        see(s->test);
        see_body(s->body);
        see_body(s->orelse);
        break;
    }
    case StmtKind::With: {
        auto* s = static_cast<With*>(stmt);
        for (auto* i : s->items) {
            see(i->context_expr);
            see(i->optional_vars);
        }
        see_body(s->body);
        break;
    }
    case StmtKind::Raise: {
        auto* s = static_cast<Raise*>(stmt);
        see(s->exc);
        see(s->cause);
        break;
    }
    case StmtKind::Try: {
        auto* s = static_cast<Try*>(stmt);
        see_body(s->body);
        for (auto* h : s->handlers) {
            see(h->type);
            see_body(h->body);
        }
        see_body(s->orelse);
        see_body(s->finalbody);
        break;
    }
    case StmtKind::Assert: {
        auto* s = static_cast<Assert*>(stmt);
        see(s->test);
        see(s->msg);
        break;
    }
    case StmtKind::ExprStmt: see(static_cast<ExprStmt*>(stmt)->value); break;
    case StmtKind::Import:
    case StmtKind::ImportFrom:
    case StmtKind::Global:
    case StmtKind::Nonlocal:
    case StmtKind::Pass:
    case StmtKind::Break:
    case StmtKind::Continue: break;
    }
    // Handlers and With items add a level in the compiler's recursion too.
    note_depth(stmt, d + 2);
    return stmt;
}

Stmt* Builder::expr_stmt(Expr* value, const Span& s) {
    auto* n = node<ExprStmt>(s);
    n->value = value;
    return done(n);
}

namespace {

bool is_keyword_constant(const Expr* e) {
    if (e->kind != ExprKind::Constant) return false;
    auto k = static_cast<const Constant*>(e)->value_kind;
    return k == ConstKind::True || k == ConstKind::False || k == ConstKind::None;
}

// Whether CPython's bitwise_or rule would match [e] in full (so not a comparison, not, and/or,
// conditional, lambda, starred, yield, unparenthesized tuple).
bool is_bitwise_or(const Expr* e, const Loc& span_loc) {
    bool parenthesized = e->loc.col != span_loc.col || e->loc.line != span_loc.line;
    if (parenthesized) return true;
    switch (e->kind) {
    case ExprKind::BoolOp:
    case ExprKind::Compare:
    case ExprKind::IfExp:
    case ExprKind::Lambda:
    case ExprKind::Starred:
    case ExprKind::Yield:
    case ExprKind::YieldFrom:
    case ExprKind::NamedExpr: return false;
    case ExprKind::UnaryOp: return static_cast<const UnaryOp*>(e)->op != UnaryOpKind::Not;
    case ExprKind::Tuple:
        // A tuple without parentheses starts at its first element.
        return static_cast<const Tuple*>(e)->elts.empty() ||
               static_cast<const Tuple*>(e)->elts[0]->loc.col != e->loc.col;
    default: return true;
    }
}

// Whether a bitwise_or can start [e] (for CPython's "Maybe you meant '=='" rule, which needs a
// bitwise_or after the '=' that is not followed by another '=').
bool starts_with_bitwise_or(const Expr* e) {
    switch (e->kind) {
    case ExprKind::UnaryOp: return static_cast<const UnaryOp*>(e)->op != UnaryOpKind::Not;
    case ExprKind::Lambda:
    case ExprKind::Starred:
    case ExprKind::Yield:
    case ExprKind::YieldFrom: return false;
    case ExprKind::BoolOp: return starts_with_bitwise_or(static_cast<const BoolOp*>(e)->values[0]);
    default: return true;
    }
}

}  // namespace

Stmt* Builder::assign(ExprList targets, Expr* value, const Span& s) {
    for (size_t i = 0; i < targets.size(); ++i) {
        Expr* t = targets[i];
        if (t->kind == ExprKind::Yield || t->kind == ExprKind::YieldFrom)
            error_at("assignment to yield expression not possible", t->loc);
        const Expr* bad = invalid_target(t, TargetKind::Star);
        if (!bad) continue;
        if (i == 0 && bad == t && t->kind != ExprKind::List && t->kind != ExprKind::Tuple &&
            t->kind != ExprKind::GeneratorExp && !is_keyword_constant(t)) {
            // CPython's invalid_named_expression: `target = bitwise_or` not followed by '='.
            Loc stmt_loc = loc(s);
            Expr* next = targets.size() > 1 ? targets[1] : value;
            bool fires = is_bitwise_or(t, stmt_loc) && starts_with_bitwise_or(next) &&
                         (targets.size() == 1 ||
                          !(next->kind != ExprKind::Tuple && next->kind != ExprKind::Compare &&
                            next->kind != ExprKind::BoolOp && next->kind != ExprKind::IfExp));
            if (fires)
                error_at(std::string("cannot assign to ") + expr_name(t) +
                             " here. Maybe you meant '==' instead of '='?",
                         t->loc);
        }
        error_at(std::string("cannot assign to ") + expr_name(bad), bad->loc);
    }
    for (auto* t : targets) set_target(t, Ctx::Store, TargetKind::Star);
    auto* n = node<Assign>(s);
    n->targets = std::move(targets);
    n->value = value;
    return done(n);
}

Stmt* Builder::aug_assign(Expr* target, BinOpKind op, Expr* value, const Span& target_span,
                          const Span& s) {
    (void)target_span;
    if (target->kind != ExprKind::Name && target->kind != ExprKind::Attribute &&
        target->kind != ExprKind::Subscript)
        error_at(std::string("'") + expr_name(target) +
                     "' is an illegal expression for augmented assignment",
                 target->loc);
    set_target(target, Ctx::Store, TargetKind::Star);
    auto* n = node<AugAssign>(s);
    n->target = target;
    n->op = op;
    n->value = value;
    return done(n);
}

Stmt* Builder::ann_assign(Expr* target, const Span& target_span, Expr* annotation, Expr* value,
                          const Span& s) {
    Loc span_loc = loc(target_span);
    bool parenthesized = target->loc.col != span_loc.col || target->loc.line != span_loc.line;
    switch (target->kind) {
    case ExprKind::Name:
    case ExprKind::Attribute:
    case ExprKind::Subscript: break;
    case ExprKind::Tuple:
        if (parenthesized) error_at("only single target (not tuple) can be annotated", target->loc);
        // CPython points at the first element for `a, b: int`.
        error_at("only single target (not tuple) can be annotated",
                 static_cast<Tuple*>(target)->elts[0]->loc);
    case ExprKind::List: error_at("only single target (not list) can be annotated", target->loc);
    default: error_at("illegal target for annotation", target->loc);
    }
    set_target(target, Ctx::Store, TargetKind::Star);
    auto* n = node<AnnAssign>(s);
    n->target = target;
    n->annotation = annotation;
    n->value = value;
    n->simple = target->kind == ExprKind::Name && !parenthesized;
    return done(n);
}

Stmt* Builder::del(ExprList targets, const Span& s) {
    for (auto* t : targets) {
        if (const Expr* bad = invalid_target(t, TargetKind::Del))
            error_at(std::string("cannot delete ") + expr_name(bad), bad->loc);
        set_target(t, Ctx::Del, TargetKind::Del);
    }
    auto* n = node<Delete>(s);
    n->targets = std::move(targets);
    return done(n);
}

Arguments* Builder::arguments(Params params, bool is_lambda, const Span& s) {
    (void)is_lambda;
    auto* a = node<Arguments>(s);
    bool seen_slash = false, seen_star = false, seen_kwarg = false, seen_default = false;
    int depth_max = 0;
    const Param* bare_star = nullptr;
    auto make_arg = [&](const Param& p) {
        auto* arg = node<Arg>(p.span);
        arg->name = p.name;
        arg->annotation = p.annotation;
        depth_max = std::max(depth_max, depth(p.annotation));
        return arg;
    };
    // CPython points at a whole plain parameter but only at the '*' or '**' of the others.
    auto head = [](const Param& p) {
        if (p.kind == Param::Plain) return p.span;
        int len = p.kind == Param::DoubleStar ? 2 : 1;
        return Span{p.span.begin, {p.span.begin.line, p.span.begin.col + len}};
    };
    for (const Param& p : params) {
        if (seen_kwarg) error("arguments cannot follow var-keyword argument", head(p));
        depth_max = std::max(depth_max, depth(p.default_value));
        switch (p.kind) {
        case Param::Slash:
            if (seen_slash) error("/ may appear only once", p.span);
            if (seen_star) error("/ must be ahead of *", p.span);
            if (a->args.empty()) error("at least one argument must precede /", p.span);
            seen_slash = true;
            a->posonlyargs = std::move(a->args);
            a->args.clear();
            break;
        case Param::Star:
            if (seen_star) error("* argument may appear only once", head(p));
            if (p.default_value)
                error("var-positional argument cannot have default value", p.default_span);
            seen_star = true;
            if (p.name.empty())
                bare_star = &p;
            else
                a->vararg = make_arg(p);
            break;
        case Param::DoubleStar:
            if (p.default_value)
                error("var-keyword argument cannot have default value", p.default_span);
            if (bare_star && a->kwonlyargs.empty())
                error("named arguments must follow bare *", bare_star->span);
            a->kwarg = make_arg(p);
            seen_kwarg = true;
            break;
        case Param::Plain:
            if (seen_star) {
                a->kwonlyargs.push_back(make_arg(p));
                a->kw_defaults.push_back(p.default_value);
            } else {
                if (p.default_value) {
                    seen_default = true;
                    a->defaults.push_back(p.default_value);
                } else if (seen_default) {
                    error("non-default argument follows default argument", p.span);
                }
                a->args.push_back(make_arg(p));
            }
            break;
        }
    }
    if (bare_star && a->kwonlyargs.empty())
        error("named arguments must follow bare *", bare_star->span);
    note_depth(a, depth_max + 1);
    return a;
}

Stmt* Builder::function_def(std::string name, Params params, Expr* returns, StmtList body,
                            const Span& s) {
    auto* f = node<FunctionDef>(s);
    f->name = std::move(name);
    f->args = arguments(std::move(params), false, s);
    f->returns = returns;
    f->body = std::move(body);
    return done(f);
}

Stmt* Builder::class_def(std::string name, CallArgs args, const Span& close, StmtList body,
                         const Span& s) {
    auto* c = node<ClassDef>(s);
    c->name = std::move(name);
    // Reuse the call checks: a class header's arguments follow the same rules.
    for (auto& a : args.items) {
        if (a.kind == CallArg::Generator) {
            // CPython has no generator form here: its error is at the `for`.
            Loc l = static_cast<GeneratorExp*>(a.value)->generators[0]->loc;
            l.end_line = l.line;
            l.end_col = l.col + 3;
            error_at("invalid syntax", l);
        }
    }
    auto* call_expr = static_cast<Call*>(call(this->name("", s), std::move(args), close, s));
    c->bases = call_expr->args;
    c->keywords = call_expr->keywords;
    c->body = std::move(body);
    return done(c);
}

Stmt* Builder::decorate(ExprList decorators, Stmt* def, const Span& s) {
    // CPython's location of a decorated definition starts at `def`/`class`, not at the '@'.
    (void)s;
    if (def->kind == StmtKind::FunctionDef)
        static_cast<FunctionDef*>(def)->decorator_list = std::move(decorators);
    else
        static_cast<ClassDef*>(def)->decorator_list = std::move(decorators);
    return done(def);
}

Stmt* Builder::make_async(Stmt* stmt, const Span& s) {
    Loc l = loc(s);  // starts at `async`; the end stays that of the body
    stmt->loc.line = l.line;
    stmt->loc.col = l.col;
    switch (stmt->kind) {
    case StmtKind::FunctionDef: static_cast<FunctionDef*>(stmt)->is_async = true; break;
    case StmtKind::For: static_cast<For*>(stmt)->is_async = true; break;
    case StmtKind::With: static_cast<With*>(stmt)->is_async = true; break;
    default: break;
    }
    return stmt;
}

Stmt* Builder::for_stmt(Expr* target, Expr* iter, StmtList body, StmtList orelse,
                        const Span& s) {
    set_target(target, Ctx::Store, TargetKind::For);
    auto* f = node<For>(s);
    f->target = target;
    f->iter = iter;
    f->body = std::move(body);
    f->orelse = std::move(orelse);
    return done(f);
}

ExceptHandler* Builder::handler(Expr* type, std::string name, StmtList body, const Span& s) {
    auto* h = node<ExceptHandler>(s);
    h->type = type;
    h->name = std::move(name);
    h->body = std::move(body);
    return h;
}

Stmt* Builder::try_stmt(StmtList body, Handlers handlers, StmtList orelse, StmtList finalbody,
                        const Span& s) {
    auto* t = node<Try>(s);
    t->body = std::move(body);
    t->handlers = std::move(handlers.list);
    t->orelse = std::move(orelse);
    t->finalbody = std::move(finalbody);
    t->is_star = handlers.star;
    return done(t);
}

WithItem* Builder::with_item(Expr* ctx, Expr* vars, const Span& s) {
    if (vars) set_target(vars, Ctx::Store, TargetKind::Star);
    auto* w = node<WithItem>(s);
    w->context_expr = ctx;
    w->optional_vars = vars;
    return w;
}

// ------------------------------------------------------------------- targets

const Expr* Builder::invalid_target(const Expr* e, TargetKind kind) const {
    switch (e->kind) {
    case ExprKind::List:
        for (auto* c : static_cast<const List*>(e)->elts)
            if (auto* bad = invalid_target(c, kind)) return bad;
        return nullptr;
    case ExprKind::Tuple:
        for (auto* c : static_cast<const Tuple*>(e)->elts)
            if (auto* bad = invalid_target(c, kind)) return bad;
        return nullptr;
    case ExprKind::Starred:
        if (kind == TargetKind::Del) return e;
        return invalid_target(static_cast<const Starred*>(e)->value, kind);
    case ExprKind::Compare:
        // `for a in b in c`: the target was parsed as a comparison.
        if (kind == TargetKind::For) {
            auto* c = static_cast<const Compare*>(e);
            if (c->ops[0] == CmpOpKind::In) return invalid_target(c->left, kind);
            return nullptr;
        }
        return e;
    case ExprKind::Name:
    case ExprKind::Subscript:
    case ExprKind::Attribute: return nullptr;
    default: return e;
    }
}

void Builder::set_target(Expr* e, Ctx ctx, TargetKind kind) {
    if (const Expr* bad = invalid_target(e, kind)) {
        error_at(std::string(kind == TargetKind::Del ? "cannot delete " : "cannot assign to ") +
                     expr_name(bad),
                 bad->loc);
    }
    switch (e->kind) {
    case ExprKind::Name: static_cast<Name*>(e)->ctx = ctx; break;
    case ExprKind::Attribute: static_cast<Attribute*>(e)->ctx = ctx; break;
    case ExprKind::Subscript: static_cast<Subscript*>(e)->ctx = ctx; break;
    case ExprKind::Starred:
        static_cast<Starred*>(e)->ctx = ctx;
        set_target(static_cast<Starred*>(e)->value, ctx, kind);
        break;
    case ExprKind::List:
        static_cast<List*>(e)->ctx = ctx;
        for (auto* c : static_cast<List*>(e)->elts) set_target(c, ctx, kind);
        break;
    case ExprKind::Tuple:
        static_cast<Tuple*>(e)->ctx = ctx;
        for (auto* c : static_cast<Tuple*>(e)->elts) set_target(c, ctx, kind);
        break;
    default: break;
    }
}

const char* Builder::expr_name(const Expr* e) {
    switch (e->kind) {
    case ExprKind::Attribute: return "attribute";
    case ExprKind::Subscript: return "subscript";
    case ExprKind::Starred: return "starred";
    case ExprKind::Name: return "name";
    case ExprKind::List: return "list";
    case ExprKind::Tuple: return "tuple";
    case ExprKind::Lambda: return "lambda";
    case ExprKind::Call: return "function call";
    case ExprKind::BoolOp:
    case ExprKind::BinOp:
    case ExprKind::UnaryOp: return "expression";
    case ExprKind::GeneratorExp: return "generator expression";
    case ExprKind::Yield:
    case ExprKind::YieldFrom: return "yield expression";
    case ExprKind::Await: return "await expression";
    case ExprKind::ListComp: return "list comprehension";
    case ExprKind::SetComp: return "set comprehension";
    case ExprKind::DictComp: return "dict comprehension";
    case ExprKind::Dict: return "dict literal";
    case ExprKind::Set: return "set display";
    case ExprKind::JoinedStr:
    case ExprKind::FormattedValue: return "f-string expression";
    case ExprKind::Constant:
        switch (static_cast<const Constant*>(e)->value_kind) {
        case ConstKind::None: return "None";
        case ConstKind::True: return "True";
        case ConstKind::False: return "False";
        case ConstKind::Ellipsis: return "ellipsis";
        default: return "literal";
        }
    case ExprKind::Compare: return "comparison";
    case ExprKind::IfExp: return "conditional expression";
    case ExprKind::NamedExpr: return "named expression";
    case ExprKind::Slice: return "slice";
    }
    return "expression";
}

}  // namespace apy::parse
