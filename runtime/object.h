// The heap object model. Every heap value starts with an Object header that
// names its Type; a Type holds the name, the base classes, the attribute dict
// and the slots, C++ function pointers the VM calls directly for the
// operations it performs most (repr, hash, compare, call, iterate, ...).
// Builtin types fill the slots with native code; classes defined in apy code
// (see the object-model issue) fill them with functions that look up dunders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/value.h"

namespace apy::rt {

struct Type;
struct Str;
struct Tuple;
struct Dict;
class Tracer;

// Two words: the type and the collector's word, which packs the next object on the heap's
// list (every object is on it, for the sweep), the mark bit (bit 0: objects are 8-byte
// aligned), the inert bit (bit 1) and the heap's size class the memory returns to (the top
// byte: user-space addresses leave it zero; 0 means malloc'd). Only the collector reads it
// (runtime/gc.h), and set_gc_inert.
struct Object {
    Type* type;
    uintptr_t gc_word;

    static constexpr uintptr_t kMarkBit = 1;
    static constexpr uintptr_t kInertBit = 2;
    static constexpr int kSizeClassShift = 56;
    static constexpr uintptr_t kNextMask =
        (uintptr_t{1} << kSizeClassShift) - 1 - kMarkBit - kInertBit;

    Object* gc_next() const { return reinterpret_cast<Object*>(gc_word & kNextMask); }
    void set_gc_next(Object* next) {
        gc_word = (gc_word & ~kNextMask) | reinterpret_cast<uintptr_t>(next);
    }
    bool gc_marked() const { return gc_word & kMarkBit; }
    void set_gc_marked() { gc_word |= kMarkBit; }
    void clear_gc_marked() { gc_word &= ~kMarkBit; }
    // Says that its type's needs_finalize and destroy have nothing left to do for it (a
    // finished generator), so that the collector does not call them.
    void set_gc_inert() { gc_word |= kInertBit; }
    void clear_gc_inert() { gc_word &= ~kInertBit; }
    bool gc_inert() const { return gc_word & kInertBit; }
    uint32_t size_class() const { return static_cast<uint32_t>(gc_word >> kSizeClassShift); }
};

// Which C++ struct an instance is laid out as. Subclasses inherit it from their base.
// Queue: asyncio's queues (runtime/asyncio/queues.cpp), an Instance with native fields.
enum class Layout : uint8_t {
    Object,
    Type,
    Int,
    Float,
    Str,
    Tuple,
    List,
    Dict,
    Set,
    FrozenSet,
    Range,
    Slice,
    Function,
    BuiltinFunction,
    BoundMethod,
    Code,
    Module,
    Cell,
    Exception,
    Frame,
    Generator,
    Instance,
    Iterator,
    Queue,
    Other
};

enum class CompareOp : uint8_t { Lt, Le, Eq, Ne, Gt, Ge };

// The binary operators, in the order of BINARY_OP's operand (CPython's NB_* order).
#define APY_BINARY_OPS(X)                                                                     \
    X(Add, "+", "__add__", "__radd__", "__iadd__")                                            \
    X(And, "&", "__and__", "__rand__", "__iand__")                                            \
    X(FloorDivide, "//", "__floordiv__", "__rfloordiv__", "__ifloordiv__")                    \
    X(LShift, "<<", "__lshift__", "__rlshift__", "__ilshift__")                               \
    X(MatMul, "@", "__matmul__", "__rmatmul__", "__imatmul__")                                \
    X(Multiply, "*", "__mul__", "__rmul__", "__imul__")                                       \
    X(Remainder, "%", "__mod__", "__rmod__", "__imod__")                                      \
    X(Or, "|", "__or__", "__ror__", "__ior__")                                                \
    X(Power, "**", "__pow__", "__rpow__", "__ipow__")                                         \
    X(RShift, ">>", "__rshift__", "__rrshift__", "__irshift__")                               \
    X(Subtract, "-", "__sub__", "__rsub__", "__isub__")                                       \
    X(TrueDivide, "/", "__truediv__", "__rtruediv__", "__itruediv__")                         \
    X(Xor, "^", "__xor__", "__rxor__", "__ixor__")

enum class BinaryOp : uint8_t {
#define APY_ENUM_BINOP(name, sym, dunder, rdunder, idunder) name,
    APY_BINARY_OPS(APY_ENUM_BINOP)
#undef APY_ENUM_BINOP
};

enum class UnaryOp : uint8_t { Negative, Positive, Invert };

// Native function convention (like CPython's vectorcall): args[0..nargs) are the
// positional arguments; when kwnames is not null, the len(kwnames) values after
// them are the keyword arguments, named by kwnames. Returns null with an
// exception pending on error.
using NativeFn = Value (*)(Value* args, int nargs, Tuple* kwnames);

// Type flags.
constexpr uint32_t kTypeNativeAwaitable = 1;  // `await x` sends to x's `send` slot directly
// A builtin type that classes defined in apy code may derive from: its new_instance makes
// instances of the subclass, laid out as its own (asyncio.Queue).
constexpr uint32_t kTypeBaseClass = 2;

// Version tags of types and dicts, for the caches of attribute and global lookups (the
// type attribute cache, the VM's inline caches). One counter serves both, so a version
// names one object in one state: equal versions mean the same unchanged object, and a
// cache entry needs no pointer to check what it was made from.
inline uint64_t g_last_version = 0;
inline uint64_t next_version() { return ++g_last_version; }

// Result of resuming something that can suspend (generators, coroutines, awaitables).
enum class SendResult : uint8_t { Returned, Yielded, Error };

struct Type : Object {
    std::string name;           // "int", "MyClass"
    std::string qualname;       // "Outer.Inner" for classes; empty: same as name
    std::string module;         // "builtins" for builtins, else the defining module
    Type* base = nullptr;       // first base; object has none
    std::vector<Type*> bases;   // all direct bases
    std::vector<Type*> mro;     // C3 linearisation, starting with this type
    Dict* dict = nullptr;       // attributes and methods
    Layout layout = Layout::Object;
    bool is_builtin = true;     // a builtin type's attributes cannot be set
    bool is_abstract_base = false;
    bool has_subclasses = false;  // some type names this one as a base
    uint32_t flags = 0;
    // Changes whenever the dict of this type or of a type on its MRO changes.
    uint64_t version = next_version();

    // Slots. Null means "not supported" (the generic code raises CPython's TypeError).
    Value (*repr)(Value self) = nullptr;   // returns a Str
    Value (*str)(Value self) = nullptr;    // null: use repr
    // Hash into *out; false with an exception pending when unhashable or on error.
    bool (*hash)(Value self, int64_t* out) = nullptr;
    // Rich comparison: NotImplemented when the pair is not supported.
    Value (*compare)(Value a, Value b, CompareOp op) = nullptr;
    // Binary arithmetic with self on either side: NotImplemented when unsupported.
    Value (*binary)(BinaryOp op, Value a, Value b) = nullptr;
    // In-place arithmetic (+= on a list): NotImplemented falls back to `binary`.
    Value (*inplace)(BinaryOp op, Value a, Value b) = nullptr;
    Value (*unary)(UnaryOp op, Value self) = nullptr;
    // Truth value: 1 true, 0 false, -1 error. Null: use len, else true.
    int (*truth)(Value self) = nullptr;
    // Length into *out; false on error.
    bool (*length)(Value self, int64_t* out) = nullptr;
    Value (*iter)(Value self) = nullptr;
    // Next item; null with NO exception pending means exhausted (no StopIteration object made).
    Value (*next)(Value self) = nullptr;
    Value (*getitem)(Value self, Value key) = nullptr;
    // Store (value not null) or delete (value null); false on error.
    bool (*setitem)(Value self, Value key, Value value) = nullptr;
    // 1 contained, 0 not, -1 error. Null: iterate and compare.
    int (*contains)(Value self, Value item) = nullptr;
    Value (*call)(Value self, Value* args, int nargs, Tuple* kwnames) = nullptr;
    // Attribute lookup; null with AttributeError pending when absent. Null slot: generic lookup.
    Value (*getattr)(Value self, Str* name) = nullptr;
    // Store (value not null) or delete (value null).
    bool (*setattr)(Value self, Str* name, Value value) = nullptr;
    // Descriptor protocol: binding a function found on the type to an instance.
    Value (*descr_get)(Value descr, Value instance, Value owner) = nullptr;
    bool (*descr_set)(Value descr, Value instance, Value value) = nullptr;
    // Creating instances: type(args) calls new then init.
    Value (*new_instance)(Type* type, Value* args, int nargs, Tuple* kwnames) = nullptr;
    // Generators, coroutines and awaitables (the VM's SEND).
    SendResult (*send)(Value self, Value in, Value* out) = nullptr;
    // Throwing an exception into a suspended awaitable (task cancellation reaching a sleep).
    SendResult (*throw_in)(Value self, Value exception, Value* out) = nullptr;

    // Garbage collection: visit every reference the object holds; run the destructor.
    void (*trace)(Object* self, Tracer& tracer) = nullptr;
    void (*destroy)(Object* self) = nullptr;
    // Finalization (as CPython's tp_finalize): a collection that finds the object unreachable
    // and [needs_finalize] true keeps it, and what it reaches, for one more cycle and later
    // calls [finalize], which may run apy code (a suspended generator's finally blocks).
    bool (*needs_finalize)(Object* self) = nullptr;
    void (*finalize)(Object* self) = nullptr;
    // Native coroutines (asyncio.sleep(), Queue.get() ...): the qualname that CPython's
    // "coroutine '...' was never awaited" shows, if it never ran and was not reported yet (it
    // then counts as reported), else null.
    const char* (*take_unawaited)(Object* self) = nullptr;
};

// The type of a value that is not a heap object (int, float, bool, None, ...).
Type* unboxed_type_of(Value v);
// The type of any value, boxed or not.
inline Type* type_of(Value v) { return v.is_object() ? v.as_object()->type : unboxed_type_of(v); }

// The dict of [type] changed: new versions for it and every type deriving from it.
void type_modified(Type* type);

// Whether [type] is [base] or derives from it.
bool is_subtype(const Type* type, const Type* base);
inline bool isinstance(Value v, const Type* base) { return is_subtype(type_of(v), base); }

// A method implemented in C++, registered on a builtin type by a table of these.
struct MethodDef {
    const char* name;
    NativeFn fn;
};

}  // namespace apy::rt
