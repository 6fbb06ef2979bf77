#include "compiler/symtable.h"

#include <set>

namespace apy::compiler {

namespace {

using NameSet = std::set<std::string>;

[[noreturn]] void fail(const std::string& message, const ast::Loc& loc,
                       const char* type = "SyntaxError") {
    int end_col = loc.end_line == loc.line ? loc.end_col : -1;
    throw SyntaxErrorInfo(type, message, loc.line, loc.col, end_col);
}

}  // namespace

std::string mangle(const std::string& private_name, const std::string& name) {
    if (private_name.empty() || name.size() < 2 || name[0] != '_' || name[1] != '_') return name;
    // Dunder names and dotted (import) names are left alone.
    if (name.size() >= 4 && name[name.size() - 1] == '_' && name[name.size() - 2] == '_') {
        return name;
    }
    if (name.find('.') != std::string::npos) return name;
    size_t start = private_name.find_first_not_of('_');
    if (start == std::string::npos) return name;  // class named only with underscores
    return "_" + private_name.substr(start) + name;
}

Scope* SymbolTable::scope_of(const ast::Node* node) const {
    auto it = by_node_.find(node);
    return it == by_node_.end() ? nullptr : it->second;
}

// ------------------------------------------------------------------ building

class SymtableBuilder {
public:
    explicit SymtableBuilder(SymbolTable& table) : table_(table) {}

    void run(const ast::Module& module) {
        Scope* top = enter(ScopeKind::Module, "top", nullptr, 1);
        for (ast::Stmt* s : module.body) visit_stmt(s);
        exit();
        NameSet free, global;
        analyze_block(top, nullptr, free, global);
    }

private:
    Scope* enter(ScopeKind kind, std::string name, const ast::Node* node, int lineno) {
        auto owned = std::make_unique<Scope>();
        Scope* scope = owned.get();
        scope->kind = kind;
        scope->name = std::move(name);
        scope->node = node;
        scope->lineno = lineno;
        scope->parent = cur_;
        if (cur_) {
            cur_->children.push_back(scope);
            scope->private_name = cur_->private_name;
            if (cur_->nested || cur_->kind == ScopeKind::Function) scope->nested = true;
        }
        table_.scopes_.push_back(std::move(owned));
        if (node) table_.by_node_[node] = scope;
        stack_.push_back(scope);
        cur_ = scope;
        return scope;
    }
    void exit() {
        stack_.pop_back();
        cur_ = stack_.empty() ? nullptr : stack_.back();
    }

    void add_def_in(Scope* scope, const std::string& raw, uint32_t flag, const ast::Loc& loc) {
        std::string name = mangle(scope->private_name, raw);
        auto [it, inserted] = scope->symbols.try_emplace(name);
        if (inserted) scope->order.push_back(name);
        Symbol& sym = it->second;
        if ((flag & kDefParam) && (sym.flags & kDefParam)) {
            fail("duplicate argument '" + name + "' in function definition", loc);
        }
        if ((flag & (kDefGlobal | kDefNonlocal)) && !(sym.flags & (kDefGlobal | kDefNonlocal))) {
            sym.decl_loc = loc;
        }
        sym.flags |= flag;
        if (flag & kDefParam) scope->varnames.push_back(name);
    }
    void add_def(const std::string& name, uint32_t flag, const ast::Loc& loc) {
        add_def_in(cur_, name, flag, loc);
    }

    struct DepthGuard {
        explicit DepthGuard(SymtableBuilder& b, const ast::Loc& loc) : b(b) {
            if (++b.depth_ > kMaxNesting) {
                fail("maximum recursion depth exceeded during compilation", loc, "RecursionError");
            }
        }
        ~DepthGuard() { --b.depth_; }
        SymtableBuilder& b;
    };

    void visit_exprs(const ast::ExprList& list) {
        for (ast::Expr* e : list) {
            if (e) visit_expr(e);
        }
    }
    void visit_body(const ast::StmtList& list) {
        for (ast::Stmt* s : list) visit_stmt(s);
    }

    void visit_params(const ast::Arguments* args) {
        if (!args) return;
        for (ast::Arg* a : args->posonlyargs) add_def(a->name, kDefParam, a->loc);
        for (ast::Arg* a : args->args) add_def(a->name, kDefParam, a->loc);
        for (ast::Arg* a : args->kwonlyargs) add_def(a->name, kDefParam, a->loc);
        if (args->vararg) {
            add_def(args->vararg->name, kDefParam, args->vararg->loc);
            cur_->varargs = true;
        }
        if (args->kwarg) {
            add_def(args->kwarg->name, kDefParam, args->kwarg->loc);
            cur_->varkeywords = true;
        }
    }
    void visit_defaults(const ast::Arguments* args) {
        if (!args) return;
        visit_exprs(args->defaults);
        visit_exprs(args->kw_defaults);
    }
    // Annotations are evaluated in the scope enclosing the def.
    void visit_annotations(const ast::Arguments* args, const ast::Expr* returns) {
        auto visit = [&](const ast::Arg* a) {
            if (a && a->annotation) visit_expr(a->annotation);
        };
        for (const ast::Arg* a : args->posonlyargs) visit(a);
        for (const ast::Arg* a : args->args) visit(a);
        visit(args->vararg);
        for (const ast::Arg* a : args->kwonlyargs) visit(a);
        visit(args->kwarg);
        if (returns) visit_expr(returns);
    }

    void visit_stmt(const ast::Stmt* s);
    void visit_expr(const ast::Expr* e);
    void visit_declaration(const ast::Stmt* s, const std::vector<std::string>& names, bool global);
    void visit_comprehension(const ast::Expr* e, const ast::ComprehensionList& gens,
                             const ast::Expr* elt, const ast::Expr* value, CompKind kind);
    void extend_namedexpr_scope(const ast::Name* target);

    void analyze_block(Scope* scope, NameSet* bound, NameSet& free, NameSet& global);
    void analyze_name(const std::string& name, Symbol& sym, NameSet* bound,
                      NameSet& local, NameSet& free, NameSet& global);

    SymbolTable& table_;
    std::vector<Scope*> stack_;
    Scope* cur_ = nullptr;
    int depth_ = 0;
};

void SymtableBuilder::visit_declaration(const ast::Stmt* s, const std::vector<std::string>& names,
                                        bool global) {
    const char* what = global ? "global" : "nonlocal";
    if (!global && cur_->kind == ScopeKind::Module) {
        fail("nonlocal declaration not allowed at module level", s->loc);
    }
    for (const std::string& raw : names) {
        std::string name = mangle(cur_->private_name, raw);
        uint32_t cur = cur_->flags_of(name);
        if (cur & (kDefParam | kDefLocal | kUse | kDefAnnot)) {
            std::string msg;
            if (cur & kDefParam) {
                msg = "name '" + name + "' is parameter and " + what;
            } else if (cur & kUse) {
                msg = "name '" + name + "' is used prior to " + what + " declaration";
            } else if (cur & kDefAnnot) {
                msg = "annotated name '" + name + "' can't be " + what;
            } else {
                msg = "name '" + name + "' is assigned to before " + what + " declaration";
            }
            fail(msg, s->loc);
        }
        add_def(raw, global ? kDefGlobal : kDefNonlocal, s->loc);
    }
}

void SymtableBuilder::visit_stmt(const ast::Stmt* s) {
    DepthGuard guard(*this, s->loc);
    using K = ast::StmtKind;
    switch (s->kind) {
    case K::FunctionDef: {
        auto* f = static_cast<const ast::FunctionDef*>(s);
        add_def(f->name, kDefLocal, s->loc);
        visit_defaults(f->args);
        visit_annotations(f->args, f->returns);
        visit_exprs(f->decorator_list);
        int line = f->decorator_list.empty() ? s->loc.line : f->decorator_list[0]->loc.line;
        Scope* scope = enter(ScopeKind::Function, f->name, f, line);
        scope->is_async_def = f->is_async;
        if (f->is_async) scope->coroutine = true;
        visit_params(f->args);
        visit_body(f->body);
        exit();
        break;
    }
    case K::ClassDef: {
        auto* c = static_cast<const ast::ClassDef*>(s);
        add_def(c->name, kDefLocal, s->loc);
        visit_exprs(c->bases);
        for (ast::Keyword* k : c->keywords) visit_expr(k->value);
        visit_exprs(c->decorator_list);
        int line = c->decorator_list.empty() ? s->loc.line : c->decorator_list[0]->loc.line;
        Scope* scope = enter(ScopeKind::Class, c->name, c, line);
        scope->private_name = c->name;
        visit_body(c->body);
        exit();
        break;
    }
    case K::Return: {
        auto* r = static_cast<const ast::Return*>(s);
        if (r->value) visit_expr(r->value);
        break;
    }
    case K::Delete:
        visit_exprs(static_cast<const ast::Delete*>(s)->targets);
        break;
    case K::Assign: {
        auto* a = static_cast<const ast::Assign*>(s);
        visit_exprs(a->targets);
        visit_expr(a->value);
        break;
    }
    case K::AugAssign: {
        auto* a = static_cast<const ast::AugAssign*>(s);
        visit_expr(a->target);
        visit_expr(a->value);
        break;
    }
    case K::AnnAssign: {
        auto* a = static_cast<const ast::AnnAssign*>(s);
        if (a->target->kind == ast::ExprKind::Name) {
            auto* n = static_cast<const ast::Name*>(a->target);
            uint32_t cur = cur_->flags_of(mangle(cur_->private_name, n->id));
            if ((cur & (kDefGlobal | kDefNonlocal)) && cur_->kind != ScopeKind::Module &&
                a->simple) {
                fail(std::string("annotated name '") + n->id + "' can't be " +
                         ((cur & kDefGlobal) ? "global" : "nonlocal"),
                     s->loc);
            }
            if (a->simple) {
                add_def(n->id, kDefAnnot | kDefLocal, n->loc);
            } else if (a->value) {
                add_def(n->id, kDefLocal, n->loc);
            }
        } else {
            visit_expr(a->target);
        }
        visit_expr(a->annotation);
        if (a->value) visit_expr(a->value);
        break;
    }
    case K::For: {
        auto* f = static_cast<const ast::For*>(s);
        visit_expr(f->target);
        visit_expr(f->iter);
        visit_body(f->body);
        visit_body(f->orelse);
        break;
    }
    case K::While: {
        auto* w = static_cast<const ast::While*>(s);
        visit_expr(w->test);
        visit_body(w->body);
        visit_body(w->orelse);
        break;
    }
    case K::If: {
        auto* i = static_cast<const ast::If*>(s);
        visit_expr(i->test);
        visit_body(i->body);
        visit_body(i->orelse);
        break;
    }
    case K::With: {
        auto* w = static_cast<const ast::With*>(s);
        for (ast::WithItem* item : w->items) {
            visit_expr(item->context_expr);
            if (item->optional_vars) visit_expr(item->optional_vars);
        }
        visit_body(w->body);
        break;
    }
    case K::Raise: {
        auto* r = static_cast<const ast::Raise*>(s);
        if (r->exc) visit_expr(r->exc);
        if (r->cause) visit_expr(r->cause);
        break;
    }
    case K::Try: {
        auto* t = static_cast<const ast::Try*>(s);
        visit_body(t->body);
        visit_body(t->orelse);
        for (ast::ExceptHandler* h : t->handlers) {
            if (h->type) visit_expr(h->type);
            if (!h->name.empty()) add_def(h->name, kDefLocal, h->loc);
            visit_body(h->body);
        }
        visit_body(t->finalbody);
        break;
    }
    case K::Assert: {
        auto* a = static_cast<const ast::Assert*>(s);
        visit_expr(a->test);
        if (a->msg) visit_expr(a->msg);
        break;
    }
    case K::Import:
    case K::ImportFrom: {
        const auto& names = s->kind == K::Import ? static_cast<const ast::Import*>(s)->names
                                                 : static_cast<const ast::ImportFrom*>(s)->names;
        for (ast::Alias* alias : names) {
            if (alias->name == "*") {
                if (cur_->kind != ScopeKind::Module) {
                    fail("import * only allowed at module level", s->loc);
                }
                continue;
            }
            std::string store = alias->asname;
            if (store.empty()) store = alias->name.substr(0, alias->name.find('.'));
            add_def(store, kDefImport, alias->loc.line ? alias->loc : s->loc);
        }
        break;
    }
    case K::Global:
        visit_declaration(s, static_cast<const ast::Global*>(s)->names, true);
        break;
    case K::Nonlocal:
        visit_declaration(s, static_cast<const ast::Nonlocal*>(s)->names, false);
        break;
    case K::ExprStmt:
        visit_expr(static_cast<const ast::ExprStmt*>(s)->value);
        break;
    case K::Pass:
    case K::Break:
    case K::Continue:
        break;
    }
}

void SymtableBuilder::extend_namedexpr_scope(const ast::Name* target) {
    const std::string& name = target->id;
    for (size_t i = stack_.size(); i-- > 0;) {
        Scope* scope = stack_[i];
        if (scope->comprehension != CompKind::None) {
            if (scope->flags_of(name) & kDefCompIter) {
                fail("assignment expression cannot rebind comprehension iteration variable '" +
                         name + "'",
                     target->loc);
            }
            continue;
        }
        if (scope->kind == ScopeKind::Function) {
            if (scope->flags_of(name) & kDefGlobal) {
                add_def(name, kDefGlobal, target->loc);
            } else {
                add_def(name, kDefNonlocal, target->loc);
            }
            add_def_in(scope, name, kDefLocal, target->loc);
            return;
        }
        if (scope->kind == ScopeKind::Module) {
            add_def(name, kDefGlobal, target->loc);
            add_def_in(scope, name, kDefGlobal, target->loc);
            return;
        }
        fail("assignment expression within a comprehension cannot be used in a class body",
             target->loc);
    }
}

void SymtableBuilder::visit_comprehension(const ast::Expr* e, const ast::ComprehensionList& gens,
                                          const ast::Expr* elt, const ast::Expr* value,
                                          CompKind kind) {
    const ast::Comprehension* outer = gens[0];
    // The outermost iterable is evaluated in the enclosing scope.
    cur_->comp_iter_expr++;
    visit_expr(outer->iter);
    cur_->comp_iter_expr--;
    static const char* names[] = {"", "listcomp", "setcomp", "dictcomp", "genexpr"};
    Scope* scope = enter(ScopeKind::Function, names[static_cast<int>(kind)], e, e->loc.line);
    scope->comprehension = kind;
    if (outer->is_async) scope->coroutine = true;
    add_def(".0", kDefParam, e->loc);
    for (size_t i = 0; i < gens.size(); ++i) {
        const ast::Comprehension* gen = gens[i];
        scope->comp_iter_target++;
        visit_expr(gen->target);
        scope->comp_iter_target--;
        if (i > 0) {
            scope->comp_iter_expr++;
            visit_expr(gen->iter);
            scope->comp_iter_expr--;
            if (gen->is_async) scope->coroutine = true;
        }
        visit_exprs(gen->ifs);
    }
    if (value) visit_expr(value);
    visit_expr(elt);
    if (kind == CompKind::Generator) scope->generator = true;
    exit();
}

void SymtableBuilder::visit_expr(const ast::Expr* e) {
    DepthGuard guard(*this, e->loc);
    using K = ast::ExprKind;
    switch (e->kind) {
    case K::BoolOp:
        visit_exprs(static_cast<const ast::BoolOp*>(e)->values);
        break;
    case K::NamedExpr: {
        auto* n = static_cast<const ast::NamedExpr*>(e);
        if (cur_->comp_iter_expr > 0) {
            fail("assignment expression cannot be used in a comprehension iterable expression",
                 e->loc);
        }
        if (cur_->comprehension != CompKind::None &&
            n->target->kind == ast::ExprKind::Name) {
            extend_namedexpr_scope(static_cast<const ast::Name*>(n->target));
        }
        visit_expr(n->value);
        visit_expr(n->target);
        break;
    }
    case K::BinOp: {
        auto* b = static_cast<const ast::BinOp*>(e);
        visit_expr(b->left);
        visit_expr(b->right);
        break;
    }
    case K::UnaryOp:
        visit_expr(static_cast<const ast::UnaryOp*>(e)->operand);
        break;
    case K::Lambda: {
        auto* l = static_cast<const ast::Lambda*>(e);
        visit_defaults(l->args);
        Scope* scope = enter(ScopeKind::Function, "lambda", l, e->loc.line);
        scope->is_lambda = true;
        visit_params(l->args);
        visit_expr(l->body);
        exit();
        break;
    }
    case K::IfExp: {
        auto* i = static_cast<const ast::IfExp*>(e);
        visit_expr(i->test);
        visit_expr(i->body);
        visit_expr(i->orelse);
        break;
    }
    case K::Dict: {
        auto* d = static_cast<const ast::Dict*>(e);
        visit_exprs(d->keys);
        visit_exprs(d->values);
        break;
    }
    case K::Set:
        visit_exprs(static_cast<const ast::Set*>(e)->elts);
        break;
    case K::ListComp: {
        auto* c = static_cast<const ast::ListComp*>(e);
        visit_comprehension(e, c->generators, c->elt, nullptr, CompKind::List);
        break;
    }
    case K::SetComp: {
        auto* c = static_cast<const ast::SetComp*>(e);
        visit_comprehension(e, c->generators, c->elt, nullptr, CompKind::Set);
        break;
    }
    case K::DictComp: {
        auto* c = static_cast<const ast::DictComp*>(e);
        visit_comprehension(e, c->generators, c->key, c->value, CompKind::Dict);
        break;
    }
    case K::GeneratorExp: {
        auto* c = static_cast<const ast::GeneratorExp*>(e);
        visit_comprehension(e, c->generators, c->elt, nullptr, CompKind::Generator);
        break;
    }
    case K::Await:
        visit_expr(static_cast<const ast::Await*>(e)->value);
        cur_->coroutine = true;
        break;
    case K::Yield:
    case K::YieldFrom: {
        const ast::Expr* value = e->kind == K::Yield
                                     ? static_cast<const ast::Yield*>(e)->value
                                     : static_cast<const ast::YieldFrom*>(e)->value;
        if (value) visit_expr(value);
        cur_->generator = true;
        switch (cur_->comprehension) {
        case CompKind::None: break;
        case CompKind::List: fail("'yield' inside list comprehension", e->loc);
        case CompKind::Set: fail("'yield' inside set comprehension", e->loc);
        case CompKind::Dict: fail("'yield' inside dict comprehension", e->loc);
        case CompKind::Generator: fail("'yield' inside generator expression", e->loc);
        }
        break;
    }
    case K::Compare: {
        auto* c = static_cast<const ast::Compare*>(e);
        visit_expr(c->left);
        visit_exprs(c->comparators);
        break;
    }
    case K::Call: {
        auto* c = static_cast<const ast::Call*>(e);
        visit_expr(c->func);
        visit_exprs(c->args);
        for (ast::Keyword* k : c->keywords) visit_expr(k->value);
        break;
    }
    case K::FormattedValue: {
        auto* f = static_cast<const ast::FormattedValue*>(e);
        visit_expr(f->value);
        if (f->format_spec) visit_expr(f->format_spec);
        break;
    }
    case K::JoinedStr:
        visit_exprs(static_cast<const ast::JoinedStr*>(e)->values);
        break;
    case K::Constant:
        break;
    case K::Attribute:
        visit_expr(static_cast<const ast::Attribute*>(e)->value);
        break;
    case K::Subscript: {
        auto* s = static_cast<const ast::Subscript*>(e);
        visit_expr(s->value);
        visit_expr(s->slice);
        break;
    }
    case K::Starred:
        visit_expr(static_cast<const ast::Starred*>(e)->value);
        break;
    case K::Name: {
        auto* n = static_cast<const ast::Name*>(e);
        uint32_t flag = n->ctx == ast::Ctx::Load ? kUse : kDefLocal;
        if (cur_->comp_iter_target > 0 && flag == kDefLocal) flag |= kDefCompIter;
        add_def(n->id, flag, e->loc);
        // super() needs the __class__ cell of the enclosing class.
        if (n->ctx == ast::Ctx::Load && cur_->kind == ScopeKind::Function && n->id == "super") {
            add_def("__class__", kUse, e->loc);
        }
        break;
    }
    case K::List:
        visit_exprs(static_cast<const ast::List*>(e)->elts);
        break;
    case K::Tuple:
        visit_exprs(static_cast<const ast::Tuple*>(e)->elts);
        break;
    case K::Slice: {
        auto* s = static_cast<const ast::Slice*>(e);
        if (s->lower) visit_expr(s->lower);
        if (s->upper) visit_expr(s->upper);
        if (s->step) visit_expr(s->step);
        break;
    }
    }
}

// ----------------------------------------------------------------- analysis

void SymtableBuilder::analyze_name(const std::string& name, Symbol& sym,
                                   NameSet* bound, NameSet& local, NameSet& free,
                                   NameSet& global) {
    const ast::Loc& loc = sym.decl_loc;
    if (sym.flags & kDefGlobal) {
        if (sym.flags & kDefNonlocal) fail("name '" + name + "' is nonlocal and global", loc);
        sym.scope = Resolution::GlobalExplicit;
        global.insert(name);
        if (bound) bound->erase(name);
        return;
    }
    if (sym.flags & kDefNonlocal) {
        if (!bound) fail("nonlocal declaration not allowed at module level", loc);
        if (!bound->count(name)) fail("no binding for nonlocal '" + name + "' found", loc);
        sym.scope = Resolution::Free;
        free.insert(name);
        return;
    }
    if (sym.flags & kDefBound) {
        sym.scope = Resolution::Local;
        local.insert(name);
        global.erase(name);
        return;
    }
    if (bound && bound->count(name)) {
        sym.scope = Resolution::Free;
        free.insert(name);
        return;
    }
    sym.scope = Resolution::GlobalImplicit;
}

void SymtableBuilder::analyze_block(Scope* scope, NameSet* bound, NameSet& free,
                                    NameSet& global) {
    NameSet local, newbound, newglobal, newfree, allfree;
    // A class namespace is invisible to nested functions: pass down what came in.
    if (scope->kind == ScopeKind::Class) {
        newglobal = global;
        if (bound) newbound = *bound;
    }
    for (const std::string& name : scope->order) {
        analyze_name(name, scope->symbols[name], bound, local, free, global);
    }
    if (scope->kind != ScopeKind::Class) {
        if (scope->kind == ScopeKind::Function) newbound.insert(local.begin(), local.end());
        if (bound) newbound.insert(bound->begin(), bound->end());
        newglobal.insert(global.begin(), global.end());
    } else {
        newbound.insert("__class__");
    }
    for (Scope* child : scope->children) {
        NameSet child_bound = newbound, child_free, child_global = newglobal;
        analyze_block(child, &child_bound, child_free, child_global);
        allfree.insert(child_free.begin(), child_free.end());
    }
    newfree.insert(allfree.begin(), allfree.end());

    if (scope->kind == ScopeKind::Function) {
        // Locals that inner functions use become cells.
        for (auto& [name, sym] : scope->symbols) {
            if (sym.scope == Resolution::Local && newfree.count(name)) {
                sym.scope = Resolution::Cell;
                newfree.erase(name);
            }
        }
    } else if (scope->kind == ScopeKind::Class) {
        if (newfree.erase("__class__")) scope->needs_class_closure = true;
    }
    // Free variables of children not resolved here pass through this scope.
    for (const std::string& name : newfree) {
        auto it = scope->symbols.find(name);
        if (it != scope->symbols.end()) {
            if (scope->kind == ScopeKind::Class &&
                (it->second.flags & (kDefBound | kDefGlobal))) {
                it->second.flags |= kDefFreeClass;
            }
            continue;
        }
        if (bound && !bound->count(name)) continue;  // a global
        Symbol sym;
        sym.scope = Resolution::Free;
        scope->symbols.emplace(name, sym);
        scope->order.push_back(name);
    }
    free.insert(newfree.begin(), newfree.end());
}

std::unique_ptr<SymbolTable> SymbolTable::build(const ast::Module& module) {
    auto table = std::unique_ptr<SymbolTable>(new SymbolTable());
    SymtableBuilder builder(*table);
    builder.run(module);
    return table;
}

}  // namespace apy::compiler
