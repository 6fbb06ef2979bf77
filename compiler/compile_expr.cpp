// Expressions, assignment targets, calls, displays and comprehensions, as
// CPython 3.11's compile.c emits them.
//
// Calls: f(a, k=b) -> f; PUSH_NULL; a; b; KW_NAMES ('k',); CALL 2
//        o.m(a)    -> o; LOAD_METHOD m; a; CALL 1
//        any *x / **y: f; PUSH_NULL; BUILD_LIST..LIST_EXTEND..LIST_TO_TUPLE;
//                      [BUILD_MAP..DICT_MERGE]; CALL_FUNCTION_EX 0/1
// Comprehensions: MAKE_FUNCTION <listcomp>; <first iterable>; GET_ITER; CALL 0
//        (the iterator sits in the self slot, so the function gets it as `.0`);
//        a comprehension that awaits is then awaited: GET_AWAITABLE 0; LOAD_CONST None; SEND loop.
// await / yield from: GET_AWAITABLE 0 | GET_YIELD_FROM_ITER; LOAD_CONST None;
//        L: SEND end; YIELD_VALUE; JUMP_BACKWARD L; end:
#include <algorithm>

#include "compiler/compiler_impl.h"

namespace apy::compiler {

using vm::Op;

namespace {

// CPython's update_start_location_to_match_attr: an attribute access spanning lines is
// located from its name on (the line the error is about).
void locate_attr_name(Unit& unit, const ast::Attribute* attr) {
    if (unit.line == attr->loc.end_line) return;
    ast::Loc& loc = unit.loc;
    unit.line = loc.line = attr->loc.end_line;
    int len = static_cast<int>(attr->attr.size());
    if (len <= attr->loc.end_col) {
        loc.col = attr->loc.end_col - len;
    } else {
        loc.col = -1;
        loc.end_col = -1;
    }
    loc.end_line = std::max(loc.line, loc.end_line);
    if (loc.line == loc.end_line) loc.end_col = std::max(loc.col, loc.end_col);
}

}  // namespace

void Compiler::visit_expr(const ast::Expr* e) {
    SavedLoc line = enter_loc(e->loc);
    visit_expr_inner(e);
    leave_loc(line);
}

void Compiler::visit_expr_inner(const ast::Expr* e) {
    using K = ast::ExprKind;
    if (rt::Value folded = constant_value(e); !folded.is_null()) {
        load_value(folded);
        return;
    }
    switch (e->kind) {
    case K::BoolOp: visit_bool_op(static_cast<const ast::BoolOp*>(e)); return;
    case K::NamedExpr: {
        auto* n = static_cast<const ast::NamedExpr*>(e);
        visit_expr(n->value);
        emit(Op::COPY, 1);
        visit_store(n->target);
        return;
    }
    case K::BinOp: {
        auto* b = static_cast<const ast::BinOp*>(e);
        visit_expr(b->left);
        visit_expr(b->right);
        emit(Op::BINARY_OP, binary_op_operand(b->op));
        return;
    }
    case K::UnaryOp: {
        auto* un = static_cast<const ast::UnaryOp*>(e);
        visit_expr(un->operand);
        switch (un->op) {
        case ast::UnaryOpKind::Invert: emit(Op::UNARY_INVERT); break;
        case ast::UnaryOpKind::Not: emit(Op::UNARY_NOT); break;
        case ast::UnaryOpKind::UAdd: emit(Op::UNARY_POSITIVE); break;
        case ast::UnaryOpKind::USub: emit(Op::UNARY_NEGATIVE); break;
        }
        return;
    }
    case K::Lambda: visit_lambda(static_cast<const ast::Lambda*>(e)); return;
    case K::IfExp: {
        auto* i = static_cast<const ast::IfExp*>(e);
        int next = new_label(), end = new_label();
        jump_if(i->test, next, false);
        visit_expr(i->body);
        emit_jump(Op::JUMP, end);
        bind(next);
        visit_expr(i->orelse);
        bind(end);
        return;
    }
    case K::Dict: visit_dict(static_cast<const ast::Dict*>(e)); return;
    case K::Set:
        starunpack(static_cast<const ast::Set*>(e)->elts, 0, Op::BUILD_SET, Op::SET_ADD,
                   Op::SET_UPDATE, false);
        return;
    case K::ListComp: {
        auto* c = static_cast<const ast::ListComp*>(e);
        visit_comprehension(e, c->generators, c->elt, nullptr, CompKind::List);
        return;
    }
    case K::SetComp: {
        auto* c = static_cast<const ast::SetComp*>(e);
        visit_comprehension(e, c->generators, c->elt, nullptr, CompKind::Set);
        return;
    }
    case K::DictComp: {
        auto* c = static_cast<const ast::DictComp*>(e);
        visit_comprehension(e, c->generators, c->key, c->value, CompKind::Dict);
        return;
    }
    case K::GeneratorExp: {
        auto* c = static_cast<const ast::GeneratorExp*>(e);
        visit_comprehension(e, c->generators, c->elt, nullptr, CompKind::Generator);
        return;
    }
    case K::Await: {
        if (u().ste->kind != ScopeKind::Function && !top_level_await_here())
            error("'await' outside function", e->loc);
        if (u().kind != UnitKind::AsyncFunction && u().kind != UnitKind::Comprehension &&
            !top_level_await_here()) {
            error("'await' outside async function", e->loc);
        }
        visit_expr(static_cast<const ast::Await*>(e)->value);
        await_tos(0);
        return;
    }
    case K::Yield: {
        if (u().ste->kind != ScopeKind::Function) error("'yield' outside function", e->loc);
        auto* y = static_cast<const ast::Yield*>(e);
        if (y->value) {
            visit_expr(y->value);
        } else {
            load_none();
        }
        emit_yield();
        return;
    }
    case K::YieldFrom: {
        if (u().ste->kind != ScopeKind::Function) error("'yield' outside function", e->loc);
        if (u().kind == UnitKind::AsyncFunction) {
            error("'yield from' inside async function", e->loc);
        }
        visit_expr(static_cast<const ast::YieldFrom*>(e)->value);
        emit(Op::GET_YIELD_FROM_ITER);
        load_none();
        yield_from_loop();
        return;
    }
    case K::Compare: visit_compare(static_cast<const ast::Compare*>(e)); return;
    case K::Call: visit_call(static_cast<const ast::Call*>(e)); return;
    case K::FormattedValue:
        visit_formatted_value(static_cast<const ast::FormattedValue*>(e));
        return;
    case K::JoinedStr: visit_joined_str(static_cast<const ast::JoinedStr*>(e)); return;
    case K::Constant: return;  // loaded above
    case K::Attribute: {
        auto* a = static_cast<const ast::Attribute*>(e);
        if (a->ctx != ast::Ctx::Load) break;
        visit_expr(a->value);
        locate_attr_name(u(), a);
        emit(Op::LOAD_ATTR, names_index(mangle(u().private_name, a->attr)));
        return;
    }
    case K::Subscript: {
        auto* s = static_cast<const ast::Subscript*>(e);
        if (s->ctx != ast::Ctx::Load) break;
        visit_expr(s->value);
        visit_expr(s->slice);
        emit(Op::BINARY_SUBSCR);
        return;
    }
    case K::Starred: {
        auto* s = static_cast<const ast::Starred*>(e);
        if (s->ctx == ast::Ctx::Store) {
            error("starred assignment target must be in a list or tuple", e->loc);
        }
        error("can't use starred expression here", e->loc);
    }
    case K::Name: {
        auto* n = static_cast<const ast::Name*>(e);
        name_op(n->id, n->ctx, e->loc);
        return;
    }
    case K::List: {
        auto* l = static_cast<const ast::List*>(e);
        if (l->ctx != ast::Ctx::Load) break;
        starunpack(l->elts, 0, Op::BUILD_LIST, Op::LIST_APPEND, Op::LIST_EXTEND, false);
        return;
    }
    case K::Tuple: {
        auto* t = static_cast<const ast::Tuple*>(e);
        if (t->ctx != ast::Ctx::Load) break;
        starunpack(t->elts, 0, Op::BUILD_LIST, Op::LIST_APPEND, Op::LIST_EXTEND, true);
        return;
    }
    case K::Slice: visit_slice(static_cast<const ast::Slice*>(e)); return;
    }
    // Targets reached through visit_expr (a Store or Del context).
    visit_store(e);
}

// ------------------------------------------------------------------ targets

void Compiler::unpack_helper(const ast::ExprList& elts, const ast::Loc& loc) {
    size_t n = elts.size();
    bool seen_star = false;
    for (size_t i = 0; i < n; ++i) {
        if (elts[i]->kind != ast::ExprKind::Starred) continue;
        if (seen_star) error("multiple starred expressions in assignment", elts[i]->loc);
        if (i >= (1u << 8) || n - i - 1 >= (1u << 16)) {
            error("too many expressions in star-unpacking assignment", loc);
        }
        emit(Op::UNPACK_EX, static_cast<uint32_t>(i + ((n - i - 1) << 8)));
        seen_star = true;
    }
    if (!seen_star) emit(Op::UNPACK_SEQUENCE, static_cast<uint32_t>(n));
}

void Compiler::visit_store(const ast::Expr* t) {
    SavedLoc line = enter_loc(t->loc);
    switch (t->kind) {
    case ast::ExprKind::Name:
        name_op(static_cast<const ast::Name*>(t)->id, ast::Ctx::Store, t->loc);
        break;
    case ast::ExprKind::Attribute: {
        auto* a = static_cast<const ast::Attribute*>(t);
        visit_expr(a->value);
        locate_attr_name(u(), a);
        emit(Op::STORE_ATTR, names_index(mangle(u().private_name, a->attr)));
        break;
    }
    case ast::ExprKind::Subscript: {
        auto* s = static_cast<const ast::Subscript*>(t);
        visit_expr(s->value);
        visit_expr(s->slice);
        emit(Op::STORE_SUBSCR);
        break;
    }
    case ast::ExprKind::Starred:
        error("starred assignment target must be in a list or tuple", t->loc);
    case ast::ExprKind::List:
    case ast::ExprKind::Tuple: {
        const ast::ExprList& elts = t->kind == ast::ExprKind::List
                                        ? static_cast<const ast::List*>(t)->elts
                                        : static_cast<const ast::Tuple*>(t)->elts;
        unpack_helper(elts, t->loc);
        for (const ast::Expr* elt : elts) {
            visit_store(elt->kind == ast::ExprKind::Starred
                            ? static_cast<const ast::Starred*>(elt)->value
                            : elt);
        }
        break;
    }
    default: error("cannot assign to expression", t->loc);
    }
    leave_loc(line);
}

void Compiler::visit_delete(const ast::Expr* t) {
    SavedLoc line = enter_loc(t->loc);
    switch (t->kind) {
    case ast::ExprKind::Name:
        name_op(static_cast<const ast::Name*>(t)->id, ast::Ctx::Del, t->loc);
        break;
    case ast::ExprKind::Attribute: {
        auto* a = static_cast<const ast::Attribute*>(t);
        visit_expr(a->value);
        locate_attr_name(u(), a);
        emit(Op::DELETE_ATTR, names_index(mangle(u().private_name, a->attr)));
        break;
    }
    case ast::ExprKind::Subscript: {
        auto* s = static_cast<const ast::Subscript*>(t);
        visit_expr(s->value);
        visit_expr(s->slice);
        emit(Op::DELETE_SUBSCR);
        break;
    }
    case ast::ExprKind::List:
        for (const ast::Expr* elt : static_cast<const ast::List*>(t)->elts) visit_delete(elt);
        break;
    case ast::ExprKind::Tuple:
        for (const ast::Expr* elt : static_cast<const ast::Tuple*>(t)->elts) visit_delete(elt);
        break;
    default: error("cannot delete expression", t->loc);
    }
    leave_loc(line);
}

// ------------------------------------------------------ conditions, compares

void Compiler::jump_if(const ast::Expr* e, int label, bool cond) {
    SavedLoc line = enter_loc(e->loc);
    switch (e->kind) {
    case ast::ExprKind::UnaryOp: {
        auto* un = static_cast<const ast::UnaryOp*>(e);
        if (un->op == ast::UnaryOpKind::Not && constant_value(e).is_null()) {
            jump_if(un->operand, label, !cond);
            leave_loc(line);
            return;
        }
        break;
    }
    case ast::ExprKind::BoolOp: {
        auto* b = static_cast<const ast::BoolOp*>(e);
        bool cond2 = b->op == ast::BoolOpKind::Or;
        int next2 = label;
        if (cond2 != cond) next2 = new_label();
        for (size_t i = 0; i + 1 < b->values.size(); ++i) jump_if(b->values[i], next2, cond2);
        jump_if(b->values.back(), label, cond);
        if (next2 != label) bind(next2);
        leave_loc(line);
        return;
    }
    case ast::ExprKind::IfExp: {
        auto* i = static_cast<const ast::IfExp*>(e);
        int end = new_label(), next2 = new_label();
        jump_if(i->test, next2, false);
        jump_if(i->body, label, cond);
        emit_jump(Op::JUMP, end);
        bind(next2);
        jump_if(i->orelse, label, cond);
        bind(end);
        leave_loc(line);
        return;
    }
    case ast::ExprKind::Compare: {
        auto* c = static_cast<const ast::Compare*>(e);
        size_t n = c->ops.size() - 1;
        if (n == 0) break;
        int cleanup = new_label();
        visit_expr(c->left);
        for (size_t i = 0; i < n; ++i) {
            visit_expr(c->comparators[i]);
            emit(Op::SWAP, 2);
            emit(Op::COPY, 2);
            emit_compare(c->ops[i]);
            emit_jump(Op::POP_JUMP_IF_FALSE, cleanup);
        }
        visit_compared(c, n);
        emit_compare(c->ops[n]);
        emit_jump(cond ? Op::POP_JUMP_IF_TRUE : Op::POP_JUMP_IF_FALSE, label);
        int end = new_label();
        emit_jump(Op::JUMP, end);
        bind(cleanup);
        emit(Op::POP_TOP);
        if (!cond) emit_jump(Op::JUMP, label);
        bind(end);
        leave_loc(line);
        return;
    }
    default: break;
    }
    visit_expr(e);
    emit_jump(cond ? Op::POP_JUMP_IF_TRUE : Op::POP_JUMP_IF_FALSE, label);
    leave_loc(line);
}

void Compiler::visit_bool_op(const ast::BoolOp* e) {
    Op op = e->op == ast::BoolOpKind::And ? Op::JUMP_IF_FALSE_OR_POP : Op::JUMP_IF_TRUE_OR_POP;
    int end = new_label();
    for (size_t i = 0; i + 1 < e->values.size(); ++i) {
        visit_expr(e->values[i]);
        emit_jump(op, end);
    }
    visit_expr(e->values.back());
    bind(end);
}

void Compiler::emit_compare(ast::CmpOpKind op) {
    using C = ast::CmpOpKind;
    using R = rt::CompareOp;
    auto cmp = [&](R r) { emit(Op::COMPARE_OP, static_cast<uint32_t>(r)); };
    switch (op) {
    case C::Eq: cmp(R::Eq); break;
    case C::NotEq: cmp(R::Ne); break;
    case C::Lt: cmp(R::Lt); break;
    case C::LtE: cmp(R::Le); break;
    case C::Gt: cmp(R::Gt); break;
    case C::GtE: cmp(R::Ge); break;
    case C::Is: emit(Op::IS_OP, 0); break;
    case C::IsNot: emit(Op::IS_OP, 1); break;
    case C::In: emit(Op::CONTAINS_OP, 0); break;
    case C::NotIn: emit(Op::CONTAINS_OP, 1); break;
    }
}

// CPython's fold_compare: what the last `in` / `not in` of a comparison tests is an iterable.
void Compiler::visit_compared(const ast::Compare* e, size_t i) {
    bool membership = e->ops[i] == ast::CmpOpKind::In || e->ops[i] == ast::CmpOpKind::NotIn;
    if (membership && i + 1 == e->ops.size()) {
        visit_iterable(e->comparators[i]);
    } else {
        visit_expr(e->comparators[i]);
    }
}

void Compiler::visit_compare(const ast::Compare* e) {
    visit_expr(e->left);
    size_t n = e->ops.size() - 1;
    if (n == 0) {
        visit_compared(e, 0);
        emit_compare(e->ops[0]);
        return;
    }
    // a < b < c: each middle operand is evaluated once and kept with COPY.
    int cleanup = new_label(), end = new_label();
    for (size_t i = 0; i < n; ++i) {
        visit_expr(e->comparators[i]);
        emit(Op::SWAP, 2);
        emit(Op::COPY, 2);
        emit_compare(e->ops[i]);
        emit_jump(Op::JUMP_IF_FALSE_OR_POP, cleanup);
    }
    visit_compared(e, n);
    emit_compare(e->ops[n]);
    emit_jump(Op::JUMP, end);
    bind(cleanup);
    emit(Op::SWAP, 2);
    emit(Op::POP_TOP);
    bind(end);
}

// -------------------------------------------------------------------- calls

namespace {
void validate_keywords(Compiler& c, const std::vector<ast::Keyword*>& keywords) {
    for (size_t i = 0; i < keywords.size(); ++i) {
        if (keywords[i]->arg.empty()) continue;
        for (size_t j = i + 1; j < keywords.size(); ++j) {
            if (keywords[j]->arg == keywords[i]->arg) {
                c.error("keyword argument repeated: " + keywords[i]->arg, keywords[j]->loc);
            }
        }
    }
}
}  // namespace

void Compiler::kw_names(const std::vector<ast::Keyword*>& keywords, size_t begin, size_t end) {
    std::vector<std::string> names;
    for (size_t i = begin; i < end; ++i) names.push_back(keywords[i]->arg);
    emit(Op::KW_NAMES, str_tuple_const(names));
}

void Compiler::visit_call(const ast::Call* e) {
    validate_keywords(*this, e->keywords);
    if (e->func->kind == ast::ExprKind::Attribute &&
        static_cast<const ast::Attribute*>(e->func)->ctx == ast::Ctx::Load) {
        bool simple = e->args.size() + e->keywords.size() * 2 + 1 < kStackUseGuard;
        for (const ast::Expr* a : e->args) simple = simple && a->kind != ast::ExprKind::Starred;
        for (const ast::Keyword* k : e->keywords) simple = simple && !k->arg.empty();
        if (simple) {
            auto* attr = static_cast<const ast::Attribute*>(e->func);
            visit_expr(attr->value);
            SavedLoc call_loc = enter_loc(attr->loc);
            locate_attr_name(u(), attr);
            emit(Op::LOAD_METHOD, names_index(mangle(u().private_name, attr->attr)));
            for (const ast::Expr* a : e->args) visit_expr(a);
            for (const ast::Keyword* k : e->keywords) visit_expr(k->value);
            leave_loc(call_loc);
            locate_attr_name(u(), attr);
            if (!e->keywords.empty()) kw_names(e->keywords, 0, e->keywords.size());
            emit(Op::CALL, static_cast<uint32_t>(e->args.size() + e->keywords.size()));
            leave_loc(call_loc);
            return;
        }
    }
    visit_expr(e->func);
    emit(Op::PUSH_NULL);
    call_helper(0, e->args, e->keywords, e->loc);
}

void Compiler::subkwargs(const std::vector<ast::Keyword*>& keywords, size_t begin, size_t end) {
    size_t n = end - begin;
    bool big = n * 2 > static_cast<size_t>(kStackUseGuard);
    if (n > 1 && !big) {
        for (size_t i = begin; i < end; ++i) visit_expr(keywords[i]->value);
        std::vector<std::string> names;
        for (size_t i = begin; i < end; ++i) names.push_back(keywords[i]->arg);
        emit(Op::LOAD_CONST, str_tuple_const(names));
        emit(Op::BUILD_CONST_KEY_MAP, static_cast<uint32_t>(n));
        return;
    }
    if (big) emit(Op::BUILD_MAP, 0);
    for (size_t i = begin; i < end; ++i) {
        load_str(keywords[i]->arg);
        visit_expr(keywords[i]->value);
        if (big) emit(Op::MAP_ADD, 1);
    }
    if (!big) emit(Op::BUILD_MAP, static_cast<uint32_t>(n));
}

// CPython's compiler_call_helper: [pushed] arguments are already on the stack.
void Compiler::call_helper(int pushed, const ast::ExprList& args,
                           const std::vector<ast::Keyword*>& keywords, const ast::Loc& loc) {
    validate_keywords(*this, keywords);
    size_t nargs = args.size(), nkw = keywords.size();
    bool ex_call = nargs + nkw * 2 > static_cast<size_t>(kStackUseGuard);
    for (const ast::Expr* a : args) ex_call = ex_call || a->kind == ast::ExprKind::Starred;
    for (const ast::Keyword* k : keywords) ex_call = ex_call || k->arg.empty();
    if (!ex_call) {
        for (const ast::Expr* a : args) visit_expr(a);
        for (const ast::Keyword* k : keywords) visit_expr(k->value);
        u().line = loc.line;
        if (nkw) kw_names(keywords, 0, nkw);
        emit(Op::CALL, static_cast<uint32_t>(pushed + nargs + nkw));
        return;
    }
    // A call's one *argument goes to CALL_FUNCTION_EX as it is (CPython 3.11 does this).
    if (pushed == 0 && nargs == 1 && args[0]->kind == ast::ExprKind::Starred)
        visit_expr(static_cast<const ast::Starred*>(args[0])->value);
    else
        starunpack(args, pushed, Op::BUILD_LIST, Op::LIST_APPEND, Op::LIST_EXTEND, true);
    if (nkw) {
        bool have_dict = false;
        size_t nseen = 0;
        for (size_t i = 0; i < nkw; ++i) {
            const ast::Keyword* kw = keywords[i];
            if (!kw->arg.empty()) {
                ++nseen;
                continue;
            }
            if (nseen) {
                subkwargs(keywords, i - nseen, i);
                if (have_dict) emit(Op::DICT_MERGE, 1);
                have_dict = true;
                nseen = 0;
            }
            if (!have_dict) {
                emit(Op::BUILD_MAP, 0);
                have_dict = true;
            }
            visit_expr(kw->value);
            emit(Op::DICT_MERGE, 1);
        }
        if (nseen) {
            subkwargs(keywords, nkw - nseen, nkw);
            if (have_dict) emit(Op::DICT_MERGE, 1);
        }
    }
    u().line = loc.line;
    emit(Op::CALL_FUNCTION_EX, nkw > 0 ? 1 : 0);
}

// ----------------------------------------------------------------- displays

// CPython's starunpack_helper: a display (or call arguments) with [pushed]
// items already on the stack; built incrementally when starred or big.
void Compiler::starunpack(const ast::ExprList& elts, int pushed, Op build, Op add, Op extend,
                          bool tuple) {
    size_t n = elts.size();
    if (n > 2 && all_constant(elts)) {
        // A display of constants: one constant (a frozenset for a set), then one extend.
        rt::Value items =
            build == Op::BUILD_SET ? constant_frozenset(elts) : constant_tuple(elts);
        if (!items.is_null()) {
            if (tuple && pushed == 0) {
                load_value(items);
                return;
            }
            emit(build, static_cast<uint32_t>(pushed));
            load_value(items);
            emit(extend, 1);
            if (tuple) emit(Op::LIST_TO_TUPLE);
            return;
        }
    }
    bool big = n + pushed > static_cast<size_t>(kStackUseGuard);
    bool seen_star = false;
    for (const ast::Expr* e : elts) seen_star = seen_star || e->kind == ast::ExprKind::Starred;
    if (!seen_star && !big) {
        for (const ast::Expr* e : elts) visit_expr(e);
        emit(tuple ? Op::BUILD_TUPLE : build, static_cast<uint32_t>(n + pushed));
        return;
    }
    bool built = false;
    if (big) {
        emit(build, static_cast<uint32_t>(pushed));
        built = true;
    }
    for (size_t i = 0; i < n; ++i) {
        const ast::Expr* e = elts[i];
        if (e->kind == ast::ExprKind::Starred) {
            if (!built) {
                emit(build, static_cast<uint32_t>(i + pushed));
                built = true;
            }
            visit_expr(static_cast<const ast::Starred*>(e)->value);
            emit(extend, 1);
        } else {
            visit_expr(e);
            if (built) emit(add, 1);
        }
    }
    if (tuple) emit(Op::LIST_TO_TUPLE);
}

void Compiler::subdict(const ast::Dict* e, size_t begin, size_t end) {
    size_t n = end - begin;
    bool big = n * 2 > static_cast<size_t>(kStackUseGuard);
    if (big) emit(Op::BUILD_MAP, 0);
    for (size_t i = begin; i < end; ++i) {
        visit_expr(e->keys[i]);
        visit_expr(e->values[i]);
        if (big) emit(Op::MAP_ADD, 1);
    }
    if (!big) emit(Op::BUILD_MAP, static_cast<uint32_t>(n));
}

void Compiler::visit_dict(const ast::Dict* e) {
    size_t n = e->values.size();
    bool have_dict = false;
    size_t elements = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!e->keys[i]) {  // **mapping
            if (elements) {
                subdict(e, i - elements, i);
                if (have_dict) emit(Op::DICT_UPDATE, 1);
                have_dict = true;
                elements = 0;
            }
            if (!have_dict) {
                emit(Op::BUILD_MAP, 0);
                have_dict = true;
            }
            visit_expr(e->values[i]);
            emit(Op::DICT_UPDATE, 1);
        } else if (elements * 2 > static_cast<size_t>(kStackUseGuard)) {
            subdict(e, i - elements, i + 1);
            if (have_dict) emit(Op::DICT_UPDATE, 1);
            have_dict = true;
            elements = 0;
        } else {
            ++elements;
        }
    }
    if (elements) {
        subdict(e, n - elements, n);
        if (have_dict) emit(Op::DICT_UPDATE, 1);
        have_dict = true;
    }
    if (!have_dict) emit(Op::BUILD_MAP, 0);
}

void Compiler::visit_slice(const ast::Slice* e) {
    if (e->lower) {
        visit_expr(e->lower);
    } else {
        load_none();
    }
    if (e->upper) {
        visit_expr(e->upper);
    } else {
        load_none();
    }
    if (e->step) visit_expr(e->step);
    emit(Op::BUILD_SLICE, e->step ? 3 : 2);
}

void Compiler::visit_joined_str(const ast::JoinedStr* e) {
    for (const ast::Expr* v : e->values) visit_expr(v);
    if (e->values.size() != 1) emit(Op::BUILD_STRING, static_cast<uint32_t>(e->values.size()));
}

void Compiler::visit_formatted_value(const ast::FormattedValue* e) {
    visit_expr(e->value);
    uint32_t operand = 0;
    switch (e->conversion) {
    case 's': operand = 1; break;
    case 'r': operand = 2; break;
    case 'a': operand = 3; break;
    default: break;
    }
    if (e->format_spec) {
        visit_expr(e->format_spec);
        operand |= 4;
    }
    emit(Op::FORMAT_VALUE, operand);
}

// ------------------------------------------------- lambdas, comprehensions

void Compiler::yield_from_loop() {
    int start = new_label(), exit = new_label();
    bind(start);
    emit_jump(Op::SEND, exit);
    emit(Op::YIELD_VALUE);
    emit_jump(Op::JUMP, start);  // becomes JUMP_BACKWARD
    bind(exit);
}

// In an async generator a `yield` hands an item to the __anext__() awaitable (operand 1),
// unlike the yields of await loops that pass futures up to the task.
void Compiler::emit_yield() {
    bool async_generator = u().ste->generator && u().ste->coroutine;
    emit(Op::YIELD_VALUE, async_generator ? 1 : 0);
}

void Compiler::await_tos(uint32_t where) {
    emit(Op::GET_AWAITABLE, where);
    load_none();
    yield_from_loop();
}

void Compiler::visit_lambda(const ast::Lambda* e) {
    uint32_t flags = default_arguments(e->args);
    enter_unit(symtable_.scope_of(e), UnitKind::Lambda, "<lambda>", e->loc.line);
    set_arguments(e->args);
    visit_expr(e->body);
    emit(Op::RETURN_VALUE);
    vm::Code* code = exit_unit();
    make_closure(code, flags);
}

void Compiler::visit_comprehension(const ast::Expr* e, const ast::ComprehensionList& gens,
                                   const ast::Expr* elt, const ast::Expr* value, CompKind kind) {
    static const char* names[] = {"", "<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>"};
    UnitKind outer = u().kind;
    Scope* ste = symtable_.scope_of(e);
    bool is_async = ste->coroutine;
    if (is_async && kind != CompKind::Generator && outer != UnitKind::AsyncFunction &&
        outer != UnitKind::Comprehension && !top_level_await_here()) {
        error("asynchronous comprehension outside of an asynchronous function", e->loc);
    }
    enter_unit(ste, UnitKind::Comprehension, names[static_cast<int>(kind)], e->loc.line);
    u().loc = e->loc;  // its loop is located at the whole comprehension, as in CPython
    u().argcount = 1;
    switch (kind) {
    case CompKind::List: emit(Op::BUILD_LIST, 0); break;
    case CompKind::Set: emit(Op::BUILD_SET, 0); break;
    case CompKind::Dict: emit(Op::BUILD_MAP, 0); break;
    default: break;
    }
    comprehension_generator(gens, 0, 0, elt, value, kind);
    u().line = e->loc.line;
    if (kind == CompKind::Generator) load_none();
    emit(Op::RETURN_VALUE);
    vm::Code* code = exit_unit();

    make_closure(code, 0);
    visit_iterable(gens[0]->iter);
    u().line = e->loc.line;
    emit(gens[0]->is_async ? Op::GET_AITER : Op::GET_ITER);
    emit(Op::CALL, 0);  // [function, iterator]: the iterator is the one argument, `.0`
    if (is_async && kind != CompKind::Generator) {
        emit(Op::GET_AWAITABLE, 0);
        load_none();
        yield_from_loop();
    }
}

void Compiler::comprehension_generator(const ast::ComprehensionList& gens, size_t index,
                                       int depth, const ast::Expr* elt, const ast::Expr* value,
                                       CompKind kind) {
    const ast::Comprehension* gen = gens[index];
    int start = new_label(), if_cleanup = new_label(), anchor = new_label();
    if (index == 0) {
        emit(Op::LOAD_FAST, 0);  // `.0`, the outermost iterator
    } else {
        visit_iterable(gen->iter);
        emit(gen->is_async ? Op::GET_AITER : Op::GET_ITER);
    }
    ++depth;
    bind(start);
    if (gen->is_async) {
        // As in `async for`: await __anext__() until StopAsyncIteration.
        emit_jump(Op::SETUP_FINALLY, anchor);
        emit(Op::GET_ANEXT);
        load_none();
        yield_from_loop();
        emit(Op::POP_BLOCK);
    } else {
        emit_jump(Op::FOR_ITER, anchor);
    }
    visit_store(gen->target);
    for (const ast::Expr* cond : gen->ifs) jump_if(cond, if_cleanup, false);
    if (index + 1 < gens.size()) {
        comprehension_generator(gens, index + 1, depth, elt, value, kind);
    } else {
        uint32_t list_depth = static_cast<uint32_t>(depth + 1);
        switch (kind) {
        case CompKind::Generator:
            visit_expr(elt);
            emit_yield();
            emit(Op::POP_TOP);
            break;
        case CompKind::List:
            visit_expr(elt);
            emit(Op::LIST_APPEND, list_depth);
            break;
        case CompKind::Set:
            visit_expr(elt);
            emit(Op::SET_ADD, list_depth);
            break;
        case CompKind::Dict:
            visit_expr(elt);
            visit_expr(value);
            emit(Op::MAP_ADD, list_depth);
            break;
        case CompKind::None: break;
        }
    }
    bind(if_cleanup);
    emit_jump(Op::JUMP, start);
    bind(anchor);
    if (gen->is_async) emit(Op::END_ASYNC_FOR);
}

}  // namespace apy::compiler
