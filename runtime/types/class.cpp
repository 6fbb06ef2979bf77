// Classes defined in apy code, with CPython's semantics: __build_class__ runs the
// class body in a fresh namespace and calls the metaclass; type_new makes the
// Type (C3 MRO, layout of the solid base, __slots__, __classcell__,
// __init_subclass__, __set_name__); the slots of a class call its dunder methods
// when apy code defines them, else those of its first builtin base.
#include <algorithm>

#include "runtime/args.h"
#include "runtime/classes.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "vm/frame.h"
#include "vm/import.h"
#include "vm/interp.h"

namespace apy::rt {

void inherit_slots(Type* type);  // types/object.cpp

namespace {

// Interned dunder names, made once.
#define APY_CLASS_NAMES(X)                                                                    \
    X(repr, repr) X(str, str) X(hash, hash) X(bool_, bool) X(len, len) X(iter, iter)          \
    X(next, next) X(contains, contains) X(getitem, getitem) X(setitem, setitem)               \
    X(delitem, delitem) X(call, call) X(getattr, getattr) X(getattribute, getattribute)       \
    X(setattr, setattr) X(delattr, delattr) X(get, get) X(set, set) X(delete_, delete)        \
    X(neg, neg) X(pos, pos) X(invert, invert) X(init, init) X(new_, new) X(eq, eq) X(ne, ne)  \
    X(lt, lt) X(le, le) X(gt, gt) X(ge, ge) X(init_subclass, init_subclass)                   \
    X(set_name, set_name) X(module, module) X(slots, slots) X(dict, dict)                     \
    X(weakref, weakref) X(doc, doc) X(prepare, prepare) X(class_getitem, class_getitem)       \
    X(name, name)
struct Names {
#define APY_NAME_FIELD(field, text) Str* field = nullptr;
    APY_CLASS_NAMES(APY_NAME_FIELD)
#undef APY_NAME_FIELD
    Str* binary[13] = {};
    Str* reflected[13] = {};
    Str* inplace[13] = {};
    Str* compare[6] = {};
};
Names N;

void make_names() {
#define APY_NAME_INIT(field, text) N.field = intern("__" #text "__");
    APY_CLASS_NAMES(APY_NAME_INIT)
#undef APY_NAME_INIT
    const char* const binary[][3] = {
#define APY_BINOP_NAMES(name, sym, dunder, rdunder, idunder) {dunder, rdunder, idunder},
        APY_BINARY_OPS(APY_BINOP_NAMES)
#undef APY_BINOP_NAMES
    };
    for (int i = 0; i < 13; ++i) {
        N.binary[i] = intern(binary[i][0]);
        N.reflected[i] = intern(binary[i][1]);
        N.inplace[i] = intern(binary[i][2]);
    }
    Str* const compare[] = {N.lt, N.le, N.eq, N.ne, N.gt, N.ge};
    std::copy(std::begin(compare), std::end(compare), N.compare);
}

// Every class alive, so that changing a dunder of a class updates its subclasses.
std::vector<Type*> g_classes;

// object.__init__ and object.__new__: finding them means "not overridden".
Value g_object_init;
Value g_object_new;
Value g_object_ne;

// A dunder found on a type that apy code provides (builtin methods stand for native slots).
bool is_user(Value v) { return !v.is_null() && !is_layout(v, Layout::BuiltinFunction); }

Value lookup(Type* type, Str* name) { return lookup_in_type(type, name); }

// Calls [attr], found on the type of [self], as a method of [self].
Value call_with_self(Value attr, Value self, Value* args, int nargs, Tuple* kwnames) {
    if (!enter_recursive_call(" while calling a Python object")) return Value::null();
    Value result;
    if (is_layout(attr, Layout::Function)) {
        int nkw = kwnames ? static_cast<int>(kwnames->size) : 0;
        std::vector<Value> all;
        all.reserve(nargs + nkw + 1);
        all.push_back(self);
        all.insert(all.end(), args, args + nargs + nkw);
        result = call(attr, all.data(), nargs + 1, kwnames);
    } else if (Type* t = type_of(attr); t->descr_get) {
        Value bound = t->descr_get(attr, self, Value::object(type_of(self)));
        if (!bound.is_null()) {
            Root keep(bound);
            result = call(bound, args, nargs, kwnames);
        }
    } else {
        result = call(attr, args, nargs, kwnames);
    }
    leave_recursive_call();
    return result;
}

Value call_self1(Value attr, Value self, Value arg) { return call_with_self(attr, self, &arg, 1, nullptr); }

// ------------------------------------------------------------------------- slots

Value slot_repr(Value self) {
    Value f = lookup(type_of(self), N.repr);
    if (is_user(f)) return call_with_self(f, self, nullptr, 0, nullptr);
    return native_base(type_of(self))->repr(self);
}

Value slot_str(Value self) {
    Value f = lookup(type_of(self), N.str);
    if (is_user(f)) return call_with_self(f, self, nullptr, 0, nullptr);
    Type* native = native_base(type_of(self));
    return native->str ? native->str(self) : repr(self);
}

bool unhashable(Value self) {
    raise_format(exc.TypeError, "unhashable type: '%s'", type_name(self).c_str());
    return false;
}

bool slot_hash(Value self, int64_t* out) {
    Value f = lookup(type_of(self), N.hash);
    if (f.is_none()) return unhashable(self);
    if (!is_user(f)) {
        Type* native = native_base(type_of(self));
        return native->hash ? native->hash(self, out) : unhashable(self);
    }
    Value r = call_with_self(f, self, nullptr, 0, nullptr);
    if (r.is_null()) return false;
    if (!is_int(r)) {
        raise(exc.TypeError, "__hash__ method should return an integer");
        return false;
    }
    // As CPython: the int itself when it fits in 64 bits (-1 is an error code: -2), else
    // the hash of the int.
    if (!int_to_int64(r, out)) *out = hash_int(r);
    if (*out == -1) *out = -2;
    return true;
}

Value slot_compare(Value a, Value b, CompareOp op) {
    Type* type = type_of(a);
    Value f = lookup(type, N.compare[static_cast<int>(op)]);
    if (is_user(f)) return call_self1(f, a, b);
    if (op == CompareOp::Ne && (f.is_null() || f.is(g_object_ne))) {
        // object.__ne__: the negation of __eq__ unless that is NotImplemented.
        Value eq = lookup(type, N.eq);
        if (is_user(eq)) {
            Value r = call_self1(eq, a, b);
            if (r.is_null() || r.is_not_implemented()) return r;
            int t = truthy(r);
            return t < 0 ? Value::null() : Value::boolean(!t);
        }
    }
    Type* native = native_base(type);
    return native->compare ? native->compare(a, b, op) : Value::not_implemented();
}

Value slot_binary(BinaryOp op, Value a, Value b);

Value binary_forward(BinaryOp op, Value a, Value b) {
    Type* type = type_of(a);
    Value f = lookup(type, N.binary[static_cast<int>(op)]);
    if (is_user(f)) return call_self1(f, a, b);
    Type* native = native_base(type);
    return native->binary ? native->binary(op, a, b) : Value::not_implemented();
}

Value binary_reflected(BinaryOp op, Value a, Value b) {
    Type* type = type_of(b);
    Value f = lookup(type, N.reflected[static_cast<int>(op)]);
    if (is_user(f)) return call_self1(f, b, a);
    Type* native = native_base(type);
    return native->binary ? native->binary(op, a, b) : Value::not_implemented();
}

// Whether [right] has [name] and it is not the one [left] has (CPython's method_is_overloaded).
bool overloaded(Type* left, Type* right, Str* name) {
    Value r = lookup(right, name);
    if (r.is_null()) return false;
    Value l = lookup(left, name);
    return l.is_null() || !l.is(r);
}

// CPython's SLOT1BINFULL: self may be either operand; a subclass's reflected method first.
Value slot_binary(BinaryOp op, Value a, Value b) {
    Type* ta = type_of(a);
    Type* tb = type_of(b);
    bool do_other = ta != tb && tb->binary == slot_binary;
    if (ta->binary == slot_binary) {
        if (do_other && is_subtype(tb, ta) &&
            overloaded(ta, tb, N.reflected[static_cast<int>(op)])) {
            Value r = binary_reflected(op, a, b);
            if (!r.is_not_implemented()) return r;
            do_other = false;
        }
        Value r = binary_forward(op, a, b);
        if (!r.is_not_implemented() || ta == tb) return r;
    }
    if (do_other) return binary_reflected(op, a, b);
    return Value::not_implemented();
}

Value slot_inplace(BinaryOp op, Value a, Value b) {
    Type* type = type_of(a);
    Value f = lookup(type, N.inplace[static_cast<int>(op)]);
    if (is_user(f)) return call_self1(f, a, b);
    Type* native = native_base(type);
    return native->inplace ? native->inplace(op, a, b) : Value::not_implemented();
}

Value slot_unary(UnaryOp op, Value self) {
    Str* const names[] = {N.neg, N.pos, N.invert};
    Value f = lookup(type_of(self), names[static_cast<int>(op)]);
    if (is_user(f)) return call_with_self(f, self, nullptr, 0, nullptr);
    Type* native = native_base(type_of(self));
    return native->unary ? native->unary(op, self) : Value::not_implemented();
}

bool slot_length(Value self, int64_t* out) {
    Value f = lookup(type_of(self), N.len);
    if (!is_user(f)) {
        Type* native = native_base(type_of(self));
        if (native->length) return native->length(self, out);
        raise_format(exc.TypeError, "object of type '%s' has no len()", type_name(self).c_str());
        return false;
    }
    Value r = call_with_self(f, self, nullptr, 0, nullptr);
    if (r.is_null() || !to_index(r, out)) return false;
    if (*out < 0) {
        raise(exc.ValueError, "__len__() should return >= 0");
        return false;
    }
    return true;
}

int slot_truth(Value self) {
    Value f = lookup(type_of(self), N.bool_);
    if (is_user(f)) {
        Value r = call_with_self(f, self, nullptr, 0, nullptr);
        if (r.is_null()) return -1;
        if (!r.is_bool()) {
            raise_format(exc.TypeError, "__bool__ should return bool, returned %s",
                         type_name(r).c_str());
            return -1;
        }
        return r.is_true();
    }
    if (is_user(lookup(type_of(self), N.len))) {
        int64_t n;
        return slot_length(self, &n) ? n != 0 : -1;
    }
    Type* native = native_base(type_of(self));
    if (native->truth) return native->truth(self);
    if (native->length) {
        int64_t n;
        return native->length(self, &n) ? n != 0 : -1;
    }
    return 1;
}

Value make_sequence_iterator(Value sequence);

Value not_iterable(Value self) {
    return raise_format(exc.TypeError, "'%s' object is not iterable", type_name(self).c_str());
}

Value slot_iter(Value self) {
    Type* type = type_of(self);
    Value f = lookup(type, N.iter);
    if (f.is_none()) return not_iterable(self);
    if (is_user(f)) {
        Value r = call_with_self(f, self, nullptr, 0, nullptr);
        if (r.is_null()) return r;
        if (!type_of(r)->next)
            return raise_format(exc.TypeError, "iter() returned non-iterator of type '%s'",
                                type_name(r).c_str());
        return r;
    }
    Type* native = native_base(type);
    if (native->iter) return native->iter(self);
    if (is_user(lookup(type, N.getitem))) return make_sequence_iterator(self);
    return not_iterable(self);
}

Value slot_next(Value self) {
    Value f = lookup(type_of(self), N.next);
    if (!is_user(f)) {
        Type* native = native_base(type_of(self));
        if (native->next) return native->next(self);
        return raise_format(exc.TypeError, "'%s' object is not an iterator",
                            type_name(self).c_str());
    }
    Value r = call_with_self(f, self, nullptr, 0, nullptr);
    // The slot reports exhaustion as null with nothing pending.
    if (r.is_null() && pending_is(exc.StopIteration)) clear_pending();
    return r;
}

Value slot_getitem(Value self, Value key) {
    Value f = lookup(type_of(self), N.getitem);
    if (is_user(f)) return call_self1(f, self, key);
    Type* native = native_base(type_of(self));
    if (native->getitem) return native->getitem(self, key);
    return raise_format(exc.TypeError, "'%s' object is not subscriptable",
                        type_name(self).c_str());
}

bool slot_setitem(Value self, Value key, Value value) {
    Str* name = value.is_null() ? N.delitem : N.setitem;
    Value f = lookup(type_of(self), name);
    if (is_user(f)) {
        Value args[2] = {key, value};
        return !call_with_self(f, self, args, value.is_null() ? 1 : 2, nullptr).is_null();
    }
    Type* native = native_base(type_of(self));
    if (native->setitem) return native->setitem(self, key, value);
    raise(exc.AttributeError, std::string(name->view()));
    return false;
}

int slot_contains(Value self, Value item) {
    Value f = lookup(type_of(self), N.contains);
    if (is_user(f)) {
        Value r = call_self1(f, self, item);
        return r.is_null() ? -1 : truthy(r);
    }
    Type* native = native_base(type_of(self));
    if (native->contains) return native->contains(self, item);
    Value it = get_iter(self);
    if (it.is_null()) return -1;
    Root keep(it);
    for (;;) {
        Value x = iter_next(it);
        if (x.is_null()) return has_pending() ? -1 : 0;
        int eq = equals(x, item);
        if (eq != 0) return eq;
    }
}

Value slot_call(Value self, Value* args, int nargs, Tuple* kwnames) {
    Value f = lookup(type_of(self), N.call);
    if (is_user(f)) return call_with_self(f, self, args, nargs, kwnames);
    Type* native = native_base(type_of(self));
    if (native->call) return native->call(self, args, nargs, kwnames);
    return raise_format(exc.TypeError, "'%s' object is not callable", type_name(self).c_str());
}

Value native_getattr(Value self, Str* name) {
    Type* native = native_base(type_of(self));
    return native->getattr ? native->getattr(self, name) : generic_getattr(self, name);
}

Value slot_getattr(Value self, Str* name) {
    Type* type = type_of(self);
    Value getattribute = lookup(type, N.getattribute);
    Value r = is_user(getattribute) ? call_self1(getattribute, self, Value::object(name))
                                    : native_getattr(self, name);
    if (r.is_null() && pending_is(exc.AttributeError)) {
        Value fallback = lookup(type, N.getattr);
        if (is_user(fallback)) {
            clear_pending();
            r = call_self1(fallback, self, Value::object(name));
        }
    }
    return r;
}

// object.__setattr__: data descriptors of the class, then the instance dict.
bool object_setattr(Value self, Str* name, Value value) {
    Type* type = type_of(self);
    Value attr = lookup(type, name);
    if (!attr.is_null()) {
        Type* attr_type = type_of(attr);
        if (attr_type->descr_set) return attr_type->descr_set(attr, self, value);
    }
    if (type->flags & kClassNoDict) {
        if (attr.is_null() || value.is_null())
            raise_format(exc.AttributeError, "'%s' object has no attribute '%s'",
                         type->name.c_str(), name->data);
        else
            raise_format(exc.AttributeError, "'%s' object attribute '%s' is read-only",
                         type->name.c_str(), name->data);
        return false;
    }
    Type* native = native_base(type);
    if (native->setattr) return native->setattr(self, name, value);
    return generic_setattr(self, name, value);
}

bool slot_setattr(Value self, Str* name, Value value) {
    Value f = lookup(type_of(self), value.is_null() ? N.delattr : N.setattr);
    if (is_user(f)) {
        Value args[2] = {Value::object(name), value};
        return !call_with_self(f, self, args, value.is_null() ? 1 : 2, nullptr).is_null();
    }
    return object_setattr(self, name, value);
}

Value slot_descr_get(Value descr, Value instance, Value owner) {
    Value f = lookup(type_of(descr), N.get);
    if (!is_user(f)) return descr;
    Value args[2] = {instance.is_null() ? Value::none() : instance,
                     owner.is_null() ? Value::none() : owner};
    return call_with_self(f, descr, args, 2, nullptr);
}

bool slot_descr_set(Value descr, Value instance, Value value) {
    Str* name = value.is_null() ? N.delete_ : N.set;
    Value f = lookup(type_of(descr), name);
    if (!is_user(f)) {
        raise(exc.AttributeError, std::string(name->view()));
        return false;
    }
    Value args[2] = {instance, value};
    return !call_with_self(f, descr, args, value.is_null() ? 1 : 2, nullptr).is_null();
}

// Points each slot of [type] at the generic dunder caller when apy code defines the
// dunder somewhere on the MRO, else at the native behaviour of its first builtin base.
void update_slots(Type* type) {
    Type* native = native_base(type);
    auto user = [&](Str* name) { return is_user(lookup(type, name)); };
    auto any_user = [&](Str* const* names, int n) {
        for (int i = 0; i < n; ++i)
            if (user(names[i])) return true;
        return false;
    };
    type->repr = user(N.repr) ? slot_repr : native->repr;
    type->str = user(N.str) ? slot_str : native->str;
    Value hash_attr = lookup(type, N.hash);
    type->hash = hash_attr.is_none() ? nullptr : is_user(hash_attr) ? slot_hash : native->hash;
    type->compare = any_user(N.compare, 6) ? slot_compare : native->compare;
    bool binary = any_user(N.binary, 13) || any_user(N.reflected, 13);
    type->binary = binary ? slot_binary : native->binary;
    type->inplace = any_user(N.inplace, 13) ? slot_inplace : native->inplace;
    Str* const unary[] = {N.neg, N.pos, N.invert};
    type->unary = any_user(unary, 3) ? slot_unary : native->unary;
    type->truth = user(N.bool_) || user(N.len) ? slot_truth : native->truth;
    type->length = user(N.len) ? slot_length : native->length;
    bool iterable = user(N.iter) || lookup(type, N.iter).is_none() ||
                    (!native->iter && user(N.getitem));
    type->iter = iterable ? slot_iter : native->iter;
    type->next = user(N.next) ? slot_next : native->next;
    type->getitem = user(N.getitem) ? slot_getitem : native->getitem;
    type->setitem = user(N.setitem) || user(N.delitem) ? slot_setitem : native->setitem;
    type->contains = user(N.contains) ? slot_contains : native->contains;
    type->call = user(N.call) ? slot_call : native->call;
    type->getattr = user(N.getattr) || user(N.getattribute) ? slot_getattr : native->getattr;
    bool setattr = user(N.setattr) || user(N.delattr) || (type->flags & kClassNoDict) ||
                   native->setattr;
    type->setattr = setattr ? slot_setattr : nullptr;
    type->descr_get = user(N.get) ? slot_descr_get : native->descr_get;
    type->descr_set = user(N.set) || user(N.delete_) ? slot_descr_set : native->descr_set;
}

// --------------------------------------------------------- sequence iterators

// iter() of an object with __getitem__ only: items 0, 1, ... until IndexError.
struct SequenceIterator : Object {
    Value sequence;
    int64_t index = 0;
};
Type* g_sequence_iterator;

Value make_sequence_iterator(Value sequence) {
    auto* it = heap().make<SequenceIterator>(g_sequence_iterator);
    it->sequence = sequence;
    return Value::object(it);
}

Value sequence_iterator_next(Value self) {
    auto* it = as<SequenceIterator>(self);
    if (it->sequence.is_null()) return Value::null();
    Value item = getitem(it->sequence, make_int(it->index));
    if (item.is_null()) {
        if (pending_is(exc.IndexError) || pending_is(exc.StopIteration)) {
            clear_pending();
            it->sequence = Value::null();
        }
        return Value::null();
    }
    ++it->index;
    return item;
}

Value sequence_iterator_iter(Value self) { return self; }

void sequence_iterator_trace(Object* self, Tracer& tracer) {
    tracer.mark(static_cast<SequenceIterator*>(self)->sequence);
}

// ----------------------------------------------------------------- type creation

bool subclassable(Type* base) {
    if (!base->is_builtin || (base->flags & kTypeBaseClass)) return true;
    Type* const ok[] = {types.object_, types.type_, types.int_,  types.float_,    types.str_,
                        types.tuple_,  types.list_, types.dict_, types.set_, types.frozenset_};
    if (std::find(std::begin(ok), std::end(ok), base) != std::end(ok)) return true;
    return is_subtype(base, exc.BaseException);
}

// Layouts that hold nothing beyond what any instance has.
bool plain_layout(Layout layout) { return layout == Layout::Object || layout == Layout::Instance; }

// The instance dicts of value_subclass_dict, by instance.
std::unordered_map<const Object*, Dict*> g_value_dicts;

// The builtin type whose struct a subclass instance of int, float, str or tuple has, else null.
Type* value_type(Layout layout) {
    switch (layout) {
    case Layout::Int: return types.int_;
    case Layout::Float: return types.float_;
    case Layout::Str: return types.str_;
    case Layout::Tuple: return types.tuple_;
    default: return nullptr;
    }
}

void value_subclass_trace(Object* self, Tracer& tracer) {
    Type* native = value_type(self->type->layout);
    if (native->trace) native->trace(self, tracer);
    if (auto it = g_value_dicts.find(self); it != g_value_dicts.end()) tracer.mark(it->second);
}

void value_subclass_destroy(Object* self) {
    g_value_dicts.erase(self);
    Type* native = value_type(self->type->layout);
    if (native->destroy) native->destroy(self);
}

// C3 linearisation of [bases]; false with CPython's TypeError pending when inconsistent.
bool c3_merge(const std::vector<Type*>& bases, std::vector<Type*>& out) {
    std::vector<std::vector<Type*>> seqs;
    for (Type* b : bases) seqs.push_back(b->mro);
    seqs.push_back(bases);
    std::vector<size_t> heads(seqs.size(), 0);
    for (;;) {
        bool all_empty = true;
        Type* pick = nullptr;
        for (size_t i = 0; i < seqs.size() && !pick; ++i) {
            if (heads[i] >= seqs[i].size()) continue;
            all_empty = false;
            Type* candidate = seqs[i][heads[i]];
            bool in_tail = false;
            for (size_t j = 0; j < seqs.size() && !in_tail; ++j)
                for (size_t k = heads[j] + 1; k < seqs[j].size(); ++k)
                    if (seqs[j][k] == candidate) {
                        in_tail = true;
                        break;
                    }
            if (!in_tail) pick = candidate;
        }
        if (all_empty) return true;
        if (!pick) {
            std::vector<Type*> remaining;
            for (size_t i = 0; i < seqs.size(); ++i)
                if (heads[i] < seqs[i].size() &&
                    std::find(remaining.begin(), remaining.end(), seqs[i][heads[i]]) ==
                        remaining.end())
                    remaining.push_back(seqs[i][heads[i]]);
            std::string names;
            for (size_t i = 0; i < remaining.size(); ++i)
                names += (i ? ", " : "") + remaining[i]->name;
            raise(exc.TypeError, "Cannot create a consistent method resolution\norder (MRO) for "
                                 "bases " + names);
            return false;
        }
        out.push_back(pick);
        for (size_t i = 0; i < seqs.size(); ++i)
            if (heads[i] < seqs[i].size() && seqs[i][heads[i]] == pick) ++heads[i];
    }
}

// Whether instances of [type] (a base of a new class) already have a __dict__ descriptor.
bool has_dict_descriptor(Type* type) {
    for (Type* t : type->mro)
        if (!t->is_builtin && t->dict && !dict_get_str(t->dict, N.dict).is_null()) return true;
    return false;
}

// The names of __slots__: a string or an iterable of strings.
bool slot_names(Value slots, std::vector<Str*>& out) {
    std::vector<Value> items;
    if (is_str(slots)) {
        items.push_back(slots);
    } else if (!collect_iterable(slots, items)) {
        return false;
    }
    for (Value v : items) {
        if (!is_str(v)) {
            raise_format(exc.TypeError, "__slots__ items must be strings, not '%s'",
                         type_name(v).c_str());
            return false;
        }
        out.push_back(intern(str_view(v)));
    }
    return true;
}

// Calls __set_name__ of the descriptors in the new class's dict, then __init_subclass__.
bool finish_class(Type* type, Value* kwvalues, Tuple* kwnames) {
    std::vector<std::pair<Value, Value>> entries;
    for (const DictEntry& e : type->dict->entries)
        if (!e.key.is_null()) entries.emplace_back(e.key, e.value);
    for (auto& [key, value] : entries) {
        Value f = lookup(type_of(value), N.set_name);
        if (f.is_null()) continue;
        Root keep(value);
        Value args[2] = {Value::object(type), key};
        if (call_with_self(f, value, args, 2, nullptr).is_null()) return false;
    }
    // super(type, type).__init_subclass__(**kwargs)
    Value init = Value::null();
    for (size_t i = 1; i < type->mro.size() && init.is_null(); ++i)
        if (type->mro[i]->dict) init = dict_get_str(type->mro[i]->dict, N.init_subclass);
    if (init.is_null()) return true;
    Type* init_type = type_of(init);
    if (init_type->descr_get) init = init_type->descr_get(init, Value::null(), Value::object(type));
    if (init.is_null()) return false;
    Root keep(init);
    return !call(init, kwvalues, 0, kwnames).is_null();
}

// The module a class made by type() belongs to: __name__ of the calling code's globals.
Value calling_module() {
    vm::Frame* f = vm::current_frame();
    if (!f) return Value::null();
    return dict_get_str(f->globals, N.name);
}

}  // namespace

Type* native_base(Type* type) {
    for (Type* t : type->mro)
        if (t->is_builtin) return t;
    return types.object_;
}

Value type_new(Type* meta, Value* args, int nargs, Tuple* kwnames) {
    if (nargs != 3) return raise(exc.TypeError, "type() takes 1 or 3 arguments");
    if (!is_str(args[0]))
        return raise_format(exc.TypeError, "type.__new__() argument 1 must be str, not %s",
                            type_name(args[0]).c_str());
    if (!is_layout(args[1], Layout::Tuple))
        return raise_format(exc.TypeError, "type.__new__() argument 2 must be tuple, not %s",
                            type_name(args[1]).c_str());
    if (!is_layout(args[2], Layout::Dict))
        return raise_format(exc.TypeError, "type.__new__() argument 3 must be dict, not %s",
                            type_name(args[2]).c_str());
    Tuple* base_tuple = as<Tuple>(args[1]);
    Dict* ns = as<Dict>(args[2]);
    // The most derived metaclass of meta and the bases' metaclasses.
    Type* winner = meta;
    for (int64_t i = 0; i < base_tuple->size; ++i) {
        Type* mt = type_of(base_tuple->items[i]);
        if (is_subtype(winner, mt)) continue;
        if (is_subtype(mt, winner)) {
            winner = mt;
            continue;
        }
        return raise(exc.TypeError,
                     "metaclass conflict: the metaclass of a derived class must be a (non-strict) "
                     "subclass of the metaclasses of all its bases");
    }
    std::vector<Type*> bases;
    for (int64_t i = 0; i < base_tuple->size; ++i) {
        Value b = base_tuple->items[i];
        if (!is_layout(b, Layout::Type)) return raise(exc.TypeError, "bases must be types");
        Type* base = as<Type>(b);
        if (std::find(bases.begin(), bases.end(), base) != bases.end())
            return raise_format(exc.TypeError, "duplicate base class %s", base->name.c_str());
        if (!subclassable(base))
            return raise_format(exc.TypeError, "type '%s' is not an acceptable base type",
                                base->name.c_str());
        bases.push_back(base);
    }
    if (bases.empty()) bases.push_back(types.object_);

    // The solid base: the one whose instance layout the new class's instances take.
    Type* best = nullptr;
    for (Type* b : bases) {
        if (plain_layout(b->layout)) continue;
        if (best && best->layout != b->layout)
            return raise(exc.TypeError, "multiple bases have instance lay-out conflict");
        if (!best) best = b;
    }
    Layout layout = best ? best->layout : Layout::Instance;
    if (!best) best = bases[0];

    std::vector<Type*> mro;
    if (!c3_merge(bases, mro)) return Value::null();

    Type* type = heap().make<Type>(winner);
    Root keep_type(Value::object(type));
    type->name = std::string(str_view(args[0]));
    type->module = "__main__";
    type->base = best;
    type->bases = bases;
    type->mro.push_back(type);
    type->mro.insert(type->mro.end(), mro.begin(), mro.end());
    type->layout = layout;
    type->is_builtin = false;
    type->dict = make_dict();
    type->dict->owner_type = type;
    for (Type* b : bases) b->has_subclasses = true;
    g_classes.push_back(type);

    Dict* dict = type->dict;
    Value classcell = Value::null();
    for (const DictEntry& e : ns->entries) {
        if (e.key.is_null()) continue;
        if (is_str(e.key) && as<Str>(e.key)->view() == "__qualname__") {
            if (!is_str(e.value))
                return raise_format(exc.TypeError, "type __qualname__ must be a str, not %s",
                                    type_name(e.value).c_str());
            type->qualname = std::string(str_view(e.value));
            continue;
        }
        if (is_str(e.key) && as<Str>(e.key)->view() == "__classcell__") {
            classcell = e.value;
            continue;
        }
        if (!dict_set(dict, e.key, e.value)) return Value::null();
    }
    Value module = dict_get_str(dict, N.module);
    if (module.is_null()) {
        module = calling_module();
        if (!module.is_null()) dict_set_str(dict, N.module, module);
    }
    if (!module.is_null() && is_str(module)) type->module = std::string(str_view(module));

    // __new__ is a static method; __init_subclass__ and __class_getitem__ class methods.
    Value f = dict_get_str(dict, N.new_);
    if (is_layout(f, Layout::Function)) dict_set_str(dict, N.new_, make_staticmethod(f));
    for (Str* name : {N.init_subclass, N.class_getitem}) {
        f = dict_get_str(dict, name);
        if (is_layout(f, Layout::Function)) dict_set_str(dict, name, make_classmethod(f));
    }

    // __slots__: member descriptors, and no instance dict unless asked for.
    bool base_has_dict = false;
    for (Type* b : bases)
        if (has_dict_descriptor(b)) base_has_dict = true;
    bool wants_dict = !base_has_dict;
    Value slots = dict_get_str(dict, N.slots);
    if (!slots.is_null()) {
        std::vector<Str*> names;
        if (!slot_names(slots, names)) return Value::null();
        // CPython's variable-sized structs (int, tuple) take no slot members.
        if ((layout == Layout::Int || layout == Layout::Tuple) && !names.empty())
            return raise_format(exc.TypeError,
                                "nonempty __slots__ not supported for subtype of '%s'",
                                native_base(type)->name.c_str());
        bool slot_dict = false;
        for (Str* name : names) {
            if (name == N.dict) {
                slot_dict = true;
                continue;
            }
            if (name == N.weakref) continue;
            if (!dict_get_str(dict, name).is_null())
                return raise_format(exc.ValueError,
                                    "'%s' in __slots__ conflicts with class variable", name->data);
            dict_set_str(dict, name, make_member(name, type));
        }
        bool base_no_dict = true;
        for (Type* b : bases)
            if (b->is_builtin ? is_subtype(b, exc.BaseException) || (b->flags & kTypeBaseClass)
                              : !(b->flags & kClassNoDict))
                base_no_dict = false;
        if (!slot_dict && base_no_dict) type->flags |= kClassNoDict;
        wants_dict = slot_dict && !base_has_dict;
        if (wants_dict) dict_set_str(dict, N.dict, make_dict_descriptor(type));
    } else if (wants_dict && layout != Layout::Exception && layout != Layout::Type) {
        dict_set_str(dict, N.dict, make_dict_descriptor(type));
        // CPython's sets have their own weak reference slot, ints and tuples none.
        Layout const no_weakref[] = {Layout::Int, Layout::Tuple, Layout::Set, Layout::FrozenSet};
        if (std::find(std::begin(no_weakref), std::end(no_weakref), layout) == std::end(no_weakref))
            dict_set_str(dict, N.weakref, make_weakref_descriptor(type));
    }
    if (dict_get_str(dict, N.doc).is_null()) dict_set_str(dict, N.doc, Value::none());
    // Defining __eq__ alone makes instances unhashable.
    if (!dict_get_str(dict, N.eq).is_null() && dict_get_str(dict, N.hash).is_null())
        dict_set_str(dict, N.hash, Value::none());

    inherit_slots(type);
    if (value_type(layout)) {
        type->trace = value_subclass_trace;
        type->destroy = value_subclass_destroy;
    }
    type->new_instance = native_base(type)->new_instance;
    update_slots(type);

    if (is_layout(classcell, Layout::Cell)) {
        as<Cell>(classcell)->value = Value::object(type);
    } else if (!classcell.is_null()) {
        return raise_format(exc.TypeError, "__classcell__ must be a nonlocal cell, not %s",
                            type_name(classcell).c_str());
    }
    if (!finish_class(type, args + nargs, kwnames)) return Value::null();
    return Value::object(type);
}

Value instantiate_class(Type* type, Value* args, int nargs, Tuple* kwnames) {
    Value new_fn = lookup(type, N.new_);
    Value obj;
    if (new_fn.is_null() || new_fn.is(g_object_new)) {
        Type* native = native_base(type);
        if (native->new_instance == types.object_->new_instance) {
            if ((nargs > 0 || kwnames) && lookup(type, N.init).is(g_object_init))
                return raise_format(exc.TypeError, "%s() takes no arguments", type->name.c_str());
            obj = native->new_instance(type, nullptr, 0, nullptr);
        } else if (!native->new_instance) {
            return raise_format(exc.TypeError, "cannot create '%s' instances", type->name.c_str());
        } else if (is_subtype(native, exc.BaseException)) {
            obj = native->new_instance(type, args, nargs, nullptr);  // keywords go to __init__
        } else {
            obj = native->new_instance(type, args, nargs, kwnames);
        }
    } else {
        Value f = new_fn;
        if (type_of(f) == staticmethod_type) f = type_of(f)->descr_get(f, Value::null(), Value::object(type));
        int nkw = kwnames ? static_cast<int>(kwnames->size) : 0;
        std::vector<Value> all;
        all.reserve(nargs + nkw + 1);
        all.push_back(Value::object(type));
        all.insert(all.end(), args, args + nargs + nkw);
        obj = call(f, all.data(), nargs + 1, kwnames);
    }
    if (obj.is_null() || !isinstance(obj, type)) return obj;
    Root keep(obj);
    Value init = lookup(type_of(obj), N.init);
    if (init.is_null() || init.is(g_object_init)) return obj;
    Value r = call_with_self(init, obj, args, nargs, kwnames);
    if (r.is_null()) return r;
    if (!r.is_none())
        return raise_format(exc.TypeError, "__init__() should return None, not '%s'",
                            type_name(r).c_str());
    return obj;
}

void class_attr_changed(Type* type, Str* name) {
    std::string_view n = name->view();
    if (n.size() < 5 || n.substr(0, 2) != "__" || n.substr(n.size() - 2) != "__") return;
    for (Type* t : g_classes)
        if (is_subtype(t, type)) update_slots(t);
}

void subclasses_modified(Type* type) {
    for (Type* t : g_classes)
        if (t != type && is_subtype(t, type)) t->version = next_version();
}

Dict** value_subclass_dict(Object* instance) { return &g_value_dicts[instance]; }

void forget_class(Type* type) {
    auto it = std::find(g_classes.begin(), g_classes.end(), type);
    if (it != g_classes.end()) g_classes.erase(it);
}

namespace {

// ------------------------------------------------------- list[int] and int | str

// Calls function [name] of the library module types, where GenericAlias and UnionType are.
Value call_types_function(const char* name, Value* args, int nargs) {
    Value module = vm::import_name(intern("types"), Value::none(), make_int(0), nullptr);
    if (module.is_null()) return module;
    Value f = getattr(module, intern(name));
    if (f.is_null()) return f;
    Root keep(f);
    return call(f, args, nargs);
}

// list[int] (PEP 585): a types.GenericAlias.
Value builtin_class_getitem(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__class_getitem__", kwnames) ||
        !check_arg_count("__class_getitem__", nargs - 1, 1, 1))
        return Value::null();
    return call_types_function("GenericAlias", args, 2);
}

// int | str (PEP 604): a types.UnionType (NotImplemented when the other side is not a type).
Value type_binary(BinaryOp op, Value a, Value b) {
    if (op != BinaryOp::Or) return Value::not_implemented();
    Value operands[2] = {a, b};
    return call_types_function("_type_or", operands, 2);
}

// ------------------------------------------------------------ __build_class__

// PEP 560: a base that is not a class but has __mro_entries__ (typing.Generic[T]) is
// replaced by the classes that method returns. Returns [bases] itself when none has one.
Value resolve_bases(Tuple* bases) {
    static Str* const mro_entries = intern("__mro_entries__");
    std::vector<Value> resolved;
    VectorRoot keep_resolved(resolved); // __mro_entries__ may collect
    bool changed = false;
    for (int64_t i = 0; i < bases->size; ++i) {
        Value base = bases->items[i];
        Value entries = Value::null();
        if (!is_layout(base, Layout::Type)) {
            entries = getattr_optional(base, mro_entries);
            if (entries.is_null() && has_pending()) return entries;
        }
        if (entries.is_null()) {
            resolved.push_back(base);
            continue;
        }
        Root keep(entries);
        Value r = call1(entries, Value::object(bases));
        if (r.is_null()) return r;
        if (!is_layout(r, Layout::Tuple))
            return raise(exc.TypeError, "__mro_entries__ must return a tuple");
        Tuple* t = as<Tuple>(r);
        resolved.insert(resolved.end(), t->items, t->items + t->size);
        changed = true;
    }
    if (!changed) return Value::object(bases);
    return Value::object(make_tuple(resolved.data(), static_cast<int64_t>(resolved.size())));
}

Value build_class(Value* args, int nargs, Tuple* kwnames) {
    if (nargs < 2) return raise(exc.TypeError, "__build_class__: not enough arguments");
    if (!is_layout(args[0], Layout::Function))
        return raise(exc.TypeError, "__build_class__: func must be a function");
    if (!is_str(args[1])) return raise(exc.TypeError, "__build_class__: name is not a string");
    Function* body = as<Function>(args[0]);
    Tuple* orig_bases = make_tuple(args + 2, nargs - 2);
    Root keep_orig_bases(Value::object(orig_bases));
    Value resolved = resolve_bases(orig_bases);
    if (resolved.is_null()) return resolved;
    Tuple* bases = as<Tuple>(resolved);
    Root keep_bases(resolved);

    // metaclass= is taken out of the keywords; the others go to the metaclass.
    Value meta = Value::null();
    std::vector<Value> kwvalues;
    std::vector<Value> kwkeys;
    int nkw = kwnames ? static_cast<int>(kwnames->size) : 0;
    for (int i = 0; i < nkw; ++i) {
        if (str_view(kwnames->items[i]) == "metaclass") {
            meta = args[nargs + i];
            continue;
        }
        kwkeys.push_back(kwnames->items[i]);
        kwvalues.push_back(args[nargs + i]);
    }
    Tuple* kw = kwkeys.empty() ? nullptr
                               : make_tuple(kwkeys.data(), static_cast<int64_t>(kwkeys.size()));
    Root keep_kw(kw ? Value::object(kw) : Value::none());
    if (meta.is_null())
        meta = bases->size > 0 ? Value::object(type_of(bases->items[0]))
                               : Value::object(types.type_);
    if (is_layout(meta, Layout::Type)) {
        // The most derived metaclass among meta and the bases' metaclasses.
        Type* winner = as<Type>(meta);
        for (int64_t i = 0; i < bases->size; ++i) {
            Type* mt = type_of(bases->items[i]);
            if (is_subtype(winner, mt)) continue;
            if (is_subtype(mt, winner)) {
                winner = mt;
                continue;
            }
            return raise(exc.TypeError,
                         "metaclass conflict: the metaclass of a derived class must be a "
                         "(non-strict) subclass of the metaclasses of all its bases");
        }
        meta = Value::object(winner);
    }
    Root keep_meta(meta);

    // The namespace: meta.__prepare__(name, bases, **kwargs) when defined, else a dict.
    Value ns = Value::null();
    Value prepare = is_layout(meta, Layout::Type) ? lookup(as<Type>(meta), N.prepare)
                                                  : getattr_optional(meta, N.prepare);
    if (is_user(prepare)) {
        Type* pt = type_of(prepare);
        if (pt->descr_get) prepare = pt->descr_get(prepare, Value::null(), meta);
        if (prepare.is_null()) return prepare;
        Root keep(prepare);
        std::vector<Value> pargs = {args[1], Value::object(bases)};
        pargs.insert(pargs.end(), kwvalues.begin(), kwvalues.end());
        ns = call(prepare, pargs.data(), 2, kw);
        if (ns.is_null()) return ns;
        if (!is_layout(ns, Layout::Dict) && type_of(ns)->getitem)
            return raise(exc.NotImplementedError,
                         "__prepare__() returning a mapping that is not a dict (or a dict "
                         "subclass) is not supported by apy");
        if (!is_layout(ns, Layout::Dict))
            return raise_format(exc.TypeError, "%s.__prepare__() must return a mapping, not %s",
                                is_layout(meta, Layout::Type) ? as<Type>(meta)->name.c_str()
                                                              : "<metaclass>",
                                type_name(ns).c_str());
    } else if (has_pending()) {
        return Value::null();
    } else {
        ns = Value::object(make_dict());
    }
    Root keep_ns(ns);

    Value cell = vm::run_class_body(body, as<Dict>(ns));
    if (cell.is_null()) return cell;
    Root keep_cell(cell);
    if (bases != orig_bases)
        dict_set_str(as<Dict>(ns), "__orig_bases__", Value::object(orig_bases));

    std::vector<Value> margs = {args[1], Value::object(bases), ns};
    margs.insert(margs.end(), kwvalues.begin(), kwvalues.end());
    Value cls = call(meta, margs.data(), 3, kw);
    if (cls.is_null()) return cls;
    if (is_layout(cell, Layout::Cell) && is_layout(cls, Layout::Type)) {
        Cell* c = as<Cell>(cell);
        if (c->value.is_null()) c->value = cls;
    }
    return cls;
}

// ----------------------------------------------------- object's and type's dunders

bool takes_no_arguments_check(Type* type, int extra, Tuple* kwnames, const char* which) {
    if (extra == 0 && !kwnames) return true;
    bool init_default = lookup(type, N.init).is(g_object_init);
    bool new_default = lookup(type, N.new_).is(g_object_new) &&
                       native_base(type)->new_instance == types.object_->new_instance;
    if (which[0] == 'i' ? !init_default : !new_default) {
        raise_format(exc.TypeError, "object.%s() takes exactly one argument (the %s)",
                     which[0] == 'i' ? "__init__" : "__new__",
                     which[0] == 'i' ? "instance to initialize" : "type to instantiate");
        return false;
    }
    if (which[0] == 'i' ? new_default : init_default) {
        if (which[0] == 'i')
            raise_format(exc.TypeError,
                         "%s.__init__() takes exactly one argument (the instance to initialize)",
                         type->name.c_str());
        else
            raise_format(exc.TypeError, "%s() takes no arguments", type->name.c_str());
        return false;
    }
    return true;
}

Value object_init_method(Value* args, int nargs, Tuple* kwnames) {
    if (nargs < 1) return raise(exc.TypeError, "descriptor '__init__' of 'object' object needs an argument");
    if (!takes_no_arguments_check(type_of(args[0]), nargs - 1, kwnames, "init"))
        return Value::null();
    return Value::none();
}

Value object_new_method(Value* args, int nargs, Tuple* kwnames) {
    if (nargs < 1) return raise(exc.TypeError, "object.__new__(): not enough arguments");
    if (!is_layout(args[0], Layout::Type))
        return raise_format(exc.TypeError, "object.__new__(X): X is not a type object (%s)",
                            type_name(args[0]).c_str());
    Type* type = as<Type>(args[0]);
    Type* native = native_base(type);
    if (native->new_instance == types.object_->new_instance) {
        if (!takes_no_arguments_check(type, nargs - 1, kwnames, "new")) return Value::null();
        return native->new_instance(type, nullptr, 0, nullptr);
    }
    if (!native->new_instance)
        return raise_format(exc.TypeError, "cannot create '%s' instances", type->name.c_str());
    if (is_subtype(native, exc.BaseException)) kwnames = nullptr;
    return native->new_instance(type, args + 1, nargs - 1, kwnames);
}

bool one_arg(const char* name, int nargs, Tuple* kwnames, int count) {
    if (!check_no_kwargs(name, kwnames)) return false;
    if (nargs == count) return true;
    raise_format(exc.TypeError, "expected %d argument%s, got %d", count - 1,
                 count == 2 ? "" : "s", nargs - 1);
    return false;
}

Value object_repr_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("__repr__", nargs, kwnames, 1)) return Value::null();
    return native_base(type_of(args[0]))->repr(args[0]);
}

Value object_str_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("__str__", nargs, kwnames, 1)) return Value::null();
    Type* native = native_base(type_of(args[0]));
    return native->str ? native->str(args[0]) : repr(args[0]);
}

Value object_hash_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("__hash__", nargs, kwnames, 1)) return Value::null();
    Type* native = native_base(type_of(args[0]));
    int64_t h;
    if (!native->hash) {
        unhashable(args[0]);
        return Value::null();
    }
    if (!native->hash(args[0], &h)) return Value::null();
    return make_int(h);
}

template <CompareOp Op>
Value object_compare_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("comparison", nargs, kwnames, 2)) return Value::null();
    Type* type = type_of(args[0]);
    if (Op == CompareOp::Ne) {
        // object.__ne__ inverts the type's own __eq__.
        Value r = type->compare ? type->compare(args[0], args[1], CompareOp::Eq)
                                : Value::not_implemented();
        if (r.is_null() || r.is_not_implemented()) return r;
        int t = truthy(r);
        return t < 0 ? Value::null() : Value::boolean(!t);
    }
    Type* native = native_base(type);
    return native->compare ? native->compare(args[0], args[1], Op) : Value::not_implemented();
}

Value object_format_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("__format__", nargs, kwnames, 2)) return Value::null();
    if (!is_str(args[1]))
        return raise_format(exc.TypeError, "__format__() argument must be str, not %s",
                            type_name(args[1]).c_str());
    if (!str_view(args[1]).empty())
        return raise_format(exc.TypeError, "unsupported format string passed to %s.__format__",
                            type_name(args[0]).c_str());
    return to_str(args[0]);
}

Value attribute_name(Value v) {
    if (!is_str(v))
        return raise_format(exc.TypeError, "attribute name must be string, not '%s'",
                            type_name(v).c_str());
    return Value::object(intern(str_view(v)));
}

Value object_getattribute_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("__getattribute__", nargs, kwnames, 2)) return Value::null();
    Value name = attribute_name(args[1]);
    if (name.is_null()) return name;
    return native_getattr(args[0], as<Str>(name));
}

Value object_setattr_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("__setattr__", nargs, kwnames, 3)) return Value::null();
    Value name = attribute_name(args[1]);
    if (name.is_null()) return name;
    return object_setattr(args[0], as<Str>(name), args[2]) ? Value::none() : Value::null();
}

Value object_delattr_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("__delattr__", nargs, kwnames, 2)) return Value::null();
    Value name = attribute_name(args[1]);
    if (name.is_null()) return name;
    return object_setattr(args[0], as<Str>(name), Value::null()) ? Value::none() : Value::null();
}

// object.__init_subclass__ (a class method): takes no keyword arguments.
Value object_init_subclass(Value* args, int nargs, Tuple* kwnames) {
    if (kwnames && kwnames->size > 0)
        return raise_format(exc.TypeError, "%s.__init_subclass__() takes no keyword arguments",
                            nargs > 0 && is_layout(args[0], Layout::Type)
                                ? as<Type>(args[0])->name.c_str()
                                : "object");
    if (nargs > 1)
        return raise_format(exc.TypeError,
                            "%s.__init_subclass__() takes no positional arguments",
                            is_layout(args[0], Layout::Type) ? as<Type>(args[0])->name.c_str()
                                                              : "object");
    return Value::none();
}

// type.__new__(meta, name, bases, dict, **kwargs) and type.__new__(type, x).
Value type_new_method(Value* args, int nargs, Tuple* kwnames) {
    if (nargs < 1) return raise(exc.TypeError, "type.__new__(): not enough arguments");
    if (!is_layout(args[0], Layout::Type) || !is_subtype(as<Type>(args[0]), types.type_))
        return raise_format(exc.TypeError, "type.__new__(X): X is not a type object (%s)",
                            type_name(args[0]).c_str());
    if (nargs == 2 && !kwnames) return Value::object(type_of(args[1]));
    if (nargs != 4)
        return raise(exc.TypeError, "type.__new__() takes exactly 3 arguments (" +
                                        std::to_string(nargs - 1) + " given)");
    return type_new(as<Type>(args[0]), args + 1, 3, kwnames);
}

Value type_init_method(Value*, int nargs, Tuple*) {
    if (nargs != 2 && nargs != 4)
        return raise(exc.TypeError, "type.__init__() takes 1 or 3 arguments");
    return Value::none();
}

Value type_call_method(Value* args, int nargs, Tuple* kwnames) {
    if (nargs < 1 || !is_layout(args[0], Layout::Type))
        return raise(exc.TypeError, "descriptor '__call__' of 'type' object needs an argument");
    return types.type_->call(args[0], args + 1, nargs - 1, kwnames);
}

Value type_subclasses_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("__subclasses__", nargs, kwnames, 1)) return Value::null();
    Type* type = as<Type>(args[0]);
    List* out = make_list();
    for (Type* t : g_classes)
        if (std::find(t->bases.begin(), t->bases.end(), type) != t->bases.end())
            list_append(out, Value::object(t));
    return Value::object(out);
}

Value type_mro_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("mro", nargs, kwnames, 1)) return Value::null();
    List* out = make_list();
    for (Type* t : as<Type>(args[0])->mro) list_append(out, Value::object(t));
    return Value::object(out);
}

// BaseException.__init__(self, *args): sets args.
Value exception_init_method(Value* args, int nargs, Tuple* kwnames) {
    if (nargs < 1) return raise(exc.TypeError, "descriptor '__init__' needs an argument");
    if (kwnames && kwnames->size > 0)
        return raise_format(exc.TypeError, "%s() takes no keyword arguments",
                            type_name(args[0]).c_str());
    as<ExceptionObject>(args[0])->args = make_tuple(args + 1, nargs - 1);
    return Value::none();
}

Value exception_str_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("__str__", nargs, kwnames, 1)) return Value::null();
    return exc.BaseException->str(args[0]);
}

Value exception_repr_method(Value* args, int nargs, Tuple* kwnames) {
    if (!one_arg("__repr__", nargs, kwnames, 1)) return Value::null();
    return exc.BaseException->repr(args[0]);
}

// ---- slot wrappers: dict.__setitem__, list.__add__, ... for explicit calls and super()

Type* native_of(Value self) { return native_base(type_of(self)); }

Value unsupported(Value self) {
    return raise_format(exc.TypeError, "'%s' object does not support this operation",
                        type_name(self).c_str());
}

bool wrapper_args(int nargs, Tuple* kwnames, int count) { return one_arg("wrapper", nargs, kwnames, count); }

Value wrap_getitem(Value* args, int nargs, Tuple* kwnames) {
    if (!wrapper_args(nargs, kwnames, 2)) return Value::null();
    Type* t = native_of(args[0]);
    return t->getitem ? t->getitem(args[0], args[1]) : unsupported(args[0]);
}

Value wrap_setitem(Value* args, int nargs, Tuple* kwnames) {
    if (!wrapper_args(nargs, kwnames, 3)) return Value::null();
    Type* t = native_of(args[0]);
    if (!t->setitem) return unsupported(args[0]);
    return t->setitem(args[0], args[1], args[2]) ? Value::none() : Value::null();
}

Value wrap_delitem(Value* args, int nargs, Tuple* kwnames) {
    if (!wrapper_args(nargs, kwnames, 2)) return Value::null();
    Type* t = native_of(args[0]);
    if (!t->setitem) return unsupported(args[0]);
    return t->setitem(args[0], args[1], Value::null()) ? Value::none() : Value::null();
}

Value wrap_len(Value* args, int nargs, Tuple* kwnames) {
    if (!wrapper_args(nargs, kwnames, 1)) return Value::null();
    Type* t = native_of(args[0]);
    int64_t n;
    if (!t->length) return unsupported(args[0]);
    return t->length(args[0], &n) ? make_int(n) : Value::null();
}

Value wrap_iter(Value* args, int nargs, Tuple* kwnames) {
    if (!wrapper_args(nargs, kwnames, 1)) return Value::null();
    Type* t = native_of(args[0]);
    return t->iter ? t->iter(args[0]) : unsupported(args[0]);
}

Value wrap_contains(Value* args, int nargs, Tuple* kwnames) {
    if (!wrapper_args(nargs, kwnames, 2)) return Value::null();
    Type* t = native_of(args[0]);
    if (!t->contains) return unsupported(args[0]);
    int r = t->contains(args[0], args[1]);
    return r < 0 ? Value::null() : Value::boolean(r);
}

template <BinaryOp Op, bool Reflected>
Value wrap_binary(Value* args, int nargs, Tuple* kwnames) {
    if (!wrapper_args(nargs, kwnames, 2)) return Value::null();
    Type* t = native_of(args[0]);
    if (!t->binary) return Value::not_implemented();
    return Reflected ? t->binary(Op, args[1], args[0]) : t->binary(Op, args[0], args[1]);
}

template <BinaryOp Op>
Value wrap_inplace(Value* args, int nargs, Tuple* kwnames) {
    if (!wrapper_args(nargs, kwnames, 2)) return Value::null();
    Type* t = native_of(args[0]);
    return t->inplace ? t->inplace(Op, args[0], args[1]) : Value::not_implemented();
}

Value wrap_call(Value* args, int nargs, Tuple* kwnames) {
    if (nargs < 1) return raise(exc.TypeError, "descriptor '__call__' needs an argument");
    return call(args[0], args + 1, nargs - 1, kwnames);
}

void add_wrapper(Type* type, Str* name, NativeFn fn) {
    if (!dict_get_str(type->dict, name).is_null()) return;  // the type's own method wins
    dict_set_str(type->dict, name, Value::object(make_builtin(name->data, fn, Value::null(), type)));
}

// Gives the builtin types the dunders of the slots they implement themselves.
void add_slot_wrappers() {
    Type* const numbers[] = {types.int_, types.float_};
    Type* const others[] = {types.str_, types.tuple_, types.list_, types.dict_,
                            types.set_, types.frozenset_, types.range_};
    const NativeFn forward[] = {
#define APY_WRAP_FORWARD(name, sym, dunder, rdunder, idunder) wrap_binary<BinaryOp::name, false>,
        APY_BINARY_OPS(APY_WRAP_FORWARD)
#undef APY_WRAP_FORWARD
    };
    const NativeFn reflected[] = {
#define APY_WRAP_REFLECTED(name, sym, dunder, rdunder, idunder) wrap_binary<BinaryOp::name, true>,
        APY_BINARY_OPS(APY_WRAP_REFLECTED)
#undef APY_WRAP_REFLECTED
    };
    const NativeFn inplace[] = {
#define APY_WRAP_INPLACE(name, sym, dunder, rdunder, idunder) wrap_inplace<BinaryOp::name>,
        APY_BINARY_OPS(APY_WRAP_INPLACE)
#undef APY_WRAP_INPLACE
    };
    const BinaryOp container_ops[] = {BinaryOp::Add, BinaryOp::Multiply, BinaryOp::Or,
                                      BinaryOp::And, BinaryOp::Subtract, BinaryOp::Xor};
    for (Type* t : numbers)
        for (int i = 0; i < 13; ++i) {
            add_wrapper(t, N.binary[i], forward[i]);
            add_wrapper(t, N.reflected[i], reflected[i]);
        }
    for (Type* t : others) {
        if (t->getitem) add_wrapper(t, N.getitem, wrap_getitem);
        if (t->setitem) {
            add_wrapper(t, N.setitem, wrap_setitem);
            add_wrapper(t, N.delitem, wrap_delitem);
        }
        if (t->length) add_wrapper(t, N.len, wrap_len);
        if (t->iter) add_wrapper(t, N.iter, wrap_iter);
        if (t->contains) add_wrapper(t, N.contains, wrap_contains);
        for (BinaryOp op : container_ops) {
            int i = static_cast<int>(op);
            if (t->binary) add_wrapper(t, N.binary[i], forward[i]);
            if (t->inplace) add_wrapper(t, N.inplace[i], inplace[i]);
        }
        if (t->binary && t->layout != Layout::Set && t->layout != Layout::FrozenSet &&
            t->layout != Layout::Dict)
            add_wrapper(t, N.reflected[static_cast<int>(BinaryOp::Multiply)],
                        reflected[static_cast<int>(BinaryOp::Multiply)]);
    }
    // What collections.abc's structural checks (Hashable, Callable) look for in __dict__.
    for (Type* t : {types.list_, types.dict_, types.set_})
        if (dict_get_str(t->dict, N.hash).is_null()) dict_set_str(t->dict, N.hash, Value::none());
    for (Type* t : {types.function_, types.builtin_function_, types.method_})
        add_wrapper(t, N.call, wrap_call);
}

// The caller's namespace: a function's locals are a snapshot, as in CPython 3.11.
Value current_locals() {
    vm::Frame* f = vm::current_frame();
    if (!f) return Value::object(make_dict());
    if (f->locals) return Value::object(f->locals);
    Dict* out = make_dict();
    for (int i = 0; i < f->code->nlocals(); ++i)
        if (!f->slots[i].is_null()) dict_set_str(out, f->code->varnames[i], f->slots[i]);
    return Value::object(out);
}

// vars(): the locals; vars(obj): obj.__dict__.
Value builtin_vars(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("vars", kwnames) || !check_arg_count("vars", nargs, 0, 1))
        return Value::null();
    if (nargs == 1) {
        Value d = getattr_optional(args[0], N.dict);
        if (d.is_null() && !has_pending())
            return raise(exc.TypeError, "vars() argument must have __dict__ attribute");
        return d;
    }
    return current_locals();
}

Value builtin_locals(Value*, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("locals", kwnames) || !check_arg_count("locals", nargs, 0, 0))
        return Value::null();
    return current_locals();
}

Value builtin_globals(Value*, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("globals", kwnames) || !check_arg_count("globals", nargs, 0, 0))
        return Value::null();
    vm::Frame* f = vm::current_frame();
    return f ? Value::object(f->globals) : Value::object(make_dict());
}

}  // namespace

void add_class_getitem(Type* type) {
    dict_set_str(
        type->dict, "__class_getitem__",
        make_classmethod(Value::object(make_builtin("__class_getitem__", builtin_class_getitem))));
}

void setup_class_types() {
    make_names();
    setup_descriptor_types();

    g_sequence_iterator = make_builtin_type("iterator", Layout::Other);
    g_sequence_iterator->next = sequence_iterator_next;
    g_sequence_iterator->iter = sequence_iterator_iter;
    g_sequence_iterator->trace = sequence_iterator_trace;
    g_sequence_iterator->new_instance = nullptr;

    Type* object = types.object_;
    static const MethodDef object_methods[] = {
        {"__init__", object_init_method},
        {"__repr__", object_repr_method},
        {"__str__", object_str_method},
        {"__hash__", object_hash_method},
        {"__eq__", object_compare_method<CompareOp::Eq>},
        {"__ne__", object_compare_method<CompareOp::Ne>},
        {"__lt__", object_compare_method<CompareOp::Lt>},
        {"__le__", object_compare_method<CompareOp::Le>},
        {"__gt__", object_compare_method<CompareOp::Gt>},
        {"__ge__", object_compare_method<CompareOp::Ge>},
        {"__format__", object_format_method},
        {"__getattribute__", object_getattribute_method},
        {"__setattr__", object_setattr_method},
        {"__delattr__", object_delattr_method},
        {nullptr, nullptr},
    };
    add_methods(object, object_methods);
    g_object_init = dict_get_str(object->dict, N.init);
    g_object_ne = dict_get_str(object->dict, N.ne);
    // __new__ is a static method: never bound (no owner).
    g_object_new = Value::object(make_builtin("__new__", object_new_method));
    dict_set_str(object->dict, N.new_, g_object_new);
    dict_set_str(object->dict, N.init_subclass,
                 make_classmethod(Value::object(
                     make_builtin("__init_subclass__", object_init_subclass))));

    Type* type = types.type_;
    static const MethodDef type_methods[] = {
        {"__init__", type_init_method},
        {"__call__", type_call_method},
        {"__subclasses__", type_subclasses_method},
        {"mro", type_mro_method},
        {nullptr, nullptr},
    };
    add_methods(type, type_methods);
    type->binary = type_binary;
    for (Type* generic :
         {types.list_, types.dict_, types.tuple_, types.set_, types.frozenset_, types.type_})
        add_class_getitem(generic);
    dict_set_str(type->dict, N.new_, Value::object(make_builtin("__new__", type_new_method)));

    static const MethodDef exception_methods[] = {
        {"__init__", exception_init_method},
        {"__str__", exception_str_method},
        {"__repr__", exception_repr_method},
        {nullptr, nullptr},
    };
    add_methods(exc.BaseException, exception_methods);

    add_slot_wrappers();
    dict_set_str(builtins_dict(), "vars", Value::object(make_builtin("vars", builtin_vars)));
    dict_set_str(builtins_dict(), "locals", Value::object(make_builtin("locals", builtin_locals)));
    dict_set_str(builtins_dict(), "globals",
                 Value::object(make_builtin("globals", builtin_globals)));
    dict_set_str(builtins_dict(), "__build_class__",
                 Value::object(make_builtin("__build_class__", build_class)));
}

}  // namespace apy::rt
