// The C++ layouts of the builtin types, and the functions that make them.
// Each type's behaviour lives in runtime/types/<type>.cpp.
#pragma once

#include <gmp.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/gc.h"
#include "runtime/object.h"

namespace apy::vm {
struct Code;
struct Frame;
}  // namespace apy::vm

namespace apy::rt {

// ------------------------------------------------------------------- builtin types

// The builtin types, one registration each; runtime/types/*.cpp fill them in.
#define APY_BUILTIN_TYPES(X)                                                                  \
    X(object) X(type) X(int) X(bool) X(float) X(str) X(tuple) X(list) X(dict) X(set)          \
    X(frozenset) X(range) X(slice) X(function) X(builtin_function) X(method) X(code)          \
    X(module) X(cell) X(NoneType) X(NotImplementedType) X(ellipsis) X(frame) X(generator)     \
    X(coroutine) X(iterator) X(dict_keys) X(dict_values) X(dict_items)

struct BuiltinTypes {
#define APY_DECLARE_TYPE(name) Type* name##_ = nullptr;
    APY_BUILTIN_TYPES(APY_DECLARE_TYPE)
#undef APY_DECLARE_TYPE
};
extern BuiltinTypes types;

// --------------------------------------------------------------------- objects

struct BigInt : Object {
    BigInt() { mpz_init(value); }
    ~BigInt() { mpz_clear(value); }
    mpz_t value;
};

struct Str : Object {
    int64_t hash = -1;       // cached; -1 until computed
    int64_t length = 0;      // in code points
    int64_t size = 0;        // in bytes
    bool ascii = false;      // every code point < 128: indexing by byte
    bool interned = false;
    char data[1];            // size bytes, then a NUL

    std::string_view view() const { return {data, static_cast<size_t>(size)}; }
};

struct Tuple : Object {
    int64_t size = 0;
    Value items[1];  // size values (flexible array)
};

struct List : Object {
    std::vector<Value> items;
    Dict* attrs = nullptr;  // instance dict of a list subclass, else null
};

// Insertion-ordered hash table (like CPython's compact dict): entries in order,
// an open-addressing index of entry positions. Deleted entries leave holes until resize.
struct DictEntry {
    Value key;  // null: deleted
    Value value;
    int64_t hash;
};
struct Dict : Object {
    std::vector<DictEntry> entries;
    std::vector<int32_t> index;  // -1 empty, -2 deleted; size a power of two
    int64_t used = 0;            // live entries
    Dict* attrs = nullptr;       // instance dict of a dict subclass, else null
    uint64_t version = next_version();  // a new one at every change (see object.h)
    Type* owner_type = nullptr;         // the type whose dict this is: changes modify it
    // Bit (hash & 63) of every key ever inserted: a clear bit means no key has such a hash
    // (see dict_may_hold).
    uint64_t key_filter = 0;
};

// Sets (and frozensets) use CPython's own open-addressing table, so that they
// iterate in CPython's order (set printing order is visible to programs).
struct SetEntry {
    Value key;  // null: empty; a dummy marker for deleted (see set.cpp)
    int64_t hash;
};
struct Set : Object {
    std::vector<SetEntry> table;  // size a power of two, >= 8
    int64_t fill = 0;             // active + dummy entries
    int64_t used = 0;             // active entries
    int64_t finger = 0;           // for pop()
    int64_t hash = -1;            // frozenset's cached hash
    Dict* attrs = nullptr;
};

struct Range : Object {
    Value start, stop, step, length;  // ints of any size, as CPython's
};

struct Slice : Object {
    Value start, stop, step;  // None when absent
};

struct Cell : Object {
    Value value;  // null: empty
};

struct Module : Object {
    Str* name = nullptr;
    Dict* dict = nullptr;
};

struct Function : Object {
    vm::Code* code = nullptr;
    Dict* globals = nullptr;
    Dict* builtins = nullptr;
    Tuple* defaults = nullptr;    // may be null
    Dict* kwdefaults = nullptr;   // may be null
    Tuple* closure = nullptr;     // cells; may be null
    Str* name = nullptr;
    Str* qualname = nullptr;
    Value doc = Value::none();
    Dict* attrs = nullptr;        // function attributes, made on first store
    Dict* annotations = nullptr;  // __annotations__, made on first use when the def has none
};

struct BuiltinFunction : Object {
    const char* name = nullptr;
    NativeFn fn = nullptr;
    Value self = Value::null();  // bound receiver for methods of builtin objects, else null
    Type* owner = nullptr;       // the type a method belongs to (for repr), else null
};

struct BoundMethod : Object {
    Value function;
    Value self;
};

// Instances of classes defined in apy code (object model issue) and of `object()`.
struct Instance : Object {
    Dict* attrs = nullptr;
};

struct ExceptionObject : Object {
    Tuple* args = nullptr;
    Value cause = Value::none();
    Value context = Value::none();
    bool suppress_context = false;
    Dict* attrs = nullptr;
    // What CPython's traceback frames would keep alive while the exception lives (the
    // arguments of a native function that raised it), e.g. for when finalizers report.
    Value retained = Value::none();
    // The traceback: frames the exception passed through, innermost last.
    struct TraceEntry {
        vm::Code* code;
        int line;
        int index;      // of the instruction, for the columns the traceback underlines
        Dict* globals;  // of the frame, where the traceback looks for names like a missing one
    };
    std::vector<TraceEntry> traceback;
};

// Generic iterator over a sequence or a native source (list, tuple, str, range, dict views...).
struct Iterator : Object {
    Value source;
    int64_t index = 0;
    int64_t end = 0;    // for ranges: values left; for dicts: size at creation
    int64_t step = 1;
    uint8_t kind = 0;   // which kind of source; see iterator.cpp
};

// ------------------------------------------------------------------ constructors

// Ints: small when they fit, else a BigInt.
Value make_big_int(int64_t i);  // an int object: for the values no small int holds
inline Value make_int(int64_t i) {
    return Value::fits_small_int(i) ? Value::small_int(i) : make_big_int(i);
}
Value make_int_from_mpz(const mpz_t value);  // normalises to small when it fits
inline bool is_int(Value v);                 // int or bool (bool is an int subclass)

Str* make_str(std::string_view utf8);
Value str_value(std::string_view utf8);
// The interned string for an identifier: one object per distinct text.
Str* intern(std::string_view utf8);

Tuple* make_tuple(int64_t size);  // items start as None
Tuple* make_tuple(const Value* items, int64_t size);
List* make_list(std::vector<Value> items = {});
Dict* make_dict();
Set* make_set(bool frozen = false);
Module* make_module(std::string_view name);
BuiltinFunction* make_builtin(const char* name, NativeFn fn, Value self = Value::null(),
                              Type* owner = nullptr);

// Dict API (types/dict.cpp). Hashing and comparing keys may run apy code and fail.
Value dict_get(Dict* d, Value key);                       // null when absent or on error
bool dict_set(Dict* d, Value key, Value value);           // false on error
int dict_del(Dict* d, Value key);                         // 1 deleted, 0 absent, -1 error
Value dict_get_str(Dict* d, Str* key);                    // str keys: never fails; null when absent
void dict_set_str(Dict* d, Str* key, Value value);        // str keys: never fails
void dict_set_str(Dict* d, const char* key, Value value);  // interns the key
// Whether [d] may hold the str [key] (false: it certainly does not), without probing.
inline bool dict_may_hold(const Dict* d, const Str* key) {
    return key->hash == -1 || (d->key_filter >> (static_cast<uint64_t>(key->hash) & 63)) & 1;
}
// A dict's contents changed: a new version, and its type's when it is a type's dict.
inline void dict_modified(Dict* d) {
    d->version = next_version();
    if (d->owner_type) type_modified(d->owner_type);
}
// dict_get_str/dict_set_str through a remembered entry position (updated on a miss): the
// VM's inline caches keep one per instruction, and the instances of a class usually get
// their attributes in the same order.
Value dict_get_str_hint_miss(Dict* d, Str* key, uint32_t* hint);
inline Value dict_get_str_hinted(Dict* d, Str* key, uint32_t* hint) {
    if (*hint < d->entries.size() && d->entries[*hint].key.is(Value::object(key)))
        return d->entries[*hint].value;
    return dict_get_str_hint_miss(d, key, hint);
}
void dict_set_str_hinted(Dict* d, Str* key, Value value, uint32_t* hint);
// d.update(other): a dict, a mapping (keys()) or an iterable of pairs; false on error.
bool dict_update(Dict* d, Value other);
// dict(...)/d.update(...) arguments: at most one positional, then keywords ([name] for errors).
bool dict_init_from(Dict* d, const char* name, Value* args, int nargs, Tuple* kwnames);
// A read-only view of [mapping] (types.MappingProxyType, a class's __dict__).
Value make_mappingproxy(Value mapping);
// Set API (types/set.cpp).
bool set_add(Set* s, Value key);
int set_contains(Set* s, Value key);
// The constant frozenset CPython 3.11's compiler makes for a set display of 3 or more
// constants ({1, 2, 3} compiles to BUILD_SET 0; LOAD_CONST frozenset; SET_UPDATE 1): its
// iteration order (and so the display's) differs from adding the items one by one when
// hashes collide. Null with an exception pending when an item is unhashable.
Set* make_constant_frozenset(const Value* items, int64_t n);
// In-place set operations with any iterable, in CPython's order; false on error.
bool set_update(Set* s, Value iterable);
bool set_difference_update(Set* s, Value iterable);
bool set_symmetric_difference_update(Set* s, Value iterable);
// List API (types/list.cpp).
inline void list_append(List* l, Value v) { l->items.push_back(v); }
bool list_extend(List* l, Value iterable);  // false on error

// Makes a builtin type named [name] laid out as [layout] deriving from [base] (object when null).
Type* make_builtin_type(const char* name, Layout layout, Type* base = nullptr);
// Registers native methods (the table ends with {nullptr, nullptr}).
void add_methods(Type* type, const MethodDef* methods);
// Sets a plain attribute of a type (constants, classmethods).
void set_type_attr(Type* type, const char* name, Value value);

// Checked casts for values known to be of a layout.
template <class T>
inline T* as(Value v) {
    return static_cast<T*>(v.as_object());
}
inline bool is_layout(Value v, Layout layout);
inline bool is_str(Value v) { return is_layout(v, Layout::Str); }
inline std::string_view str_view(Value v) { return as<Str>(v)->view(); }

// ------------------------------------------------------------- containers (types/*.cpp)

// In-place operators of lists, sets and dicts (l += x, s |= x, d |= x): the
// result, or NotImplemented when the operator does not apply.
Value list_inplace(BinaryOp op, Value a, Value b);
Value set_inplace(BinaryOp op, Value a, Value b);
Value dict_inplace(BinaryOp op, Value a, Value b);
// The next int of a range iterator (the VM's FOR_ITER fast path); false when exhausted.
bool range_iterator_next(Value it, int64_t* out);
bool is_range_iterator(Value v);
// CPython's PySlice_GetIndicesEx: clamps [s] to a sequence of [length]; false on error
// ("slice step cannot be zero", non-int bounds).
bool slice_indices(Slice* s, int64_t length, int64_t* start, int64_t* stop, int64_t* step,
                   int64_t* slicelength);
Slice* make_slice(Value start, Value stop, Value step);
// range(start, stop, step) of ints (plain ints, step not 0).
Range* make_range(Value start, Value stop, Value step);
// Iterators over [count] ints from [first] by [step]: range_iterator (int64, the VM's fast path)
// and longrange_iterator (ints of any size).
Value make_range_iterator(int64_t first, int64_t step, int64_t count);
Value make_long_range_iterator(Value first, Value step, Value count);

// The index a subscript [key] names in a sequence of [length] (negatives count from the
// end; the result may still be out of range); false with TypeError "<what> indices must
// be integers or slices, not str" (or an __index__ error) pending.
bool sequence_index(Value key, int64_t length, const char* what, int64_t* out);
// An index argument clamped to int64 (big ints saturate); false with TypeError [error] pending
// when [v] is not an int and has no __index__.
bool clamped_index(Value v, const char* error, int64_t* out);
// The optional start/stop arguments of index() methods, made non-negative.
bool search_bounds(const Value* args, int nargs, int64_t length, int64_t* start, int64_t* stop);
// The count of a sequence repetition (seq * n): 1 ok, -1 error, 0 when [n] is not an int
// and the other operand may implement the operator (NotImplemented).
int repeat_count(Value n, int64_t* out);
// Self-reference guard for the reprs of containers: false when [o] is already being shown.
bool repr_enter(Object* o);
void repr_leave(Object* o);

// The iterators of the builtin containers (types/iterator.cpp).
enum class IterKind : uint8_t {
    List, ListReverse, Tuple, Range, LongRange, DictKeys, DictValues, DictItems, DictReverseKeys,
    Set
};
Value make_iterator(IterKind kind, Value source);

// ---------------------------------------------------------------------- inline

inline bool is_layout(Value v, Layout layout) {
    return v.is_object() && v.as_object()->type->layout == layout;
}
inline bool is_int(Value v) {
    return v.is_small_int() || v.is_bool() || is_layout(v, Layout::Int);
}

}  // namespace apy::rt
