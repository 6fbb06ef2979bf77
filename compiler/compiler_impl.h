// The compiler's internals, shared by compiler.cpp, compile_stmt.cpp and compile_expr.cpp.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/compiler.h"
#include "compiler/symtable.h"

namespace apy::compiler {

// What kind of code a unit compiles (CPython's COMPILER_SCOPE_*).
enum class UnitKind : uint8_t { Module, Class, Function, AsyncFunction, Lambda, Comprehension };

// Compile-time blocks that `return`, `break` and `continue` must unwind (CPython's fblocks).
enum class FBlockKind : uint8_t {
    WhileLoop, ForLoop, TryExcept, FinallyTry, FinallyEnd, With, HandlerCleanup, PopValue,
    ExceptionHandler, ExceptionGroupHandler
};

struct FBlock {
    explicit FBlock(FBlockKind kind, int block = -1, int exit = -1)
        : kind(kind), block(block), exit(exit) {}
    FBlockKind kind;
    int block = -1;  // loops: the label `continue` jumps to
    int exit = -1;   // loops: the label `break` jumps to
    const ast::StmtList* finalbody = nullptr;  // FinallyTry
    const ast::Stmt* stmt = nullptr;           // With: the statement (for its line)
    std::string name;                          // HandlerCleanup: the `as` name, if any
};

// A unit's location saved by Compiler::enter_loc.
struct SavedLoc {
    int line;
    ast::Loc loc;
};

// One code object being compiled.
struct Unit {
    Scope* ste = nullptr;
    UnitKind kind = UnitKind::Module;
    std::string name, qualname, private_name;
    int firstlineno = 1;

    std::vector<vm::Instr> instrs;
    std::vector<int32_t> lines;
    std::vector<vm::Position> positions;
    std::vector<int> labels;  // label id -> instruction index (-1 until bound)

    std::vector<rt::Value> consts;
    std::unordered_map<std::string, uint32_t> const_index;
    std::vector<rt::Str*> names;
    std::unordered_map<std::string, uint32_t> name_index;
    std::vector<std::string> varnames, cellvars, freevars;
    std::unordered_map<std::string, uint32_t> varname_index, cell_index, free_index;

    int argcount = 0, posonlyargcount = 0, kwonlyargcount = 0;
    bool has_docstring = false;
    int line = 1;  // the line given to the next instruction
    // The location of the node being compiled (CPython's u_col_offset, u_end_lineno and
    // u_end_col_offset): the next instructions' columns while its line is [line].
    ast::Loc loc;
    std::vector<FBlock> fblocks;
};

class Compiler {
public:
    Compiler(const Source& source, Mode mode, SymbolTable& symtable)
        : source_(source), mode_(mode), symtable_(symtable) {}

    vm::Code* compile(const ast::Module& module);

    // ---- compiler.cpp: units, emission, names, assembly
    void enter_unit(Scope* ste, UnitKind kind, std::string name, int firstlineno);
    vm::Code* exit_unit();
    Unit& u() { return *units_.back(); }

    void emit(vm::Op op, uint32_t operand = 0);
    // Gives the next instructions the location of a node; returns the one to restore.
    SavedLoc enter_loc(const ast::Loc& loc);
    void leave_loc(const SavedLoc& saved) {
        u().line = saved.line;
        u().loc = saved.loc;
    }
    int new_label();
    void bind(int label);
    void emit_jump(vm::Op op, int label) { emit(op, static_cast<uint32_t>(label)); }

    // The index of constant [v] in the unit's consts (equal constants share one).
    uint32_t add_const(rt::Value v);
    void load_none();
    void load_str(const std::string& s);
    void load_int(int64_t i);
    uint32_t names_index(const std::string& name);  // mangled
    uint32_t str_tuple_const(const std::vector<std::string>& items);
    uint32_t deref_index(const std::string& name);
    void name_op(const std::string& name, ast::Ctx ctx, const ast::Loc& loc);

    [[noreturn]] void error(const std::string& message, const ast::Loc& loc);
    void push_fblock(FBlock block, const ast::Loc& loc);
    void pop_fblock() { u().fblocks.pop_back(); }

    // ---- fold.cpp: constants and constant folding (CPython's ast_opt.c)
    rt::Value literal_value(const ast::Constant* c);
    rt::Value str_constant(const std::string& s);
    // What [e] folds to (a literal, an operator on constants, a tuple or subscript of
    // constants), or null when it is not a constant. Memoized per node.
    rt::Value constant_value(const ast::Expr* e);
    rt::Value fold(const ast::Expr* e);
    bool all_constant(const ast::ExprList& elts);
    rt::Value constant_tuple(const ast::ExprList& elts);  // of constant elements
    // The frozenset of constant elements (null when one is unhashable).
    rt::Value constant_frozenset(const ast::ExprList& elts);
    void load_value(rt::Value v);
    // The iterable of a `for` or comprehension, or what `in` tests: a list display is built
    // as a tuple, and one of constants or a set of constants is loaded as a constant.
    void visit_iterable(const ast::Expr* e);

    // ---- compile_stmt.cpp
    void visit_stmt(const ast::Stmt* s);
    void visit_body(const ast::StmtList& body);
    void visit_function_def(const ast::FunctionDef* s);
    void visit_class_def(const ast::ClassDef* s);
    void visit_return(const ast::Return* s);
    void visit_assign(const ast::Assign* s);
    void visit_aug_assign(const ast::AugAssign* s);
    void visit_ann_assign(const ast::AnnAssign* s);
    void visit_for(const ast::For* s);
    void visit_while(const ast::While* s);
    void visit_if(const ast::If* s);
    void visit_with(const ast::With* s, size_t pos);
    void visit_raise(const ast::Raise* s);
    void visit_try(const ast::Try* s);
    void visit_try_except(const ast::Try* s);
    void visit_try_star(const ast::Try* s);
    void try_body_and_else(const ast::Try* s, int except, int end);
    void handler_body(const ast::ExceptHandler* h, int cleanup_end);
    void clear_handler_name(const std::string& name, const ast::Loc& loc);
    void visit_try_finally(const ast::Try* s);
    void visit_assert(const ast::Assert* s);
    void visit_import(const ast::Import* s);
    void visit_import_from(const ast::ImportFrom* s);
    void visit_break(const ast::Stmt* s);
    void visit_continue(const ast::Stmt* s);
    void visit_expr_stmt(const ast::ExprStmt* s);
    void call_exit_with_nones();
    void unwind_fblock(const FBlock& block, bool preserve_tos);
    // Unwinds every fblock up to the innermost loop (when [loop] is given) or all of them.
    void unwind_fblock_stack(bool preserve_tos, FBlock* loop, bool* found_loop);
    void pop_except_and_reraise();
    uint32_t default_arguments(const ast::Arguments* args);
    uint32_t annotations(const ast::Arguments* args, const ast::Expr* returns);
    void setup_annotations(const ast::StmtList& body);
    void make_closure(vm::Code* code, uint32_t flags);
    void set_arguments(const ast::Arguments* args);

    // ---- compile_expr.cpp
    void visit_expr(const ast::Expr* e);
    void visit_expr_inner(const ast::Expr* e);
    void visit_store(const ast::Expr* target);
    void visit_delete(const ast::Expr* target);
    void jump_if(const ast::Expr* e, int label, bool cond);
    void visit_bool_op(const ast::BoolOp* e);
    void visit_compare(const ast::Compare* e);
    void visit_compared(const ast::Compare* e, size_t i);
    void emit_compare(ast::CmpOpKind op);
    void visit_call(const ast::Call* e);
    void call_helper(int pushed, const ast::ExprList& args,
                     const std::vector<ast::Keyword*>& keywords, const ast::Loc& loc);
    void kw_names(const std::vector<ast::Keyword*>& keywords, size_t begin, size_t end);
    void subkwargs(const std::vector<ast::Keyword*>& keywords, size_t begin, size_t end);
    void starunpack(const ast::ExprList& elts, int pushed, vm::Op build, vm::Op add,
                    vm::Op extend, bool tuple);
    void visit_dict(const ast::Dict* e);
    void subdict(const ast::Dict* e, size_t begin, size_t end);
    void visit_lambda(const ast::Lambda* e);
    void visit_comprehension(const ast::Expr* e, const ast::ComprehensionList& gens,
                             const ast::Expr* elt, const ast::Expr* value, CompKind kind);
    void comprehension_generator(const ast::ComprehensionList& gens, size_t index, int depth,
                                 const ast::Expr* elt, const ast::Expr* value, CompKind kind);
    void yield_from_loop();
    // Awaits TOS: GET_AWAITABLE [where]; LOAD_CONST None; the SEND loop.
    void await_tos(uint32_t where);
    void emit_yield();
    void visit_async_for(const ast::For* s);
    void visit_joined_str(const ast::JoinedStr* e);
    void visit_formatted_value(const ast::FormattedValue* e);
    void unpack_helper(const ast::ExprList& elts, const ast::Loc& loc);
    void visit_slice(const ast::Slice* e);

    const Source& source_;
    Mode mode_;
    // The REPL's top-level await (CPython's PyCF_ALLOW_TOP_LEVEL_AWAIT): the module body is
    // compiled as a coroutine, so await, async for and async with are allowed at its level.
    bool top_level_await = false;
    bool top_level_await_here() { return top_level_await && u().kind == UnitKind::Module; }
    SymbolTable& symtable_;
    std::vector<std::unique_ptr<Unit>> units_;
    std::unordered_map<const ast::Expr*, rt::Value> folded_;
    // Every constant of the compilation by its constant_key (CPython's c_const_cache).
    std::unordered_map<std::string, rt::Value> constant_cache_;
};

// A key equal for equal constants of the same type (CPython's _PyCode_ConstantKey: 1, 1.0
// and True differ, so do 0.0 and -0.0); empty for values never merged (code objects).
std::string constant_key(rt::Value v);

// CPython's STACK_USE_GUARD: bigger displays and calls are built incrementally.
constexpr int kStackUseGuard = 30;
// CPython's CO_MAXBLOCKS: the limit of statically nested try/with/loop blocks.
constexpr int kMaxBlocks = 20;

// BINARY_OP's operand for an AST operator (rt::BinaryOp order).
uint32_t binary_op_operand(ast::BinOpKind op);

// The docstring of a body: a string literal as its first statement.
inline const ast::Constant* docstring_of(const ast::StmtList& body) {
    if (body.empty() || body[0]->kind != ast::StmtKind::ExprStmt) return nullptr;
    const ast::Expr* e = static_cast<const ast::ExprStmt*>(body[0])->value;
    if (e->kind != ast::ExprKind::Constant) return nullptr;
    auto* c = static_cast<const ast::Constant*>(e);
    return c->value_kind == ast::ConstKind::Str ? c : nullptr;
}

}  // namespace apy::compiler
