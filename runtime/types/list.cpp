// list: mutable sequences. Also the containers' shared setup and the repr guard.
#include <algorithm>

#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

void setup_tuple_type();
void setup_dict_types();
void setup_set_types();
void setup_range_types();
void setup_iterator_types();

namespace {

// The containers whose repr is being computed, innermost last.
std::vector<Object*> g_repr_stack;

List* self_list(Value v) { return as<List>(v); }

void trace_list(Object* self, Tracer& tracer) {
    List* l = static_cast<List*>(self);
    tracer.mark_all(l->items);
    tracer.mark(l->attrs);
}

void destroy_list(Object* self) { static_cast<List*>(self)->~List(); }

List* new_list(Type* type, std::vector<Value> items) {
    List* l = heap().make<List>(type);
    l->items = std::move(items);
    return l;
}

Value list_repr(Value self) {
    List* l = self_list(self);
    if (l->items.empty()) return str_value("[]");
    if (!repr_enter(l)) return str_value("[...]");
    std::string out = "[";
    // Index afresh each time: an element's repr may mutate the list.
    for (size_t i = 0; i < l->items.size(); ++i) {
        if (i > 0) out += ", ";
        Value r = repr(l->items[i]);
        if (r.is_null()) {
            repr_leave(l);
            return r;
        }
        out += str_view(r);
    }
    repr_leave(l);
    out += "]";
    return str_value(out);
}

bool list_hash(Value self, int64_t*) {
    raise_format(exc.TypeError, "unhashable type: '%s'", type_name(self).c_str());
    return false;
}

Value list_compare(Value a, Value b, CompareOp op) {
    if (!isinstance(a, types.list_) || !isinstance(b, types.list_)) return Value::not_implemented();
    List* la = self_list(a);
    List* lb = self_list(b);
    if (la->items.size() != lb->items.size() && (op == CompareOp::Eq || op == CompareOp::Ne))
        return Value::boolean(op == CompareOp::Ne);
    size_t i = 0;
    for (; i < la->items.size() && i < lb->items.size(); ++i) {
        int eq = equals(la->items[i], lb->items[i]);
        if (eq < 0) return Value::null();
        if (!eq) break;
    }
    int64_t na = static_cast<int64_t>(la->items.size());
    int64_t nb = static_cast<int64_t>(lb->items.size());
    if (i >= la->items.size() || i >= lb->items.size()) {
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
    return compare(la->items[i], lb->items[i], op);
}

bool repeat_into(std::vector<Value>& out, const std::vector<Value>& items, int64_t n) {
    if (n <= 0 || items.empty()) return true;
    if (!check_allocation(n, static_cast<int64_t>(items.size() * sizeof(Value)))) return false;
    size_t size = items.size();
    out.reserve(size * n);
    for (int64_t k = 0; k < n; ++k) out.insert(out.end(), items.begin(), items.begin() + size);
    return true;
}

Value list_binary(BinaryOp op, Value a, Value b) {
    if (op == BinaryOp::Add) {
        if (!isinstance(a, types.list_)) return Value::not_implemented();
        if (!isinstance(b, types.list_)) {
            if (!type_of(b)->is_builtin) return Value::not_implemented();
            return raise_format(exc.TypeError, "can only concatenate list (not \"%s\") to list",
                                type_name(b).c_str());
        }
        std::vector<Value> items = self_list(a)->items;
        const auto& more = self_list(b)->items;
        items.insert(items.end(), more.begin(), more.end());
        return Value::object(make_list(std::move(items)));
    }
    if (op != BinaryOp::Multiply) return Value::not_implemented();
    bool left = isinstance(a, types.list_);
    int64_t n;
    int ok = repeat_count(left ? b : a, &n);
    if (ok <= 0) return ok < 0 ? Value::null() : Value::not_implemented();
    std::vector<Value> items;
    if (!repeat_into(items, self_list(left ? a : b)->items, n)) return Value::null();
    return Value::object(make_list(std::move(items)));
}

bool list_length(Value self, int64_t* out) {
    *out = static_cast<int64_t>(self_list(self)->items.size());
    return true;
}

Value list_iter(Value self) { return make_iterator(IterKind::List, self); }

Value list_getitem(Value self, Value key) {
    List* l = self_list(self);
    int64_t size = static_cast<int64_t>(l->items.size());
    if (key.is_small_int()) {
        int64_t i = key.as_small_int();
        if (i < 0) i += size;
        if (i < 0 || i >= size) return raise(exc.IndexError, "list index out of range");
        return l->items[i];
    }
    if (is_layout(key, Layout::Slice)) {
        int64_t start, stop, step, n;
        if (!slice_indices(as<Slice>(key), size, &start, &stop, &step, &n)) return Value::null();
        std::vector<Value> items;
        items.reserve(n);
        for (int64_t i = 0, j = start; i < n; ++i, j += step) items.push_back(l->items[j]);
        return Value::object(make_list(std::move(items)));
    }
    int64_t i;
    if (!sequence_index(key, size, "list", &i)) return Value::null();
    if (i < 0 || i >= size) return raise(exc.IndexError, "list index out of range");
    return l->items[i];
}

// The items of an assigned iterable, collected in a new (rooted by the caller) list.
List* assigned_items(Value value, const char* error) {
    if (!type_of(value)->iter) {
        raise(exc.TypeError, error);
        return nullptr;
    }
    List* seq = make_list();
    Root keep(Value::object(seq));
    return list_extend(seq, value) ? seq : nullptr;
}

bool list_assign_slice(List* l, Slice* slice, Value value) {
    int64_t size = static_cast<int64_t>(l->items.size());
    int64_t start, stop, step, n;
    if (!slice_indices(slice, size, &start, &stop, &step, &n)) return false;
    auto& items = l->items;
    if (value.is_null()) {
        if (step == 1) {
            if (n > 0) items.erase(items.begin() + start, items.begin() + start + n);
            return true;
        }
        if (step < 0) {
            start = start + step * (n - 1);
            step = -step;
        }
        std::vector<Value> kept;
        kept.reserve(items.size() - n);
        for (int64_t i = 0, next = start, removed = 0; i < size; ++i) {
            if (removed < n && i == next) {
                ++removed;
                next += step;
            } else {
                kept.push_back(items[i]);
            }
        }
        items = std::move(kept);
        return true;
    }
    bool simple = step == 1;
    List* seq = assigned_items(value, simple ? "can only assign an iterable"
                                             : "must assign iterable to extended slice");
    if (!seq) return false;
    if (simple) {
        // The iterable may have changed the list: recompute the bounds.
        size = static_cast<int64_t>(items.size());
        if (!slice_indices(slice, size, &start, &stop, &step, &n)) return false;
        if (stop < start) stop = start;
        items.erase(items.begin() + start, items.begin() + stop);
        items.insert(items.begin() + start, seq->items.begin(), seq->items.end());
        return true;
    }
    int64_t count = static_cast<int64_t>(seq->items.size());
    if (count != n) {
        raise_format(exc.ValueError,
                     "attempt to assign sequence of size %lld to extended slice of size %lld",
                     static_cast<long long>(count), static_cast<long long>(n));
        return false;
    }
    for (int64_t i = 0, j = start; i < n; ++i, j += step) {
        if (j >= 0 && j < static_cast<int64_t>(items.size())) items[j] = seq->items[i];
    }
    return true;
}

bool list_setitem(Value self, Value key, Value value) {
    List* l = self_list(self);
    if (is_layout(key, Layout::Slice)) return list_assign_slice(l, as<Slice>(key), value);
    int64_t size = static_cast<int64_t>(l->items.size());
    int64_t i;
    if (!sequence_index(key, size, "list", &i)) return false;
    if (i < 0 || i >= size) {
        raise(exc.IndexError, "list assignment index out of range");
        return false;
    }
    if (value.is_null())
        l->items.erase(l->items.begin() + i);
    else
        l->items[i] = value;
    return true;
}

int list_contains(Value self, Value item) {
    List* l = self_list(self);
    for (size_t i = 0; i < l->items.size(); ++i) {
        int eq = equals(l->items[i], item);
        if (eq != 0) return eq;
    }
    return 0;
}

Value list_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    if (type == types.list_) {
        if (!check_no_kwargs("list", kwnames) || !check_arg_count("list", nargs, 0, 1))
            return Value::null();
    }
    List* l = new_list(type, {});
    if (type != types.list_ || nargs == 0) return Value::object(l);
    Root keep(Value::object(l));
    if (!list_extend(l, args[0])) return Value::null();
    return Value::object(l);
}

// ------------------------------------------------------------------------- methods

Value list_init(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("list", nargs, kwnames, 0, 1)) return Value::null();
    List* l = self_list(args[0]);
    l->items.clear();
    if (nargs == 2 && !list_extend(l, args[1])) return Value::null();
    return Value::none();
}

Value list_append_method(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("list.append", nargs, kwnames, 1, 1)) return Value::null();
    self_list(args[0])->items.push_back(args[1]);
    return Value::none();
}

Value list_extend_method(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("list.extend", nargs, kwnames, 1, 1)) return Value::null();
    if (!list_extend(self_list(args[0]), args[1])) return Value::null();
    return Value::none();
}

Value list_insert(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("list.insert", kwnames)) return Value::null();
    if (nargs != 3)
        return raise_format(exc.TypeError, "insert expected 2 arguments, got %d", nargs - 1);
    List* l = self_list(args[0]);
    int64_t i;
    if (!to_index(args[1], &i)) return Value::null();
    int64_t size = static_cast<int64_t>(l->items.size());
    if (i < 0) i = std::max<int64_t>(i + size, 0);
    if (i > size) i = size;
    l->items.insert(l->items.begin() + i, args[2]);
    return Value::none();
}

// Out of line, so that list.pop's own code needs no frame for the message.
[[gnu::cold, gnu::noinline]] Value pop_index_error(int64_t size) {
    return raise(exc.IndexError, size == 0 ? "pop from empty list" : "pop index out of range");
}

Value list_pop(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("pop", nargs, kwnames, 0, 1)) return Value::null();
    List* l = self_list(args[0]);
    int64_t i = -1;
    if (nargs == 2 && !to_index(args[1], &i)) return Value::null();
    int64_t size = static_cast<int64_t>(l->items.size());
    if (i < 0) i += size;
    if (i < 0 || i >= size) return pop_index_error(size);
    Value v = l->items[i];
    l->items.erase(l->items.begin() + i);
    return v;
}

// Index of the first item equal to [x] in [start, stop), -1 if none, -2 on error.
int64_t find_item(List* l, Value x, int64_t start, int64_t stop) {
    for (int64_t i = start; i < stop && i < static_cast<int64_t>(l->items.size()); ++i) {
        int eq = equals(l->items[i], x);
        if (eq < 0) return -2;
        if (eq) return i;
    }
    return -1;
}

Value list_remove(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("list.remove", nargs, kwnames, 1, 1)) return Value::null();
    List* l = self_list(args[0]);
    int64_t i = find_item(l, args[1], 0, INT64_MAX);
    if (i == -2) return Value::null();
    if (i == -1) return raise(exc.ValueError, "list.remove(x): x not in list");
    l->items.erase(l->items.begin() + i);
    return Value::none();
}

Value list_index(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("index", nargs, kwnames, 1, 3)) return Value::null();
    List* l = self_list(args[0]);
    int64_t start = 0, stop = INT64_MAX;
    if (!search_bounds(args + 2, nargs - 2, static_cast<int64_t>(l->items.size()), &start, &stop))
        return Value::null();
    int64_t i = find_item(l, args[1], start, stop);
    if (i == -2) return Value::null();
    if (i >= 0) return make_int(i);
    bool ok;
    std::string r = repr_string(args[1], &ok);
    if (!ok) return Value::null();
    return raise(exc.ValueError, r + " is not in list");
}

Value list_count(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("list.count", nargs, kwnames, 1, 1)) return Value::null();
    List* l = self_list(args[0]);
    int64_t count = 0;
    for (size_t i = 0; i < l->items.size(); ++i) {
        int eq = equals(l->items[i], args[1]);
        if (eq < 0) return Value::null();
        count += eq;
    }
    return make_int(count);
}

Value list_reverse(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("list.reverse", nargs, kwnames, 0, 0)) return Value::null();
    auto& items = self_list(args[0])->items;
    std::reverse(items.begin(), items.end());
    return Value::none();
}

Value list_copy(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("list.copy", nargs, kwnames, 0, 0)) return Value::null();
    return Value::object(make_list(self_list(args[0])->items));
}

Value list_clear(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("list.clear", nargs, kwnames, 0, 0)) return Value::null();
    self_list(args[0])->items.clear();
    return Value::none();
}

Value list_reversed(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("list.__reversed__", nargs, kwnames, 0, 0)) return Value::null();
    return make_iterator(IterKind::ListReverse, args[0]);
}

// ---------------------------------------------------------------------------- sort

// Stable merge sort of positions by [less] (1, 0 or -1 on error), comparing as CPython's
// timsort does: the later element on the left of `<`. Always leaves a permutation.
template <class Less>
bool merge_sort(std::vector<int64_t>& v, Less less) {
    const size_t n = v.size();
    constexpr size_t kRun = 32;
    bool ok = true;
    // Binary insertion sort of short runs.
    for (size_t lo = 0; lo < n && ok; lo += kRun) {
        size_t hi = std::min(n, lo + kRun);
        for (size_t i = lo + 1; i < hi && ok; ++i) {
            int64_t pivot = v[i];
            size_t left = lo, right = i;
            while (left < right) {
                size_t mid = (left + right) / 2;
                int r = less(pivot, v[mid]);
                if (r < 0) {
                    ok = false;
                    break;
                }
                if (r)
                    right = mid;
                else
                    left = mid + 1;
            }
            if (!ok) break;
            std::move_backward(v.begin() + left, v.begin() + i, v.begin() + i + 1);
            v[left] = pivot;
        }
    }
    std::vector<int64_t> buffer(n);
    for (size_t width = kRun; width < n && ok; width *= 2) {
        for (size_t lo = 0; lo + width < n; lo += 2 * width) {
            size_t mid = lo + width, hi = std::min(n, lo + 2 * width);
            size_t a = lo, b = mid, out = lo;
            while (ok && a < mid && b < hi) {
                int r = less(v[b], v[a]);
                if (r < 0) ok = false;
                else buffer[out++] = r ? v[b++] : v[a++];
            }
            while (a < mid) buffer[out++] = v[a++];
            while (b < hi) buffer[out++] = v[b++];
            std::copy(buffer.begin() + lo, buffer.begin() + hi, v.begin() + lo);
            if (!ok) break;
        }
    }
    return ok;
}

enum class KeyKind { SmallInt, Float, Str, Other };

KeyKind common_kind(const std::vector<Value>& keys) {
    if (keys.empty()) return KeyKind::Other;
    auto kind_of = [](Value v) {
        if (v.is_small_int()) return KeyKind::SmallInt;
        if (v.is_double()) return KeyKind::Float;
        if (v.is_object() && v.as_object()->type == types.str_) return KeyKind::Str;
        return KeyKind::Other;
    };
    KeyKind kind = kind_of(keys[0]);
    for (Value v : keys)
        if (kind_of(v) != kind) return KeyKind::Other;
    return kind;
}

bool sort_positions(const std::vector<Value>& keys, std::vector<int64_t>& order) {
    switch (common_kind(keys)) {
    case KeyKind::SmallInt:
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
            return keys[a].as_small_int() < keys[b].as_small_int();
        });
        return true;
    case KeyKind::Float:
        // NaNs make the order arbitrary but the comparison stays a strict weak order this way.
        return merge_sort(order, [&](int64_t a, int64_t b) {
            return static_cast<int>(keys[a].as_double() < keys[b].as_double());
        });
    case KeyKind::Str:
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
            return str_view(keys[a]) < str_view(keys[b]);
        });
        return true;
    case KeyKind::Other: break;
    }
    return merge_sort(order, [&](int64_t a, int64_t b) { return less_than(keys[a], keys[b]); });
}

Value list_sort(Value* args, int nargs, Tuple* kwnames) {
    static const Signature kSort("sort", "*, key=None, reverse=False");
    for (int64_t i = 0; kwnames && i < kwnames->size; ++i) {
        std::string_view name = str_view(kwnames->items[i]);
        if (name != "key" && name != "reverse")
            return raise_format(exc.TypeError, "'%.*s' is an invalid keyword argument for sort()",
                                static_cast<int>(name.size()), name.data());
    }
    Value params[2];
    if (!kSort.bind(args + 1, nargs - 1, kwnames, params)) return Value::null();
    int reverse = truthy(params[1]);
    if (reverse < 0) return Value::null();
    List* self = self_list(args[0]);
    // While sorting, the list looks empty (as in CPython); its items live in [values].
    List* values = make_list(std::move(self->items));
    self->items.clear();
    Root keep_values(Value::object(values));
    List* keys = values;
    Root keep_keys(Value::object(keys));
    auto& items = values->items;
    if (reverse) std::reverse(items.begin(), items.end());
    bool ok = true;
    if (!params[0].is_none()) {
        keys = make_list();
        keep_keys.set(Value::object(keys));
        keys->items.reserve(items.size());
        for (size_t i = 0; i < items.size() && ok; ++i) {
            Value k = call1(params[0], items[i]);
            if (k.is_null())
                ok = false;
            else
                keys->items.push_back(k);
        }
    }
    if (ok) {
        std::vector<int64_t> order(items.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
        ok = sort_positions(keys->items, order);
        std::vector<Value> sorted(items.size());
        for (size_t i = 0; i < order.size(); ++i) sorted[i] = items[order[i]];
        items = std::move(sorted);
    }
    if (reverse) std::reverse(items.begin(), items.end());
    bool modified = !self->items.empty();
    self->items = std::move(items);
    if (!ok) return Value::null();
    if (modified) return raise(exc.ValueError, "list modified during sort");
    return Value::none();
}

const MethodDef kListMethods[] = {
    {"__init__", list_init},
    {"append", list_append_method},
    {"extend", list_extend_method},
    {"insert", list_insert},
    {"pop", list_pop},
    {"remove", list_remove},
    {"index", list_index},
    {"count", list_count},
    {"sort", list_sort},
    {"reverse", list_reverse},
    {"copy", list_copy},
    {"clear", list_clear},
    {"__reversed__", list_reversed},
    {nullptr, nullptr},
};

}  // namespace

List* make_list(std::vector<Value> items) { return new_list(types.list_, std::move(items)); }

bool list_extend(List* l, Value iterable) {
    if (is_layout(iterable, Layout::List) || is_layout(iterable, Layout::Tuple)) {
        // Copy first: the iterable may be the list itself.
        std::vector<Value> more;
        if (!collect_iterable(iterable, more)) return false;
        l->items.insert(l->items.end(), more.begin(), more.end());
        return true;
    }
    if (!check_length_hint(iterable, static_cast<int64_t>(l->items.size()))) return false;
    Value it = get_iter(iterable);
    if (it.is_null()) return false;
    Root keep(it);
    for (;;) {
        Value item = iter_next(it);
        if (item.is_null()) return !has_pending();
        l->items.push_back(item);
    }
}

Value list_inplace(BinaryOp op, Value a, Value b) {
    List* l = self_list(a);
    if (op == BinaryOp::Add) {
        if (!list_extend(l, b)) return Value::null();
        return a;
    }
    if (op != BinaryOp::Multiply) return Value::not_implemented();
    int64_t n;
    int ok = repeat_count(b, &n);
    if (ok <= 0) return ok < 0 ? Value::null() : Value::not_implemented();
    std::vector<Value> items;
    if (!repeat_into(items, l->items, n)) return Value::null();
    l->items = std::move(items);
    return a;
}

bool repr_enter(Object* o) {
    if (std::find(g_repr_stack.begin(), g_repr_stack.end(), o) != g_repr_stack.end()) return false;
    g_repr_stack.push_back(o);
    return true;
}

void repr_leave(Object* o) {
    auto it = std::find(g_repr_stack.rbegin(), g_repr_stack.rend(), o);
    if (it != g_repr_stack.rend()) g_repr_stack.erase(std::next(it).base());
}

void setup_container_types() {
    Type* t = types.list_;
    t->repr = list_repr;
    t->hash = list_hash;
    t->compare = list_compare;
    t->binary = list_binary;
    t->inplace = list_inplace;
    t->length = list_length;
    t->iter = list_iter;
    t->getitem = list_getitem;
    t->setitem = list_setitem;
    t->contains = list_contains;
    t->new_instance = list_new;
    t->trace = trace_list;
    t->destroy = destroy_list;
    add_methods(t, kListMethods);
    setup_tuple_type();
    setup_dict_types();
    setup_set_types();
    setup_range_types();
    setup_iterator_types();
}

}  // namespace apy::rt
