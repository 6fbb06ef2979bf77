// The descriptors classes are made of: staticmethod, classmethod, property,
// super, the member descriptors of __slots__, and the __dict__, __weakref__ and
// __class__ attributes of instances.
#include "runtime/args.h"
#include "runtime/classes.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "vm/code.h"
#include "vm/frame.h"

namespace apy::rt {

Type* staticmethod_type = nullptr;
Type* classmethod_type = nullptr;
Type* property_type = nullptr;
Type* super_type = nullptr;

namespace {

// ------------------------------------------------------- staticmethod, classmethod

struct MethodWrapper : Object {
    Value function;
};

Value wrapper_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    const char* name = type == staticmethod_type ? "staticmethod" : "classmethod";
    if (!check_no_kwargs(name, kwnames)) return Value::null();
    if (nargs != 1)
        return raise_format(exc.TypeError, "%s expected 1 argument, got %d", name, nargs);
    auto* w = heap().make<MethodWrapper>(type);
    w->function = args[0];
    return Value::object(w);
}

void wrapper_trace(Object* self, Tracer& tracer) {
    tracer.mark(static_cast<MethodWrapper*>(self)->function);
}

Value wrapper_repr(Value self) {
    Value inner = repr(as<MethodWrapper>(self)->function);
    if (inner.is_null()) return inner;
    return str_value("<" + type_name(self) + "(" + std::string(str_view(inner)) + ")>");
}

Value wrapper_getattr(Value self, Str* name) {
    std::string_view n = name->view();
    Value function = as<MethodWrapper>(self)->function;
    if (n == "__func__" || n == "__wrapped__") return function;
    if (n == "__isabstractmethod__") return Value::boolean(false);
    Value found = generic_getattr(self, name);
    if (!found.is_null() || !pending_is(exc.AttributeError)) return found;
    // Like CPython 3.10+, the wrapper shows the function's __name__, __doc__, ...
    if (n == "__name__" || n == "__qualname__" || n == "__doc__" || n == "__module__" ||
        n == "__annotations__") {
        clear_pending();
        return getattr(function, name);
    }
    return found;
}

Value staticmethod_get(Value self, Value, Value) { return as<MethodWrapper>(self)->function; }

Value staticmethod_call(Value self, Value* args, int nargs, Tuple* kwnames) {
    return call(as<MethodWrapper>(self)->function, args, nargs, kwnames);
}

Value classmethod_get(Value self, Value instance, Value owner) {
    if (owner.is_null() || owner.is_none()) owner = Value::object(type_of(instance));
    auto* m = heap().make<BoundMethod>(types.method_);
    m->function = as<MethodWrapper>(self)->function;
    m->self = owner;
    return Value::object(m);
}

// ------------------------------------------------------------------- property

struct Property : Object {
    Value fget = Value::none();
    Value fset = Value::none();
    Value fdel = Value::none();
    Value doc = Value::none();
    Str* name = nullptr;  // from __set_name__ or the getter's __name__
};

void property_trace(Object* self, Tracer& tracer) {
    auto* p = static_cast<Property*>(self);
    tracer.mark(p->fget);
    tracer.mark(p->fset);
    tracer.mark(p->fdel);
    tracer.mark(p->doc);
    tracer.mark(p->name);
}

Property* property_of(Value v) { return as<Property>(v); }

Value property_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("property", "fget=None, fset=None, fdel=None, doc=None");
    Value a[4];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    auto* p = heap().make<Property>(type);
    p->fget = a[0];
    p->fset = a[1];
    p->fdel = a[2];
    p->doc = a[3];
    if (is_layout(a[0], Layout::Function)) {
        if (p->doc.is_none()) p->doc = as<Function>(a[0])->doc;
        p->name = as<Function>(a[0])->name;
    }
    return Value::object(p);
}

// "property 'x' of 'C' object has no getter"
Value property_error(Property* p, Value instance, const char* what) {
    std::string name = p->name ? "'" + std::string(p->name->view()) + "' " : "";
    return raise_format(exc.AttributeError, "property %sof '%s' object has no %s", name.c_str(),
                        type_name(instance).c_str(), what);
}

Value property_get(Value self, Value instance, Value) {
    if (instance.is_null()) return self;
    Property* p = property_of(self);
    if (p->fget.is_none()) return property_error(p, instance, "getter");
    return call1(p->fget, instance);
}

bool property_set(Value self, Value instance, Value value) {
    Property* p = property_of(self);
    if (value.is_null()) {
        if (p->fdel.is_none()) return !property_error(p, instance, "deleter").is_null();
        return !call1(p->fdel, instance).is_null();
    }
    if (p->fset.is_none()) return !property_error(p, instance, "setter").is_null();
    Value args[2] = {instance, value};
    return !call(p->fset, args, 2).is_null();
}

// p.getter(f), p.setter(f), p.deleter(f): a copy with one accessor replaced.
template <int Which>
Value property_copy(Value* args, int nargs, Tuple* kwnames) {
    static const char* const names[] = {"getter", "setter", "deleter"};
    if (!check_no_kwargs(names[Which], kwnames) || !check_arg_count(names[Which], nargs - 1, 1, 1))
        return Value::null();
    Property* old = property_of(args[0]);
    auto* p = heap().make<Property>(type_of(args[0]));
    p->fget = Which == 0 ? args[1] : old->fget;
    p->fset = Which == 1 ? args[1] : old->fset;
    p->fdel = Which == 2 ? args[1] : old->fdel;
    p->doc = old->doc;
    p->name = old->name;
    if (Which == 0 && is_layout(args[1], Layout::Function)) {
        if (p->doc.is_none()) p->doc = as<Function>(args[1])->doc;
        p->name = as<Function>(args[1])->name;
    }
    return Value::object(p);
}

Value property_set_name(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("__set_name__", kwnames) ||
        !check_arg_count("__set_name__", nargs - 1, 2, 2))
        return Value::null();
    if (is_str(args[2])) property_of(args[0])->name = intern(str_view(args[2]));
    return Value::none();
}

Value property_getattr(Value self, Str* name) {
    Property* p = property_of(self);
    std::string_view n = name->view();
    if (n == "fget") return p->fget;
    if (n == "fset") return p->fset;
    if (n == "fdel") return p->fdel;
    if (n == "__doc__") return p->doc;
    if (n == "__isabstractmethod__") return Value::boolean(false);
    return generic_getattr(self, name);
}

// ---------------------------------------------------------------------- super

struct Super : Object {
    Type* type = nullptr;      // the class after which the search starts
    Value obj = Value::null();  // the instance or class bound to, null when unbound
    Type* obj_type = nullptr;  // type(obj), or obj when it is a class
};

void super_trace(Object* self, Tracer& tracer) {
    auto* s = static_cast<Super*>(self);
    tracer.mark(s->type);
    tracer.mark(s->obj);
    tracer.mark(s->obj_type);
}

// super() without arguments: __class__ and the first argument of the calling function.
bool super_from_frame(Type** type, Value* obj) {
    vm::Frame* f = vm::current_frame();
    if (!f) {
        raise(exc.RuntimeError, "super(): no current frame");
        return false;
    }
    vm::Code* code = f->code;
    if (code->argcount == 0) {
        raise(exc.RuntimeError, "super(): no arguments");
        return false;
    }
    *obj = f->slots[0];
    for (size_t i = 0; i < code->cell2arg.size(); ++i)
        if (code->cell2arg[i] == 0) *obj = as<Cell>(f->derefs()[i])->value;
    if (obj->is_null()) {
        raise(exc.RuntimeError, "super(): arg[0] deleted");
        return false;
    }
    size_t ncell = code->cellvars.size();
    for (size_t j = 0; j < code->freevars.size(); ++j) {
        if (code->freevars[j]->view() != "__class__") continue;
        Value cls = as<Cell>(f->derefs()[ncell + j])->value;
        if (cls.is_null()) {
            raise(exc.RuntimeError, "super(): empty __class__ cell");
            return false;
        }
        if (!is_layout(cls, Layout::Type)) {
            raise_format(exc.RuntimeError, "super(): __class__ is not a type (%s)",
                         type_name(cls).c_str());
            return false;
        }
        *type = as<Type>(cls);
        return true;
    }
    raise(exc.RuntimeError, "super(): __class__ cell not found");
    return false;
}

Value super_new(Type* stype, Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("super", kwnames)) return Value::null();
    Type* type = nullptr;
    Value obj = Value::null();
    if (nargs == 0) {
        if (!super_from_frame(&type, &obj)) return Value::null();
    } else {
        if (nargs > 2)
            return raise_format(exc.TypeError, "super() expected at most 2 arguments, got %d",
                                nargs);
        if (!is_layout(args[0], Layout::Type))
            return raise_format(exc.TypeError, "super() argument 1 must be a type, not %s",
                                type_name(args[0]).c_str());
        type = as<Type>(args[0]);
        if (nargs == 2) obj = args[1];
    }
    Type* obj_type = nullptr;
    if (!obj.is_null() && !obj.is_none()) {
        if (is_layout(obj, Layout::Type) && is_subtype(as<Type>(obj), type))
            obj_type = as<Type>(obj);
        else if (isinstance(obj, type))
            obj_type = type_of(obj);
        else
            return raise(exc.TypeError,
                         "super(type, obj): obj must be an instance or subtype of type");
    } else {
        obj = Value::null();
    }
    auto* s = heap().make<Super>(stype);
    s->type = type;
    s->obj = obj;
    s->obj_type = obj_type;
    return Value::object(s);
}

Value super_getattr(Value self, Str* name) {
    Super* s = as<Super>(self);
    std::string_view n = name->view();
    if (n == "__thisclass__") return Value::object(s->type);
    if (n == "__self__") return s->obj.is_null() ? Value::none() : s->obj;
    if (n == "__self_class__") return s->obj_type ? Value::object(s->obj_type) : Value::none();
    if (s->obj_type && n != "__class__") {
        const auto& mro = s->obj_type->mro;
        size_t i = 0;
        while (i < mro.size() && mro[i] != s->type) ++i;
        for (++i; i < mro.size(); ++i) {
            if (!mro[i]->dict) continue;
            Value found = dict_get_str(mro[i]->dict, name);
            if (found.is_null()) continue;
            Type* ft = type_of(found);
            if (!ft->descr_get) return found;
            // Bound to the instance; when obj is the class itself, unbound (None).
            Value instance = s->obj.is(Value::object(s->obj_type)) ? Value::null() : s->obj;
            return ft->descr_get(found, instance, Value::object(s->obj_type));
        }
    }
    return generic_getattr(self, name);
}

Value super_repr(Value self) {
    Super* s = as<Super>(self);
    std::string text = "<super: <class '" + s->type->name + "'>, ";
    if (!s->obj_type) return str_value(text + "NULL>");
    return str_value(text + "<" + s->obj_type->name + " object>>");
}

// ------------------------------------------- member and attribute descriptors

// A __slots__ name: stored in the instance's attribute dict, but declared on the class.
struct Member : Object {
    Str* name = nullptr;
    Type* owner = nullptr;
    uint8_t kind = 0;  // 0 a slot member; 1 __dict__; 2 __weakref__; 3 __class__
};
Type* g_member_type;
Type* g_getset_type;
enum : uint8_t { kSlot, kDictAttr, kWeakrefAttr, kClassAttr };

void member_trace(Object* self, Tracer& tracer) {
    auto* m = static_cast<Member*>(self);
    tracer.mark(m->name);
    tracer.mark(m->owner);
}

Value make_member_of_kind(Type* type, Str* name, Type* owner, uint8_t kind) {
    auto* m = heap().make<Member>(type);
    m->name = name;
    m->owner = owner;
    m->kind = kind;
    return Value::object(m);
}

bool check_applies(Member* m, Value instance) {
    if (isinstance(instance, m->owner)) return true;
    raise_format(exc.TypeError, "descriptor '%s' for '%s' objects doesn't apply to a '%s' object",
                 m->name->data, m->owner->name.c_str(), type_name(instance).c_str());
    return false;
}

Value member_get(Value self, Value instance, Value) {
    Member* m = as<Member>(self);
    if (instance.is_null()) return self;
    if (m->kind == kClassAttr) return Value::object(type_of(instance));
    if (!check_applies(m, instance)) return Value::null();
    if (m->kind == kWeakrefAttr) return Value::none();
    Dict** slot = instance_dict_slot(instance);
    if (m->kind == kDictAttr) {
        if (!slot)
            return raise_format(exc.AttributeError, "'%s' object has no attribute '__dict__'",
                                type_name(instance).c_str());
        if (!*slot) *slot = make_dict();
        return Value::object(*slot);
    }
    Value v = slot && *slot ? dict_get_str(*slot, m->name) : Value::null();
    if (v.is_null())
        return raise_format(exc.AttributeError, "'%s' object has no attribute '%s'",
                            type_name(instance).c_str(), m->name->data);
    return v;
}

bool member_set(Value self, Value instance, Value value) {
    Member* m = as<Member>(self);
    if (m->kind == kClassAttr) {
        if (value.is_null()) {
            raise(exc.TypeError, "can't delete __class__ attribute");
            return false;
        }
        if (!is_layout(value, Layout::Type)) {
            raise_format(exc.TypeError, "__class__ must be set to a class, not '%s' object",
                         type_name(value).c_str());
            return false;
        }
        Type* from = type_of(instance);
        Type* to = as<Type>(value);
        if (from->is_builtin || to->is_builtin || from->layout != to->layout) {
            raise(exc.TypeError, "__class__ assignment only supported for mutable types or "
                                 "ModuleType subclasses");
            return false;
        }
        instance.as_object()->type = to;
        return true;
    }
    if (!check_applies(m, instance)) return false;
    if (m->kind == kWeakrefAttr) {
        raise_format(exc.AttributeError, "attribute '__weakref__' of '%s' objects is not writable",
                     m->owner->name.c_str());
        return false;
    }
    Dict** slot = instance_dict_slot(instance);
    if (!slot) {
        raise_format(exc.AttributeError, "'%s' object has no attribute '%s'",
                     type_name(instance).c_str(), m->name->data);
        return false;
    }
    if (m->kind == kDictAttr) {
        if (value.is_null()) {
            raise(exc.TypeError, "cannot delete __dict__");
            return false;
        }
        if (!is_layout(value, Layout::Dict)) {
            raise_format(exc.TypeError, "__dict__ must be set to a dictionary, not a '%s'",
                         type_name(value).c_str());
            return false;
        }
        *slot = as<Dict>(value);
        return true;
    }
    if (value.is_null()) {
        int removed = *slot ? dict_del(*slot, Value::object(m->name)) : 0;
        if (removed == 0)
            raise_format(exc.AttributeError, "'%s' object has no attribute '%s'",
                         type_name(instance).c_str(), m->name->data);
        return removed == 1;
    }
    if (!*slot) *slot = make_dict();
    dict_set_str(*slot, m->name, value);
    return true;
}

Value member_repr(Value self) {
    Member* m = as<Member>(self);
    const char* what = m->kind == kSlot ? "member" : "attribute";
    return str_value(std::string("<") + what + " '" + std::string(m->name->view()) + "' of '" +
                     m->owner->name + "' objects>");
}

Value member_getattr(Value self, Str* name) {
    Member* m = as<Member>(self);
    std::string_view n = name->view();
    if (n == "__name__" || n == "__qualname__") return Value::object(m->name);
    if (n == "__objclass__") return Value::object(m->owner);
    return generic_getattr(self, name);
}

Value no_new(Type* type, Value*, int, Tuple*) {
    return raise_format(exc.TypeError, "cannot create '%s' instances", type->name.c_str());
}

Type* descriptor_type(const char* name, Value (*getter)(Value, Value, Value),
                      void (*trace)(Object*, Tracer&)) {
    Type* t = make_builtin_type(name, Layout::Other);
    t->descr_get = getter;
    t->trace = trace;
    t->new_instance = no_new;
    return t;
}

}  // namespace

Value make_staticmethod(Value function) {
    auto* w = heap().make<MethodWrapper>(staticmethod_type);
    w->function = function;
    return Value::object(w);
}

Value make_classmethod(Value function) {
    auto* w = heap().make<MethodWrapper>(classmethod_type);
    w->function = function;
    return Value::object(w);
}

Value make_member(Str* name, Type* owner) {
    return make_member_of_kind(g_member_type, name, owner, kSlot);
}

Value make_dict_descriptor(Type* owner) {
    return make_member_of_kind(g_getset_type, intern("__dict__"), owner, kDictAttr);
}

Value make_weakref_descriptor(Type* owner) {
    return make_member_of_kind(g_getset_type, intern("__weakref__"), owner, kWeakrefAttr);
}

void setup_descriptor_types() {
    staticmethod_type = descriptor_type("staticmethod", staticmethod_get, wrapper_trace);
    staticmethod_type->new_instance = wrapper_new;
    staticmethod_type->repr = wrapper_repr;
    staticmethod_type->getattr = wrapper_getattr;
    staticmethod_type->call = staticmethod_call;

    classmethod_type = descriptor_type("classmethod", classmethod_get, wrapper_trace);
    classmethod_type->new_instance = wrapper_new;
    classmethod_type->repr = wrapper_repr;
    classmethod_type->getattr = wrapper_getattr;

    property_type = descriptor_type("property", property_get, property_trace);
    property_type->new_instance = property_new;
    property_type->descr_set = property_set;
    property_type->getattr = property_getattr;
    static const MethodDef property_methods[] = {
        {"getter", property_copy<0>},
        {"setter", property_copy<1>},
        {"deleter", property_copy<2>},
        {"__set_name__", property_set_name},
        {nullptr, nullptr},
    };
    add_methods(property_type, property_methods);

    super_type = make_builtin_type("super", Layout::Other);
    super_type->new_instance = super_new;
    super_type->getattr = super_getattr;
    super_type->repr = super_repr;
    super_type->trace = super_trace;

    g_member_type = descriptor_type("member_descriptor", member_get, member_trace);
    g_member_type->descr_set = member_set;
    g_member_type->repr = member_repr;
    g_member_type->getattr = member_getattr;
    g_getset_type = descriptor_type("getset_descriptor", member_get, member_trace);
    g_getset_type->descr_set = member_set;
    g_getset_type->repr = member_repr;
    g_getset_type->getattr = member_getattr;

    // Every object's __class__.
    dict_set_str(types.object_->dict, "__class__",
                 make_member_of_kind(g_getset_type, intern("__class__"), types.object_,
                                     kClassAttr));

    Dict* builtins = builtins_dict();
    for (Type* t : {staticmethod_type, classmethod_type, property_type, super_type})
        dict_set_str(builtins, t->name.c_str(), Value::object(t));
}

}  // namespace apy::rt
