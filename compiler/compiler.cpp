// Units (one per code object), instruction emission, constants and names, and
// assembly: label resolution and the stack-depth flow analysis.
#include <algorithm>
#include <climits>
#include <cstring>
#include <stdexcept>

#include "compiler/compiler_impl.h"
#include "runtime/numbers.h"

namespace apy::compiler {

using vm::Op;

// ------------------------------------------------------------- stack effects

int stack_effect(Op op, uint32_t operand, bool jump) {
    int n = static_cast<int>(operand);
    switch (op) {
    case Op::COPY: return 1;
    case Op::SWAP: return 0;
    case Op::BUILD_SLICE: return 1 - n;
    case Op::BUILD_TUPLE:
    case Op::BUILD_LIST:
    case Op::BUILD_SET:
    case Op::BUILD_STRING: return 1 - n;
    case Op::BUILD_MAP: return 1 - 2 * n;
    case Op::BUILD_CONST_KEY_MAP: return -n;
    case Op::FORMAT_VALUE: return (n & 4) ? -1 : 0;
    case Op::UNPACK_SEQUENCE: return n - 1;
    case Op::UNPACK_EX: return (n & 0xFF) + (n >> 8);
    case Op::JUMP_IF_FALSE_OR_POP:
    case Op::JUMP_IF_TRUE_OR_POP: return jump ? 0 : -1;
    case Op::FOR_ITER: return jump ? -1 : 1;
    case Op::MAKE_FUNCTION:
        return -(((n & 1) ? 1 : 0) + ((n & 2) ? 1 : 0) + ((n & 4) ? 1 : 0) + ((n & 8) ? 1 : 0));
    case Op::CALL: return -n - 1;
    case Op::CALL_FUNCTION_EX: return -2 - (n & 1);
    case Op::RAISE_VARARGS: return -n;
    case Op::SETUP_FINALLY: return jump ? 1 : 0;
    case Op::SETUP_WITH: return 0;  // handler: minus the __enter__ result, plus the exception
    case Op::SEND: return jump ? -1 : 0;
    default: break;
    }
    const vm::OpInfo& info = vm::op_info(op);
    if (info.pops == vm::kVariableEffect || info.pushes == vm::kVariableEffect) {
        throw std::logic_error(std::string("stack_effect: unhandled ") + info.name);
    }
    return info.pushes - info.pops;
}

namespace {

bool is_terminal(Op op) {
    return op == Op::JUMP || op == Op::JUMP_BACKWARD || op == Op::RETURN_VALUE ||
           op == Op::RAISE_VARARGS || op == Op::RERAISE;
}

// CPython's stackdepth(): follows every path from the entry, recording the
// depth (and block-stack depth) each instruction starts at.
void compute_depths(vm::Code* code, bool generator) {
    const auto& instrs = code->instructions;
    const int n = static_cast<int>(instrs.size());
    std::vector<int> seen(n, INT_MIN);
    struct Item {
        int index, depth, blocks;
    };
    std::vector<Item> work;
    int max_depth = 0, max_blocks = 0;
    auto push = [&](int index, int depth, int blocks) {
        if (index < 0 || index >= n) throw std::logic_error("compiler: jump out of range");
        if (depth < 0) throw std::logic_error("compiler: negative stack depth");
        max_depth = std::max(max_depth, depth);
        if (seen[index] == INT_MIN) work.push_back({index, depth, blocks});
    };
    // A resumed generator frame starts with the value sent in on the stack.
    push(0, generator ? 1 : 0, 0);
    while (!work.empty()) {
        Item item = work.back();
        work.pop_back();
        int i = item.index, depth = item.depth, blocks = item.blocks;
        while (i < n && seen[i] == INT_MIN) {
            seen[i] = depth;
            Op op = vm::instr_op(instrs[i]);
            uint32_t arg = vm::instr_arg(instrs[i]);
            if (vm::op_info(op).operand == vm::OperandKind::Jump) {
                push(static_cast<int>(arg), depth + stack_effect(op, arg, true), blocks);
                if (op == Op::SETUP_FINALLY || op == Op::SETUP_WITH) {
                    ++blocks;
                    max_blocks = std::max(max_blocks, blocks);
                }
            }
            if (op == Op::POP_BLOCK) --blocks;
            if (blocks < 0) throw std::logic_error("compiler: block stack underflow");
            depth += stack_effect(op, arg, false);
            if (depth < 0) throw std::logic_error("compiler: stack underflow");
            max_depth = std::max(max_depth, depth);
            if (is_terminal(op)) break;
            ++i;
        }
    }
    code->stacksize = max_depth;
    code->maxblocks = max_blocks;
}

std::vector<std::string> sorted_names(const Scope* ste, bool (*pred)(const Symbol&)) {
    std::vector<std::string> out;
    for (const auto& [name, sym] : ste->symbols) {
        if (pred(sym)) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

// ------------------------------------------------------------------- units

void Compiler::enter_unit(Scope* ste, UnitKind kind, std::string name, int firstlineno) {
    auto unit = std::make_unique<Unit>();
    Unit* parent = units_.empty() ? nullptr : units_.back().get();
    unit->ste = ste;
    unit->kind = kind;
    unit->name = std::move(name);
    unit->firstlineno = firstlineno;
    unit->line = firstlineno;
    unit->private_name = kind == UnitKind::Class ? unit->name
                         : parent               ? parent->private_name
                                                : std::string();
    // CPython's compiler_set_qualname.
    if (parent && parent->kind != UnitKind::Module) {
        bool force_global = false;
        if (kind == UnitKind::Function || kind == UnitKind::AsyncFunction ||
            kind == UnitKind::Class) {
            std::string mangled = mangle(parent->private_name, unit->name);
            force_global = parent->ste->resolve(mangled) == Resolution::GlobalExplicit;
        }
        if (force_global) {
            unit->qualname = unit->name;
        } else if (parent->kind == UnitKind::Function || parent->kind == UnitKind::AsyncFunction ||
                   parent->kind == UnitKind::Lambda) {
            unit->qualname = parent->qualname + ".<locals>." + unit->name;
        } else {
            unit->qualname = parent->qualname + "." + unit->name;
        }
    } else {
        unit->qualname = unit->name;
    }

    for (const std::string& v : ste->varnames) {
        unit->varname_index.emplace(v, static_cast<uint32_t>(unit->varnames.size()));
        unit->varnames.push_back(v);
    }
    if (ste->needs_class_closure) {
        unit->cellvars.push_back("__class__");
    } else {
        unit->cellvars =
            sorted_names(ste, [](const Symbol& s) { return s.scope == Resolution::Cell; });
    }
    unit->freevars = sorted_names(ste, [](const Symbol& s) {
        return s.scope == Resolution::Free || (s.flags & kDefFreeClass);
    });
    for (size_t i = 0; i < unit->cellvars.size(); ++i) {
        unit->cell_index.emplace(unit->cellvars[i], static_cast<uint32_t>(i));
    }
    for (size_t i = 0; i < unit->freevars.size(); ++i) {
        unit->free_index.emplace(unit->freevars[i], static_cast<uint32_t>(i));
    }
    units_.push_back(std::move(unit));

    // Prefix: generators first suspend (the VM starts them at index 1, the POP_TOP of the
    // value sent in); then parameters that are cells move into their cell.
    if ((ste->kind == ScopeKind::Function && (ste->generator || ste->coroutine)) ||
        (kind == UnitKind::Module && top_level_await)) {
        emit(Op::RETURN_GENERATOR);
        emit(Op::POP_TOP);
    }
    for (size_t i = 0; i < u().cellvars.size(); ++i) {
        if (ste->flags_of(u().cellvars[i]) & kDefParam) {
            emit(Op::MAKE_CELL, static_cast<uint32_t>(i));
        }
    }
}

vm::Code* Compiler::exit_unit() {
    Unit& unit = u();
    vm::Code* code = vm::make_code();
    code->instructions = std::move(unit.instrs);
    code->lines = std::move(unit.lines);
    code->positions = std::move(unit.positions);
    // Resolve labels; every backward jump is a JUMP_BACKWARD (the VM's safe point).
    for (size_t i = 0; i < code->instructions.size(); ++i) {
        Op op = vm::instr_op(code->instructions[i]);
        if (vm::op_info(op).operand != vm::OperandKind::Jump) continue;
        int target = unit.labels[vm::instr_arg(code->instructions[i])];
        if (target < 0) throw std::logic_error("compiler: unbound label");
        if (op == Op::JUMP && target <= static_cast<int>(i)) op = Op::JUMP_BACKWARD;
        if (op == Op::JUMP_BACKWARD && target > static_cast<int>(i)) op = Op::JUMP;
        code->instructions[i] = vm::make_instr(op, static_cast<uint32_t>(target));
    }
    code->consts = std::move(unit.consts);
    code->names = std::move(unit.names);
    for (const std::string& v : unit.varnames) code->varnames.push_back(rt::intern(v));
    for (const std::string& v : unit.cellvars) {
        code->cellvars.push_back(rt::intern(v));
        auto it = unit.varname_index.find(v);
        bool param = it != unit.varname_index.end() && (unit.ste->flags_of(v) & kDefParam);
        code->cell2arg.push_back(param ? static_cast<int32_t>(it->second) : -1);
    }
    for (const std::string& v : unit.freevars) code->freevars.push_back(rt::intern(v));

    const Scope* ste = unit.ste;
    uint32_t flags = 0;
    switch (unit.kind) {
    case UnitKind::Module:
        flags = vm::kModuleLevel;
        if (top_level_await) flags |= vm::kCoroutine;  // the REPL's await at top level
        break;
    case UnitKind::Class: flags = vm::kModuleLevel | vm::kClassBody; break;
    default:
        if (ste->varargs) flags |= vm::kVarArgs;
        if (ste->varkeywords) flags |= vm::kVarKeywords;
        if (ste->generator && !ste->coroutine) flags |= vm::kGenerator;
        if (!ste->generator && ste->coroutine) flags |= vm::kCoroutine;
        if (ste->generator && ste->coroutine) flags |= vm::kAsyncGenerator;
        break;
    }
    code->flags = flags;
    code->argcount = unit.argcount + unit.posonlyargcount;
    code->posonlyargcount = unit.posonlyargcount;
    code->kwonlyargcount = unit.kwonlyargcount;
    code->firstlineno = unit.firstlineno;
    code->has_docstring = unit.has_docstring;
    code->name = rt::intern(unit.name);
    code->qualname = rt::intern(unit.qualname);
    code->filename = rt::intern(source_.path);
    compute_depths(code, (flags & (vm::kGenerator | vm::kCoroutine | vm::kAsyncGenerator)) != 0);
    vm::finish_code(code);
    units_.pop_back();
    return code;
}

// ---------------------------------------------------------------- emission

void Compiler::emit(Op op, uint32_t operand) {
    if (operand > vm::kMaxOperand) error("too many names, constants or instructions", {u().line});
    Unit& unit = u();
    unit.instrs.push_back(vm::make_instr(op, operand));
    unit.lines.push_back(unit.line);
    // Columns only while the line is still the node's own (some statements move it).
    const ast::Loc& loc = unit.loc;
    if (loc.line == unit.line && loc.line > 0)
        unit.positions.push_back({loc.end_line, loc.col, loc.end_col});
    else
        unit.positions.push_back({unit.line, -1, -1});
}

SavedLoc Compiler::enter_loc(const ast::Loc& loc) {
    SavedLoc saved{u().line, u().loc};
    u().line = loc.line;
    u().loc = loc;
    return saved;
}

int Compiler::new_label() {
    u().labels.push_back(-1);
    return static_cast<int>(u().labels.size() - 1);
}

void Compiler::bind(int label) { u().labels[label] = static_cast<int>(u().instrs.size()); }

void Compiler::error(const std::string& message, const ast::Loc& loc) {
    int end_col = loc.end_line == loc.line ? loc.end_col : -1;
    throw SyntaxErrorInfo("SyntaxError", message, loc.line, loc.col, end_col);
}

void Compiler::push_fblock(FBlock block, const ast::Loc& loc) {
    if (u().fblocks.size() >= static_cast<size_t>(kMaxBlocks)) {
        error("too many statically nested blocks", loc);
    }
    u().fblocks.push_back(std::move(block));
}

// ------------------------------------------------------- constants and names

uint32_t Compiler::add_const(rt::Value v) {
    std::string key = constant_key(v);
    Unit& unit = u();
    if (key.empty()) {
        unit.consts.push_back(v);
        return static_cast<uint32_t>(unit.consts.size() - 1);
    }
    auto it = unit.const_index.find(key);
    if (it != unit.const_index.end()) return it->second;
    uint32_t index = static_cast<uint32_t>(unit.consts.size());
    unit.consts.push_back(constant_cache_.emplace(key, v).first->second);
    unit.const_index.emplace(std::move(key), index);
    return index;
}

void Compiler::load_none() { load_value(rt::Value::none()); }

void Compiler::load_str(const std::string& s) { load_value(str_constant(s)); }

void Compiler::load_int(int64_t i) { load_value(rt::make_int(i)); }

uint32_t Compiler::str_tuple_const(const std::vector<std::string>& items) {
    rt::Tuple* tuple = rt::make_tuple(static_cast<int64_t>(items.size()));
    for (size_t i = 0; i < items.size(); ++i) {
        tuple->items[i] = rt::Value::object(rt::intern(items[i]));
    }
    return add_const(rt::Value::object(tuple));
}

uint32_t Compiler::names_index(const std::string& name) {
    Unit& unit = u();
    auto it = unit.name_index.find(name);
    if (it != unit.name_index.end()) return it->second;
    uint32_t index = static_cast<uint32_t>(unit.names.size());
    unit.names.push_back(rt::intern(name));
    unit.name_index.emplace(name, index);
    return index;
}

uint32_t Compiler::deref_index(const std::string& name) {
    Unit& unit = u();
    auto it = unit.cell_index.find(name);
    if (it != unit.cell_index.end()) return it->second;
    it = unit.free_index.find(name);
    if (it != unit.free_index.end()) {
        return static_cast<uint32_t>(unit.cellvars.size()) + it->second;
    }
    throw std::logic_error("compiler: no cell or free variable " + name);
}

// CPython's compiler_nameop: where a name lives decides the opcode family.
void Compiler::name_op(const std::string& raw, ast::Ctx ctx, const ast::Loc& loc) {
    (void)loc;
    Unit& unit = u();
    std::string name = mangle(unit.private_name, raw);
    bool function = unit.ste->kind == ScopeKind::Function;
    enum { Fast, Global, Deref, Name } type = Name;
    switch (unit.ste->resolve(name)) {
    case Resolution::Free:
    case Resolution::Cell: type = Deref; break;
    case Resolution::Local: type = function ? Fast : Name; break;
    case Resolution::GlobalImplicit: type = function ? Global : Name; break;
    case Resolution::GlobalExplicit: type = Global; break;
    case Resolution::Unknown: break;
    }
    switch (type) {
    case Deref: {
        uint32_t i = deref_index(name);
        if (ctx == ast::Ctx::Load) {
            emit(unit.ste->kind == ScopeKind::Class ? Op::LOAD_CLASSDEREF : Op::LOAD_DEREF, i);
        } else {
            emit(ctx == ast::Ctx::Store ? Op::STORE_DEREF : Op::DELETE_DEREF, i);
        }
        return;
    }
    case Fast: {
        auto it = unit.varname_index.find(name);
        uint32_t i;
        if (it == unit.varname_index.end()) {
            i = static_cast<uint32_t>(unit.varnames.size());
            unit.varnames.push_back(name);
            unit.varname_index.emplace(name, i);
        } else {
            i = it->second;
        }
        emit(ctx == ast::Ctx::Load    ? Op::LOAD_FAST
             : ctx == ast::Ctx::Store ? Op::STORE_FAST
                                      : Op::DELETE_FAST,
             i);
        return;
    }
    case Global:
        emit(ctx == ast::Ctx::Load    ? Op::LOAD_GLOBAL
             : ctx == ast::Ctx::Store ? Op::STORE_GLOBAL
                                      : Op::DELETE_GLOBAL,
             names_index(name));
        return;
    case Name:
        emit(ctx == ast::Ctx::Load    ? Op::LOAD_NAME
             : ctx == ast::Ctx::Store ? Op::STORE_NAME
                                      : Op::DELETE_NAME,
             names_index(name));
        return;
    }
}

// ------------------------------------------------------------------ module


vm::Code* Compiler::compile(const ast::Module& module) {
    enter_unit(symtable_.top(), UnitKind::Module, "<module>", 1);
    setup_annotations(module.body);
    size_t start = 0;
    if (mode_ == Mode::File) {
        if (const ast::Constant* doc = docstring_of(module.body)) {
            u().line = doc->loc.line;
            load_value(literal_value(doc));
            name_op("__doc__", ast::Ctx::Store, doc->loc);
            start = 1;
        }
    }
    for (size_t i = start; i < module.body.size(); ++i) visit_stmt(module.body[i]);
    load_none();
    emit(Op::RETURN_VALUE);
    return exit_unit();
}

vm::Code* compile_module(const ast::Module& module, const apy::Source& source, Mode mode,
                         bool top_level_await) {
    std::unique_ptr<SymbolTable> table = SymbolTable::build(module);
    Compiler compiler(source, mode, *table);
    compiler.top_level_await = top_level_await;
    return compiler.compile(module);
}

}  // namespace apy::compiler
