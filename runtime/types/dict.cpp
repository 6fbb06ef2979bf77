// dict: an insertion-ordered hash table (entries in order, plus an open-addressing
// index of entry positions), and its keys/values/items views.
#include <algorithm>

#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

namespace {

constexpr int32_t kEmpty = -1;
constexpr int32_t kDeleted = -2;
constexpr size_t kMinIndex = 8;

Dict* self_dict(Value v) { return as<Dict>(v); }

void trace_dict(Object* self, Tracer& tracer) {
    Dict* d = static_cast<Dict*>(self);
    for (const DictEntry& e : d->entries) {
        tracer.mark(e.key);
        tracer.mark(e.value);
    }
    tracer.mark(d->attrs);
    tracer.mark(d->owner_type);
}

void destroy_dict(Object* self) { static_cast<Dict*>(self)->~Dict(); }

// Where a key is: its index slot and entry position (entry -1 when absent, slot then
// being where it would go).
struct Location {
    int64_t slot = -1;
    int64_t entry = -1;
};

bool same_str(Value a, Value b) {
    return is_str(a) && is_str(b) && str_view(a) == str_view(b);
}

// 1 found, 0 absent, -1 error. Comparing keys may run apy code that changes the
// dict: the search then starts over, as in CPython.
int find(Dict* d, Value key, int64_t hash, Location* loc) {
restart:
    if (d->index.empty()) {
        *loc = Location{};
        return 0;
    }
    size_t mask = d->index.size() - 1;
    size_t i = static_cast<size_t>(hash) & mask;
    uint64_t perturb = static_cast<uint64_t>(hash);
    int64_t free_slot = -1;
    for (;;) {
        int32_t ix = d->index[i];
        if (ix == kEmpty) {
            loc->slot = free_slot >= 0 ? free_slot : static_cast<int64_t>(i);
            loc->entry = -1;
            return 0;
        }
        if (ix == kDeleted) {
            if (free_slot < 0) free_slot = static_cast<int64_t>(i);
        } else {
            const DictEntry& e = d->entries[ix];
            bool found = e.key.is(key);
            if (!found && e.hash == hash) {
                if (is_str(e.key) && is_str(key)) {
                    found = str_view(e.key) == str_view(key);
                } else {
                    Value start_key = e.key;
                    const DictEntry* data = d->entries.data();
                    size_t index_size = d->index.size();
                    int eq = equals(start_key, key);
                    if (eq < 0) return -1;
                    if (d->entries.data() != data || d->index.size() != index_size ||
                        d->index[i] != ix || !d->entries[ix].key.is(start_key))
                        goto restart;
                    found = eq == 1;
                }
            }
            if (found) {
                loc->slot = static_cast<int64_t>(i);
                loc->entry = ix;
                return 1;
            }
        }
        perturb >>= 5;
        i = (i * 5 + perturb + 1) & mask;
    }
}

// Rebuilds the index for at least [min_used] live entries, dropping deleted entries.
void rebuild(Dict* d, int64_t min_used) {
    size_t size = kMinIndex;
    while (size * 2 < static_cast<size_t>(min_used) * 3) size *= 2;
    if (static_cast<int64_t>(d->entries.size()) != d->used) {
        auto live = std::remove_if(d->entries.begin(), d->entries.end(),
                                   [](const DictEntry& e) { return e.key.is_null(); });
        d->entries.erase(live, d->entries.end());
    }
    d->index.assign(size, kEmpty);
    size_t mask = size - 1;
    for (size_t n = 0; n < d->entries.size(); ++n) {
        uint64_t hash = static_cast<uint64_t>(d->entries[n].hash);
        size_t i = hash & mask;
        uint64_t perturb = hash;
        while (d->index[i] != kEmpty) {
            perturb >>= 5;
            i = (i * 5 + perturb + 1) & mask;
        }
        d->index[i] = static_cast<int32_t>(n);
    }
}

// Stores with the hash known; false on error.
bool insert(Dict* d, Value key, int64_t hash, Value value) {
    Location loc;
    int found = find(d, key, hash, &loc);
    if (found < 0) return false;
    dict_modified(d);
    if (found) {
        d->entries[loc.entry].value = value;
        return true;
    }
    // Keep the index at most 2/3 full of entries (live or deleted).
    if ((d->entries.size() + 1) * 3 > d->index.size() * 2) {
        rebuild(d, (d->used + 1) * 2);
        find(d, key, hash, &loc);  // only probes empty slots now: cannot fail
    }
    d->index[loc.slot] = static_cast<int32_t>(d->entries.size());
    d->entries.push_back(DictEntry{key, value, hash});
    d->key_filter |= uint64_t{1} << (static_cast<uint64_t>(hash) & 63);
    ++d->used;
    return true;
}

void remove_at(Dict* d, const Location& loc) {
    dict_modified(d);
    d->index[loc.slot] = kDeleted;
    d->entries[loc.entry].key = Value::null();
    d->entries[loc.entry].value = Value::null();
    --d->used;
    // Trailing holes can go at once (keeps popitem and pop-at-end cheap).
    while (!d->entries.empty() && d->entries.back().key.is_null()) d->entries.pop_back();
    if (d->used == 0) {
        d->entries.clear();
        d->index.assign(d->index.size(), kEmpty);
    }
}

// Looks [key] up: the value, null when absent (no exception) or on error (pending).
Value lookup(Dict* d, Value key) {
    int64_t h;
    if (!hash(key, &h)) return Value::null();
    Location loc;
    if (find(d, key, h, &loc) <= 0) return Value::null();
    return d->entries[loc.entry].value;
}

Dict* new_dict(Type* type) { return heap().make<Dict>(type); }

Dict* copy_dict(Dict* src) {
    Dict* d = make_dict();
    d->entries.reserve(src->used);
    for (const DictEntry& e : src->entries)
        if (!e.key.is_null()) d->entries.push_back(e);
    d->used = static_cast<int64_t>(d->entries.size());
    d->key_filter = src->key_filter;
    if (d->used > 0) rebuild(d, d->used);
    return d;
}

Value key_error(Value key) { return raise_with_arg(exc.KeyError, key); }

// ------------------------------------------------------------------ dict slots

Value dict_repr(Value self) {
    Dict* d = self_dict(self);
    if (d->used == 0) return str_value("{}");
    if (!repr_enter(d)) return str_value("{...}");
    std::string out = "{";
    bool first = true;
    for (size_t i = 0; i < d->entries.size(); ++i) {
        if (d->entries[i].key.is_null()) continue;
        Value key = d->entries[i].key;
        Value value = d->entries[i].value;
        Root keep_key(key), keep_value(value);
        if (!first) out += ", ";
        first = false;
        Value r = repr(key);
        if (r.is_null()) break;
        out += str_view(r);
        out += ": ";
        r = repr(value);
        if (r.is_null()) break;
        out += str_view(r);
    }
    repr_leave(d);
    if (has_pending()) return Value::null();
    return str_value(out + "}");
}

bool dict_hash(Value self, int64_t*) {
    raise_format(exc.TypeError, "unhashable type: '%s'", type_name(self).c_str());
    return false;
}

Value dict_compare(Value a, Value b, CompareOp op) {
    if (!isinstance(a, types.dict_) || !isinstance(b, types.dict_) ||
        (op != CompareOp::Eq && op != CompareOp::Ne))
        return Value::not_implemented();
    Dict* da = self_dict(a);
    Dict* db = self_dict(b);
    bool equal = da->used == db->used;
    for (size_t i = 0; equal && i < da->entries.size(); ++i) {
        DictEntry e = da->entries[i];
        if (e.key.is_null()) continue;
        Root keep_key(e.key), keep_value(e.value);
        Location loc;
        int found = find(db, e.key, e.hash, &loc);
        if (found < 0) return Value::null();
        if (!found) {
            equal = false;
            break;
        }
        int eq = equals(e.value, db->entries[loc.entry].value);
        if (eq < 0) return Value::null();
        equal = eq == 1;
    }
    return Value::boolean(op == CompareOp::Eq ? equal : !equal);
}

Value dict_binary(BinaryOp op, Value a, Value b) {
    if (op != BinaryOp::Or || !isinstance(a, types.dict_) || !isinstance(b, types.dict_))
        return Value::not_implemented();
    Dict* d = copy_dict(self_dict(a));
    Root keep(Value::object(d));
    if (!dict_update(d, b)) return Value::null();
    return Value::object(d);
}

bool dict_length(Value self, int64_t* out) {
    *out = self_dict(self)->used;
    return true;
}

Value dict_iter(Value self) { return make_iterator(IterKind::DictKeys, self); }

Value dict_getitem(Value self, Value key) {
    Dict* d = self_dict(self);
    Value v = lookup(d, key);
    if (!v.is_null() || has_pending()) return v;
    if (type_of(self) != types.dict_) {
        static Str* const kMissing = intern("__missing__");
        Value missing = lookup_in_type(type_of(self), kMissing);
        if (!missing.is_null()) {
            Value args[2] = {self, key};
            return call(missing, args, 2);
        }
    }
    return key_error(key);
}

bool dict_setitem(Value self, Value key, Value value) {
    Dict* d = self_dict(self);
    if (!value.is_null()) return dict_set(d, key, value);
    int r = dict_del(d, key);
    if (r == 0) key_error(key);
    return r == 1;
}

int dict_contains(Value self, Value key) {
    int64_t h;
    if (!hash(key, &h)) return -1;
    Location loc;
    return find(self_dict(self), key, h, &loc);
}

Value dict_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    Dict* d = new_dict(type);
    if (type != types.dict_) return Value::object(d);
    Root keep(Value::object(d));
    if (!dict_init_from(d, "dict", args, nargs, kwnames)) return Value::null();
    return Value::object(d);
}

// ----------------------------------------------------------------------- methods

Value dict_init(Value* args, int nargs, Tuple* kwnames) {
    if (!dict_init_from(self_dict(args[0]), "dict", args + 1, nargs - 1, kwnames))
        return Value::null();
    return Value::none();
}

Value dict_update_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dict_init_from(self_dict(args[0]), "update", args + 1, nargs - 1, kwnames))
        return Value::null();
    return Value::none();
}

Value make_view(Type* type, Value dict) {
    Iterator* view = heap().make<Iterator>(type);
    view->source = dict;
    return Value::object(view);
}

Value dict_keys(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("dict.keys", nargs, kwnames, 0, 0)) return Value::null();
    return make_view(types.dict_keys_, args[0]);
}

Value dict_values(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("dict.values", nargs, kwnames, 0, 0)) return Value::null();
    return make_view(types.dict_values_, args[0]);
}

Value dict_items(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("dict.items", nargs, kwnames, 0, 0)) return Value::null();
    return make_view(types.dict_items_, args[0]);
}

Value dict_get_method(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("get", nargs, kwnames, 1, 2)) return Value::null();
    Value v = lookup(self_dict(args[0]), args[1]);
    if (!v.is_null() || has_pending()) return v;
    return nargs == 3 ? args[2] : Value::none();
}

Value dict_pop(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("pop", nargs, kwnames, 1, 2)) return Value::null();
    Dict* d = self_dict(args[0]);
    int64_t h;
    if (!hash(args[1], &h)) return Value::null();
    Location loc;
    int found = find(d, args[1], h, &loc);
    if (found < 0) return Value::null();
    if (!found) return nargs == 3 ? args[2] : key_error(args[1]);
    Value v = d->entries[loc.entry].value;
    remove_at(d, loc);
    return v;
}

Value dict_popitem(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("dict.popitem", nargs, kwnames, 0, 0)) return Value::null();
    Dict* d = self_dict(args[0]);
    if (d->used == 0) return key_error(str_value("popitem(): dictionary is empty"));
    DictEntry e = d->entries.back();  // the last entry is live (trailing holes are dropped)
    Location loc;
    find(d, e.key, e.hash, &loc);  // identity matches first: no apy code runs
    remove_at(d, loc);
    Value pair[2] = {e.key, e.value};
    return Value::object(make_tuple(pair, 2));
}

Value dict_setdefault(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("setdefault", nargs, kwnames, 1, 2)) return Value::null();
    Dict* d = self_dict(args[0]);
    Value v = lookup(d, args[1]);
    if (!v.is_null() || has_pending()) return v;
    Value fallback = nargs == 3 ? args[2] : Value::none();
    if (!dict_set(d, args[1], fallback)) return Value::null();
    return fallback;
}

Value dict_copy(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("dict.copy", nargs, kwnames, 0, 0)) return Value::null();
    return Value::object(copy_dict(self_dict(args[0])));
}

Value dict_clear(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("dict.clear", nargs, kwnames, 0, 0)) return Value::null();
    Dict* d = self_dict(args[0]);
    dict_modified(d);
    d->entries.clear();
    d->index.clear();
    d->used = 0;
    return Value::none();
}

Value dict_fromkeys(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("dict.fromkeys", kwnames) || !check_arg_count("fromkeys", nargs, 1, 2))
        return Value::null();
    Dict* d = make_dict();
    Root keep(Value::object(d));
    Value value = nargs == 2 ? args[1] : Value::none();
    Value it = get_iter(args[0]);
    if (it.is_null()) return it;
    Root keep_it(it);
    for (;;) {
        Value key = iter_next(it);
        if (key.is_null()) return has_pending() ? key : Value::object(d);
        if (!dict_set(d, key, value)) return Value::null();
    }
}

Value dict_reversed(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("dict.__reversed__", nargs, kwnames, 0, 0)) return Value::null();
    return make_iterator(IterKind::DictReverseKeys, args[0]);
}

const MethodDef kDictMethods[] = {
    {"__init__", dict_init},
    {"keys", dict_keys},
    {"values", dict_values},
    {"items", dict_items},
    {"get", dict_get_method},
    {"pop", dict_pop},
    {"popitem", dict_popitem},
    {"setdefault", dict_setdefault},
    {"update", dict_update_method},
    {"copy", dict_copy},
    {"clear", dict_clear},
    {"__reversed__", dict_reversed},
    {nullptr, nullptr},
};

// -------------------------------------------------------------------------- views

Dict* view_dict(Value view) { return as<Dict>(as<Iterator>(view)->source); }

IterKind view_kind(Value view) {
    Type* t = type_of(view);
    if (t == types.dict_keys_) return IterKind::DictKeys;
    if (t == types.dict_values_) return IterKind::DictValues;
    return IterKind::DictItems;
}

Value view_repr(Value self) {
    Object* o = self.as_object();
    const std::string& name = type_name(self);
    if (!repr_enter(o)) return str_value("...");
    List* items = make_list();
    Root keep(Value::object(items));
    bool ok = list_extend(items, self);
    Value r = ok ? repr(Value::object(items)) : Value::null();
    repr_leave(o);
    if (r.is_null()) return r;
    return str_value(name + "(" + std::string(str_view(r)) + ")");
}

bool view_length(Value self, int64_t* out) {
    *out = view_dict(self)->used;
    return true;
}

Value view_iter(Value self) {
    return make_iterator(view_kind(self), Value::object(view_dict(self)));
}

int view_contains(Value self, Value item) {
    Dict* d = view_dict(self);
    if (view_kind(self) == IterKind::DictKeys) return dict_contains(Value::object(d), item);
    // items: a (key, value) pair whose key maps to an equal value.
    if (!is_layout(item, Layout::Tuple) || as<Tuple>(item)->size != 2) return 0;
    Tuple* pair = as<Tuple>(item);
    Value v = lookup(d, pair->items[0]);
    if (v.is_null()) return has_pending() ? -1 : 0;
    Root keep(v);
    return equals(v, pair->items[1]);
}

bool is_set_like(Value v) {
    Type* t = type_of(v);
    return isinstance(v, types.set_) || isinstance(v, types.frozenset_) ||
           t == types.dict_keys_ || t == types.dict_items_;
}

// Whether every item of [a] is in [b]: 1, 0 or -1.
int all_contained_in(Value a, Value b) {
    Value it = get_iter(a);
    if (it.is_null()) return -1;
    Root keep(it);
    for (;;) {
        Value item = iter_next(it);
        if (item.is_null()) return has_pending() ? -1 : 1;
        int r = contains(b, item);
        if (r <= 0) return r;
    }
}

Value view_compare(Value a, Value b, CompareOp op) {
    if (!is_set_like(b)) return Value::not_implemented();
    int64_t na, nb;
    if (!length(a, &na) || !length(b, &nb)) return Value::null();
    int r = 0;
    switch (op) {
    case CompareOp::Eq:
    case CompareOp::Ne:
        r = na == nb ? all_contained_in(a, b) : 0;
        if (r >= 0 && op == CompareOp::Ne) r = !r;
        break;
    case CompareOp::Lt: r = na < nb ? all_contained_in(a, b) : 0; break;
    case CompareOp::Le: r = na <= nb ? all_contained_in(a, b) : 0; break;
    case CompareOp::Gt: r = na > nb ? all_contained_in(b, a) : 0; break;
    case CompareOp::Ge: r = na >= nb ? all_contained_in(b, a) : 0; break;
    }
    return r < 0 ? Value::null() : Value::boolean(r);
}

// Adds the items of [source] that [filter] contains to [out] (1/0/-1 from contains).
bool add_contained(Set* out, Value source, Value filter) {
    Value it = get_iter(source);
    if (it.is_null()) return false;
    Root keep(it);
    for (;;) {
        Value item = iter_next(it);
        if (item.is_null()) return !has_pending();
        int r = contains(filter, item);
        if (r < 0 || (r && !set_add(out, item))) return false;
    }
}

// Set operators of keys and items views, as CPython's dictviews_* (same result order).
Value view_binary(BinaryOp op, Value a, Value b) {
    if (op != BinaryOp::And && op != BinaryOp::Or && op != BinaryOp::Subtract &&
        op != BinaryOp::Xor)
        return Value::not_implemented();
    Type* ta = type_of(a);
    bool a_view = ta == types.dict_keys_ || ta == types.dict_items_;
    if (op == BinaryOp::And) {
        Value self = a_view ? a : b;
        Value other = a_view ? b : a;
        if (!type_of(other)->iter) return Value::not_implemented();
        int64_t n_self, n_other;
        if (!length(self, &n_self)) return Value::null();
        Set* result = make_set();
        Root keep(Value::object(result));
        Type* to = type_of(other);
        bool other_view = to == types.dict_keys_ || to == types.dict_items_;
        if ((to == types.set_ || other_view) && !length(other, &n_other)) return Value::null();
        // Iterate the smaller side where CPython does.
        if (to == types.set_ && n_self <= n_other) std::swap(self, other);
        if (other_view && n_other > n_self) std::swap(self, other);
        if (!add_contained(result, other, self)) return Value::null();
        return Value::object(result);
    }
    if (!type_of(a)->iter || !type_of(b)->iter) return Value::not_implemented();
    Set* result = make_set();
    Root keep(Value::object(result));
    if (!set_update(result, a)) return Value::null();
    bool ok = op == BinaryOp::Or         ? set_update(result, b)
              : op == BinaryOp::Subtract ? set_difference_update(result, b)
                                         : set_symmetric_difference_update(result, b);
    return ok ? Value::object(result) : Value::null();
}

Value view_mapping(Value self, Str* name) {
    if (name->view() == "mapping") return Value::object(view_dict(self));
    return generic_getattr(self, name);
}

void trace_view(Object* self, Tracer& tracer) { tracer.mark(static_cast<Iterator*>(self)->source); }

// --------------------------------------------------------------- mappingproxy

// A read-only view of a mapping (a class's __dict__, types.MappingProxyType(m)): every
// operation but the changing ones goes to the mapping.
struct MappingProxy : Object {
    Value mapping;
};
Type* g_mappingproxy_type = nullptr;

Value proxied(Value v) {
    return is_layout(v, Layout::Other) && v.as_object()->type == g_mappingproxy_type
               ? as<MappingProxy>(v)->mapping
               : v;
}

Value proxy_new(Type*, Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("mappingproxy", "mapping");
    Value mapping;
    if (!sig.bind(args, nargs, kwnames, &mapping)) return Value::null();
    Type* t = type_of(mapping);
    if (!t->getitem || is_subtype(t, types.list_) || is_subtype(t, types.tuple_))
        return raise_format(exc.TypeError, "mappingproxy() argument must be a mapping, not %s",
                            t->name.c_str());
    return make_mappingproxy(mapping);
}

Value proxy_repr(Value self) {
    Value inner = repr(proxied(self));
    if (inner.is_null()) return inner;
    return str_value("mappingproxy(" + std::string(str_view(inner)) + ")");
}

Value proxy_str(Value self) { return to_str(proxied(self)); }
bool proxy_length(Value self, int64_t* out) { return length(proxied(self), out); }
Value proxy_iter(Value self) { return get_iter(proxied(self)); }
Value proxy_getitem(Value self, Value key) { return getitem(proxied(self), key); }
int proxy_contains(Value self, Value key) { return contains(proxied(self), key); }
Value proxy_compare(Value a, Value b, CompareOp op) { return compare(proxied(a), b, op); }
Value proxy_binary(BinaryOp op, Value a, Value b) {
    if (op != BinaryOp::Or) return Value::not_implemented();
    return binary_op(op, proxied(a), proxied(b));
}

void trace_proxy(Object* self, Tracer& tracer) {
    tracer.mark(static_cast<MappingProxy*>(self)->mapping);
}

// keys(), values(), items(), get(), copy(), __reversed__(): the mapping's own.
template <const char* Name> Value proxy_method(Value* args, int nargs, Tuple* kwnames) {
    static Str* const name = intern(Name);
    Value method = getattr(proxied(args[0]), name);
    if (method.is_null()) return method;
    Root keep(method);
    return call(method, args + 1, nargs - 1, kwnames);
}
constexpr char kKeys[] = "keys", kValues[] = "values", kItems[] = "items", kGet[] = "get",
               kCopy[] = "copy", kReversed[] = "__reversed__";

}  // namespace

Value make_mappingproxy(Value mapping) {
    auto* p = heap().make<MappingProxy>(g_mappingproxy_type);
    p->mapping = mapping;
    return Value::object(p);
}

Dict* make_dict() { return new_dict(types.dict_); }

Value dict_get(Dict* d, Value key) { return lookup(d, key); }

bool dict_set(Dict* d, Value key, Value value) {
    int64_t h;
    if (!hash(key, &h)) return false;
    return insert(d, key, h, value);
}

int dict_del(Dict* d, Value key) {
    int64_t h;
    if (!hash(key, &h)) return -1;
    Location loc;
    int found = find(d, key, h, &loc);
    if (found > 0) remove_at(d, loc);
    return found;
}

namespace {

constexpr int64_t kNotStrKey = -2;

// The entry position of the str [key]: -1 when absent, kNotStrKey when a key that is not a
// str has its hash (it may equal the str through a user __eq__: the general path decides).
int64_t find_str(Dict* d, Str* key) {
    if (d->index.empty()) return -1;
    int64_t h = key->hash;
    if (h == -1 && !hash(Value::object(key), &h)) {
        clear_pending();
        return -1;
    }
    Value k = Value::object(key);
    size_t mask = d->index.size() - 1;
    size_t i = static_cast<size_t>(h) & mask;
    uint64_t perturb = static_cast<uint64_t>(h);
    for (;;) {
        int32_t ix = d->index[i];
        if (ix == kEmpty) return -1;
        if (ix >= 0) {
            const DictEntry& e = d->entries[ix];
            if (e.key.is(k)) return ix;
            if (e.hash == h) {
                if (same_str(e.key, k)) return ix;
                if (!is_str(e.key)) return kNotStrKey;
            }
        }
        perturb >>= 5;
        i = (i * 5 + perturb + 1) & mask;
    }
}

}  // namespace

Value dict_get_str(Dict* d, Str* key) {
    int64_t ix = find_str(d, key);
    if (ix >= 0) return d->entries[ix].value;
    if (ix == -1) return Value::null();
    Value v = lookup(d, Value::object(key));
    if (has_pending()) clear_pending();
    return v;
}

void dict_set_str(Dict* d, Str* key, Value value) {
    if (!dict_set(d, Value::object(key), value)) clear_pending();
}

Value dict_get_str_hint_miss(Dict* d, Str* key, uint32_t* hint) {
    int64_t ix = find_str(d, key);
    if (ix == -1) return Value::null();
    if (ix == kNotStrKey) return dict_get_str(d, key);
    *hint = static_cast<uint32_t>(ix);
    return d->entries[ix].value;
}

void dict_set_str_hinted(Dict* d, Str* key, Value value, uint32_t* hint) {
    if (*hint < d->entries.size() && d->entries[*hint].key.is(Value::object(key))) {
        dict_modified(d);
        d->entries[*hint].value = value;
        return;
    }
    dict_set_str(d, key, value);
    int64_t ix = find_str(d, key);
    if (ix >= 0) *hint = static_cast<uint32_t>(ix);
}

void dict_set_str(Dict* d, const char* key, Value value) { dict_set_str(d, intern(key), value); }

bool dict_update(Dict* d, Value other) {
    if (is_layout(other, Layout::Dict)) {
        Dict* src = self_dict(other);
        Root keep(other);
        for (size_t i = 0; i < src->entries.size(); ++i) {
            DictEntry e = src->entries[i];
            if (!e.key.is_null() && !insert(d, e.key, e.hash, e.value)) return false;
        }
        return true;
    }
    static Str* const kKeys = intern("keys");
    Value keys_method = getattr_optional(other, kKeys);
    if (has_pending()) return false;
    if (!keys_method.is_null()) {
        // A mapping: d[k] = other[k] for k in other.keys().
        Root keep_method(keys_method);
        Value keys = call0(keys_method);
        if (keys.is_null()) return false;
        Root keep_keys(keys);
        Value it = get_iter(keys);
        if (it.is_null()) return false;
        Root keep_it(it);
        for (;;) {
            Value key = iter_next(it);
            if (key.is_null()) return !has_pending();
            Root keep_key(key);
            Value value = getitem(other, key);
            if (value.is_null() || !dict_set(d, key, value)) return false;
        }
    }
    Value it = get_iter(other);
    if (it.is_null()) return false;
    Root keep_it(it);
    for (int64_t n = 0;; ++n) {
        Value item = iter_next(it);
        if (item.is_null()) return !has_pending();
        Root keep_item(item);
        if (!type_of(item)->iter) {
            raise_format(exc.TypeError,
                         "cannot convert dictionary update sequence element #%lld to a sequence",
                         static_cast<long long>(n));
            return false;
        }
        List* pair = make_list();
        Root keep_pair(Value::object(pair));
        if (!list_extend(pair, item)) return false;
        if (pair->items.size() != 2) {
            raise_format(exc.ValueError,
                         "dictionary update sequence element #%lld has length %zu; 2 is required",
                         static_cast<long long>(n), pair->items.size());
            return false;
        }
        if (!dict_set(d, pair->items[0], pair->items[1])) return false;
    }
}

bool dict_init_from(Dict* d, const char* name, Value* args, int nargs, Tuple* kwnames) {
    if (!check_arg_count(name, nargs, 0, 1)) return false;
    if (nargs == 1 && !dict_update(d, args[0])) return false;
    int64_t nkw = kwnames ? kwnames->size : 0;
    for (int64_t i = 0; i < nkw; ++i)
        if (!dict_set(d, kwnames->items[i], args[nargs + i])) return false;
    return true;
}

Value dict_inplace(BinaryOp op, Value a, Value b) {
    if (op != BinaryOp::Or) return Value::not_implemented();
    if (!dict_update(self_dict(a), b)) return Value::null();
    return a;
}

void setup_dict_types() {
    Type* t = types.dict_;
    t->repr = dict_repr;
    t->hash = dict_hash;
    t->compare = dict_compare;
    t->binary = dict_binary;
    t->inplace = dict_inplace;
    t->length = dict_length;
    t->iter = dict_iter;
    t->getitem = dict_getitem;
    t->setitem = dict_setitem;
    t->contains = dict_contains;
    t->new_instance = dict_new;
    t->trace = trace_dict;
    t->destroy = destroy_dict;
    add_methods(t, kDictMethods);
    set_type_attr(t, "fromkeys", Value::object(make_builtin("fromkeys", dict_fromkeys)));

    Type* proxy = g_mappingproxy_type = make_builtin_type("mappingproxy", Layout::Other);
    proxy->new_instance = proxy_new;
    proxy->repr = proxy_repr;
    proxy->hash = dict_hash; // unhashable, as in CPython 3.11
    proxy->str = proxy_str;
    proxy->length = proxy_length;
    proxy->iter = proxy_iter;
    proxy->getitem = proxy_getitem;
    proxy->contains = proxy_contains;
    proxy->compare = proxy_compare;
    proxy->binary = proxy_binary;
    proxy->trace = trace_proxy;
    static const MethodDef proxy_methods[] = {{"keys", proxy_method<kKeys>},
                                              {"values", proxy_method<kValues>},
                                              {"items", proxy_method<kItems>},
                                              {"get", proxy_method<kGet>},
                                              {"copy", proxy_method<kCopy>},
                                              {"__reversed__", proxy_method<kReversed>},
                                              {nullptr, nullptr}};
    add_methods(proxy, proxy_methods);

    for (Type* view : {types.dict_keys_, types.dict_values_, types.dict_items_}) {
        view->repr = view_repr;
        if (view != types.dict_values_) view->hash = dict_hash;  // values: object's hash
        view->length = view_length;
        view->iter = view_iter;
        view->getattr = view_mapping;
        view->trace = trace_view;
        if (view != types.dict_values_) {
            view->contains = view_contains;
            view->compare = view_compare;
            view->binary = view_binary;
        }
    }
}

}  // namespace apy::rt
