// The iterators of the builtin containers: one Iterator layout, one type per kind
// (list_iterator, dict_keyiterator, ...) so that their reprs and type names match CPython's.
#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

namespace {

constexpr int kKindCount = static_cast<int>(IterKind::Set) + 1;
const char* const kTypeNames[kKindCount] = {
    "list_iterator",     "list_reverseiterator", "tuple_iterator",
    "range_iterator",    "longrange_iterator",   "dict_keyiterator",
    "dict_valueiterator", "dict_itemiterator",   "dict_reversekeyiterator", "set_iterator",
};
Type* g_types[kKindCount] = {};

Iterator* self_iter(Value v) { return as<Iterator>(v); }

// Marks the iterator exhausted: later calls return nothing even if the source grows.
Value exhausted(Iterator* it) {
    it->source = Value::null();
    return Value::null();
}

Value next_in_dict(Iterator* it, IterKind kind) {
    Dict* d = as<Dict>(it->source);
    if (d->used != it->end) {
        it->end = -1;  // stays an error, as in CPython
        return raise(exc.RuntimeError, "dictionary changed size during iteration");
    }
    const auto& entries = d->entries;
    if (kind == IterKind::DictReverseKeys) {
        while (it->index >= 0 && it->index < static_cast<int64_t>(entries.size()) &&
               entries[it->index].key.is_null())
            --it->index;
        if (it->index < 0 || it->index >= static_cast<int64_t>(entries.size()))
            return exhausted(it);
        return entries[it->index--].key;
    }
    while (it->index < static_cast<int64_t>(entries.size()) && entries[it->index].key.is_null())
        ++it->index;
    if (it->index >= static_cast<int64_t>(entries.size())) return exhausted(it);
    const DictEntry& e = entries[it->index++];
    if (kind == IterKind::DictKeys) return e.key;
    if (kind == IterKind::DictValues) return e.value;
    Value pair[2] = {e.key, e.value};
    return Value::object(make_tuple(pair, 2));
}

Value iterator_next(Value self) {
    Iterator* it = self_iter(self);
    if (it->source.is_null()) return Value::null();
    IterKind kind = static_cast<IterKind>(it->kind);
    switch (kind) {
    case IterKind::List: {
        const auto& items = as<List>(it->source)->items;
        if (it->index >= static_cast<int64_t>(items.size())) return exhausted(it);
        return items[it->index++];
    }
    case IterKind::ListReverse: {
        const auto& items = as<List>(it->source)->items;
        if (it->index < 0 || it->index >= static_cast<int64_t>(items.size())) return exhausted(it);
        return items[it->index--];
    }
    case IterKind::Tuple: {
        Tuple* t = as<Tuple>(it->source);
        if (it->index >= t->size) return exhausted(it);
        return t->items[it->index++];
    }
    case IterKind::Range: {
        int64_t v;
        if (!range_iterator_next(self, &v)) return exhausted(it);
        return make_int(v);
    }
    case IterKind::LongRange: {
        // The source is a private Range: start is the next value, length how many are left.
        Range* r = as<Range>(it->source);
        if (r->length.is_small_int() && r->length.as_small_int() == 0) return exhausted(it);
        Value v = r->start;
        r->start = int_binary(BinaryOp::Add, v, r->step);
        r->length = int_binary(BinaryOp::Subtract, r->length, make_int(1));
        return v;
    }
    case IterKind::DictKeys:
    case IterKind::DictValues:
    case IterKind::DictItems:
    case IterKind::DictReverseKeys: return next_in_dict(it, kind);
    case IterKind::Set: {
        Set* s = as<Set>(it->source);
        if (s->used != it->end) {
            it->end = -1;
            return raise(exc.RuntimeError, "Set changed size during iteration");
        }
        const auto& table = s->table;
        while (it->index < static_cast<int64_t>(table.size()) && table[it->index].key.is_null())
            ++it->index;
        if (it->index >= static_cast<int64_t>(table.size())) return exhausted(it);
        return table[it->index++].key;
    }
    }
    return exhausted(it);
}

Value iterator_iter(Value self) { return self; }

void trace_iterator(Object* self, Tracer& tracer) {
    tracer.mark(static_cast<Iterator*>(self)->source);
}

Value iterator_iter_method(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__iter__", kwnames) || !check_arg_count("__iter__", nargs - 1, 0, 0))
        return Value::null();
    return args[0];
}

Value iterator_next_method(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__next__", kwnames) || !check_arg_count("__next__", nargs - 1, 0, 0))
        return Value::null();
    Value v = iterator_next(args[0]);
    if (v.is_null() && !has_pending()) return raise_value(Value::object(exc.StopIteration));
    return v;
}

const MethodDef kIteratorMethods[] = {
    {"__iter__", iterator_iter_method},
    {"__next__", iterator_next_method},
    {nullptr, nullptr},
};

// repr, hash and comparison are object's (inherited): "<list_iterator object at 0x...>".
void fill_iterator_type(Type* t) {
    t->getattr = generic_getattr;
    t->iter = iterator_iter;
    t->next = iterator_next;
    t->trace = trace_iterator;
    add_methods(t, kIteratorMethods);
}

}  // namespace

Value make_iterator(IterKind kind, Value source) {
    Iterator* it = heap().make<Iterator>(g_types[static_cast<int>(kind)]);
    it->source = source;
    it->kind = static_cast<uint8_t>(kind);
    switch (kind) {
    case IterKind::ListReverse:
        it->index = static_cast<int64_t>(as<List>(source)->items.size()) - 1;
        break;
    case IterKind::DictKeys:
    case IterKind::DictValues:
    case IterKind::DictItems: it->end = as<Dict>(source)->used; break;
    case IterKind::DictReverseKeys:
        it->end = as<Dict>(source)->used;
        it->index = static_cast<int64_t>(as<Dict>(source)->entries.size()) - 1;
        break;
    case IterKind::Set: it->end = as<Set>(source)->used; break;
    case IterKind::List:
    case IterKind::Tuple:
    case IterKind::Range:
    case IterKind::LongRange: break;
    }
    return Value::object(it);
}

Value make_range_iterator(int64_t first, int64_t step, int64_t count) {
    Value v = make_iterator(IterKind::Range, Value::none());
    Iterator* it = self_iter(v);
    it->index = first;
    it->step = step;
    it->end = count;
    return v;
}

Value make_long_range_iterator(Value first, Value step, Value count) {
    Range* state = heap().make<Range>(types.range_);
    state->start = first;
    state->step = step;
    state->length = count;
    return make_iterator(IterKind::LongRange, Value::object(state));
}

bool is_range_iterator(Value v) {
    return v.is_object() && v.as_object()->type == g_types[static_cast<int>(IterKind::Range)];
}

bool range_iterator_next(Value v, int64_t* out) {
    Iterator* it = self_iter(v);
    if (it->end <= 0) return false;
    *out = it->index;
    // Unsigned: stepping past the last value may leave the int64 range.
    it->index =
        static_cast<int64_t>(static_cast<uint64_t>(it->index) + static_cast<uint64_t>(it->step));
    --it->end;
    return true;
}

void setup_iterator_types() {
    for (int k = 0; k < kKindCount; ++k) {
        g_types[k] = make_builtin_type(kTypeNames[k], Layout::Iterator);
        fill_iterator_type(g_types[k]);
    }
    fill_iterator_type(types.iterator_);
}

}  // namespace apy::rt
