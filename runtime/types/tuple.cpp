// tuple: immutable sequences, hashed with CPython's xxHash-based tuplehash.
#include <algorithm>

#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

namespace {

Tuple* new_tuple(Type* type, int64_t size) {
    size_t extra = size > 1 ? static_cast<size_t>(size - 1) * sizeof(Value) : 0;
    Tuple* t = heap().make_sized<Tuple>(type, extra);
    t->size = size;
    for (int64_t i = 0; i < size; ++i) t->items[i] = Value::none();
    return t;
}

Tuple* self_tuple(Value v) { return as<Tuple>(v); }

// Lexicographic comparison: the first unequal pair decides.
Value compare_sequences(const Value* a, int64_t na, const Value* b, int64_t nb, CompareOp op) {
    int64_t i = 0;
    for (; i < na && i < nb; ++i) {
        int eq = equals(a[i], b[i]);
        if (eq < 0) return Value::null();
        if (!eq) break;
    }
    if (i >= na || i >= nb) {
        switch (op) {
        case CompareOp::Lt: return Value::boolean(na < nb);
        case CompareOp::Le: return Value::boolean(na <= nb);
        case CompareOp::Eq: return Value::boolean(na == nb);
        case CompareOp::Ne: return Value::boolean(na != nb);
        case CompareOp::Gt: return Value::boolean(na > nb);
        case CompareOp::Ge: return Value::boolean(na >= nb);
        }
    }
    if (op == CompareOp::Eq) return Value::boolean(false);
    if (op == CompareOp::Ne) return Value::boolean(true);
    return compare(a[i], b[i], op);
}

void trace_tuple(Object* self, Tracer& tracer) {
    Tuple* t = static_cast<Tuple*>(self);
    for (int64_t i = 0; i < t->size; ++i) tracer.mark(t->items[i]);
}

Value tuple_repr(Value self) {
    Tuple* t = self_tuple(self);
    if (t->size == 0) return str_value("()");
    if (!repr_enter(t)) return str_value("(...)");
    std::string out = "(";
    for (int64_t i = 0; i < t->size; ++i) {
        if (i > 0) out += ", ";
        Value r = repr(t->items[i]);
        if (r.is_null()) {
            repr_leave(t);
            return r;
        }
        out += str_view(r);
    }
    repr_leave(t);
    out += t->size == 1 ? ",)" : ")";
    return str_value(out);
}

// CPython 3.11's tuplehash (xxHash's round on 64-bit lanes).
bool tuple_hash(Value self, int64_t* out) {
    constexpr uint64_t kPrime1 = 11400714785074694791ull;
    constexpr uint64_t kPrime2 = 14029467366897019727ull;
    constexpr uint64_t kPrime5 = 2870177450012600261ull;
    Tuple* t = self_tuple(self);
    uint64_t acc = kPrime5;
    for (int64_t i = 0; i < t->size; ++i) {
        int64_t lane;
        if (!hash(t->items[i], &lane)) return false;
        acc += static_cast<uint64_t>(lane) * kPrime2;
        acc = (acc << 31) | (acc >> 33);
        acc *= kPrime1;
    }
    acc += static_cast<uint64_t>(t->size) ^ (kPrime5 ^ 3527539ull);
    *out = acc == static_cast<uint64_t>(-1) ? 1546275796 : static_cast<int64_t>(acc);
    return true;
}

Value tuple_compare(Value a, Value b, CompareOp op) {
    if (!isinstance(a, types.tuple_) || !isinstance(b, types.tuple_))
        return Value::not_implemented();
    Tuple* ta = self_tuple(a);
    Tuple* tb = self_tuple(b);
    return compare_sequences(ta->items, ta->size, tb->items, tb->size, op);
}

Value tuple_binary(BinaryOp op, Value a, Value b) {
    if (op == BinaryOp::Add) {
        if (!isinstance(a, types.tuple_)) return Value::not_implemented();
        if (!isinstance(b, types.tuple_)) {
            if (!type_of(b)->is_builtin) return Value::not_implemented();
            return raise_format(exc.TypeError, "can only concatenate tuple (not \"%s\") to tuple",
                                type_name(b).c_str());
        }
        Tuple* ta = self_tuple(a);
        Tuple* tb = self_tuple(b);
        Tuple* r = make_tuple(ta->size + tb->size);
        std::copy(ta->items, ta->items + ta->size, r->items);
        std::copy(tb->items, tb->items + tb->size, r->items + ta->size);
        return Value::object(r);
    }
    if (op != BinaryOp::Multiply) return Value::not_implemented();
    bool left = isinstance(a, types.tuple_);
    Value seq = left ? a : b;
    int64_t n;
    int ok = repeat_count(left ? b : a, &n);
    if (ok <= 0) return ok < 0 ? Value::null() : Value::not_implemented();
    Tuple* t = self_tuple(seq);
    if (n <= 0 || t->size == 0) return Value::object(make_tuple(0));
    if (n == 1 && type_of(seq) == types.tuple_) return seq;
    if (!check_allocation(n, t->size * static_cast<int64_t>(sizeof(Value)))) return Value::null();
    Tuple* r = make_tuple(t->size * n);
    for (int64_t k = 0; k < n; ++k) std::copy(t->items, t->items + t->size, r->items + k * t->size);
    return Value::object(r);
}

bool tuple_length(Value self, int64_t* out) {
    *out = self_tuple(self)->size;
    return true;
}

Value tuple_iter(Value self) { return make_iterator(IterKind::Tuple, self); }

Value tuple_getitem(Value self, Value key) {
    Tuple* t = self_tuple(self);
    if (is_layout(key, Layout::Slice)) {
        int64_t start, stop, step, n;
        if (!slice_indices(as<Slice>(key), t->size, &start, &stop, &step, &n))
            return Value::null();
        if (step == 1 && n == t->size && type_of(self) == types.tuple_) return self;
        Tuple* r = make_tuple(n);
        for (int64_t i = 0, j = start; i < n; ++i, j += step) r->items[i] = t->items[j];
        return Value::object(r);
    }
    int64_t i;
    if (!sequence_index(key, t->size, "tuple", &i)) return Value::null();
    if (i < 0 || i >= t->size) return raise(exc.IndexError, "tuple index out of range");
    return t->items[i];
}

int tuple_contains(Value self, Value item) {
    Tuple* t = self_tuple(self);
    for (int64_t i = 0; i < t->size; ++i) {
        int eq = equals(t->items[i], item);
        if (eq != 0) return eq;
    }
    return 0;
}

Value tuple_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs(type->name.c_str(), kwnames)) return Value::null();
    if (!check_arg_count(type->name.c_str(), nargs, 0, 1)) return Value::null();
    if (nargs == 0) return Value::object(new_tuple(type, 0));
    if (type == types.tuple_ && type_of(args[0]) == types.tuple_) return args[0];
    std::vector<Value> items;
    if (!collect_iterable(args[0], items)) return Value::null();
    Tuple* t = new_tuple(type, static_cast<int64_t>(items.size()));
    std::copy(items.begin(), items.end(), t->items);
    return Value::object(t);
}

Value tuple_count(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("tuple.count", kwnames) ||
        !check_arg_count("tuple.count", nargs - 1, 1, 1))
        return Value::null();
    Tuple* t = self_tuple(args[0]);
    int64_t count = 0;
    for (int64_t i = 0; i < t->size; ++i) {
        int eq = equals(t->items[i], args[1]);
        if (eq < 0) return Value::null();
        count += eq;
    }
    return make_int(count);
}

Value tuple_index(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("tuple.index", kwnames) || !check_arg_count("index", nargs - 1, 1, 3))
        return Value::null();
    Tuple* t = self_tuple(args[0]);
    int64_t start = 0, stop = t->size;
    if (!search_bounds(args + 2, nargs - 2, t->size, &start, &stop)) return Value::null();
    for (int64_t i = start; i < stop && i < t->size; ++i) {
        int eq = equals(t->items[i], args[1]);
        if (eq < 0) return Value::null();
        if (eq) return make_int(i);
    }
    return raise(exc.ValueError, "tuple.index(x): x not in tuple");
}

Value tuple_getnewargs(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("tuple.__getnewargs__", kwnames) ||
        !check_arg_count("tuple.__getnewargs__", nargs - 1, 0, 0))
        return Value::null();
    Tuple* t = self_tuple(args[0]);
    Value copy = Value::object(make_tuple(t->items, t->size));
    return Value::object(make_tuple(&copy, 1));
}

const MethodDef kTupleMethods[] = {
    {"count", tuple_count},
    {"index", tuple_index},
    {"__getnewargs__", tuple_getnewargs},
    {nullptr, nullptr},
};

}  // namespace

Tuple* make_tuple(int64_t size) { return new_tuple(types.tuple_, size); }

Tuple* make_tuple(const Value* items, int64_t size) {
    Tuple* t = new_tuple(types.tuple_, size);
    std::copy(items, items + size, t->items);
    return t;
}

int repeat_count(Value n, int64_t* out) {
    if (is_int(n) || !lookup_in_type(type_of(n), intern("__index__")).is_null())
        return to_index(n, out) ? 1 : -1;
    if (!type_of(n)->is_builtin) return 0;
    raise_format(exc.TypeError, "can't multiply sequence by non-int of type '%s'",
                 type_name(n).c_str());
    return -1;
}

bool search_bounds(const Value* args, int nargs, int64_t length, int64_t* start, int64_t* stop) {
    for (int k = 0; k < nargs; ++k) {
        int64_t v;
        if (!clamped_index(args[k], "slice indices must be integers or have an __index__ method",
                           &v))
            return false;
        if (v < 0) v = std::max<int64_t>(v + length, 0);
        *(k == 0 ? start : stop) = v;
    }
    return true;
}

bool sequence_index(Value key, int64_t length, const char* what, int64_t* out) {
    int64_t i;
    if (key.is_small_int()) {
        i = key.as_small_int();
    } else if (is_int(key) || !lookup_in_type(type_of(key), intern("__index__")).is_null()) {
        if (!to_index(key, &i)) {
            if (!pending_is(exc.OverflowError)) return false;
            clear_pending();
            raise_format(exc.IndexError, "cannot fit '%s' into an index-sized integer",
                         type_name(key).c_str());
            return false;
        }
    } else {
        raise_format(exc.TypeError, "%s indices must be integers or slices, not %s", what,
                     type_name(key).c_str());
        return false;
    }
    *out = i < 0 ? i + length : i;
    return true;
}

void setup_tuple_type() {
    Type* t = types.tuple_;
    t->repr = tuple_repr;
    t->hash = tuple_hash;
    t->compare = tuple_compare;
    t->binary = tuple_binary;
    t->length = tuple_length;
    t->iter = tuple_iter;
    t->getitem = tuple_getitem;
    t->contains = tuple_contains;
    t->new_instance = tuple_new;
    t->trace = trace_tuple;
    add_methods(t, kTupleMethods);
}

}  // namespace apy::rt
