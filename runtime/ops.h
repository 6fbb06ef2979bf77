// The generic operations on values: what the VM's opcodes and the builtins do.
// Each one takes fast paths for the common builtin types, then dispatches
// through the type slots. All return null (or false / -1) with an exception
// pending on failure.
#pragma once

#include <string>

#include "runtime/errors.h"
#include "runtime/objects.h"

namespace apy::rt {

Value repr(Value v);    // a Str
Value to_str(Value v);  // a Str: str(v)
// repr/str as a C++ string; on error returns "" with the exception pending.
std::string repr_string(Value v, bool* ok);
bool hash(Value v, int64_t* out);
int truthy(Value v);  // 1, 0 or -1 on error

// ==, <, ... with Python's reflection rules; returns the result object.
Value compare(Value a, Value b, CompareOp op);
// a == b as a truth value (identity implies equality, as for containers): 1, 0 or -1.
int equals(Value a, Value b);
// a < b as a truth value: 1, 0 or -1 (for sort, min, max).
int less_than(Value a, Value b);

Value binary_op(BinaryOp op, Value a, Value b);
Value inplace_op(BinaryOp op, Value a, Value b);
Value unary_op(UnaryOp op, Value v);
const char* binary_op_symbol(BinaryOp op);

Value get_iter(Value v);
// The next item; null when exhausted (no exception pending) or on error (pending).
Value iter_next(Value iterator);
// Collects an iterable into [out].
bool collect_iterable(Value iterable, std::vector<Value>& out);
// Before collecting a built-in iterable after [have] items, as CPython's PyObject_LengthHint
// sizes the list: false with MemoryError (list(range(2**50))) or the length's error pending
// (OverflowError for range(10**30)), rather than a run that fills the memory. A class's
// __len__ (apy code) is not asked.
bool check_length_hint(Value iterable, int64_t have);

Value getitem(Value container, Value key);
bool setitem(Value container, Value key, Value value);
bool delitem(Value container, Value key);
int contains(Value container, Value item);
bool length(Value v, int64_t* out);

Value getattr(Value obj, Str* name);
// Like getattr but returns null WITHOUT an exception when the attribute is absent.
Value getattr_optional(Value obj, Str* name);
// Gives the pending NameError its `name` (what the traceback's suggestion is for).
void set_error_name(Str* name);
bool setattr(Value obj, Str* name, Value value);
bool delattr(Value obj, Str* name);
// Looks [name] up along the MRO of [type] (no descriptors applied); null if absent.
Value lookup_in_type(Type* type, Str* name);
// The default attribute lookup (type's MRO with descriptors, then the instance dict).
Value generic_getattr(Value obj, Str* name);
// The default attribute store (data descriptors of the type, then the instance dict).
bool generic_setattr(Value obj, Str* name, Value value);
// Where an object keeps its attribute dict (null when it has none).
Dict** instance_dict_slot(Value obj);
// format(value, spec): the __format__ protocol.
Value format(Value value, std::string_view spec);

Value call(Value callable, Value* args, int nargs, Tuple* kwnames = nullptr);
Value call0(Value callable);
Value call1(Value callable, Value arg);
// Calls method [name] of [self] with [args].
Value call_method(Value self, Str* name, Value* args, int nargs);

// operator.index(v): v when an int, else the result of __index__ (TypeError otherwise).
Value index_value(Value v);
// Index conversion (__index__): ints only; false with TypeError pending otherwise. A small
// int is converted inline; anything else goes through to_index_general.
bool to_index_general(Value v, int64_t* out, const char* what);
inline bool to_index(Value v, int64_t* out, const char* what = nullptr) {
    if (v.is_small_int()) {
        *out = v.as_small_int();
        return true;
    }
    return to_index_general(v, out, what);
}

}  // namespace apy::rt
