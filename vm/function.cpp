// Callables and code: the function, builtin_function_or_method, method, code
// and cell types.
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "vm/code.h"
#include "vm/interp.h"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <unordered_set>

namespace apy::vm {

using namespace rt;

Code* make_code() { return heap().make<Code>(types.code_); }

void finish_code(Code* code) {
    code->stack_start = code->nlocals() + code->nderefs();
    code->nslots = code->stack_start + code->stacksize;
    code->simple_call = !(code->flags & (kVarArgs | kVarKeywords | kModuleLevel)) &&
                        code->kwonlyargcount == 0 && code->cellvars.empty();
    bool makes_generator = code->flags & (kGenerator | kCoroutine | kAsyncGenerator);
    code->plain_call_argcount = code->simple_call && !makes_generator ? code->argcount : -1;
    code->awaited_call_argcount =
        code->simple_call && runs_as_awaited_call(code) ? code->argcount : -1;
    // Parameters are bound when the frame starts: unless a DELETE_FAST unbinds one, its
    // LOAD_FASTs need no check.
    int nparams = code->argcount + code->kwonlyargcount + ((code->flags & kVarArgs) ? 1 : 0) +
                  ((code->flags & kVarKeywords) ? 1 : 0);
    std::vector<bool> always_bound(static_cast<size_t>(nparams), true);
    for (Instr word : code->instructions) {
        if (instr_op(word) == Op::DELETE_FAST && instr_arg(word) < always_bound.size())
            always_bound[instr_arg(word)] = false;
    }
    code->caches.clear();
    for (size_t i = 0; i < code->instructions.size(); ++i) {
        Instr& word = code->instructions[i];
        Op op = instr_op(word);
        if (op == Op::LOAD_FAST && instr_arg(word) < always_bound.size() &&
            always_bound[instr_arg(word)])
            word = make_instr(Op::LOAD_FAST_PARAM, instr_arg(word));
        if (op == Op::BINARY_OP) {
            auto binary = static_cast<BinaryOp>(instr_arg(word) & 15);
            if (binary == BinaryOp::Add) word = make_instr(Op::BINARY_OP_ADD, instr_arg(word));
            if (binary == BinaryOp::Subtract)
                word = make_instr(Op::BINARY_OP_SUBTRACT, instr_arg(word));
        }
        if (op == Op::CALL && i > 0 && instr_op(code->instructions[i - 1]) == Op::KW_NAMES)
            word = make_instr(Op::CALL_KW, instr_arg(word));
        else if (op == Op::CALL && awaits_at(code, i + 1))
            word = make_instr(Op::CALL_AWAITED, instr_arg(word));
        if (op == Op::LOAD_GLOBAL && i + 1 < code->instructions.size() &&
            instr_op(code->instructions[i + 1]) == Op::PUSH_NULL)
            op = Op::LOAD_GLOBAL_NULL;
        if (!has_inline_cache(op)) continue;
        InlineCache entry;
        entry.name = code->names[instr_arg(word)];
        word = make_instr(op, static_cast<uint32_t>(code->caches.size()));
        code->caches.push_back(entry);
    }
}

uint32_t emitted_operand(const Code* code, int index) {
    Instr word = code->instructions[index];
    if (!has_inline_cache(instr_op(word))) return instr_arg(word);
    const rt::Str* name = code->caches[instr_arg(word)].name;
    return static_cast<uint32_t>(std::find(code->names.begin(), code->names.end(), name) -
                                 code->names.begin());
}

int line_of(const Code* code, int index) {
    if (index < 0 || index >= static_cast<int>(code->lines.size())) return code->firstlineno;
    return code->lines[index];
}

Position position_of(const Code* code, int index) {
    if (index < 0 || index >= static_cast<int>(code->positions.size()))
        return {line_of(code, index), -1, -1};
    return code->positions[index];
}

namespace {

std::string address(const void* p) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "0x%012llx",
                  static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(p)));
    return buffer;
}

// ---- function

Value function_call(Value self, Value* args, int nargs, Tuple* kwnames) {
    return call_function(as<Function>(self), args, nargs, kwnames);
}

Value function_repr(Value self) {
    Function* fn = as<Function>(self);
    return str_value("<function " + std::string(fn->qualname->view()) + " at " + address(fn) + ">");
}

Value function_descr_get(Value self, Value instance, Value) {
    if (instance.is_none() || instance.is_null()) return self;
    auto* m = heap().make<BoundMethod>(types.method_);
    m->function = self;
    m->self = instance;
    return Value::object(m);
}

Value function_getattr(Value self, Str* name) {
    Function* fn = as<Function>(self);
    std::string_view n = name->view();
    if (n == "__name__") return Value::object(fn->name);
    if (n == "__qualname__") return Value::object(fn->qualname);
    if (n == "__doc__") return fn->doc;
    if (n == "__module__") {
        static Str* const kName = intern("__name__");
        Value m = dict_get_str(fn->globals, kName);
        return m.is_null() ? Value::none() : m;
    }
    if (n == "__defaults__") return fn->defaults ? Value::object(fn->defaults) : Value::none();
    if (n == "__kwdefaults__") return fn->kwdefaults ? Value::object(fn->kwdefaults) : Value::none();
    if (n == "__code__") return Value::object(fn->code);
    if (n == "__globals__") return Value::object(fn->globals);
    if (n == "__closure__") return fn->closure ? Value::object(fn->closure) : Value::none();
    if (n == "__dict__") {
        if (!fn->attrs) fn->attrs = make_dict();
        return Value::object(fn->attrs);
    }
    if (n == "__annotations__") {
        if (!fn->annotations) fn->annotations = make_dict();
        return Value::object(fn->annotations);
    }
    return generic_getattr(self, name);
}

bool function_setattr(Value self, Str* name, Value value) {
    Function* fn = as<Function>(self);
    std::string_view n = name->view();
    if (n == "__name__" || n == "__qualname__") {
        if (value.is_null() || !is_str(value)) {
            raise_format(exc.TypeError, "%.*s must be set to a string object",
                         static_cast<int>(n.size()), n.data());
            return false;
        }
        (n == "__name__" ? fn->name : fn->qualname) = as<Str>(value);
        return true;
    }
    if (n == "__doc__") {
        fn->doc = value.is_null() ? Value::none() : value;
        return true;
    }
    if (n == "__closure__" || n == "__globals__") {
        raise(exc.AttributeError, "readonly attribute");
        return false;
    }
    if (n == "__defaults__") {
        fn->defaults = value.is_null() || value.is_none() ? nullptr : as<Tuple>(value);
        return true;
    }
    if (n == "__annotations__") {
        if (!value.is_null() && !value.is_none() && !is_layout(value, Layout::Dict)) {
            raise(exc.TypeError, "__annotations__ must be set to a dict object");
            return false;
        }
        fn->annotations = value.is_null() || value.is_none() ? nullptr : as<Dict>(value);
        return true;
    }
    if (!fn->attrs) fn->attrs = make_dict();
    if (value.is_null()) {
        int removed = dict_del(fn->attrs, Value::object(name));
        if (removed == 0)
            raise_format(exc.AttributeError, "'function' object has no attribute '%s'", name->data);
        return removed == 1;
    }
    dict_set_str(fn->attrs, name, value);
    return true;
}

void function_trace(Object* self, Tracer& tracer) {
    auto* fn = static_cast<Function*>(self);
    tracer.mark(fn->code);
    tracer.mark(fn->globals);
    tracer.mark(fn->builtins);
    tracer.mark(fn->defaults);
    tracer.mark(fn->kwdefaults);
    tracer.mark(fn->closure);
    tracer.mark(fn->name);
    tracer.mark(fn->qualname);
    tracer.mark(fn->doc);
    tracer.mark(fn->attrs);
    tracer.mark(fn->annotations);
}

// ---- builtin functions and methods of builtin types

// The dunders CPython implements as slot wrappers, whose receiver errors are worded
// differently from those of ordinary method descriptors.
bool is_slot_wrapper(std::string_view name) {
    static const std::unordered_set<std::string_view> kSlots = {
        "__getattribute__", "__getattr__", "__setattr__", "__delattr__", "__repr__",
        "__hash__", "__call__", "__str__", "__lt__", "__le__", "__eq__", "__ne__", "__gt__",
        "__ge__", "__iter__", "__next__", "__get__", "__set__", "__delete__", "__init__",
        "__del__", "__await__", "__aiter__", "__anext__", "__add__", "__radd__", "__sub__",
        "__rsub__", "__mul__", "__rmul__", "__mod__", "__rmod__", "__divmod__", "__rdivmod__",
        "__pow__", "__rpow__", "__neg__", "__pos__", "__abs__", "__bool__", "__invert__",
        "__lshift__", "__rlshift__", "__rshift__", "__rrshift__", "__and__", "__rand__",
        "__xor__", "__rxor__", "__or__", "__ror__", "__int__", "__float__", "__iadd__",
        "__isub__", "__imul__", "__imod__", "__ipow__", "__ilshift__", "__irshift__",
        "__iand__", "__ixor__", "__ior__", "__floordiv__", "__rfloordiv__", "__truediv__",
        "__rtruediv__", "__ifloordiv__", "__itruediv__", "__index__", "__matmul__",
        "__rmatmul__", "__imatmul__", "__len__", "__getitem__", "__setitem__", "__delitem__",
        "__contains__"};
    return kSlots.count(name) != 0;
}

// A method read from its type (str.upper) gets its receiver as the first argument, which
// must be an instance of that type: false with CPython's TypeError pending otherwise.
bool check_receiver(const BuiltinFunction* b, const Value* args, int nargs) {
    if (nargs >= 1 && isinstance(args[0], b->owner)) return true;
    const char* type = b->owner->name.c_str();
    bool slot = is_slot_wrapper(b->name);
    if (nargs < 1) {
        if (slot)
            raise_format(exc.TypeError, "descriptor '%s' of '%s' object needs an argument", b->name,
                         type);
        else
            raise_format(exc.TypeError, "unbound method %s.%s() needs an argument", type, b->name);
    } else if (slot) {
        raise_format(exc.TypeError, "descriptor '%s' requires a '%s' object but received a '%s'",
                     b->name, type, type_name(args[0]).c_str());
    } else {
        raise_format(exc.TypeError, "descriptor '%s' for '%s' objects doesn't apply to a '%s' object",
                     b->name, type, type_name(args[0]).c_str());
    }
    return false;
}

Value builtin_call(Value self, Value* args, int nargs, Tuple* kwnames) {
    BuiltinFunction* b = as<BuiltinFunction>(self);
    if (b->self.is_null()) {
        if (b->owner && !check_receiver(b, args, nargs)) return Value::null();
        return b->fn(args, nargs, kwnames);
    }
    // A bound method of a builtin object: the receiver goes first.
    int nkw = kwnames ? static_cast<int>(kwnames->size) : 0;
    std::vector<Value> all;
    all.reserve(nargs + nkw + 1);
    all.push_back(b->self);
    all.insert(all.end(), args, args + nargs + nkw);
    return b->fn(all.data(), nargs + 1, kwnames);
}

Value builtin_repr(Value self) {
    BuiltinFunction* b = as<BuiltinFunction>(self);
    if (!b->self.is_null())
        return str_value("<built-in method " + std::string(b->name) + " of " + type_name(b->self) +
                         " object at " + address(b->self.is_object() ? b->self.as_object() : nullptr) + ">");
    if (b->owner)
        return str_value("<method '" + std::string(b->name) + "' of '" + b->owner->name + "' objects>");
    return str_value("<built-in function " + std::string(b->name) + ">");
}

Value builtin_descr_get(Value self, Value instance, Value) {
    BuiltinFunction* b = as<BuiltinFunction>(self);
    if (instance.is_none() || instance.is_null() || !b->owner || !b->self.is_null()) return self;
    return Value::object(make_builtin(b->name, b->fn, instance, b->owner));
}

Value builtin_getattr(Value self, Str* name) {
    BuiltinFunction* b = as<BuiltinFunction>(self);
    std::string_view n = name->view();
    if (n == "__name__") return str_value(b->name);
    if (n == "__qualname__")
        return str_value(b->owner ? b->owner->name + "." + b->name : std::string(b->name));
    if (n == "__self__") return b->self.is_null() ? Value::none() : b->self;
    if (n == "__doc__") return Value::none();
    return generic_getattr(self, name);
}

void builtin_trace(Object* self, Tracer& tracer) {
    auto* b = static_cast<BuiltinFunction*>(self);
    tracer.mark(b->self);
    tracer.mark(b->owner);
}

// ---- bound methods

Value method_call(Value self, Value* args, int nargs, Tuple* kwnames) {
    BoundMethod* m = as<BoundMethod>(self);
    int nkw = kwnames ? static_cast<int>(kwnames->size) : 0;
    std::vector<Value> all;
    all.reserve(nargs + nkw + 1);
    all.push_back(m->self);
    all.insert(all.end(), args, args + nargs + nkw);
    return call(m->function, all.data(), nargs + 1, kwnames);
}

Value method_repr(Value self) {
    BoundMethod* m = as<BoundMethod>(self);
    std::string name = "?";
    if (is_layout(m->function, Layout::Function))
        name = std::string(as<Function>(m->function)->qualname->view());
    bool ok;
    std::string owner = repr_string(m->self, &ok);
    if (!ok) return Value::null();
    return str_value("<bound method " + name + " of " + owner + ">");
}

Value method_getattr(Value self, Str* name) {
    BoundMethod* m = as<BoundMethod>(self);
    std::string_view n = name->view();
    if (n == "__self__") return m->self;
    if (n == "__func__") return m->function;
    return getattr(m->function, name);
}

Value method_compare(Value a, Value b, CompareOp op) {
    if ((op != CompareOp::Eq && op != CompareOp::Ne) || !is_layout(b, Layout::BoundMethod))
        return Value::not_implemented();
    BoundMethod* x = as<BoundMethod>(a);
    BoundMethod* y = as<BoundMethod>(b);
    bool same = x->function.is(y->function) && x->self.is(y->self);
    return Value::boolean(op == CompareOp::Eq ? same : !same);
}

void method_trace(Object* self, Tracer& tracer) {
    auto* m = static_cast<BoundMethod*>(self);
    tracer.mark(m->function);
    tracer.mark(m->self);
}

// ---- code objects and cells

void code_trace(Object* self, Tracer& tracer) {
    auto* code = static_cast<Code*>(self);
    tracer.mark_all(code->consts);
    for (Str* s : code->names) tracer.mark(s);
    for (Str* s : code->varnames) tracer.mark(s);
    for (Str* s : code->cellvars) tracer.mark(s);
    for (Str* s : code->freevars) tracer.mark(s);
    tracer.mark(code->name);
    tracer.mark(code->qualname);
    tracer.mark(code->filename);
    // What the value stacks of its free frames still hold is not marked: cleared, so that
    // the next call finds no freed objects there (see frame.h).
    size_t stack_bytes = sizeof(Value) * static_cast<size_t>(code->nslots - code->stack_start);
    for (Frame* f = code->free_frames; f; f = f->back) {
        Value* stack = f->slots + code->stack_start;
        APY_UNPOISON_CELL(stack, stack_bytes);
        clear_value_stack(f, code);
        APY_POISON_CELL(stack, stack_bytes);
    }
}

void code_destroy(Object* self) {
    auto* code = static_cast<Code*>(self);
    while (Frame* f = code->free_frames) {
        code->free_frames = f->back;
        free_frame_memory(f);
    }
    code->~Code();
}

Value code_repr(Value self) {
    Code* code = as<Code>(self);
    return str_value("<code object " + std::string(code->name->view()) + " at " + address(code) +
                     ", file \"" + std::string(code->filename->view()) + "\", line " +
                     std::to_string(code->firstlineno) + ">");
}

Value names_tuple(const std::vector<Str*>& names) {
    Tuple* t = make_tuple(static_cast<int64_t>(names.size()));
    for (size_t i = 0; i < names.size(); ++i) t->items[i] = Value::object(names[i]);
    return Value::object(t);
}

// CPython's co_flags: the bits of its compiler (CO_OPTIMIZED, CO_NEWLOCALS, ...).
int64_t cpython_code_flags(const Code* code) {
    if (code->flags & kModuleLevel) return 0;
    int64_t flags = 1 | 2;
    if (code->flags & kVarArgs) flags |= 4;
    if (code->flags & kVarKeywords) flags |= 8;
    // Nested: inside a function, which is what "<locals>" in the qualified name says.
    if (code->qualname->view().find("<locals>") != std::string_view::npos) flags |= 16;
    if (code->flags & kGenerator) flags |= 32;
    if (code->flags & kCoroutine) flags |= 128;
    if (code->flags & kAsyncGenerator) flags |= 512;
    return flags;
}

Value code_getattr(Value self, Str* name) {
    Code* code = as<Code>(self);
    std::string_view n = name->view();
    if (n == "co_name") return Value::object(code->name);
    if (n == "co_qualname") return Value::object(code->qualname);
    if (n == "co_filename") return Value::object(code->filename);
    if (n == "co_firstlineno") return make_int(code->firstlineno);
    if (n == "co_argcount") return make_int(code->argcount);
    if (n == "co_posonlyargcount") return make_int(code->posonlyargcount);
    if (n == "co_kwonlyargcount") return make_int(code->kwonlyargcount);
    if (n == "co_nlocals") return make_int(code->nlocals());
    if (n == "co_flags") return make_int(cpython_code_flags(code));
    if (n == "co_varnames") return names_tuple(code->varnames);
    if (n == "co_cellvars") return names_tuple(code->cellvars);
    if (n == "co_freevars") return names_tuple(code->freevars);
    if (n == "co_names") return names_tuple(code->names);
    return generic_getattr(self, name);
}

void cell_trace(Object* self, Tracer& tracer) { tracer.mark(static_cast<Cell*>(self)->value); }

Value cell_getattr(Value self, Str* name) {
    if (name->view() == "cell_contents") {
        Value v = as<Cell>(self)->value;
        return v.is_null() ? raise(exc.ValueError, "Cell is empty") : v;
    }
    return generic_getattr(self, name);
}

}  // namespace

}  // namespace apy::vm

namespace apy::rt {

BuiltinFunction* make_builtin(const char* name, NativeFn fn, Value self, Type* owner) {
    auto* b = heap().make<BuiltinFunction>(types.builtin_function_);
    b->name = name;
    b->fn = fn;
    b->self = self;
    b->owner = owner;
    return b;
}

void setup_generator_types();

void setup_function_types() {
    using namespace vm;
    Type* function = types.function_;
    function->call = function_call;
    function->repr = function_repr;
    function->descr_get = function_descr_get;
    function->getattr = function_getattr;
    function->setattr = function_setattr;
    function->trace = function_trace;

    Type* builtin = types.builtin_function_;
    builtin->call = builtin_call;
    builtin->repr = builtin_repr;
    builtin->descr_get = builtin_descr_get;
    builtin->getattr = builtin_getattr;
    builtin->trace = builtin_trace;

    Type* method = types.method_;
    method->call = method_call;
    method->repr = method_repr;
    method->getattr = method_getattr;
    method->compare = method_compare;
    method->trace = method_trace;

    types.code_->trace = code_trace;
    types.code_->destroy = code_destroy;
    types.code_->repr = code_repr;
    types.code_->getattr = code_getattr;
    types.cell_->trace = cell_trace;
    types.cell_->getattr = cell_getattr;

    setup_generator_types();
}

}  // namespace apy::rt
