// Generic operations: fast paths for unboxed values, then the type slots, then
// CPython's TypeError texts.
#include "runtime/ops.h"

#include "runtime/classes.h"
#include "runtime/format_spec.h"
#include "runtime/numbers.h"

namespace apy::rt {

namespace {

const char* const kCompareSymbols[] = {"<", "<=", "==", "!=", ">", ">="};
const CompareOp kSwapped[] = {CompareOp::Gt, CompareOp::Ge, CompareOp::Eq,
                              CompareOp::Ne, CompareOp::Lt, CompareOp::Le};

const char* const kBinarySymbols[] = {
#define APY_BINOP_SYMBOL(name, sym, dunder, rdunder, idunder) sym,
    APY_BINARY_OPS(APY_BINOP_SYMBOL)
#undef APY_BINOP_SYMBOL
};

bool is_number(Value v) { return v.is_double() || v.is_small_int() || v.is_bool(); }

Value check_str_result(Value result, const char* what) {
    if (result.is_null() || is_str(result)) return result;
    return raise_format(exc.TypeError, "%s returned non-string (type %s)", what,
                        type_name(result).c_str());
}

Value attribute_error(Value obj, Str* name) {
    if (is_layout(obj, Layout::Module)) {
        Value module_name = Value::object(as<Module>(obj)->name);
        return raise_format(exc.AttributeError, "module '%s' has no attribute '%s'",
                            std::string(str_view(module_name)).c_str(), name->data);
    }
    return raise_format(exc.AttributeError, "'%s' object has no attribute '%s'",
                        type_name(obj).c_str(), name->data);
}

}  // namespace

Dict** instance_dict_slot(Value obj) {
    if (!obj.is_object()) return nullptr;
    Object* o = obj.as_object();
    switch (o->type->layout) {
    case Layout::Object:
    case Layout::Instance:
    case Layout::Queue: return &static_cast<Instance*>(o)->attrs;
    case Layout::Function: return &static_cast<Function*>(o)->attrs;
    case Layout::Module: return &static_cast<Module*>(o)->dict;
    case Layout::Exception: return &static_cast<ExceptionObject*>(o)->attrs;
    case Layout::List: return &static_cast<List*>(o)->attrs;
    case Layout::Dict: return &static_cast<Dict*>(o)->attrs;
    case Layout::Set:
    case Layout::FrozenSet: return &static_cast<Set*>(o)->attrs;
    case Layout::Int:
    case Layout::Float:
    case Layout::Str:
    case Layout::Tuple: return o->type->is_builtin ? nullptr : value_subclass_dict(o);
    default: return nullptr;
    }
}

const char* binary_op_symbol(BinaryOp op) { return kBinarySymbols[static_cast<int>(op)]; }

Value repr(Value v) {
    Type* type = type_of(v);
    if (!type->repr) return raise(exc.SystemError, "type has no repr");
    if (!enter_recursive_call(" while getting the repr of an object")) return Value::null();
    Value result = type->repr(v);
    leave_recursive_call();
    return check_str_result(result, "__repr__");
}

Value to_str(Value v) {
    Type* type = type_of(v);
    if (type == types.str_) return v;
    if (type == types.int_) return int_repr(v);  // no apy code runs: no recursion check
    if (!type->str) return repr(v);
    if (!enter_recursive_call(" while getting the str of an object")) return Value::null();
    Value result = type->str(v);
    leave_recursive_call();
    return check_str_result(result, "__str__");
}

std::string repr_string(Value v, bool* ok) {
    Value r = repr(v);
    *ok = !r.is_null();
    return *ok ? std::string(str_view(r)) : std::string();
}

bool hash(Value v, int64_t* out) {
    if (v.is_small_int() || v.is_bool()) {
        *out = hash_int(v);
        return true;
    }
    if (v.is_double()) {
        *out = hash_double(v.as_double());
        return true;
    }
    Type* type = type_of(v);
    // A str's hash is computed once and kept (str subclasses may define __hash__).
    if (type == types.str_ && static_cast<Str*>(v.as_object())->hash != -1) {
        *out = static_cast<Str*>(v.as_object())->hash;
        return true;
    }
    if (!type->hash) {
        raise_format(exc.TypeError, "unhashable type: '%s'", type->name.c_str());
        return false;
    }
    if (stack_exhausted()) return false; // a tuple nested a million deep
    return type->hash(v, out);
}

int truthy(Value v) {
    if (v.is_bool()) return v.is_true();
    if (v.is_none()) return 0;
    if (v.is_small_int()) return v.as_small_int() != 0;
    if (v.is_double()) return v.as_double() != 0.0;
    Type* type = type_of(v);
    if (type->truth) return type->truth(v);
    if (type->length) {
        int64_t n;
        if (!type->length(v, &n)) return -1;
        return n != 0;
    }
    return 1;
}

Value compare(Value a, Value b, CompareOp op) {
    if (is_number(a) && is_number(b)) return number_compare(a, b, op);
    Type* ta = type_of(a);
    Type* tb = type_of(b);
    // A subclass on the right that overrides the comparison gets the first try.
    // (Classes defined in apy code share one slot function, so for them, as in CPython, any
    // subclass goes first.)
    bool reflected_first = ta != tb && is_subtype(tb, ta) && tb->compare &&
                           (tb->compare != ta->compare || !tb->is_builtin);
    if (reflected_first) {
        Value r = tb->compare(b, a, kSwapped[static_cast<int>(op)]);
        if (!r.is_not_implemented()) return r;
    }
    if (ta->compare) {
        Value r = ta->compare(a, b, op);
        if (!r.is_not_implemented()) return r;
    }
    if (!reflected_first && tb->compare && (ta != tb || !ta->is_builtin)) {
        Value r = tb->compare(b, a, kSwapped[static_cast<int>(op)]);
        if (!r.is_not_implemented()) return r;
    }
    if (op == CompareOp::Eq) return Value::boolean(a.is(b));
    if (op == CompareOp::Ne) return Value::boolean(!a.is(b));
    return raise_format(exc.TypeError, "'%s' not supported between instances of '%s' and '%s'",
                        kCompareSymbols[static_cast<int>(op)], ta->name.c_str(),
                        tb->name.c_str());
}

int equals(Value a, Value b) {
    if (a.is(b)) return 1;
    if (a.is_small_int() && b.is_small_int()) return 0;
    if (!enter_recursive_call(" in comparison")) return -1;
    Value r = compare(a, b, CompareOp::Eq);
    leave_recursive_call();
    if (r.is_null()) return -1;
    return truthy(r);
}

int less_than(Value a, Value b) {
    if (a.is_small_int() && b.is_small_int()) return a.as_small_int() < b.as_small_int();
    if (!enter_recursive_call(" in comparison")) return -1;
    Value r = compare(a, b, CompareOp::Lt);
    leave_recursive_call();
    if (r.is_null()) return -1;
    return truthy(r);
}

Value binary_op(BinaryOp op, Value a, Value b) {
    if (is_number(a) && is_number(b)) return number_binary(op, a, b);
    Type* ta = type_of(a);
    Type* tb = type_of(b);
    // CPython's binary_op1: the right operand's slot only when it differs from the left's
    // (a shared slot function handles both sides), first when its type is a subclass.
    auto slotv = ta->binary;
    auto slotw = tb != ta && tb->binary != slotv ? tb->binary : nullptr;
    if (slotv) {
        if (slotw && is_subtype(tb, ta)) {
            Value r = slotw(op, a, b);
            if (!r.is_not_implemented()) return r;
            slotw = nullptr;
        }
        Value r = slotv(op, a, b);
        if (!r.is_not_implemented()) return r;
    }
    if (slotw) {
        Value r = slotw(op, a, b);
        if (!r.is_not_implemented()) return r;
    }
    if (op == BinaryOp::Power)
        return raise_format(exc.TypeError,
                            "unsupported operand type(s) for ** or pow(): '%s' and '%s'",
                            ta->name.c_str(), tb->name.c_str());
    if (op == BinaryOp::Multiply) {
        // CPython's sequence repetition error, once neither operand handled it.
        auto is_sequence = [](Type* t) {
            return t->layout == Layout::Str || t->layout == Layout::List ||
                   t->layout == Layout::Tuple;
        };
        if (is_sequence(ta) || is_sequence(tb))
            return raise_format(exc.TypeError, "can't multiply sequence by non-int of type '%s'",
                                (is_sequence(ta) ? tb : ta)->name.c_str());
    }
    if (op == BinaryOp::Add && ta == types.str_)
        return raise_format(exc.TypeError, "can only concatenate str (not \"%s\") to str",
                            tb->name.c_str());
    return raise_format(exc.TypeError, "unsupported operand type(s) for %s: '%s' and '%s'",
                        binary_op_symbol(op), ta->name.c_str(), tb->name.c_str());
}

Value inplace_op(BinaryOp op, Value a, Value b) {
    Type* ta = type_of(a);
    if (ta->inplace) {
        Value r = ta->inplace(op, a, b);
        if (!r.is_not_implemented()) return r;
    }
    Value r = binary_op(op, a, b);
    if (r.is_null() && pending_is(exc.TypeError) && !(is_number(a) && is_number(b))) {
        // CPython names the in-place operator in this message.
        Value e = pending();
        Tuple* args = as<ExceptionObject>(e)->args;
        if (args->size == 1 && is_str(args->items[0])) {
            std::string text(str_view(args->items[0]));
            std::string plain = std::string("for ") + binary_op_symbol(op) + ":";
            size_t at = text.find(plain);
            if (at != std::string::npos) {
                text.replace(at, plain.size(), std::string("for ") + binary_op_symbol(op) + "=:");
                args->items[0] = str_value(text);
            }
        }
    }
    return r;
}

Value unary_op(UnaryOp op, Value v) {
    Type* type = type_of(v);
    if (type->unary) {
        Value r = type->unary(op, v);
        if (!r.is_not_implemented()) return r;
    }
    static const char* const kSymbols[] = {"-", "+", "~"};
    return raise_format(exc.TypeError, "bad operand type for unary %s: '%s'",
                        kSymbols[static_cast<int>(op)], type->name.c_str());
}

Value get_iter(Value v) {
    Type* type = type_of(v);
    if (type->iter) return type->iter(v);
    return raise_format(exc.TypeError, "'%s' object is not iterable", type->name.c_str());
}

Value iter_next(Value iterator) {
    Type* type = type_of(iterator);
    if (!type->next)
        return raise_format(exc.TypeError, "'%s' object is not an iterator", type->name.c_str());
    if (stack_exhausted()) return Value::null(); // map(f, map(f, ...)) nested deep
    return type->next(iterator);
}

bool check_length_hint(Value iterable, int64_t have) {
    Type* type = type_of(iterable);
    int64_t n;
    if (!type->length || !type->is_builtin) return true;
    return type->length(iterable, &n) &&
           check_allocation(have + n, static_cast<int64_t>(sizeof(Value)));
}

bool collect_iterable(Value iterable, std::vector<Value>& out) {
    if (is_layout(iterable, Layout::List)) {
        const auto& items = as<List>(iterable)->items;
        out.insert(out.end(), items.begin(), items.end());
        return true;
    }
    if (is_layout(iterable, Layout::Tuple)) {
        Tuple* t = as<Tuple>(iterable);
        out.insert(out.end(), t->items, t->items + t->size);
        return true;
    }
    if (!check_length_hint(iterable, static_cast<int64_t>(out.size()))) return false;
    Value it = get_iter(iterable);
    if (it.is_null()) return false;
    Root keep(it);
    VectorRoot keep_items(out);  // a generator's next step may collect
    for (;;) {
        Value item = iter_next(it);
        if (item.is_null()) return !has_pending();
        out.push_back(item);
    }
}

Value getitem(Value container, Value key) {
    Type* type = type_of(container);
    if (type->getitem) return type->getitem(container, key);
    if (is_layout(container, Layout::Type)) {
        // C[key] calls the class method __class_getitem__ (PEP 560) when the class has one.
        static Str* const class_getitem = intern("__class_getitem__");
        Value f = getattr_optional(container, class_getitem);
        if (!f.is_null()) return call1(f, key);
        if (has_pending()) return f;
    }
    if (type == types.type_)
        return raise_format(exc.TypeError, "type '%s' is not subscriptable",
                            as<Type>(container)->name.c_str());
    return raise_format(exc.TypeError, "'%s' object is not subscriptable", type->name.c_str());
}

bool setitem(Value container, Value key, Value value) {
    Type* type = type_of(container);
    if (type->setitem) return type->setitem(container, key, value);
    raise_format(exc.TypeError, "'%s' object does not support item assignment",
                 type->name.c_str());
    return false;
}

bool delitem(Value container, Value key) {
    Type* type = type_of(container);
    if (type->setitem) return type->setitem(container, key, Value::null());
    // CPython's words: "doesn't" from its sequence protocol (an index into something
    // subscriptable), "does not" otherwise.
    raise_format(exc.TypeError, "'%s' object %s support item deletion", type->name.c_str(),
                 type->getitem && is_int(key) ? "doesn't" : "does not");
    return false;
}

int contains(Value container, Value item) {
    Type* type = type_of(container);
    if (type->contains) return type->contains(container, item);
    if (!type->iter) {
        raise_format(exc.TypeError, "argument of type '%s' is not iterable", type->name.c_str());
        return -1;
    }
    Value it = get_iter(container);
    if (it.is_null()) return -1;
    Root keep(it);
    for (;;) {
        Value x = iter_next(it);
        if (x.is_null()) return has_pending() ? -1 : 0;
        int eq = equals(x, item);
        if (eq != 0) return eq;
    }
}

bool length(Value v, int64_t* out) {
    Type* type = type_of(v);
    if (type->length) return type->length(v, out);
    raise_format(exc.TypeError, "object of type '%s' has no len()", type->name.c_str());
    return false;
}

namespace {

Value lookup_along_mro(Type* type, Str* name) {
    for (Type* t : type->mro) {
        if (!t->dict) continue;
        Value found = dict_get_str(t->dict, name);
        if (!found.is_null()) return found;
    }
    return Value::null();
}

// CPython's method cache: MRO lookups (misses too) by (type version, interned name). A
// version names one type in one state, so an entry is never stale: a change to the type
// or a base gives the type a new version.
struct TypeCacheEntry {
    uint64_t version;
    Str* name;
    Value value;
};
constexpr size_t kTypeCacheSize = 4096;
TypeCacheEntry g_type_cache[kTypeCacheSize];

}  // namespace

Value lookup_in_type(Type* type, Str* name) {
    // Only interned names live for the whole run: another name's address could be reused.
    if (!name->interned) return lookup_along_mro(type, name);
    uint64_t version = type->version;
    uint64_t key = version ^ reinterpret_cast<uintptr_t>(name) >> 3; // objects are 8-aligned
    size_t slot = (key * 0x9E3779B97F4A7C15ull) >> 52;  // the top 12 bits: 4096 slots
    TypeCacheEntry& e = g_type_cache[slot];
    if (e.version == version && e.name == name) return e.value;
    Value found = lookup_along_mro(type, name);
    // Recorded under the version from before the walk: a lookup that changed the type
    // (a user __eq__ on a key) leaves an entry that never matches.
    g_type_cache[slot] = {version, name, found};
    return found;
}

Value generic_getattr(Value obj, Str* name) {
    Type* type = type_of(obj);
    Value attr = lookup_in_type(type, name);
    Type* attr_type = attr.is_null() ? nullptr : type_of(attr);
    // Data descriptors (properties) win over the instance dict.
    if (attr_type && attr_type->descr_set && attr_type->descr_get)
        return attr_type->descr_get(attr, obj, Value::object(type));
    if (Dict** slot = instance_dict_slot(obj); slot && *slot) {
        Value found = dict_get_str(*slot, name);
        if (!found.is_null()) return found;
    }
    if (attr_type) {
        if (attr_type->descr_get) return attr_type->descr_get(attr, obj, Value::object(type));
        return attr;
    }
    return attribute_error(obj, name);
}

namespace {

Value lookup_attribute(Value obj, Str* name) {
    Type* type = type_of(obj);
    return type->getattr ? type->getattr(obj, name) : generic_getattr(obj, name);
}

// The pending exception's attribute dict (made on demand).
Dict* pending_attrs() {
    auto* e = as<ExceptionObject>(pending());
    if (!e->attrs) e->attrs = make_dict();
    return e->attrs;
}

}  // namespace

void set_error_name(Str* name) {
    static Str* const kName = intern("name");
    dict_set_str(pending_attrs(), kName, Value::object(name));
}

Value getattr(Value obj, Str* name) {
    Value v = lookup_attribute(obj, name);
    // Like CPython's PyObject_GetAttr: an AttributeError learns the name and the object,
    // for the traceback's suggestion, unless it already knows them.
    if (v.is_null() && pending_is(exc.AttributeError)) {
        static Str* const kName = intern("name");
        static Str* const kObj = intern("obj");
        Dict* attrs = pending_attrs();
        if (dict_get_str(attrs, kName).is_null() && dict_get_str(attrs, kObj).is_null()) {
            dict_set_str(attrs, kName, Value::object(name));
            dict_set_str(attrs, kObj, obj);
        }
    }
    return v;
}

Value getattr_optional(Value obj, Str* name) {
    Value v = lookup_attribute(obj, name);
    if (v.is_null() && pending_is(exc.AttributeError)) clear_pending();
    return v;
}

bool setattr(Value obj, Str* name, Value value) {
    Type* type = type_of(obj);
    if (type->setattr) return type->setattr(obj, name, value);
    return generic_setattr(obj, name, value);
}

bool generic_setattr(Value obj, Str* name, Value value) {
    Type* type = type_of(obj);
    Value attr = lookup_in_type(type, name);
    if (!attr.is_null()) {
        Type* attr_type = type_of(attr);
        if (attr_type->descr_set) return attr_type->descr_set(attr, obj, value);
    }
    Dict** slot = instance_dict_slot(obj);
    if (!slot) {
        if (attr.is_null())
            raise_format(exc.AttributeError, "'%s' object has no attribute '%s'",
                         type->name.c_str(), name->data);
        else
            raise_format(exc.AttributeError, "'%s' object attribute '%s' is read-only",
                         type->name.c_str(), name->data);
        return false;
    }
    if (value.is_null()) {
        int removed = *slot ? dict_del(*slot, Value::object(name)) : 0;
        if (removed == 0) attribute_error(obj, name);
        return removed == 1;
    }
    if (!*slot) *slot = make_dict();
    dict_set_str(*slot, name, value);
    return true;
}

bool delattr(Value obj, Str* name) { return setattr(obj, name, Value::null()); }

Value call(Value callable, Value* args, int nargs, Tuple* kwnames) {
    Type* type = type_of(callable);
    if (!type->call)
        return raise_format(exc.TypeError, "'%s' object is not callable", type->name.c_str());
    // Native code calling native code (task.cancel() cancelling the task it awaits) runs
    // no apy frame that the recursion limit would count.
    if (stack_exhausted(" while calling a Python object")) return Value::null();
    return type->call(callable, args, nargs, kwnames);
}

Value call0(Value callable) { return call(callable, nullptr, 0); }
Value call1(Value callable, Value arg) { return call(callable, &arg, 1); }

Value call_method(Value self, Str* name, Value* args, int nargs) {
    Value method = getattr(self, name);
    if (method.is_null()) return method;
    Root keep(method);
    return call(method, args, nargs);
}

Value index_value(Value v) {
    if (is_int(v)) return v;
    static Str* const kIndex = intern("__index__");
    Value method = lookup_in_type(type_of(v), kIndex);
    if (method.is_null())
        return raise_format(exc.TypeError, "'%s' object cannot be interpreted as an integer",
                            type_name(v).c_str());
    Value r = call1(method, v);
    if (!r.is_null() && !is_int(r))
        return raise_format(exc.TypeError, "__index__ returned non-int (type %s)",
                            type_name(r).c_str());
    return r;
}

bool to_index_general(Value v, int64_t* out, const char* what) {
    if (v.is_bool()) {
        *out = v.is_true();
        return true;
    }
    if (is_int(v)) {
        if (int_to_int64(v, out)) return true;
        raise_format(exc.OverflowError, "cannot fit 'int' into an index-sized integer");
        return false;
    }
    static Str* const kIndex = intern("__index__");
    if (Value method = lookup_in_type(type_of(v), kIndex); is_layout(method, Layout::Function)) {
        Value r = index_value(v);
        return !r.is_null() && to_index(r, out, what);
    }
    if (what)
        raise_format(exc.TypeError, what, type_name(v).c_str());
    else
        raise_format(exc.TypeError, "'%s' object cannot be interpreted as an integer",
                     type_name(v).c_str());
    return false;
}

Value format(Value value, std::string_view spec) {
    if (is_int(value) || value.is_double()) return format_number(value, spec);
    if (is_str(value)) return format_str(str_view(value), spec);
    static Str* const kFormat = intern("__format__");
    Value method = lookup_in_type(type_of(value), kFormat);
    if (!method.is_null() && !is_layout(method, Layout::BuiltinFunction)) {
        Value args[2] = {value, str_value(spec)};
        Value r = call(method, args, 2);
        if (!r.is_null() && !is_str(r))
            return raise_format(exc.TypeError, "__format__ must return a str, not %s",
                                type_name(r).c_str());
        return r;
    }
    if (!spec.empty())
        return raise_format(exc.TypeError, "unsupported format string passed to %s.__format__",
                            type_name(value).c_str());
    return to_str(value);
}

}  // namespace apy::rt
