// range (ints of any size, as CPython's) and slice, and the slice arithmetic every sequence shares.
#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

namespace {

Range* self_range(Value v) { return as<Range>(v); }

void trace_range(Object* self, Tracer& tracer) {
    Range* r = static_cast<Range*>(self);
    tracer.mark(r->start);
    tracer.mark(r->stop);
    tracer.mark(r->step);
    tracer.mark(r->length);
}

// Int arithmetic on range bounds: ints no larger than the user's, so it cannot fail.
Value add(Value a, Value b) { return int_binary(BinaryOp::Add, a, b); }
Value subtract(Value a, Value b) { return int_binary(BinaryOp::Subtract, a, b); }
Value multiply(Value a, Value b) { return int_binary(BinaryOp::Multiply, a, b); }
Value negate(Value a) { return subtract(make_int(0), a); }
int sign(Value v) {
    return v.is_small_int() ? (v.as_small_int() > 0) - (v.as_small_int() < 0)
                            : mpz_sgn(MpzView(v).get());
}
int compare_ints(Value a, Value b) {
    if (a.is_small_int() && b.is_small_int())
        return (a.as_small_int() > b.as_small_int()) - (a.as_small_int() < b.as_small_int());
    return mpz_cmp(MpzView(a).get(), MpzView(b).get());
}

// The number of values of range(start, stop, step), as CPython's compute_range_length.
Value count_values(Value start, Value stop, Value step) {
    int64_t lo, hi, st;
    if (int_to_int64(start, &lo) && int_to_int64(stop, &hi) && int_to_int64(step, &st)) {
        __int128 n = 0;
        if (st > 0 && lo < hi)
            n = (static_cast<__int128>(hi) - lo - 1) / st + 1;
        if (st < 0 && lo > hi)
            n = (static_cast<__int128>(lo) - hi - 1) / -static_cast<__int128>(st) + 1;
        if (n <= INT64_MAX)
            return make_int(static_cast<int64_t>(n));
    }
    Value low = start, high = stop;
    if (sign(step) < 0) {
        std::swap(low, high);
        step = negate(step);
    }
    if (compare_ints(low, high) >= 0)
        return make_int(0);
    Value span = subtract(subtract(high, low), make_int(1));
    return add(int_binary(BinaryOp::FloorDivide, span, step), make_int(1));
}

// operator.index(v) as a plain int (CPython's PyNumber_Index).
Value exact_index(Value v) {
    Value i = index_value(v);
    return i.is_null() ? i : exact_int(i);
}

bool has_index(Value v) {
    return is_int(v) || !lookup_in_type(type_of(v), intern("__index__")).is_null();
}

Value range_new(Type*, Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("range", kwnames) || !check_arg_count("range", nargs, 1, 3))
        return Value::null();
    // start, stop, step (rooted: a later argument's __index__ may run a collection)
    std::vector<Value> bounds = {make_int(0), Value::none(), make_int(1)};
    VectorRoot keep(bounds);
    for (int i = 0; i < nargs; ++i) {
        Value v = exact_index(args[i]);
        if (v.is_null())
            return v;
        bounds[nargs == 1 ? 1 : i] = v;
    }
    if (sign(bounds[2]) == 0)
        return raise(exc.ValueError, "range() arg 3 must not be zero");
    return Value::object(make_range(bounds[0], bounds[1], bounds[2]));
}

Value range_repr(Value self) {
    Range* r = self_range(self);
    bool ok;
    std::string out = "range(" + repr_string(r->start, &ok);
    if (ok)
        out += ", " + repr_string(r->stop, &ok);
    if (ok && compare_ints(r->step, make_int(1)) != 0)
        out += ", " + repr_string(r->step, &ok);
    if (!ok)
        return Value::null();
    return str_value(out + ")");
}

bool range_len_slot(Value self, int64_t* out) {
    if (int_to_int64(self_range(self)->length, out))
        return true;
    raise(exc.OverflowError, "Python int too large to convert to C ssize_t");
    return false;
}

int range_truth(Value self) { return sign(self_range(self)->length) != 0; }

Value range_iter(Value self) {
    Range* r = self_range(self);
    int64_t start, stop, step, n;
    if (int_to_int64(r->start, &start) && int_to_int64(r->stop, &stop) &&
        int_to_int64(r->step, &step) && int_to_int64(r->length, &n))
        return make_range_iterator(start, step, n);
    return make_long_range_iterator(r->start, r->step, r->length);
}

// The value at position [i] (0 <= i < length).
Value range_item(const Range* r, Value i) { return add(r->start, multiply(i, r->step)); }

// CPython's _PySlice_GetLongIndices: the slice's start, stop and step over a sequence of
// [length], clamped, as ints of any size; false with an exception pending.
bool long_slice_indices(Slice* s, Value length, std::vector<Value>& out) {
    const char* error = "slice indices must be integers or None or have an __index__ method";
    out = {make_int(1), Value::none(), Value::none()}; // step, start, stop
    if (!s->step.is_none()) {
        out[0] = has_index(s->step) ? exact_index(s->step) : raise(exc.TypeError, error);
        if (out[0].is_null())
            return false;
        if (sign(out[0]) == 0) {
            raise(exc.ValueError, "slice step cannot be zero");
            return false;
        }
    }
    bool backwards = sign(out[0]) < 0;
    Value lower = make_int(backwards ? -1 : 0);
    Value upper = backwards ? subtract(length, make_int(1)) : length;
    const Value bounds[2] = {s->start, s->stop};
    for (int k = 0; k < 2; ++k) {
        if (bounds[k].is_none()) {
            out[1 + k] = (k == 0) == backwards ? upper : lower;
            continue;
        }
        Value v = has_index(bounds[k]) ? exact_index(bounds[k]) : raise(exc.TypeError, error);
        if (v.is_null())
            return false;
        if (sign(v) < 0) {
            v = add(v, length);
            if (compare_ints(v, lower) < 0)
                v = lower;
        } else if (compare_ints(v, upper) > 0) {
            v = upper;
        }
        out[1 + k] = v;
    }
    return true;
}

Value range_slice(Range* r, Slice* s) {
    std::vector<Value> indices;
    VectorRoot keep(indices);
    if (!long_slice_indices(s, r->length, indices))
        return Value::null();
    Value step = multiply(indices[0], r->step);
    return Value::object(make_range(range_item(r, indices[1]), range_item(r, indices[2]), step));
}

Value range_getitem(Value self, Value key) {
    Range* r = self_range(self);
    if (is_layout(key, Layout::Slice))
        return range_slice(r, as<Slice>(key));
    if (!has_index(key))
        return raise_format(exc.TypeError, "range indices must be integers or slices, not %s",
                            type_name(key).c_str());
    Value i = exact_index(key);
    if (i.is_null())
        return i;
    if (sign(i) < 0)
        i = add(i, r->length);
    if (sign(i) < 0 || compare_ints(i, r->length) >= 0)
        return raise(exc.IndexError, "range object index out of range");
    return range_item(r, i);
}

// The position of int [v] in the range, or null (no exception) when absent.
Value int_position(const Range* r, Value v) {
    bool forward = sign(r->step) > 0;
    Value low = forward ? r->start : r->stop, high = forward ? r->stop : r->start;
    // forward: start <= v < stop; backward: stop < v <= start
    if (forward ? compare_ints(v, low) < 0 || compare_ints(v, high) >= 0
                : compare_ints(v, low) <= 0 || compare_ints(v, high) > 0)
        return Value::null();
    Value offset = subtract(v, r->start);
    if (sign(int_binary(BinaryOp::Remainder, offset, r->step)) != 0)
        return Value::null();
    return int_binary(BinaryOp::FloorDivide, offset, r->step);
}

// Compares [v] with the values in order, as CPython's sequence search does for values that
// are not ints (1.0 in range(3)); stops at the first equal one unless [count_all]. The count
// of equal values (-1 on error); *first: the position of the first.
int64_t scan(Value self, Value v, bool count_all, int64_t* first) {
    Range* r = self_range(self);
    int64_t n;
    bool bounded = int_to_int64(r->length, &n);
    Root item(r->start);
    int64_t count = 0;
    for (int64_t i = 0; !bounded || i < n; ++i, item.set(add(item.get(), r->step))) {
        int eq = equals(item.get(), v);
        if (eq < 0)
            return -1;
        if (eq == 0)
            continue;
        if (count++ == 0)
            *first = i;
        if (!count_all)
            break;
    }
    return count;
}

int range_contains(Value self, Value v) {
    if (is_int(v))
        return !int_position(self_range(self), exact_int(v)).is_null();
    int64_t pos;
    int64_t found = scan(self, v, false, &pos);
    return found < 0 ? -1 : found > 0;
}

bool ranges_equal(const Range* a, const Range* b) {
    if (compare_ints(a->length, b->length) != 0)
        return false;
    if (sign(a->length) == 0)
        return true;
    if (compare_ints(a->start, b->start) != 0)
        return false;
    return compare_ints(a->length, make_int(1)) == 0 || compare_ints(a->step, b->step) == 0;
}

Value range_compare(Value a, Value b, CompareOp op) {
    if (!is_layout(a, Layout::Range) || !is_layout(b, Layout::Range) ||
        (op != CompareOp::Eq && op != CompareOp::Ne))
        return Value::not_implemented();
    bool eq = ranges_equal(self_range(a), self_range(b));
    return Value::boolean(op == CompareOp::Eq ? eq : !eq);
}

// CPython hashes (len, start, step), with None for what the length makes irrelevant.
bool range_hash(Value self, int64_t* out) {
    Range* r = self_range(self);
    Value items[3] = {r->length, Value::none(), Value::none()};
    if (sign(r->length) > 0)
        items[1] = r->start;
    if (compare_ints(r->length, make_int(1)) > 0)
        items[2] = r->step;
    return hash(Value::object(make_tuple(items, 3)), out);
}

Value range_getattr(Value self, Str* name) {
    Range* r = self_range(self);
    std::string_view n = name->view();
    if (n == "start")
        return r->start;
    if (n == "stop")
        return r->stop;
    if (n == "step")
        return r->step;
    return generic_getattr(self, name);
}

Value range_index(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("range.index", kwnames) ||
        !check_arg_count("range.index", nargs - 1, 1, 1))
        return Value::null();
    if (is_int(args[1])) {
        Value pos = int_position(self_range(args[0]), exact_int(args[1]));
        if (!pos.is_null())
            return pos;
        bool ok;
        std::string text = repr_string(args[1], &ok);
        if (!ok)
            return Value::null();
        return raise(exc.ValueError, text + " is not in range");
    }
    int64_t pos;
    int64_t found = scan(args[0], args[1], false, &pos);
    if (found < 0)
        return Value::null();
    if (found)
        return make_int(pos);
    return raise(exc.ValueError, "sequence.index(x): x not in sequence");
}

Value range_count(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("range.count", kwnames) ||
        !check_arg_count("range.count", nargs - 1, 1, 1))
        return Value::null();
    if (is_int(args[1]))
        return make_int(int_position(self_range(args[0]), exact_int(args[1])).is_null() ? 0 : 1);
    int64_t first;
    int64_t count = scan(args[0], args[1], true, &first);
    return count < 0 ? Value::null() : make_int(count);
}

// The same values backwards: from the last one, stepping by -step (CPython's range_reverse,
// whose choice of the int64 iterator this follows).
Value range_reversed(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("range.__reversed__", kwnames) ||
        !check_arg_count("range.__reversed__", nargs - 1, 0, 0))
        return Value::null();
    Range* r = self_range(args[0]);
    int64_t start, stop, step, n, before_start;
    if (int_to_int64(r->start, &start) && int_to_int64(r->stop, &stop) &&
        int_to_int64(r->step, &step) && step != INT64_MIN &&
        !__builtin_sub_overflow(start, step, &before_start) && int_to_int64(r->length, &n)) {
        uint64_t last = static_cast<uint64_t>(before_start) +
                        static_cast<uint64_t>(n) * static_cast<uint64_t>(step);
        return make_range_iterator(static_cast<int64_t>(last), -step, n);
    }
    Value last = add(subtract(r->start, r->step), multiply(r->length, r->step));
    return make_long_range_iterator(last, negate(r->step), r->length);
}

const MethodDef kRangeMethods[] = {
    {"index", range_index},
    {"count", range_count},
    {"__reversed__", range_reversed},
    {nullptr, nullptr},
};

// ---------------------------------------------------------------------------- slice

Slice* self_slice(Value v) { return as<Slice>(v); }

void trace_slice(Object* self, Tracer& tracer) {
    Slice* s = static_cast<Slice*>(self);
    tracer.mark(s->start);
    tracer.mark(s->stop);
    tracer.mark(s->step);
}

Value slice_new(Type*, Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("slice", kwnames) || !check_arg_count("slice", nargs, 1, 3))
        return Value::null();
    if (nargs == 1) return Value::object(make_slice(Value::none(), args[0], Value::none()));
    return Value::object(make_slice(args[0], args[1], nargs == 3 ? args[2] : Value::none()));
}

Value slice_repr(Value self) {
    Slice* s = self_slice(self);
    std::string out = "slice(";
    const Value parts[3] = {s->start, s->stop, s->step};
    for (int i = 0; i < 3; ++i) {
        if (i > 0) out += ", ";
        bool ok;
        out += repr_string(parts[i], &ok);
        if (!ok) return Value::null();
    }
    return str_value(out + ")");
}

bool slice_hash(Value self, int64_t*) {
    raise_format(exc.TypeError, "unhashable type: '%s'", type_name(self).c_str());
    return false;
}

Value slice_compare(Value a, Value b, CompareOp op) {
    if (!is_layout(a, Layout::Slice) || !is_layout(b, Layout::Slice))
        return Value::not_implemented();
    Slice* x = self_slice(a);
    Slice* y = self_slice(b);
    Value xs[3] = {x->start, x->stop, x->step};
    Value ys[3] = {y->start, y->stop, y->step};
    Value tx = Value::object(make_tuple(xs, 3));
    Root keep(tx);
    return compare(tx, Value::object(make_tuple(ys, 3)), op);
}

Value slice_getattr(Value self, Str* name) {
    Slice* s = self_slice(self);
    std::string_view n = name->view();
    if (n == "start") return s->start;
    if (n == "stop") return s->stop;
    if (n == "step") return s->step;
    return generic_getattr(self, name);
}

Value slice_indices_method(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("slice.indices", kwnames) ||
        !check_arg_count("slice.indices", nargs - 1, 1, 1))
        return Value::null();
    int64_t length;
    if (!to_index(args[1], &length)) return Value::null();
    if (length < 0) return raise(exc.ValueError, "length should not be negative");
    int64_t start, stop, step, n;
    if (!slice_indices(self_slice(args[0]), length, &start, &stop, &step, &n)) return Value::null();
    Value items[3] = {make_int(start), make_int(stop), make_int(step)};
    return Value::object(make_tuple(items, 3));
}

const MethodDef kSliceMethods[] = {
    {"indices", slice_indices_method},
    {nullptr, nullptr},
};

}  // namespace

Range* make_range(Value start, Value stop, Value step) {
    Range* r = heap().make<Range>(types.range_);
    r->start = start;
    r->stop = stop;
    r->step = step;
    r->length = count_values(start, stop, step);
    return r;
}

Slice* make_slice(Value start, Value stop, Value step) {
    Slice* s = heap().make<Slice>(types.slice_);
    s->start = start;
    s->stop = stop;
    s->step = step;
    return s;
}

bool clamped_index(Value v, const char* error, int64_t* out) {
    if (v.is_small_int()) {
        *out = v.as_small_int();
        return true;
    }
    if (is_layout(v, Layout::Int) && !v.is_bool()) {
        if (!int_to_int64(v, out)) *out = mpz_sgn(as<BigInt>(v)->value) < 0 ? INT64_MIN : INT64_MAX;
        return true;
    }
    if (v.is_bool() || is_int(v) || !lookup_in_type(type_of(v), intern("__index__")).is_null())
        return to_index(v, out);
    raise(exc.TypeError, error);
    return false;
}

bool slice_indices(Slice* s, int64_t length, int64_t* start, int64_t* stop, int64_t* step,
                   int64_t* slicelength) {
    const char* error = "slice indices must be integers or None or have an __index__ method";
    *step = 1;
    if (!s->step.is_none()) {
        if (!clamped_index(s->step, error, step)) return false;
        if (*step == 0) {
            raise(exc.ValueError, "slice step cannot be zero");
            return false;
        }
        if (*step < -INT64_MAX) *step = -INT64_MAX;
    }
    bool backwards = *step < 0;
    if (s->start.is_none()) {
        *start = backwards ? INT64_MAX : 0;
    } else if (!clamped_index(s->start, error, start)) {
        return false;
    }
    if (s->stop.is_none()) {
        *stop = backwards ? INT64_MIN : INT64_MAX;
    } else if (!clamped_index(s->stop, error, stop)) {
        return false;
    }
    for (int64_t* bound : {start, stop}) {
        if (*bound < 0) {
            *bound += length;
            if (*bound < 0) *bound = backwards ? -1 : 0;
        } else if (*bound >= length) {
            *bound = backwards ? length - 1 : length;
        }
    }
    *slicelength = 0;
    if (backwards && *stop < *start) *slicelength = (*start - *stop - 1) / (-*step) + 1;
    if (!backwards && *start < *stop) *slicelength = (*stop - *start - 1) / *step + 1;
    return true;
}

void setup_range_types() {
    Type* r = types.range_;
    r->repr = range_repr;
    r->hash = range_hash;
    r->compare = range_compare;
    r->length = range_len_slot;
    r->truth = range_truth;
    r->iter = range_iter;
    r->getitem = range_getitem;
    r->contains = range_contains;
    r->getattr = range_getattr;
    r->new_instance = range_new;
    r->trace = trace_range;
    add_methods(r, kRangeMethods);

    Type* s = types.slice_;
    s->repr = slice_repr;
    s->hash = slice_hash;
    s->compare = slice_compare;
    s->getattr = slice_getattr;
    s->new_instance = slice_new;
    s->trace = trace_slice;
    add_methods(s, kSliceMethods);
}

}  // namespace apy::rt
