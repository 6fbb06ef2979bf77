// enumerate, zip, map, filter and reversed: lazy iterators over other iterators.
#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

namespace {

struct LazyIterator : Object {
    std::vector<Value> sources;  // the underlying iterators (reversed: the sequence)
    Value function = Value::none();
    int64_t index = 0;
    bool strict = false;
};

Type* g_enumerate;
Type* g_zip;
Type* g_map;
Type* g_filter;
Type* g_reversed;

LazyIterator* make_lazy(Type* type) { return heap().make<LazyIterator>(type); }

void lazy_trace(Object* self, Tracer& tracer) {
    auto* it = static_cast<LazyIterator*>(self);
    tracer.mark_all(it->sources);
    tracer.mark(it->function);
}
void lazy_destroy(Object* self) { static_cast<LazyIterator*>(self)->~LazyIterator(); }
Value lazy_iter(Value self) { return self; }

Value enumerate_new(Type*, Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("enumerate", "iterable, start=0");
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    if (!a[1].is_small_int())
        return raise_format(exc.TypeError, "'%s' object cannot be interpreted as an integer",
                            type_name(a[1]).c_str());
    Value source = get_iter(a[0]);
    if (source.is_null()) return source;
    LazyIterator* it = make_lazy(g_enumerate);
    it->sources.push_back(source);
    it->index = a[1].as_small_int();
    return Value::object(it);
}

Value enumerate_next(Value self) {
    auto* it = as<LazyIterator>(self);
    Value item = iter_next(it->sources[0]);
    if (item.is_null()) return item;
    Value pair[2] = {make_int(it->index++), item};
    return Value::object(make_tuple(pair, 2));
}

Value zip_new(Type*, Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("zip", "*iterables, strict=False");
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    LazyIterator* it = make_lazy(g_zip);
    Root keep(Value::object(it));
    Tuple* iterables = as<Tuple>(a[0]);
    Root keep_iterables(a[0]);  // the *iterables tuple is new; __iter__ may collect
    for (int64_t i = 0; i < iterables->size; ++i) {
        Value source = get_iter(iterables->items[i]);
        if (source.is_null()) {
            if (pending_is(exc.TypeError)) {
                clear_pending();
                return raise_format(exc.TypeError, "zip argument #%lld must support iteration",
                                    static_cast<long long>(i + 1));
            }
            return source;
        }
        it->sources.push_back(source);
    }
    it->strict = truthy(a[1]) == 1;
    return Value::object(it);
}

Value zip_next(Value self) {
    auto* it = as<LazyIterator>(self);
    size_t n = it->sources.size();
    if (n == 0) return Value::null();
    Tuple* result = make_tuple(static_cast<int64_t>(n));
    Root keep(Value::object(result));
    for (size_t i = 0; i < n; ++i) {
        Value item = iter_next(it->sources[i]);
        if (item.is_null()) {
            if (has_pending() || !it->strict) return Value::null();
            if (i > 0)
                return raise_format(exc.ValueError, "zip() argument %zu is shorter than argument%s%s",
                                    i + 1, i == 1 ? " " : "s 1-", std::to_string(i).c_str());
            for (size_t j = 1; j < n; ++j) {
                Value extra = iter_next(it->sources[j]);
                if (!extra.is_null())
                    return raise_format(exc.ValueError, "zip() argument %zu is longer than argument%s%s",
                                        j + 1, j == 1 ? " " : "s 1-", std::to_string(j).c_str());
                if (has_pending()) return Value::null();
            }
            return Value::null();
        }
        result->items[i] = item;
    }
    return Value::object(result);
}

Value map_new(Type*, Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("map", kwnames)) return Value::null();
    if (nargs < 2) return raise(exc.TypeError, "map() must have at least two arguments.");
    LazyIterator* it = make_lazy(g_map);
    Root keep(Value::object(it));
    it->function = args[0];
    for (int i = 1; i < nargs; ++i) {
        Value source = get_iter(args[i]);
        if (source.is_null()) return source;
        it->sources.push_back(source);
    }
    return Value::object(it);
}

Value map_next(Value self) {
    auto* it = as<LazyIterator>(self);
    std::vector<Value> call_args;
    VectorRoot keep_args(call_args);  // each source's next step and the call may collect
    for (Value source : it->sources) {
        Value item = iter_next(source);
        if (item.is_null()) return item;
        call_args.push_back(item);
    }
    return call(it->function, call_args.data(), static_cast<int>(call_args.size()));
}

Value filter_new(Type*, Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("filter", kwnames)) return Value::null();
    if (nargs != 2) return raise_format(exc.TypeError, "filter expected 2 arguments, got %d", nargs);
    Value source = get_iter(args[1]);
    if (source.is_null()) return source;
    LazyIterator* it = make_lazy(g_filter);
    it->function = args[0];
    it->sources.push_back(source);
    return Value::object(it);
}

Value filter_next(Value self) {
    auto* it = as<LazyIterator>(self);
    for (;;) {
        Value item = iter_next(it->sources[0]);
        if (item.is_null()) return item;
        Root keep(item);
        Value verdict = it->function.is_none() ? item : call1(it->function, item);
        if (verdict.is_null()) return verdict;
        int t = truthy(verdict);
        if (t < 0) return Value::null();
        if (t) return item;
    }
}

Value reversed_new(Type*, Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("reversed", kwnames)) return Value::null();
    if (nargs != 1) return raise_format(exc.TypeError, "reversed expected 1 argument, got %d", nargs);
    Value seq = args[0];
    static Str* const kReversed = intern("__reversed__");
    Value method = lookup_in_type(type_of(seq), kReversed);
    if (!method.is_null()) return call1(method, seq);
    Type* type = type_of(seq);
    if (!type->getitem || !type->length || is_layout(seq, Layout::Dict) || is_layout(seq, Layout::Set))
        return raise_format(exc.TypeError, "'%s' object is not reversible", type->name.c_str());
    int64_t n;
    if (!length(seq, &n)) return Value::null();
    LazyIterator* it = make_lazy(g_reversed);
    it->sources.push_back(seq);
    it->index = n - 1;
    return Value::object(it);
}

Value reversed_next(Value self) {
    auto* it = as<LazyIterator>(self);
    if (it->index < 0) return Value::null();
    Value item = getitem(it->sources[0], make_int(it->index--));
    if (item.is_null() && (pending_is(exc.IndexError) || pending_is(exc.StopIteration))) {
        clear_pending();
        it->index = -1;
    }
    return item;
}

Value lazy_next_method(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "expected 0 arguments");
    Value v = type_of(args[0])->next(args[0]);
    if (v.is_null() && !has_pending()) return raise_value(make_exception(exc.StopIteration, make_tuple(0)));
    return v;
}

Value lazy_iter_method(Value* args, int, Tuple*) { return args[0]; }

Type* make_lazy_type(const char* name, Value (*new_fn)(Type*, Value*, int, Tuple*), Value (*next_fn)(Value)) {
    Type* type = make_builtin_type(name, Layout::Other);
    type->new_instance = new_fn;
    type->iter = lazy_iter;
    type->next = next_fn;
    type->trace = lazy_trace;
    type->destroy = lazy_destroy;
    static const MethodDef methods[] = {{"__next__", lazy_next_method}, {"__iter__", lazy_iter_method}, {nullptr, nullptr}};
    add_methods(type, methods);
    return type;
}

}  // namespace

std::vector<Type*> builtin_iterator_types() {
    if (!g_enumerate) {
        g_enumerate = make_lazy_type("enumerate", enumerate_new, enumerate_next);
        g_zip = make_lazy_type("zip", zip_new, zip_next);
        g_map = make_lazy_type("map", map_new, map_next);
        g_filter = make_lazy_type("filter", filter_new, filter_next);
        g_reversed = make_lazy_type("reversed", reversed_new, reversed_next);
    }
    return {g_enumerate, g_zip, g_map, g_filter, g_reversed};
}

}  // namespace apy::rt
