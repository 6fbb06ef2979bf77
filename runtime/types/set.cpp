// set and frozenset: CPython 3.11's setobject.c table (linear probes, then perturbed
// jumps; dummies for deleted entries; the same resize points), and its algorithms for
// the set operations, so that sets iterate, print and pop in exactly CPython's order.
// An empty slot is {null, 0}; a dummy (deleted) slot is {null, -1}.
#include <algorithm>

#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

namespace {

constexpr size_t kMinSize = 8;
constexpr size_t kLinearProbes = 9;
constexpr int kPerturbShift = 5;

Set* self_set(Value v) { return as<Set>(v); }
bool is_any_set(Value v) { return isinstance(v, types.set_) || isinstance(v, types.frozenset_); }
bool is_dummy(const SetEntry& e) { return e.key.is_null() && e.hash == -1; }
size_t mask_of(const Set* s) { return s->table.size() - 1; }

void trace_set(Object* self, Tracer& tracer) {
    Set* s = static_cast<Set*>(self);
    for (const SetEntry& e : s->table) tracer.mark(e.key);
    tracer.mark(s->attrs);
}

void destroy_set(Object* self) { static_cast<Set*>(self)->~Set(); }

Set* new_set(Type* type) {
    Set* s = heap().make<Set>(type);
    s->table.assign(kMinSize, SetEntry{Value::null(), 0});
    return s;
}

// Compares a stored key with [key] of equal hash: 1, 0, -1 error, 2 when the set changed
// during the comparison (start over).
int keys_equal(Set* so, size_t pos, Value key) {
    Value start = so->table[pos].key;
    if (start.is(key)) return 1;
    if (is_str(start) && is_str(key)) return str_view(start) == str_view(key);
    const SetEntry* table = so->table.data();
    size_t size = so->table.size();
    int eq = equals(start, key);
    if (eq < 0) return -1;
    if (so->table.data() != table || so->table.size() != size || !so->table[pos].key.is(start))
        return 2;
    return eq;
}

// set_lookkey: 1 found at *pos, 0 absent, -1 error.
int lookkey(Set* so, Value key, int64_t hash, size_t* pos) {
restart:
    size_t mask = mask_of(so);
    size_t perturb = static_cast<size_t>(hash);
    size_t i = perturb & mask;
    for (;;) {
        size_t probes = i + kLinearProbes <= mask ? kLinearProbes : 0;
        for (size_t j = i;; ++j) {
            const SetEntry& e = so->table[j];
            if (e.hash == 0 && e.key.is_null()) return 0;
            if (e.hash == hash) {
                int eq = keys_equal(so, j, key);
                if (eq < 0) return -1;
                if (eq == 2) goto restart;
                if (eq) {
                    *pos = j;
                    return 1;
                }
                mask = mask_of(so);
            }
            if (probes-- == 0) break;
        }
        perturb >>= kPerturbShift;
        i = (i * 5 + 1 + perturb) & mask;
    }
}

// set_insert_clean: [key] is known absent and the table has no dummies.
void insert_clean(std::vector<SetEntry>& table, Value key, int64_t hash) {
    size_t mask = table.size() - 1;
    size_t perturb = static_cast<size_t>(hash);
    size_t i = perturb & mask;
    for (;;) {
        if (table[i].key.is_null()) {
            table[i] = SetEntry{key, hash};
            return;
        }
        if (i + kLinearProbes <= mask) {
            for (size_t j = i + 1; j <= i + kLinearProbes; ++j) {
                if (table[j].key.is_null()) {
                    table[j] = SetEntry{key, hash};
                    return;
                }
            }
        }
        perturb >>= kPerturbShift;
        i = (i * 5 + 1 + perturb) & mask;
    }
}

void table_resize(Set* so, int64_t minused) {
    size_t newsize = kMinSize;
    while (newsize <= static_cast<size_t>(minused)) newsize <<= 1;
    // A minimum-size table without dummies stays as it is.
    if (newsize == kMinSize && so->table.size() == kMinSize && so->fill == so->used) return;
    std::vector<SetEntry> old(newsize, SetEntry{Value::null(), 0});
    old.swap(so->table);
    so->fill = so->used;
    for (const SetEntry& e : old)
        if (!e.key.is_null()) insert_clean(so->table, e.key, e.hash);
    if (newsize > 1024) heap().note_external(newsize * sizeof(SetEntry));
}

void grow_after_insert(Set* so) {
    table_resize(so, so->used > 50000 ? so->used * 2 : so->used * 4);
}

// set_add_entry: false on error.
bool add_entry(Set* so, Value key, int64_t hash) {
restart:
    size_t mask = mask_of(so);
    size_t perturb = static_cast<size_t>(hash);
    size_t i = perturb & mask;
    int64_t freeslot = -1;
    for (;;) {
        size_t probes = i + kLinearProbes <= mask ? kLinearProbes : 0;
        for (size_t j = i;; ++j) {
            SetEntry& e = so->table[j];
            if (e.hash == 0 && e.key.is_null()) {
                if (freeslot >= 0) {
                    so->table[freeslot] = SetEntry{key, hash};
                    ++so->used;
                    return true;
                }
                e = SetEntry{key, hash};
                ++so->fill;
                ++so->used;
                if (static_cast<size_t>(so->fill) * 5 >= mask * 3) grow_after_insert(so);
                return true;
            }
            if (e.hash == hash) {
                int eq = keys_equal(so, j, key);
                if (eq < 0) return false;
                if (eq == 2) goto restart;
                if (eq) return true;
                mask = mask_of(so);
            } else if (is_dummy(e)) {
                freeslot = static_cast<int64_t>(j);  // the last dummy seen, as CPython
            }
            if (probes-- == 0) break;
        }
        perturb >>= kPerturbShift;
        i = (i * 5 + 1 + perturb) & mask;
    }
}

// set_discard_entry: 1 removed, 0 absent, -1 error.
int discard_entry(Set* so, Value key, int64_t hash) {
    size_t pos;
    int found = lookkey(so, key, hash, &pos);
    if (found <= 0) return found;
    so->table[pos] = SetEntry{Value::null(), -1};
    --so->used;
    return 1;
}

bool add_key(Set* so, Value key) {
    int64_t h;
    return hash(key, &h) && add_entry(so, key, h);
}

void clear_internal(Set* so) {
    so->table.assign(kMinSize, SetEntry{Value::null(), 0});
    so->fill = 0;
    so->used = 0;
}

// Hashes [key] for a lookup; an unhashable set is looked up as a frozenset, as CPython does.
// False on error; *tmp holds the frozenset made, which the caller keeps rooted.
bool lookup_hash(Value* key, int64_t* h) {
    if (hash(*key, h)) return true;
    if (!isinstance(*key, types.set_) || !pending_is(exc.TypeError)) return false;
    clear_pending();
    Set* frozen = new_set(types.frozenset_);
    Root keep(Value::object(frozen));
    if (!set_update(frozen, *key)) return false;
    *key = Value::object(frozen);
    return hash(*key, h);
}

int contains_key(Set* so, Value key) {
    int64_t h;
    if (!hash(key, &h)) return -1;
    size_t pos;
    return lookkey(so, key, h, &pos);
}

bool set_merge(Set* so, Set* other) {
    if (so == other || other->used == 0) return true;
    if ((so->fill + other->used) * 5 >= static_cast<int64_t>(mask_of(so)) * 3)
        table_resize(so, (so->used + other->used) * 2);
    // Copying slot for slot keeps the other set's order exactly.
    if (so->fill == 0 && so->table.size() == other->table.size() && other->fill == other->used) {
        so->table = other->table;
        so->fill = other->fill;
        so->used = other->used;
        return true;
    }
    if (so->fill == 0) {
        so->fill = other->used;
        so->used = other->used;
        for (const SetEntry& e : other->table)
            if (!e.key.is_null()) insert_clean(so->table, e.key, e.hash);
        return true;
    }
    for (size_t i = 0; i < other->table.size(); ++i) {
        SetEntry e = other->table[i];
        if (!e.key.is_null() && !add_entry(so, e.key, e.hash)) return false;
    }
    return true;
}

Set* make_new_set(Type* type, Value iterable) {
    Set* s = new_set(type);
    if (iterable.is_null()) return s;
    Root keep(Value::object(s));
    return set_update(s, iterable) ? s : nullptr;
}

// The result type of operations: set for sets (and subclasses), frozenset for frozensets.
Type* base_type(Value so) { return isinstance(so, types.set_) ? types.set_ : types.frozenset_; }

Set* set_copy(Value so) { return make_new_set(base_type(so), so); }

void swap_bodies(Set* a, Set* b) {
    std::swap(a->table, b->table);
    std::swap(a->fill, b->fill);
    std::swap(a->used, b->used);
    std::swap(a->hash, b->hash);
}

// ------------------------------------------------------------------- algorithms

Set* set_intersection(Value so_value, Value other) {
    if (so_value.is(other)) return set_copy(so_value);
    Set* result = new_set(base_type(so_value));
    Root keep(Value::object(result));
    Set* so = self_set(so_value);
    if (is_any_set(other)) {
        Set* small = self_set(other);
        if (small->used > so->used) std::swap(small, so);
        Root keep_small(Value::object(small)), keep_so(Value::object(so));
        for (size_t i = 0; i < small->table.size(); ++i) {
            SetEntry e = small->table[i];
            if (e.key.is_null()) continue;
            size_t pos;
            int found = lookkey(so, e.key, e.hash, &pos);
            if (found < 0 || (found && !add_entry(result, e.key, e.hash))) return nullptr;
        }
        return result;
    }
    Value it = get_iter(other);
    if (it.is_null()) return nullptr;
    Root keep_it(it);
    for (;;) {
        Value key = iter_next(it);
        if (key.is_null()) return has_pending() ? nullptr : result;
        Root keep_key(key);
        int64_t h;
        if (!hash(key, &h)) return nullptr;
        size_t pos;
        int found = lookkey(so, key, h, &pos);
        if (found < 0 || (found && !add_entry(result, key, h))) return nullptr;
    }
}

bool difference_update_internal(Set* so, Value other) {
    if (Value::object(so).is(other)) {
        clear_internal(so);
        return true;
    }
    if (is_any_set(other)) {
        Value source = other;
        // Much larger: discard only the common elements.
        if ((self_set(other)->used >> 3) > so->used) {
            Set* common = set_intersection(Value::object(so), other);
            if (!common) return false;
            source = Value::object(common);
        }
        Root keep(source);
        Set* src = self_set(source);
        for (size_t i = 0; i < src->table.size(); ++i) {
            SetEntry e = src->table[i];
            if (!e.key.is_null() && discard_entry(so, e.key, e.hash) < 0) return false;
        }
    } else {
        Value it = get_iter(other);
        if (it.is_null()) return false;
        Root keep_it(it);
        for (;;) {
            Value key = iter_next(it);
            if (key.is_null()) {
                if (has_pending()) return false;
                break;
            }
            Root keep_key(key);
            int64_t h;
            if (!hash(key, &h) || discard_entry(so, key, h) < 0) return false;
        }
    }
    // More than a quarter dummies: resize them away.
    if (static_cast<size_t>(so->fill - so->used) <= mask_of(so) / 4) return true;
    grow_after_insert(so);
    return true;
}

Set* set_copy_and_difference(Value so, Value other) {
    Set* result = set_copy(so);
    if (!result) return nullptr;
    Root keep(Value::object(result));
    return difference_update_internal(result, other) ? result : nullptr;
}

Set* set_difference(Value so_value, Value other) {
    int64_t other_size;
    if (is_any_set(other))
        other_size = self_set(other)->used;
    else if (type_of(other) == types.dict_)
        other_size = as<Dict>(other)->used;
    else
        return set_copy_and_difference(so_value, other);
    Set* so = self_set(so_value);
    if ((so->used >> 2) > other_size) return set_copy_and_difference(so_value, other);
    Set* result = new_set(base_type(so_value));
    Root keep(Value::object(result));
    for (size_t i = 0; i < so->table.size(); ++i) {
        SetEntry e = so->table[i];
        if (e.key.is_null()) continue;
        int found;
        if (is_any_set(other)) {
            size_t pos;
            found = lookkey(self_set(other), e.key, e.hash, &pos);
        } else {
            found = contains(other, e.key);
        }
        if (found < 0 || (!found && !add_entry(result, e.key, e.hash))) return nullptr;
    }
    return result;
}

bool symmetric_difference_update(Set* so, Value other) {
    if (Value::object(so).is(other)) {
        clear_internal(so);
        return true;
    }
    Value source = other;
    if (type_of(other) == types.dict_) {
        Dict* d = as<Dict>(other);
        for (size_t i = 0; i < d->entries.size(); ++i) {
            DictEntry e = d->entries[i];
            if (e.key.is_null()) continue;
            int r = discard_entry(so, e.key, e.hash);
            if (r < 0 || (r == 0 && !add_entry(so, e.key, e.hash))) return false;
        }
        return true;
    }
    if (!is_any_set(other)) {
        Set* made = make_new_set(base_type(Value::object(so)), other);
        if (!made) return false;
        source = Value::object(made);
    }
    Root keep(source);
    Set* src = self_set(source);
    for (size_t i = 0; i < src->table.size(); ++i) {
        SetEntry e = src->table[i];
        if (e.key.is_null()) continue;
        int r = discard_entry(so, e.key, e.hash);
        if (r < 0 || (r == 0 && !add_entry(so, e.key, e.hash))) return false;
    }
    return true;
}

Set* set_symmetric_difference(Value so, Value other) {
    Set* result = make_new_set(base_type(so), other);
    if (!result) return nullptr;
    Root keep(Value::object(result));
    return symmetric_difference_update(result, so) ? result : nullptr;
}

// 1, 0 or -1.
int set_issubset(Value so_value, Value other) {
    Set* so = self_set(so_value);
    if (!is_any_set(other)) {
        Set* common = set_intersection(so_value, other);
        if (!common) return -1;
        return common->used == so->used;
    }
    if (so->used > self_set(other)->used) return 0;
    for (size_t i = 0; i < so->table.size(); ++i) {
        SetEntry e = so->table[i];
        if (e.key.is_null()) continue;
        size_t pos;
        int found = lookkey(self_set(other), e.key, e.hash, &pos);
        if (found <= 0) return found;
    }
    return 1;
}

int set_issuperset(Value so, Value other) {
    if (is_any_set(other)) return set_issubset(other, so);
    Value it = get_iter(other);
    if (it.is_null()) return -1;
    Root keep(it);
    for (;;) {
        Value key = iter_next(it);
        if (key.is_null()) return has_pending() ? -1 : 1;
        int r = contains_key(self_set(so), key);
        if (r <= 0) return r;
    }
}

int set_isdisjoint(Value so_value, Value other) {
    Set* so = self_set(so_value);
    if (so_value.is(other)) return so->used == 0;
    if (is_any_set(other)) {
        Set* small = self_set(other);
        if (small->used > so->used) std::swap(small, so);
        for (size_t i = 0; i < small->table.size(); ++i) {
            SetEntry e = small->table[i];
            if (e.key.is_null()) continue;
            size_t pos;
            int found = lookkey(so, e.key, e.hash, &pos);
            if (found != 0) return found < 0 ? -1 : 0;
        }
        return 1;
    }
    Value it = get_iter(other);
    if (it.is_null()) return -1;
    Root keep(it);
    for (;;) {
        Value key = iter_next(it);
        if (key.is_null()) return has_pending() ? -1 : 1;
        int r = contains_key(so, key);
        if (r != 0) return r < 0 ? -1 : 0;
    }
}

// --------------------------------------------------------------------------- slots

Value set_repr(Value self) {
    Set* so = self_set(self);
    const std::string& name = type_name(self);
    if (!repr_enter(so)) return str_value(name + "(...)");
    if (so->used == 0) {
        repr_leave(so);
        return str_value(name + "()");
    }
    List* keys = make_list();
    Root keep(Value::object(keys));
    for (const SetEntry& e : so->table)
        if (!e.key.is_null()) keys->items.push_back(e.key);
    Value r = repr(Value::object(keys));
    repr_leave(so);
    if (r.is_null()) return r;
    std::string_view inner = str_view(r).substr(1, str_view(r).size() - 2);
    if (type_of(self) == types.set_) return str_value("{" + std::string(inner) + "}");
    return str_value(name + "({" + std::string(inner) + "})");
}

bool set_hash(Value self, int64_t*) {
    raise_format(exc.TypeError, "unhashable type: '%s'", type_name(self).c_str());
    return false;
}

uint64_t shuffle_bits(uint64_t h) { return ((h ^ 89869747ull) ^ (h << 16)) * 3644798167ull; }

bool frozenset_hash(Value self, int64_t* out) {
    Set* so = self_set(self);
    if (so->hash != -1) {
        *out = so->hash;
        return true;
    }
    uint64_t hash = 0;
    for (const SetEntry& e : so->table) hash ^= shuffle_bits(static_cast<uint64_t>(e.hash));
    // Remove the effect of an odd number of empty and of dummy entries.
    if ((so->table.size() - so->fill) & 1) hash ^= shuffle_bits(0);
    if ((so->fill - so->used) & 1) hash ^= shuffle_bits(static_cast<uint64_t>(-1));
    hash ^= (static_cast<uint64_t>(so->used) + 1) * 1927868237ull;
    hash ^= (hash >> 11) ^ (hash >> 25);
    hash = hash * 69069u + 907133923ull;
    if (hash == static_cast<uint64_t>(-1)) hash = 590923713ull;
    so->hash = static_cast<int64_t>(hash);
    *out = so->hash;
    return true;
}

Value bool_or_error(int r) { return r < 0 ? Value::null() : Value::boolean(r); }

Value set_compare(Value a, Value b, CompareOp op) {
    if (!is_any_set(a) || !is_any_set(b)) return Value::not_implemented();
    Set* v = self_set(a);
    Set* w = self_set(b);
    switch (op) {
    case CompareOp::Eq:
    case CompareOp::Ne: {
        int r = 0;
        if (v->used == w->used &&
            !(v->hash != -1 && w->hash != -1 && v->hash != w->hash))
            r = set_issubset(a, b);
        if (r < 0) return Value::null();
        return Value::boolean(op == CompareOp::Eq ? r == 1 : r == 0);
    }
    case CompareOp::Le: return bool_or_error(set_issubset(a, b));
    case CompareOp::Ge: return bool_or_error(set_issuperset(a, b));
    case CompareOp::Lt:
        return v->used >= w->used ? Value::boolean(false) : bool_or_error(set_issubset(a, b));
    case CompareOp::Gt:
        return v->used <= w->used ? Value::boolean(false) : bool_or_error(set_issuperset(a, b));
    }
    return Value::not_implemented();
}

Value set_result(Set* s) { return s ? Value::object(s) : Value::null(); }

Value set_binary(BinaryOp op, Value a, Value b) {
    if (!is_any_set(a) || !is_any_set(b)) return Value::not_implemented();
    switch (op) {
    case BinaryOp::Or: {
        Set* result = set_copy(a);
        if (!result || a.is(b)) return set_result(result);
        Root keep(Value::object(result));
        return set_update(result, b) ? Value::object(result) : Value::null();
    }
    case BinaryOp::And: return set_result(set_intersection(a, b));
    case BinaryOp::Subtract: return set_result(set_difference(a, b));
    case BinaryOp::Xor: return set_result(set_symmetric_difference(a, b));
    default: return Value::not_implemented();
    }
}

bool set_length(Value self, int64_t* out) {
    *out = self_set(self)->used;
    return true;
}

Value set_iter(Value self) { return make_iterator(IterKind::Set, self); }

int set_contains_slot(Value self, Value key) { return set_contains(self_set(self), key); }

Value set_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    if (type == types.set_ || type == types.frozenset_) {
        if (!check_no_kwargs(type->name.c_str(), kwnames) ||
            !check_arg_count(type->name.c_str(), nargs, 0, 1))
            return Value::null();
    }
    bool frozen = is_subtype(type, types.frozenset_);
    if (type == types.frozenset_ && nargs == 1 && type_of(args[0]) == types.frozenset_)
        return args[0];
    // Mutable sets are filled by __init__ when subclassed, like CPython's.
    if (!frozen && type != types.set_) return Value::object(new_set(type));
    return set_result(make_new_set(type, nargs == 1 ? args[0] : Value::null()));
}

// -------------------------------------------------------------------------- methods

Value set_init(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("set", nargs, kwnames, 0, 1)) return Value::null();
    Set* so = self_set(args[0]);
    if (so->fill) clear_internal(so);
    so->hash = -1;
    if (nargs == 2 && !set_update(so, args[1])) return Value::null();
    return Value::none();
}

Value set_add_method(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("set.add", nargs, kwnames, 1, 1)) return Value::null();
    return add_key(self_set(args[0]), args[1]) ? Value::none() : Value::null();
}

// discard/remove: 1 removed, 0 absent, -1 error.
int discard_key(Set* so, Value key) {
    int64_t h;
    if (!lookup_hash(&key, &h)) return -1;
    Root keep(key);
    return discard_entry(so, key, h);
}

Value set_discard(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("set.discard", nargs, kwnames, 1, 1)) return Value::null();
    return discard_key(self_set(args[0]), args[1]) < 0 ? Value::null() : Value::none();
}

Value set_remove(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("set.remove", nargs, kwnames, 1, 1)) return Value::null();
    int r = discard_key(self_set(args[0]), args[1]);
    if (r < 0) return Value::null();
    if (r == 0) return raise_with_arg(exc.KeyError, args[1]);
    return Value::none();
}

Value set_pop(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("set.pop", nargs, kwnames, 0, 0)) return Value::null();
    Set* so = self_set(args[0]);
    if (so->used == 0) return raise_with_arg(exc.KeyError, str_value("pop from an empty set"));
    size_t mask = mask_of(so);
    size_t i = static_cast<size_t>(so->finger) & mask;
    while (so->table[i].key.is_null()) i = i + 1 > mask ? 0 : i + 1;
    Value key = so->table[i].key;
    so->table[i] = SetEntry{Value::null(), -1};
    --so->used;
    so->finger = static_cast<int64_t>(i + 1);
    return key;
}

Value set_clear(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("set.clear", nargs, kwnames, 0, 0)) return Value::null();
    clear_internal(self_set(args[0]));
    return Value::none();
}

Value set_copy_method(Value* args, int nargs, Tuple* kwnames) {
    const char* name = isinstance(args[0], types.set_) ? "set.copy" : "frozenset.copy";
    if (!method_args(name, nargs, kwnames, 0, 0)) return Value::null();
    if (type_of(args[0]) == types.frozenset_) return args[0];
    return set_result(set_copy(args[0]));
}

Value set_union(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("union", kwnames)) return Value::null();
    Set* result = set_copy(args[0]);
    if (!result) return Value::null();
    Root keep(Value::object(result));
    for (int i = 1; i < nargs; ++i)
        if (!args[i].is(args[0]) && !set_update(result, args[i])) return Value::null();
    return Value::object(result);
}

Value set_update_method(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("update", kwnames)) return Value::null();
    for (int i = 1; i < nargs; ++i)
        if (!set_update(self_set(args[0]), args[i])) return Value::null();
    return Value::none();
}

Set* intersection_multi(Value* args, int nargs) {
    if (nargs == 1) return set_copy(args[0]);
    Value result = args[0];
    Root keep(result);
    for (int i = 1; i < nargs; ++i) {
        Set* next = set_intersection(result, args[i]);
        if (!next) return nullptr;
        result = Value::object(next);
        keep.set(result);
    }
    return self_set(result);
}

Value set_intersection_method(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("intersection", kwnames)) return Value::null();
    return set_result(intersection_multi(args, nargs));
}

Value set_intersection_update(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("intersection_update", kwnames)) return Value::null();
    Set* tmp = intersection_multi(args, nargs);
    if (!tmp) return Value::null();
    swap_bodies(self_set(args[0]), tmp);
    return Value::none();
}

Value set_difference_method(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("difference", kwnames)) return Value::null();
    if (nargs == 1) return set_result(set_copy(args[0]));
    Set* result = set_difference(args[0], args[1]);
    if (!result) return Value::null();
    Root keep(Value::object(result));
    for (int i = 2; i < nargs; ++i)
        if (!difference_update_internal(result, args[i])) return Value::null();
    return Value::object(result);
}

Value set_difference_update_method(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("difference_update", kwnames)) return Value::null();
    for (int i = 1; i < nargs; ++i)
        if (!difference_update_internal(self_set(args[0]), args[i])) return Value::null();
    return Value::none();
}

Value set_symmetric_difference_method(Value* args, int nargs, Tuple* kwnames) {
    const char* name = isinstance(args[0], types.set_) ? "set.symmetric_difference"
                                                        : "frozenset.symmetric_difference";
    if (!method_args(name, nargs, kwnames, 1, 1)) return Value::null();
    return set_result(set_symmetric_difference(args[0], args[1]));
}

Value set_symmetric_difference_update_method(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("set.symmetric_difference_update", nargs, kwnames, 1, 1))
        return Value::null();
    if (!symmetric_difference_update(self_set(args[0]), args[1])) return Value::null();
    return Value::none();
}

Value set_issubset_method(Value* args, int nargs, Tuple* kwnames) {
    const char* name = isinstance(args[0], types.set_) ? "set.issubset" : "frozenset.issubset";
    if (!method_args(name, nargs, kwnames, 1, 1)) return Value::null();
    return bool_or_error(set_issubset(args[0], args[1]));
}

Value set_issuperset_method(Value* args, int nargs, Tuple* kwnames) {
    const char* name = isinstance(args[0], types.set_) ? "set.issuperset" : "frozenset.issuperset";
    if (!method_args(name, nargs, kwnames, 1, 1)) return Value::null();
    return bool_or_error(set_issuperset(args[0], args[1]));
}

Value set_isdisjoint_method(Value* args, int nargs, Tuple* kwnames) {
    const char* name = isinstance(args[0], types.set_) ? "set.isdisjoint" : "frozenset.isdisjoint";
    if (!method_args(name, nargs, kwnames, 1, 1)) return Value::null();
    return bool_or_error(set_isdisjoint(args[0], args[1]));
}

const MethodDef kSetMethods[] = {
    {"__init__", set_init},
    {"add", set_add_method},
    {"discard", set_discard},
    {"remove", set_remove},
    {"pop", set_pop},
    {"clear", set_clear},
    {"copy", set_copy_method},
    {"update", set_update_method},
    {"union", set_union},
    {"intersection", set_intersection_method},
    {"intersection_update", set_intersection_update},
    {"difference", set_difference_method},
    {"difference_update", set_difference_update_method},
    {"symmetric_difference", set_symmetric_difference_method},
    {"symmetric_difference_update", set_symmetric_difference_update_method},
    {"issubset", set_issubset_method},
    {"issuperset", set_issuperset_method},
    {"isdisjoint", set_isdisjoint_method},
    {nullptr, nullptr},
};

const MethodDef kFrozenSetMethods[] = {
    {"copy", set_copy_method},
    {"union", set_union},
    {"intersection", set_intersection_method},
    {"difference", set_difference_method},
    {"symmetric_difference", set_symmetric_difference_method},
    {"issubset", set_issubset_method},
    {"issuperset", set_issuperset_method},
    {"isdisjoint", set_isdisjoint_method},
    {nullptr, nullptr},
};

}  // namespace

Set* make_set(bool frozen) { return new_set(frozen ? types.frozenset_ : types.set_); }

Set* make_constant_frozenset(const Value* items, int64_t n) {
    Set* first = new_set(types.frozenset_);
    Root keep(Value::object(first));
    for (int64_t i = 0; i < n; ++i)
        if (!add_key(first, items[i])) return nullptr;
    // CPython's compiler rebuilds constant frozensets from their own iteration order
    // (merge_consts_recursive), which moves colliding keys: do the same.
    Set* result = new_set(types.frozenset_);
    for (const SetEntry& e : first->table)
        if (!e.key.is_null() && !add_entry(result, e.key, e.hash)) return nullptr;
    return result;
}

bool set_add(Set* s, Value key) { return add_key(s, key); }

int set_contains(Set* s, Value key) {
    int64_t h;
    if (!lookup_hash(&key, &h)) return -1;
    Root keep(key);
    size_t pos;
    return lookkey(s, key, h, &pos);
}

bool set_update(Set* so, Value other) {
    if (is_any_set(other)) return set_merge(so, self_set(other));
    if (type_of(other) == types.dict_) {
        Dict* d = as<Dict>(other);
        if ((so->fill + d->used) * 5 >= static_cast<int64_t>(mask_of(so)) * 3)
            table_resize(so, (so->used + d->used) * 2);
        for (size_t i = 0; i < d->entries.size(); ++i) {
            DictEntry e = d->entries[i];
            if (!e.key.is_null() && !add_entry(so, e.key, e.hash)) return false;
        }
        return true;
    }
    Value it = get_iter(other);
    if (it.is_null()) return false;
    Root keep(it);
    for (;;) {
        Value key = iter_next(it);
        if (key.is_null()) return !has_pending();
        if (!add_key(so, key)) return false;
    }
}

bool set_difference_update(Set* s, Value iterable) {
    return difference_update_internal(s, iterable);
}

bool set_symmetric_difference_update(Set* s, Value iterable) {
    return symmetric_difference_update(s, iterable);
}

Value set_inplace(BinaryOp op, Value a, Value b) {
    if (!is_any_set(b)) return Value::not_implemented();
    Set* so = self_set(a);
    bool ok;
    switch (op) {
    case BinaryOp::Or: ok = set_update(so, b); break;
    case BinaryOp::And: {
        Set* tmp = set_intersection(a, b);
        ok = tmp != nullptr;
        if (ok) swap_bodies(so, tmp);
        break;
    }
    case BinaryOp::Subtract: ok = difference_update_internal(so, b); break;
    case BinaryOp::Xor: ok = symmetric_difference_update(so, b); break;
    default: return Value::not_implemented();
    }
    return ok ? a : Value::null();
}

void setup_set_types() {
    for (Type* t : {types.set_, types.frozenset_}) {
        t->repr = set_repr;
        t->compare = set_compare;
        t->binary = set_binary;
        t->length = set_length;
        t->iter = set_iter;
        t->contains = set_contains_slot;
        t->new_instance = set_new;
        t->trace = trace_set;
        t->destroy = destroy_set;
    }
    types.set_->hash = set_hash;
    types.set_->inplace = set_inplace;
    types.frozenset_->hash = frozenset_hash;
    add_methods(types.set_, kSetMethods);
    add_methods(types.frozenset_, kFrozenSetMethods);
}

}  // namespace apy::rt
