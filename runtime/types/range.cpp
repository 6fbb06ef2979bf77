// range (with int64 bounds) and slice, and the slice arithmetic every sequence shares.
#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

namespace {

Range* self_range(Value v) { return as<Range>(v); }

// Ranges hold no references (object's inherited trace would read an instance dict).
void trace_range(Object*, Tracer&) {}

// The number of values of range(start, stop, step), or -1 beyond int64.
int64_t count_values(int64_t start, int64_t stop, int64_t step) {
    __int128 lo = start, hi = stop, st = step;
    __int128 n = 0;
    if (st > 0 && lo < hi) n = (hi - lo - 1) / st + 1;
    if (st < 0 && lo > hi) n = (lo - hi - 1) / -st + 1;
    return n > INT64_MAX ? -1 : static_cast<int64_t>(n);
}

Value range_new(Type*, Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("range", kwnames) || !check_arg_count("range", nargs, 1, 3))
        return Value::null();
    int64_t bounds[3] = {0, 0, 1};
    for (int i = 0; i < nargs; ++i)
        if (!to_index(args[i], &bounds[nargs == 1 ? 1 : i])) return Value::null();
    if (bounds[2] == 0) return raise(exc.ValueError, "range() arg 3 must not be zero");
    if (count_values(bounds[0], bounds[1], bounds[2]) < 0)
        return raise(exc.OverflowError, "Python int too large to convert to C ssize_t");
    return Value::object(make_range(bounds[0], bounds[1], bounds[2]));
}

Value range_repr(Value self) {
    Range* r = self_range(self);
    std::string out = "range(" + std::to_string(r->start) + ", " + std::to_string(r->stop);
    if (r->step != 1) out += ", " + std::to_string(r->step);
    return str_value(out + ")");
}

bool range_len_slot(Value self, int64_t* out) {
    *out = range_length(self_range(self));
    return true;
}

Value range_iter(Value self) { return make_iterator(IterKind::Range, self); }

int64_t range_item(const Range* r, int64_t i) { return r->start + i * r->step; }

Value range_getitem(Value self, Value key) {
    Range* r = self_range(self);
    int64_t n = range_length(r);
    if (is_layout(key, Layout::Slice)) {
        int64_t start, stop, step, count;
        if (!slice_indices(as<Slice>(key), n, &start, &stop, &step, &count)) return Value::null();
        __int128 base = r->start;
        __int128 sub_start = base + static_cast<__int128>(start) * r->step;
        __int128 sub_stop = base + static_cast<__int128>(stop) * r->step;
        __int128 sub_step = static_cast<__int128>(step) * r->step;
        if (sub_start > INT64_MAX || sub_start < INT64_MIN || sub_stop > INT64_MAX ||
            sub_stop < INT64_MIN || sub_step > INT64_MAX || sub_step < INT64_MIN)
            return raise(exc.OverflowError, "Python int too large to convert to C ssize_t");
        return Value::object(make_range(static_cast<int64_t>(sub_start),
                                        static_cast<int64_t>(sub_stop),
                                        static_cast<int64_t>(sub_step)));
    }
    int64_t i;
    if (!sequence_index(key, n, "range", &i)) return Value::null();
    if (i < 0 || i >= n) return raise(exc.IndexError, "range object index out of range");
    return make_int(range_item(r, i));
}

// The position of int [v] in the range, or -1.
int64_t int_position(const Range* r, Value v) {
    int64_t x;
    if (!int_to_int64(v, &x)) return -1;
    __int128 offset = static_cast<__int128>(x) - r->start;
    if (r->step > 0 ? (x < r->start || x >= r->stop) : (x > r->start || x <= r->stop)) return -1;
    if (offset % r->step != 0) return -1;
    return static_cast<int64_t>(offset / r->step);
}

// Linear search for values that are not ints (1.0 in range(3)): 1 found (at *pos), 0, -1 error.
int search(Value self, Value v, int64_t* pos) {
    Range* r = self_range(self);
    int64_t n = range_length(r);
    for (int64_t i = 0; i < n; ++i) {
        int eq = equals(make_int(range_item(r, i)), v);
        if (eq != 0) {
            *pos = i;
            return eq;
        }
    }
    return 0;
}

int range_contains(Value self, Value v) {
    if (is_int(v)) return int_position(self_range(self), v) >= 0;
    int64_t pos;
    return search(self, v, &pos);
}

bool ranges_equal(const Range* a, const Range* b) {
    int64_t n = range_length(a);
    if (n != range_length(b)) return false;
    if (n == 0) return true;
    if (a->start != b->start) return false;
    return n == 1 || a->step == b->step;
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
    int64_t n = range_length(r);
    Value items[3] = {make_int(n), Value::none(), Value::none()};
    if (n > 0) items[1] = make_int(r->start);
    if (n > 1) items[2] = make_int(r->step);
    return hash(Value::object(make_tuple(items, 3)), out);
}

Value range_getattr(Value self, Str* name) {
    Range* r = self_range(self);
    std::string_view n = name->view();
    if (n == "start") return make_int(r->start);
    if (n == "stop") return make_int(r->stop);
    if (n == "step") return make_int(r->step);
    return generic_getattr(self, name);
}

Value range_index(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("range.index", kwnames) ||
        !check_arg_count("range.index", nargs - 1, 1, 1))
        return Value::null();
    int64_t pos = -1;
    if (is_int(args[1])) {
        pos = int_position(self_range(args[0]), args[1]);
        if (pos >= 0) return make_int(pos);
        bool ok;
        std::string text = repr_string(args[1], &ok);
        if (!ok) return Value::null();
        return raise(exc.ValueError, text + " is not in range");
    }
    int found = search(args[0], args[1], &pos);
    if (found < 0) return Value::null();
    if (found) return make_int(pos);
    return raise(exc.ValueError, "sequence.index(x): x not in sequence");
}

Value range_count(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("range.count", kwnames) ||
        !check_arg_count("range.count", nargs - 1, 1, 1))
        return Value::null();
    Range* r = self_range(args[0]);
    if (is_int(args[1])) return make_int(int_position(r, args[1]) >= 0 ? 1 : 0);
    int64_t n = range_length(r), count = 0;
    for (int64_t i = 0; i < n; ++i) {
        int eq = equals(make_int(range_item(r, i)), args[1]);
        if (eq < 0) return Value::null();
        count += eq;
    }
    return make_int(count);
}

Value range_reversed(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("range.__reversed__", kwnames) ||
        !check_arg_count("range.__reversed__", nargs - 1, 0, 0))
        return Value::null();
    Range* r = self_range(args[0]);
    int64_t n = range_length(r);
    // The same values backwards: from the last one, stepping by -step.
    if (n > 0 && r->step == INT64_MIN)
        return raise(exc.OverflowError, "Python int too large to convert to C ssize_t");
    Range* backwards = make_range(0, 0, 1);
    backwards->start = n > 0 ? range_item(r, n - 1) : 0;
    backwards->step = -r->step;
    backwards->stop = backwards->start;  // unused: the iterator counts the values
    Value it = make_iterator(IterKind::Range, Value::object(backwards));
    as<Iterator>(it)->end = n;
    return it;
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

Range* make_range(int64_t start, int64_t stop, int64_t step) {
    Range* r = heap().make<Range>(types.range_);
    r->start = start;
    r->stop = stop;
    r->step = step;
    return r;
}

int64_t range_length(const Range* r) { return count_values(r->start, r->stop, r->step); }

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
