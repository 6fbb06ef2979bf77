// object and type: the root of the hierarchy, the metatype, and the singletons'
// types (NoneType, NotImplementedType, ellipsis).
#include <cstdio>

#include "runtime/args.h"
#include "runtime/classes.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

BuiltinTypes types;

Type* unboxed_type_of(Value v) {
    if (v.is_double()) return types.float_;
    if (v.is_small_int()) return types.int_;
    if (v.is_bool()) return types.bool_;
    if (v.is_none()) return types.NoneType_;
    if (v.is_not_implemented()) return types.NotImplementedType_;
    return types.ellipsis_;
}

bool is_subtype(const Type* type, const Type* base) {
    if (type == base) return true;
    for (const Type* t : type->mro)
        if (t == base) return true;
    return false;
}

namespace {

// Every builtin type in order of creation (a base before its subclasses).
std::vector<Type*> g_builtin_types;

}  // namespace

void type_modified(Type* type) {
    type->version = next_version();
    if (!type->has_subclasses) return;
    for (Type* t : g_builtin_types)
        if (t != type && is_subtype(t, type)) t->version = next_version();
    subclasses_modified(type);
}

namespace {

void trace_type(Object* self, Tracer& tracer) {
    auto* type = static_cast<Type*>(self);
    tracer.mark(type->base);
    tracer.mark_all(type->bases);
    tracer.mark_all(type->mro);
    tracer.mark(type->dict);
}

void destroy_type(Object* self) {
    auto* type = static_cast<Type*>(self);
    if (!type->is_builtin) forget_class(type);
    type->~Type();
}

// Makes a type object before the dict type can be used (dicts are filled in later).
Type* new_type_object(const char* name, Layout layout, Type* base) {
    Type* type = heap().make<Type>(types.type_);
    type->name = name;
    type->module = "builtins";
    type->layout = layout;
    type->base = base;
    if (base) {
        type->bases.push_back(base);
        base->has_subclasses = true;
    }
    type->mro.push_back(type);
    if (base) type->mro.insert(type->mro.end(), base->mro.begin(), base->mro.end());
    g_builtin_types.push_back(type);
    return type;
}

}  // namespace

Type* make_builtin_type(const char* name, Layout layout, Type* base) {
    Type* type = new_type_object(name, layout, base ? base : types.object_);
    type->dict = make_dict();
    type->dict->owner_type = type;
    type->trace = nullptr;
    return type;
}

void add_methods(Type* type, const MethodDef* methods) {
    for (const MethodDef* m = methods; m->name; ++m)
        dict_set_str(type->dict, m->name, Value::object(make_builtin(m->name, m->fn, Value::null(), type)));
}

void set_type_attr(Type* type, const char* name, Value value) {
    dict_set_str(type->dict, name, value);
}

// Creates every builtin type object with its name, layout and base, before any
// setup function runs (so that they can refer to each other).
void create_builtin_types() {
    types.type_ = new_type_object("type", Layout::Type, nullptr);
    types.type_->type = types.type_;
    types.object_ = new_type_object("object", Layout::Object, nullptr);
    types.type_->base = types.object_;
    types.type_->bases = {types.object_};
    types.object_->has_subclasses = true;
    types.type_->mro.push_back(types.object_);
    struct Spec {
        Type** slot;
        const char* name;
        Layout layout;
        Type** base;
    };
    const Spec specs[] = {
        {&types.int_, "int", Layout::Int, nullptr},
        {&types.bool_, "bool", Layout::Int, &types.int_},
        {&types.float_, "float", Layout::Other, nullptr},
        {&types.str_, "str", Layout::Str, nullptr},
        {&types.tuple_, "tuple", Layout::Tuple, nullptr},
        {&types.list_, "list", Layout::List, nullptr},
        {&types.dict_, "dict", Layout::Dict, nullptr},
        {&types.set_, "set", Layout::Set, nullptr},
        {&types.frozenset_, "frozenset", Layout::FrozenSet, nullptr},
        {&types.range_, "range", Layout::Range, nullptr},
        {&types.slice_, "slice", Layout::Slice, nullptr},
        {&types.function_, "function", Layout::Function, nullptr},
        {&types.builtin_function_, "builtin_function_or_method", Layout::BuiltinFunction, nullptr},
        {&types.method_, "method", Layout::BoundMethod, nullptr},
        {&types.code_, "code", Layout::Code, nullptr},
        {&types.module_, "module", Layout::Module, nullptr},
        {&types.cell_, "cell", Layout::Cell, nullptr},
        {&types.NoneType_, "NoneType", Layout::Other, nullptr},
        {&types.NotImplementedType_, "NotImplementedType", Layout::Other, nullptr},
        {&types.ellipsis_, "ellipsis", Layout::Other, nullptr},
        {&types.frame_, "frame", Layout::Frame, nullptr},
        {&types.generator_, "generator", Layout::Generator, nullptr},
        {&types.coroutine_, "coroutine", Layout::Generator, nullptr},
        {&types.iterator_, "iterator", Layout::Iterator, nullptr},
        {&types.dict_keys_, "dict_keys", Layout::Iterator, nullptr},
        {&types.dict_values_, "dict_values", Layout::Iterator, nullptr},
        {&types.dict_items_, "dict_items", Layout::Iterator, nullptr},
    };
    for (const Spec& spec : specs)
        *spec.slot = new_type_object(spec.name, spec.layout, spec.base ? *spec.base : types.object_);
}

// Dicts can be made once the dict type exists: give every type made so far its dict.
void give_builtin_types_dicts() {
#define APY_GIVE_DICT(name)                              \
    if (!types.name##_->dict) {                          \
        types.name##_->dict = make_dict();               \
        types.name##_->dict->owner_type = types.name##_; \
    }
    APY_BUILTIN_TYPES(APY_GIVE_DICT)
#undef APY_GIVE_DICT
}

namespace {

// __get__, __set__ and __delete__ of the builtin descriptors (CPython's slot wrappers):
// explicit calls of their descr_get and descr_set slots.
Value descr_get_method(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("", nargs, kwnames, 1, 2)) return Value::null();
    Value instance = args[1].is_none() ? Value::null() : args[1];
    Value owner = nargs > 2 && !args[2].is_none() ? args[2] : Value::null();
    if (instance.is_null() && owner.is_null())
        return raise(exc.TypeError, "__get__(None, None) is invalid");
    return type_of(args[0])->descr_get(args[0], instance, owner);
}

Value descr_set_method(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("", nargs, kwnames, 2, 2)) return Value::null();
    if (!type_of(args[0])->descr_set(args[0], args[1], args[2])) return Value::null();
    return Value::none();
}

Value descr_delete_method(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("", nargs, kwnames, 1, 1)) return Value::null();
    if (!type_of(args[0])->descr_set(args[0], args[1], Value::null())) return Value::null();
    return Value::none();
}

} // namespace

// A builtin type's empty slots come from its base (bool from int, ...); descriptors get
// their slots' methods (builtin functions stay without, as CPython's len has no __get__).
void inherit_slots(Type* type);
void inherit_builtin_slots() {
    static const MethodDef get_methods[] = {{"__get__", descr_get_method}, {nullptr, nullptr}};
    static const MethodDef set_methods[] = {
        {"__set__", descr_set_method}, {"__delete__", descr_delete_method}, {nullptr, nullptr}};
    for (Type* type : g_builtin_types) {
        inherit_slots(type);
        if (!type->dict || type == types.builtin_function_) continue;
        if (type->descr_get) add_methods(type, get_methods);
        if (type->descr_set) add_methods(type, set_methods);
    }
}

void mark_builtin_types(Tracer& tracer) { tracer.mark_all(g_builtin_types); }

void inherit_slots(Type* type) {
    Type* base = type->base;
    if (!base) return;
    type->flags |= base->flags & kTypeNativeAwaitable;
#define APY_INHERIT(slot) \
    if (!type->slot) type->slot = base->slot;
    APY_INHERIT(repr) APY_INHERIT(str) APY_INHERIT(hash) APY_INHERIT(compare)
    APY_INHERIT(binary) APY_INHERIT(inplace) APY_INHERIT(unary) APY_INHERIT(truth) APY_INHERIT(length)
    APY_INHERIT(iter) APY_INHERIT(next) APY_INHERIT(getitem) APY_INHERIT(setitem)
    APY_INHERIT(contains) APY_INHERIT(call) APY_INHERIT(getattr) APY_INHERIT(setattr)
    APY_INHERIT(descr_get) APY_INHERIT(descr_set) APY_INHERIT(new_instance) APY_INHERIT(send) APY_INHERIT(throw_in)
#undef APY_INHERIT
    // The tracer and destructor read the C++ struct: only a base laid out the same way
    // has the right ones (object's instances are Instance structs, as are classes').
    auto instance_like = [](Layout l) { return l == Layout::Object || l == Layout::Instance; };
    bool same_layout = type->layout == base->layout ||
                       (instance_like(type->layout) && instance_like(base->layout));
    if (same_layout && !type->trace) type->trace = base->trace;
    if (same_layout && !type->destroy) type->destroy = base->destroy;
}

namespace {

std::string address_of(Value v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "0x%012llx",
                  static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(v.as_object())));
    return buffer;
}

const std::string& qualname_of(const Type* type) {
    return type->qualname.empty() ? type->name : type->qualname;
}

Value object_repr(Value self) {
    const Type* type = type_of(self);
    std::string prefix = type->module == "builtins" ? "" : type->module + ".";
    return str_value("<" + prefix + qualname_of(type) + " object at " + address_of(self) + ">");
}

bool object_hash(Value self, int64_t* out) {
    // Identity hash, like CPython's (address rotated by 4 bits).
    uint64_t bits = self.bits();
    *out = static_cast<int64_t>((bits >> 4) | (bits << 60)) & 0x7FFFFFFFFFFFFFFF;
    return true;
}

Value object_compare(Value a, Value b, CompareOp op) {
    if (op == CompareOp::Eq) return a.is(b) ? Value::boolean(true) : Value::not_implemented();
    if (op == CompareOp::Ne) return a.is(b) ? Value::boolean(false) : Value::not_implemented();
    return Value::not_implemented();
}

Value object_new(Type* type, Value*, int nargs, Tuple* kwnames) {
    if (nargs > 0 || kwnames) return raise(exc.TypeError, "object() takes no arguments");
    Instance* instance = heap().make<Instance>(type);
    return Value::object(instance);
}

void trace_instance(Object* self, Tracer& tracer) { tracer.mark(static_cast<Instance*>(self)->attrs); }

Value type_repr(Value self) {
    const Type* type = as<Type>(self);
    std::string prefix = type->module == "builtins" ? "" : type->module + ".";
    return str_value("<class '" + prefix + qualname_of(type) + "'>");
}

Value type_call(Value self, Value* args, int nargs, Tuple* kwnames) {
    Type* type = as<Type>(self);
    // type(x): the type of x; type(name, bases, dict) makes a class.
    if (type == types.type_) {
        if (nargs == 1 && !kwnames) return Value::object(type_of(args[0]));
        return type_new(type, args, nargs, kwnames);
    }
    if (!type->is_builtin) return instantiate_class(type, args, nargs, kwnames);
    if (!type->new_instance)
        return raise_format(exc.TypeError, "cannot create '%s' instances", type->name.c_str());
    return type->new_instance(type, args, nargs, kwnames);
}

Value type_getattr(Value self, Str* name) {
    Type* type = as<Type>(self);
    std::string_view n = name->view();
    // The metatype's data descriptors come first.
    if (n.size() > 4 && n[0] == '_' && n[1] == '_') {
        if (n == "__name__") return str_value(type->name);
        if (n == "__qualname__") return str_value(qualname_of(type));
        if (n == "__mro__") {
            Tuple* mro = make_tuple(static_cast<int64_t>(type->mro.size()));
            for (size_t i = 0; i < type->mro.size(); ++i)
                mro->items[i] = Value::object(type->mro[i]);
            return Value::object(mro);
        }
        if (n == "__bases__") {
            Tuple* bases = make_tuple(static_cast<int64_t>(type->bases.size()));
            for (size_t i = 0; i < type->bases.size(); ++i)
                bases->items[i] = Value::object(type->bases[i]);
            return Value::object(bases);
        }
        if (n == "__base__") return type->base ? Value::object(type->base) : Value::none();
        if (n == "__dict__") return make_mappingproxy(Value::object(type->dict));
        if (n == "__class__") return Value::object(type_of(self));
        if (n == "__annotations__" && !type->is_builtin) {
            // A class without annotations gets an empty dict of its own on first access.
            Value own = dict_get_str(type->dict, name);
            if (!own.is_null()) {
                Type* own_type = type_of(own);
                return own_type->descr_get ? own_type->descr_get(own, Value::null(), self) : own;
            }
            Value fresh = Value::object(make_dict());
            Root keep(fresh);
            dict_set_str(type->dict, name, fresh);
            return fresh;
        }
    }
    Value found = lookup_in_type(type, name);
    if (!found.is_null()) {
        Type* found_type = type_of(found);
        // Functions read from a class stay unbound; classmethods and the like bind to it.
        if (found_type->descr_get && found_type != types.function_ &&
            found_type != types.builtin_function_)
            return found_type->descr_get(found, Value::null(), self);
        return found;
    }
    if (n == "__module__") return str_value(type->module);
    Type* metatype = type_of(self);
    Value meta = lookup_in_type(metatype, name);
    if (!meta.is_null()) {
        Type* meta_type = type_of(meta);
        if (meta_type->descr_get) return meta_type->descr_get(meta, self, Value::object(metatype));
        return meta;
    }
    return raise_format(exc.AttributeError, "type object '%s' has no attribute '%.*s'",
                        type->name.c_str(), static_cast<int>(n.size()), n.data());
}

bool type_setattr(Value self, Str* name, Value value) {
    Type* type = as<Type>(self);
    if (type->is_builtin) {
        raise_format(exc.TypeError,
                     "cannot set '%.*s' attribute of immutable type '%s'",
                     static_cast<int>(name->size), name->data, type->name.c_str());
        return false;
    }
    std::string_view n = name->view();
    if ((n == "__name__" || n == "__qualname__") && !value.is_null()) {
        if (!is_str(value)) {
            raise_format(exc.TypeError, "can only assign string to %s.%s, not '%s'",
                         type->name.c_str(), name->data, type_name(value).c_str());
            return false;
        }
        (n == "__name__" ? type->name : type->qualname) = std::string(str_view(value));
        return true;
    }
    if (value.is_null()) {
        if (dict_del(type->dict, Value::object(name)) <= 0) {
            if (has_pending()) return false;
            if (n == "__annotations__")
                raise(exc.AttributeError, "__annotations__");
            else
                raise_format(exc.AttributeError, "type object '%s' has no attribute '%.*s'",
                             type->name.c_str(), static_cast<int>(name->size), name->data);
            return false;
        }
        class_attr_changed(type, name);
        return true;
    }
    dict_set_str(type->dict, name, value);
    if (n == "__module__" && is_str(value)) type->module = std::string(str_view(value));
    class_attr_changed(type, name);  // a dunder changes the slots
    return true;
}

Value none_repr(Value) { return str_value("None"); }
int none_truth(Value) { return 0; }
Value not_implemented_repr(Value) { return str_value("NotImplemented"); }
Value ellipsis_repr(Value) { return str_value("Ellipsis"); }
bool singleton_hash(Value self, int64_t* out) { return object_hash(self, out); }

}  // namespace

void setup_object_type() {
    Type* object = types.object_;
    object->repr = object_repr;
    object->hash = object_hash;
    object->compare = object_compare;
    object->getattr = generic_getattr;
    object->new_instance = object_new;
    object->trace = trace_instance;

    Type* type = types.type_;
    type->repr = type_repr;
    type->call = type_call;
    type->getattr = type_getattr;
    type->setattr = type_setattr;
    type->trace = trace_type;
    type->destroy = destroy_type;
    type->hash = object_hash;

    types.NoneType_->repr = none_repr;
    types.NoneType_->truth = none_truth;
    types.NoneType_->hash = singleton_hash;
    types.NotImplementedType_->repr = not_implemented_repr;
    types.ellipsis_->repr = ellipsis_repr;
}

}  // namespace apy::rt
