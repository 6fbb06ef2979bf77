// Statements. The shapes follow CPython 3.11's compile.c, adapted to apy's
// dynamic block stack (SETUP_FINALLY pushes a block, POP_BLOCK pops it; the VM
// cuts the stack back to the block's depth and pushes the exception):
//
// try/except:
//        SETUP_FINALLY except
//        <body>; POP_BLOCK; <orelse>; JUMP end
// except: SETUP_FINALLY cleanup; PUSH_EXC_INFO          [prev_exc, exc]
//        <type>; CHECK_EXC_MATCH; POP_JUMP_IF_FALSE next
//        (no name)  POP_TOP; <body>; POP_BLOCK; POP_EXCEPT; JUMP end
//        (as name)  STORE name; SETUP_FINALLY cleanup_end; <body>; POP_BLOCK; POP_BLOCK;
//                   POP_EXCEPT; name = None; del name; JUMP end
//           cleanup_end: name = None; del name; RERAISE
// next:  ... RERAISE                                   (no handler matched)
// cleanup: SWAP 2; POP_EXCEPT; RERAISE                  [prev_exc, exc2]
// end:
//
// try/except*:
//        as try/except up to PUSH_EXC_INFO; COPY 1; BUILD_LIST 0; SWAP 2  [prev, orig, raised, exc]
//        <type>; CHECK_EG_MATCH; COPY 1; POP_JUMP_IF_NONE no_match   [..., raised, rest, match]
//        STORE name (or POP_TOP); SETUP_FINALLY cleanup_end; <body>; POP_BLOCK
//        name = None; del name; JUMP next
//   cleanup_end: name = None; del name; LIST_APPEND 2; JUMP next   [..., raised, rest, exc2]
//   no_match: POP_TOP
//   next:  ... (the next clause splits rest)
//        LIST_APPEND 1; PREP_RERAISE_STAR; COPY 1; POP_JUMP_IF_NOT_NONE reraise
//        POP_TOP; POP_BLOCK; POP_EXCEPT; JUMP end
// reraise: POP_BLOCK; SWAP 2; POP_EXCEPT; RERAISE
// cleanup: SWAP 2; POP_EXCEPT; RERAISE
//
// try/finally:
//        SETUP_FINALLY handler; <body>; POP_BLOCK; <finalbody>; JUMP exit
// handler: SETUP_FINALLY cleanup; PUSH_EXC_INFO; <finalbody>; RERAISE
// cleanup: SWAP 2; POP_EXCEPT; RERAISE
// exit:
//
// with cm as x: <body>
//        <cm>; BEFORE_WITH; SETUP_WITH final; STORE x (or POP_TOP); <body>; POP_BLOCK
//        LOAD_CONST None x3; CALL 2 (exit(None, None, None): exit sits in the callable
//        slot, the first None in the self slot); POP_TOP; JUMP exit
// final: SETUP_FINALLY cleanup; PUSH_EXC_INFO; WITH_EXCEPT_START  [exit, prev, exc, res]
//        POP_JUMP_IF_TRUE suppress; RERAISE
// cleanup: SWAP 2; POP_EXCEPT; RERAISE
// suppress: POP_TOP; POP_BLOCK; POP_EXCEPT; POP_TOP
// exit:
#include "compiler/compiler_impl.h"

namespace apy::compiler {

using vm::Op;

void Compiler::visit_body(const ast::StmtList& body) {
    for (const ast::Stmt* s : body) visit_stmt(s);
}

void Compiler::visit_stmt(const ast::Stmt* s) {
    u().line = s->loc.line;
    u().loc = s->loc;
    using K = ast::StmtKind;
    switch (s->kind) {
    case K::FunctionDef: visit_function_def(static_cast<const ast::FunctionDef*>(s)); break;
    case K::ClassDef: visit_class_def(static_cast<const ast::ClassDef*>(s)); break;
    case K::Return: visit_return(static_cast<const ast::Return*>(s)); break;
    case K::Delete:
        for (const ast::Expr* t : static_cast<const ast::Delete*>(s)->targets) visit_delete(t);
        break;
    case K::Assign: visit_assign(static_cast<const ast::Assign*>(s)); break;
    case K::AugAssign: visit_aug_assign(static_cast<const ast::AugAssign*>(s)); break;
    case K::AnnAssign: visit_ann_assign(static_cast<const ast::AnnAssign*>(s)); break;
    case K::For: visit_for(static_cast<const ast::For*>(s)); break;
    case K::While: visit_while(static_cast<const ast::While*>(s)); break;
    case K::If: visit_if(static_cast<const ast::If*>(s)); break;
    case K::With: {
        auto* w = static_cast<const ast::With*>(s);
        if (w->is_async && u().kind != UnitKind::AsyncFunction && !top_level_await_here()) {
            error("'async with' outside async function", s->loc);
        }
        visit_with(w, 0);
        break;
    }
    case K::Raise: visit_raise(static_cast<const ast::Raise*>(s)); break;
    case K::Try: visit_try(static_cast<const ast::Try*>(s)); break;
    case K::Assert: visit_assert(static_cast<const ast::Assert*>(s)); break;
    case K::Import: visit_import(static_cast<const ast::Import*>(s)); break;
    case K::ImportFrom: visit_import_from(static_cast<const ast::ImportFrom*>(s)); break;
    case K::Global:
    case K::Nonlocal:
    case K::Pass: break;
    case K::ExprStmt: visit_expr_stmt(static_cast<const ast::ExprStmt*>(s)); break;
    case K::Break: visit_break(s); break;
    case K::Continue: visit_continue(s); break;
    }
}

// ---------------------------------------------------------- functions, classes

uint32_t Compiler::default_arguments(const ast::Arguments* args) {
    uint32_t flags = 0;
    if (!args) return flags;
    if (!args->defaults.empty()) {
        for (const ast::Expr* d : args->defaults) visit_expr(d);
        emit(Op::BUILD_TUPLE, static_cast<uint32_t>(args->defaults.size()));
        flags |= 1;
    }
    std::vector<std::string> keys;
    for (size_t i = 0; i < args->kwonlyargs.size(); ++i) {
        const ast::Expr* d = i < args->kw_defaults.size() ? args->kw_defaults[i] : nullptr;
        if (!d) continue;
        keys.push_back(mangle(u().private_name, args->kwonlyargs[i]->name));
        visit_expr(d);
    }
    if (!keys.empty()) {
        emit(Op::LOAD_CONST, str_tuple_const(keys));
        emit(Op::BUILD_CONST_KEY_MAP, static_cast<uint32_t>(keys.size()));
        flags |= 2;
    }
    return flags;
}

// Pushes the dict of a def's annotations, in CPython's order (args before posonlyargs) and
// returns MAKE_FUNCTION's flag for it, or pushes nothing and returns 0 when there are none.
uint32_t Compiler::annotations(const ast::Arguments* args, const ast::Expr* returns) {
    uint32_t count = 0;
    auto add = [&](const std::string& name, const ast::Expr* annotation) {
        if (!annotation) return;
        load_str(name);
        visit_expr(annotation);
        ++count;
    };
    auto add_arg = [&](const ast::Arg* a) {
        if (a) add(mangle(u().private_name, a->name), a->annotation);
    };
    for (const ast::Arg* a : args->args) add_arg(a);
    for (const ast::Arg* a : args->posonlyargs) add_arg(a);
    add_arg(args->vararg);
    for (const ast::Arg* a : args->kwonlyargs) add_arg(a);
    add_arg(args->kwarg);
    add("return", returns);
    if (count == 0) return 0;
    emit(Op::BUILD_MAP, count);
    return 4;
}

namespace {
// Whether a body has an annotated assignment outside nested scopes (CPython's find_ann).
bool has_annotations(const ast::StmtList& body) {
    using K = ast::StmtKind;
    for (const ast::Stmt* s : body) {
        switch (s->kind) {
        case K::AnnAssign: return true;
        case K::For: {
            auto* f = static_cast<const ast::For*>(s);
            if (has_annotations(f->body) || has_annotations(f->orelse)) return true;
            break;
        }
        case K::While: {
            auto* w = static_cast<const ast::While*>(s);
            if (has_annotations(w->body) || has_annotations(w->orelse)) return true;
            break;
        }
        case K::If: {
            auto* i = static_cast<const ast::If*>(s);
            if (has_annotations(i->body) || has_annotations(i->orelse)) return true;
            break;
        }
        case K::With:
            if (has_annotations(static_cast<const ast::With*>(s)->body)) return true;
            break;
        case K::Try: {
            auto* t = static_cast<const ast::Try*>(s);
            if (has_annotations(t->body) || has_annotations(t->orelse) ||
                has_annotations(t->finalbody))
                return true;
            for (const ast::ExceptHandler* h : t->handlers)
                if (has_annotations(h->body)) return true;
            break;
        }
        default: break;
        }
    }
    return false;
}
}  // namespace

// Every module and class body with annotations gets an __annotations__ dict at its start.
void Compiler::setup_annotations(const ast::StmtList& body) {
    if (has_annotations(body)) emit(Op::SETUP_ANNOTATIONS);
}

void Compiler::set_arguments(const ast::Arguments* args) {
    if (!args) return;
    u().argcount = static_cast<int>(args->args.size());
    u().posonlyargcount = static_cast<int>(args->posonlyargs.size());
    u().kwonlyargcount = static_cast<int>(args->kwonlyargs.size());
}

void Compiler::make_closure(vm::Code* code, uint32_t flags) {
    if (!code->freevars.empty()) {
        for (rt::Str* name : code->freevars) {
            emit(Op::LOAD_CLOSURE, deref_index(std::string(name->view())));
        }
        emit(Op::BUILD_TUPLE, static_cast<uint32_t>(code->freevars.size()));
        flags |= 8;
    }
    emit(Op::LOAD_CONST, add_const(rt::Value::object(code)));
    emit(Op::MAKE_FUNCTION, flags);
}

void Compiler::visit_function_def(const ast::FunctionDef* s) {
    for (const ast::Expr* d : s->decorator_list) visit_expr(d);
    int firstlineno = s->decorator_list.empty() ? s->loc.line : s->decorator_list[0]->loc.line;
    u().line = s->loc.line;
    uint32_t flags = default_arguments(s->args);
    flags |= annotations(s->args, s->returns);

    enter_unit(symtable_.scope_of(s), s->is_async ? UnitKind::AsyncFunction : UnitKind::Function,
               s->name, firstlineno);
    size_t start = 0;
    if (const ast::Constant* doc = docstring_of(s->body)) {
        add_const(literal_value(doc));  // consts[0]
        u().has_docstring = true;
        start = 1;
    }
    set_arguments(s->args);
    for (size_t i = start; i < s->body.size(); ++i) visit_stmt(s->body[i]);
    if (s->body.empty() || s->body.back()->kind != ast::StmtKind::Return) {
        load_none();
        emit(Op::RETURN_VALUE);
    }
    vm::Code* code = exit_unit();

    u().line = s->loc.line;
    make_closure(code, flags);
    for (size_t i = s->decorator_list.size(); i-- > 0;) {
        u().line = s->decorator_list[i]->loc.line;
        emit(Op::CALL, 0);  // [decorator, function]: the function sits in the self slot
    }
    u().line = s->loc.line;
    name_op(s->name, ast::Ctx::Store, s->loc);
}

void Compiler::visit_class_def(const ast::ClassDef* s) {
    for (const ast::Expr* d : s->decorator_list) visit_expr(d);
    int firstlineno = s->decorator_list.empty() ? s->loc.line : s->decorator_list[0]->loc.line;

    Scope* ste = symtable_.scope_of(s);
    enter_unit(ste, UnitKind::Class, s->name, firstlineno);
    u().line = s->loc.line;
    name_op("__name__", ast::Ctx::Load, s->loc);
    name_op("__module__", ast::Ctx::Store, s->loc);
    load_str(u().qualname);
    name_op("__qualname__", ast::Ctx::Store, s->loc);
    setup_annotations(s->body);
    size_t start = 0;
    if (const ast::Constant* doc = docstring_of(s->body)) {
        u().line = doc->loc.line;
        load_value(literal_value(doc));
        name_op("__doc__", ast::Ctx::Store, doc->loc);
        start = 1;
    }
    for (size_t i = start; i < s->body.size(); ++i) visit_stmt(s->body[i]);
    // Return the __class__ cell (for super() and __class__ in methods), else None.
    if (ste->needs_class_closure) {
        emit(Op::LOAD_CLOSURE, u().cell_index.at("__class__"));
        emit(Op::COPY, 1);
        name_op("__classcell__", ast::Ctx::Store, s->loc);
    } else {
        load_none();
    }
    emit(Op::RETURN_VALUE);
    vm::Code* code = exit_unit();

    u().line = s->loc.line;
    emit(Op::LOAD_BUILD_CLASS);
    emit(Op::PUSH_NULL);
    make_closure(code, 0);
    load_str(s->name);
    call_helper(2, s->bases, s->keywords, s->loc);
    for (size_t i = s->decorator_list.size(); i-- > 0;) {
        u().line = s->decorator_list[i]->loc.line;
        emit(Op::CALL, 0);
    }
    u().line = s->loc.line;
    name_op(s->name, ast::Ctx::Store, s->loc);
}

void Compiler::visit_return(const ast::Return* s) {
    if (u().ste->kind != ScopeKind::Function) error("'return' outside function", s->loc);
    if (s->value && u().ste->coroutine && u().ste->generator) {
        error("'return' with value in async generator", s->loc);
    }
    bool preserve_tos = s->value && s->value->kind != ast::ExprKind::Constant;
    if (preserve_tos) visit_expr(s->value);
    // A constant's location is the value's, as CPython has it for errors while unwinding.
    if (s->value && !preserve_tos && s->value->loc.line == s->loc.line) u().loc = s->value->loc;
    u().line = s->loc.line;
    unwind_fblock_stack(preserve_tos, nullptr, nullptr);
    u().line = s->loc.line;
    if (!s->value) {
        load_none();
    } else if (!preserve_tos) {
        load_value(literal_value(static_cast<const ast::Constant*>(s->value)));
    }
    emit(Op::RETURN_VALUE);
}

// ------------------------------------------------------------- assignments

void Compiler::visit_assign(const ast::Assign* s) {
    visit_expr(s->value);
    for (size_t i = 0; i < s->targets.size(); ++i) {
        if (i + 1 < s->targets.size()) emit(Op::COPY, 1);
        visit_store(s->targets[i]);
    }
}

namespace {
uint32_t binop_operand(ast::BinOpKind op) {
    using B = ast::BinOpKind;
    using R = rt::BinaryOp;
    R r = R::Add;
    switch (op) {
    case B::Add: r = R::Add; break;
    case B::Sub: r = R::Subtract; break;
    case B::Mult: r = R::Multiply; break;
    case B::MatMult: r = R::MatMul; break;
    case B::Div: r = R::TrueDivide; break;
    case B::Mod: r = R::Remainder; break;
    case B::Pow: r = R::Power; break;
    case B::LShift: r = R::LShift; break;
    case B::RShift: r = R::RShift; break;
    case B::BitOr: r = R::Or; break;
    case B::BitXor: r = R::Xor; break;
    case B::BitAnd: r = R::And; break;
    case B::FloorDiv: r = R::FloorDivide; break;
    }
    return static_cast<uint32_t>(r);
}
}  // namespace

uint32_t binary_op_operand(ast::BinOpKind op) { return binop_operand(op); }

void Compiler::visit_aug_assign(const ast::AugAssign* s) {
    const ast::Expr* t = s->target;
    switch (t->kind) {
    case ast::ExprKind::Attribute: {
        auto* a = static_cast<const ast::Attribute*>(t);
        visit_expr(a->value);
        u().line = s->loc.line;
        emit(Op::COPY, 1);
        emit(Op::LOAD_ATTR, names_index(mangle(u().private_name, a->attr)));
        break;
    }
    case ast::ExprKind::Subscript: {
        auto* sub = static_cast<const ast::Subscript*>(t);
        visit_expr(sub->value);
        visit_expr(sub->slice);
        u().line = s->loc.line;
        emit(Op::COPY, 2);
        emit(Op::COPY, 2);
        emit(Op::BINARY_SUBSCR);
        break;
    }
    case ast::ExprKind::Name:
        name_op(static_cast<const ast::Name*>(t)->id, ast::Ctx::Load, t->loc);
        break;
    default: error("illegal expression for augmented assignment", t->loc);
    }
    visit_expr(s->value);
    u().line = s->loc.line;
    emit(Op::BINARY_OP, binop_operand(s->op) + vm::kInplaceFlag);
    switch (t->kind) {
    case ast::ExprKind::Attribute:
        emit(Op::SWAP, 2);
        emit(Op::STORE_ATTR,
             names_index(mangle(u().private_name, static_cast<const ast::Attribute*>(t)->attr)));
        break;
    case ast::ExprKind::Subscript:
        emit(Op::SWAP, 3);
        emit(Op::SWAP, 2);
        emit(Op::STORE_SUBSCR);
        break;
    default: name_op(static_cast<const ast::Name*>(t)->id, ast::Ctx::Store, t->loc); break;
    }
}

// CPython 3.11 evaluates annotations eagerly, but only in modules and class bodies: there a
// plain name's annotation is stored in __annotations__, another target's is evaluated and
// dropped. In functions annotations are not evaluated.
void Compiler::visit_ann_assign(const ast::AnnAssign* s) {
    if (s->value) {
        visit_expr(s->value);
        visit_store(s->target);
    }
    bool evaluated = u().kind == UnitKind::Module || u().kind == UnitKind::Class;
    if (s->target->kind == ast::ExprKind::Name) {
        if (s->simple && evaluated) {
            visit_expr(s->annotation);
            u().line = s->loc.line;
            emit(Op::LOAD_NAME, names_index("__annotations__"));
            load_str(mangle(u().private_name, static_cast<const ast::Name*>(s->target)->id));
            emit(Op::STORE_SUBSCR);
            return;
        }
    } else if (!s->value) {
        // Without a value, CPython still evaluates the target's object (and subscript).
        if (s->target->kind == ast::ExprKind::Attribute) {
            visit_expr(static_cast<const ast::Attribute*>(s->target)->value);
            emit(Op::POP_TOP);
        } else if (s->target->kind == ast::ExprKind::Subscript) {
            auto* sub = static_cast<const ast::Subscript*>(s->target);
            visit_expr(sub->value);
            emit(Op::POP_TOP);
            visit_expr(sub->slice);
            emit(Op::POP_TOP);
        }
    }
    if (evaluated) {
        visit_expr(s->annotation);
        emit(Op::POP_TOP);
    }
}

// ------------------------------------------------------------------ control

void Compiler::visit_for(const ast::For* s) {
    if (s->is_async) {
        if (u().kind != UnitKind::AsyncFunction && !top_level_await_here()) {
            error("'async for' outside async function", s->loc);
        }
        visit_async_for(s);
        return;
    }
    int start = new_label(), cleanup = new_label(), end = new_label();
    visit_iterable(s->iter);
    u().line = s->loc.line;
    emit(Op::GET_ITER);
    bind(start);
    push_fblock(FBlock(FBlockKind::ForLoop, start, end), s->loc);
    emit_jump(Op::FOR_ITER, cleanup);
    visit_store(s->target);
    visit_body(s->body);
    u().line = s->loc.line;
    emit_jump(Op::JUMP, start);
    bind(cleanup);
    pop_fblock();
    visit_body(s->orelse);
    bind(end);
}

// async for: the iterator stays on the stack; each step awaits __anext__() inside a
// handler that ends the loop on StopAsyncIteration (END_ASYNC_FOR).
void Compiler::visit_async_for(const ast::For* s) {
    int start = new_label(), except = new_label(), end = new_label();
    visit_expr(s->iter);
    u().line = s->loc.line;
    emit(Op::GET_AITER);
    bind(start);
    push_fblock(FBlock(FBlockKind::ForLoop, start, end), s->loc);
    emit_jump(Op::SETUP_FINALLY, except);
    emit(Op::GET_ANEXT);
    load_none();
    yield_from_loop();
    emit(Op::POP_BLOCK);
    visit_store(s->target);
    visit_body(s->body);
    u().line = s->loc.line;
    emit_jump(Op::JUMP, start);
    pop_fblock();
    bind(except);
    u().line = s->loc.line;
    emit(Op::END_ASYNC_FOR);
    visit_body(s->orelse);
    bind(end);
}

namespace {
bool is_constant_true(const ast::Expr* e) {
    if (e->kind != ast::ExprKind::Constant) return false;
    auto* c = static_cast<const ast::Constant*>(e);
    if (c->value_kind == ast::ConstKind::True) return true;
    if (c->value_kind == ast::ConstKind::Int) {
        return c->text.find_first_not_of("0_xXoObB") != std::string::npos;
    }
    return false;
}
}  // namespace

void Compiler::visit_while(const ast::While* s) {
    int loop = new_label(), anchor = new_label(), end = new_label();
    bind(loop);
    push_fblock(FBlock(FBlockKind::WhileLoop, loop, end), s->loc);
    if (!is_constant_true(s->test)) jump_if(s->test, anchor, false);
    visit_body(s->body);
    u().line = s->loc.line;
    emit_jump(Op::JUMP, loop);
    pop_fblock();
    bind(anchor);
    visit_body(s->orelse);
    bind(end);
}

void Compiler::visit_if(const ast::If* s) {
    int next = new_label();
    jump_if(s->test, next, false);
    visit_body(s->body);
    if (!s->orelse.empty()) {
        int end = new_label();
        emit_jump(Op::JUMP, end);
        bind(next);
        visit_body(s->orelse);
        bind(end);
    } else {
        bind(next);
    }
}

void Compiler::visit_break(const ast::Stmt* s) {
    FBlock loop(FBlockKind::WhileLoop);
    bool found = false;
    unwind_fblock_stack(false, &loop, &found);
    if (!found) error("'break' outside loop", s->loc);
    u().line = s->loc.line;
    unwind_fblock(loop, false);
    emit_jump(Op::JUMP, loop.exit);
}

void Compiler::visit_continue(const ast::Stmt* s) {
    FBlock loop(FBlockKind::WhileLoop);
    bool found = false;
    unwind_fblock_stack(false, &loop, &found);
    if (!found) error("'continue' not properly in loop", s->loc);
    u().line = s->loc.line;
    emit_jump(Op::JUMP, loop.block);
}

// --------------------------------------------------------------- unwinding

void Compiler::call_exit_with_nones() {
    load_none();
    load_none();
    load_none();
    emit(Op::CALL, 2);
}

void Compiler::pop_except_and_reraise() {
    emit(Op::SWAP, 2);
    emit(Op::POP_EXCEPT);
    emit(Op::RERAISE);
}

// CPython's compiler_unwind_fblock: the code that leaves one block early.
void Compiler::unwind_fblock(const FBlock& block, bool preserve_tos) {
    switch (block.kind) {
    case FBlockKind::WhileLoop:
    case FBlockKind::ExceptionHandler: return;
    case FBlockKind::ExceptionGroupHandler:
        error("'break', 'continue' and 'return' cannot appear in an except* block", u().loc);
    case FBlockKind::ForLoop:
        if (preserve_tos) emit(Op::SWAP, 2);
        emit(Op::POP_ITERATOR);
        return;
    case FBlockKind::TryExcept: emit(Op::POP_BLOCK); return;
    case FBlockKind::FinallyTry: {
        int line = u().line;
        emit(Op::POP_BLOCK);
        if (preserve_tos) push_fblock(FBlock(FBlockKind::PopValue), {line});
        visit_body(*block.finalbody);
        if (preserve_tos) pop_fblock();
        u().line = line;
        return;
    }
    case FBlockKind::FinallyEnd:
        if (preserve_tos) emit(Op::SWAP, 2);
        emit(Op::POP_TOP);  // the exception
        if (preserve_tos) emit(Op::SWAP, 2);
        emit(Op::POP_BLOCK);
        emit(Op::POP_EXCEPT);
        return;
    case FBlockKind::With: {
        int line = u().line;
        u().line = block.stmt->loc.line;
        emit(Op::POP_BLOCK);
        if (preserve_tos) emit(Op::SWAP, 2);
        call_exit_with_nones();
        if (block.stmt && static_cast<const ast::With*>(block.stmt)->is_async) await_tos(2);
        emit(Op::POP_TOP);
        u().line = line;
        return;
    }
    case FBlockKind::HandlerCleanup:
        if (!block.name.empty()) emit(Op::POP_BLOCK);
        if (preserve_tos) emit(Op::SWAP, 2);
        emit(Op::POP_BLOCK);
        emit(Op::POP_EXCEPT);
        if (!block.name.empty()) {
            load_none();
            name_op(block.name, ast::Ctx::Store, {u().line});
            name_op(block.name, ast::Ctx::Del, {u().line});
        }
        return;
    case FBlockKind::PopValue:
        if (preserve_tos) emit(Op::SWAP, 2);
        emit(Op::POP_TOP);
        return;
    }
}

void Compiler::unwind_fblock_stack(bool preserve_tos, FBlock* loop, bool* found_loop) {
    auto& blocks = u().fblocks;
    if (blocks.empty()) return;
    FBlock top = blocks.back();
    if (loop && (top.kind == FBlockKind::WhileLoop || top.kind == FBlockKind::ForLoop)) {
        *loop = top;
        *found_loop = true;
        return;
    }
    blocks.pop_back();
    unwind_fblock(top, preserve_tos);
    unwind_fblock_stack(preserve_tos, loop, found_loop);
    u().fblocks.push_back(std::move(top));
}

// ---------------------------------------------------------------- with, try

void Compiler::visit_with(const ast::With* s, size_t pos) {
    const ast::WithItem* item = s->items[pos];
    int final_label = new_label(), exit = new_label();
    visit_expr(item->context_expr);
    u().line = s->loc.line;
    if (s->is_async) {
        emit(Op::BEFORE_ASYNC_WITH);
        await_tos(1);
    } else {
        emit(Op::BEFORE_WITH);
    }
    emit_jump(Op::SETUP_WITH, final_label);
    FBlock block(FBlockKind::With);
    block.stmt = s;
    push_fblock(block, s->loc);
    if (item->optional_vars) {
        visit_store(item->optional_vars);
    } else {
        emit(Op::POP_TOP);  // the __enter__ result
    }
    if (pos + 1 == s->items.size()) {
        visit_body(s->body);
    } else {
        visit_with(s, pos + 1);
    }
    u().line = s->loc.line;
    emit(Op::POP_BLOCK);
    pop_fblock();
    call_exit_with_nones();
    if (s->is_async) await_tos(2);
    emit(Op::POP_TOP);
    emit_jump(Op::JUMP, exit);

    bind(final_label);  // [exit, exc]
    int cleanup = new_label(), suppress = new_label();
    emit_jump(Op::SETUP_FINALLY, cleanup);
    emit(Op::PUSH_EXC_INFO);
    emit(Op::WITH_EXCEPT_START);
    if (s->is_async) await_tos(2);
    emit_jump(Op::POP_JUMP_IF_TRUE, suppress);
    emit(Op::RERAISE);
    bind(cleanup);
    pop_except_and_reraise();
    bind(suppress);
    emit(Op::POP_TOP);  // the exception
    emit(Op::POP_BLOCK);
    emit(Op::POP_EXCEPT);
    emit(Op::POP_TOP);  // exit
    bind(exit);
}

void Compiler::visit_try(const ast::Try* s) {
    if (!s->finalbody.empty()) {
        visit_try_finally(s);
    } else if (s->is_star) {
        visit_try_star(s);
    } else {
        visit_try_except(s);
    }
}

void Compiler::visit_try_finally(const ast::Try* s) {
    int handler = new_label(), exit = new_label(), cleanup = new_label();
    emit_jump(Op::SETUP_FINALLY, handler);
    FBlock block(FBlockKind::FinallyTry);
    block.finalbody = &s->finalbody;
    push_fblock(block, s->loc);
    if (s->is_star) {
        visit_try_star(s);
    } else if (!s->handlers.empty()) {
        visit_try_except(s);
    } else {
        visit_body(s->body);
    }
    emit(Op::POP_BLOCK);
    pop_fblock();
    visit_body(s->finalbody);
    emit_jump(Op::JUMP, exit);

    bind(handler);  // [exc]
    u().line = s->finalbody.front()->loc.line;
    emit_jump(Op::SETUP_FINALLY, cleanup);
    emit(Op::PUSH_EXC_INFO);
    push_fblock(FBlock(FBlockKind::FinallyEnd), s->loc);
    visit_body(s->finalbody);
    pop_fblock();
    emit(Op::RERAISE);
    bind(cleanup);
    pop_except_and_reraise();
    bind(exit);
}

// SETUP_FINALLY except; <body>; POP_BLOCK; <orelse>; JUMP end
void Compiler::try_body_and_else(const ast::Try* s, int except, int end) {
    u().line = s->loc.line;
    emit_jump(Op::SETUP_FINALLY, except);
    push_fblock(FBlock(FBlockKind::TryExcept), s->loc);
    visit_body(s->body);
    pop_fblock();
    emit(Op::POP_BLOCK);
    visit_body(s->orelse);
    emit_jump(Op::JUMP, end);
}

// SETUP_FINALLY cleanup_end; <body of h>; POP_BLOCK (the body runs with h's name bound).
void Compiler::handler_body(const ast::ExceptHandler* h, int cleanup_end) {
    emit_jump(Op::SETUP_FINALLY, cleanup_end);
    FBlock block(FBlockKind::HandlerCleanup);
    block.name = h->name;
    push_fblock(block, h->loc);
    visit_body(h->body);
    pop_fblock();
    emit(Op::POP_BLOCK);
}

// `name = None; del name` after an `except ... as name` clause.
void Compiler::clear_handler_name(const std::string& name, const ast::Loc& loc) {
    if (name.empty()) return;
    load_none();
    name_op(name, ast::Ctx::Store, loc);
    name_op(name, ast::Ctx::Del, loc);
}

void Compiler::visit_try_except(const ast::Try* s) {
    int except = new_label(), end = new_label(), cleanup = new_label();
    try_body_and_else(s, except, end);
    bind(except);  // [exc]
    if (!s->handlers.empty()) u().line = s->handlers.front()->loc.line;
    emit_jump(Op::SETUP_FINALLY, cleanup);
    emit(Op::PUSH_EXC_INFO);  // [prev_exc, exc]
    push_fblock(FBlock(FBlockKind::ExceptionHandler), s->loc);
    for (size_t i = 0; i < s->handlers.size(); ++i) {
        const ast::ExceptHandler* h = s->handlers[i];
        u().line = h->loc.line;
        if (!h->type && i + 1 < s->handlers.size()) error("default 'except:' must be last", h->loc);
        int next = new_label();
        if (h->type) {
            visit_expr(h->type);
            u().line = h->loc.line;
            emit(Op::CHECK_EXC_MATCH);
            emit_jump(Op::POP_JUMP_IF_FALSE, next);
        }
        if (!h->name.empty()) {
            name_op(h->name, ast::Ctx::Store, h->loc);
            int cleanup_end = new_label();
            handler_body(h, cleanup_end);
            emit(Op::POP_BLOCK);
            emit(Op::POP_EXCEPT);
            clear_handler_name(h->name, h->loc);
            emit_jump(Op::JUMP, end);
            bind(cleanup_end);  // [prev_exc, exc2]
            u().line = h->loc.line;
            clear_handler_name(h->name, h->loc);
            emit(Op::RERAISE);
        } else {
            emit(Op::POP_TOP);  // the exception
            push_fblock(FBlock(FBlockKind::HandlerCleanup), h->loc);
            visit_body(h->body);
            pop_fblock();
            emit(Op::POP_BLOCK);
            emit(Op::POP_EXCEPT);
            emit_jump(Op::JUMP, end);
        }
        bind(next);
    }
    pop_fblock();
    emit(Op::RERAISE);  // no handler matched
    bind(cleanup);
    pop_except_and_reraise();
    bind(end);
}

// try/except* (PEP 654), as CPython 3.11's compiler_try_star_except: each clause takes its part
// of what is left of the group; what no clause handled and what the clauses raised are
// re-raised together at the end.
void Compiler::visit_try_star(const ast::Try* s) {
    int except = new_label(), end = new_label(), cleanup = new_label(), reraise = new_label();
    try_body_and_else(s, except, end);
    bind(except);  // [exc]
    u().line = s->handlers.front()->loc.line;
    emit_jump(Op::SETUP_FINALLY, cleanup);
    emit(Op::PUSH_EXC_INFO);  // [prev_exc, exc]
    emit(Op::COPY, 1);
    emit(Op::BUILD_LIST, 0);
    emit(Op::SWAP, 2);  // [prev_exc, orig, raised, exc]
    push_fblock(FBlock(FBlockKind::ExceptionGroupHandler), s->loc);
    for (const ast::ExceptHandler* h : s->handlers) {
        int no_match = new_label(), next = new_label(), cleanup_end = new_label();
        u().line = h->loc.line;
        visit_expr(h->type);
        u().line = h->loc.line;
        emit(Op::CHECK_EG_MATCH);  // [prev_exc, orig, raised, rest, match]
        emit(Op::COPY, 1);
        emit_jump(Op::POP_JUMP_IF_NONE, no_match);
        if (!h->name.empty()) {
            name_op(h->name, ast::Ctx::Store, h->loc);
        } else {
            emit(Op::POP_TOP);
        }
        handler_body(h, cleanup_end);
        clear_handler_name(h->name, h->loc);
        emit_jump(Op::JUMP, next);
        bind(cleanup_end);  // [prev_exc, orig, raised, rest, exc2]
        u().line = h->loc.line;
        clear_handler_name(h->name, h->loc);
        emit(Op::LIST_APPEND, 2);
        emit_jump(Op::JUMP, next);
        bind(no_match);
        emit(Op::POP_TOP);  // None
        bind(next);
    }
    pop_fblock();
    emit(Op::LIST_APPEND, 1);  // what no clause matched
    emit(Op::PREP_RERAISE_STAR);
    emit(Op::COPY, 1);
    emit_jump(Op::POP_JUMP_IF_NOT_NONE, reraise);
    emit(Op::POP_TOP);
    emit(Op::POP_BLOCK);
    emit(Op::POP_EXCEPT);
    emit_jump(Op::JUMP, end);
    bind(reraise);  // [prev_exc, exc]
    emit(Op::POP_BLOCK);
    emit(Op::SWAP, 2);
    emit(Op::POP_EXCEPT);
    emit(Op::RERAISE);
    bind(cleanup);
    pop_except_and_reraise();
    bind(end);
}

// -------------------------------------------------------------------- misc

void Compiler::visit_raise(const ast::Raise* s) {
    uint32_t n = 0;
    if (s->exc) {
        visit_expr(s->exc);
        ++n;
        if (s->cause) {
            visit_expr(s->cause);
            ++n;
        }
    }
    u().line = s->loc.line;
    emit(Op::RAISE_VARARGS, n);
}

void Compiler::visit_assert(const ast::Assert* s) {
    int end = new_label();
    jump_if(s->test, end, true);
    u().line = s->loc.line;
    emit(Op::LOAD_ASSERTION_ERROR);
    if (s->msg) {
        visit_expr(s->msg);
        emit(Op::CALL, 0);  // [AssertionError, msg]: msg in the self slot
    }
    emit(Op::RAISE_VARARGS, 1);
    bind(end);
}

void Compiler::visit_import(const ast::Import* s) {
    for (const ast::Alias* alias : s->names) {
        load_int(0);
        load_none();
        emit(Op::IMPORT_NAME, names_index(mangle(u().private_name, alias->name)));
        size_t dot = alias->name.find('.');
        if (alias->asname.empty()) {
            name_op(alias->name.substr(0, dot), ast::Ctx::Store, s->loc);
            continue;
        }
        if (dot != std::string::npos) {
            // `import a.b.c as d` binds d to the submodule: walk down with IMPORT_FROM.
            while (true) {
                size_t pos = dot + 1;
                dot = alias->name.find('.', pos);
                size_t len = dot == std::string::npos ? dot : dot - pos;
                std::string attr = alias->name.substr(pos, len);
                emit(Op::IMPORT_FROM, names_index(attr));
                if (dot == std::string::npos) break;
                emit(Op::SWAP, 2);
                emit(Op::POP_TOP);
            }
            name_op(alias->asname, ast::Ctx::Store, s->loc);
            emit(Op::POP_TOP);
        } else {
            name_op(alias->asname, ast::Ctx::Store, s->loc);
        }
    }
}

void Compiler::visit_import_from(const ast::ImportFrom* s) {
    load_int(s->level);
    std::vector<std::string> names;
    for (const ast::Alias* alias : s->names) names.push_back(alias->name);
    emit(Op::LOAD_CONST, str_tuple_const(names));
    emit(Op::IMPORT_NAME, names_index(s->module));
    for (const ast::Alias* alias : s->names) {
        if (alias->name == "*") {
            emit(Op::IMPORT_STAR);
            return;
        }
        emit(Op::IMPORT_FROM, names_index(alias->name));
        name_op(alias->asname.empty() ? alias->name : alias->asname, ast::Ctx::Store, s->loc);
    }
    emit(Op::POP_TOP);  // the module
}

void Compiler::visit_expr_stmt(const ast::ExprStmt* s) {
    if (mode_ == Mode::Interactive && units_.size() == 1) {
        visit_expr(s->value);
        u().line = s->loc.line;
        emit(Op::PRINT_EXPR);
        return;
    }
    if (s->value->kind == ast::ExprKind::Constant) return;  // a docstring-like no-op
    visit_expr(s->value);
    u().line = s->loc.line;
    emit(Op::POP_TOP);
}

}  // namespace apy::compiler
