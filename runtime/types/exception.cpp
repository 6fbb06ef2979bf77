// The builtin exception types: BaseException's behaviour, shared by all of them.
#include <unordered_map>

#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

void setup_exception_group_types();  // exception_group.cpp

namespace {

ExceptionObject* exception_of(Value v) { return as<ExceptionObject>(v); }

Value exception_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    if (kwnames)
        return raise_format(exc.TypeError, "%s() takes no keyword arguments", type->name.c_str());
    return make_exception(type, make_tuple(args, nargs));
}

Value exception_str(Value self) {
    ExceptionObject* e = exception_of(self);
    if (e->args->size == 0) return str_value("");
    if (e->args->size == 1) {
        // KeyError shows its key as repr: KeyError('k') prints as 'k'.
        if (isinstance(self, exc.KeyError)) return repr(e->args->items[0]);
        return to_str(e->args->items[0]);
    }
    return to_str(Value::object(e->args));
}

Value exception_repr(Value self) {
    ExceptionObject* e = exception_of(self);
    std::string text = type_of(self)->name;
    if (e->args->size == 1) {
        Value inner = repr(e->args->items[0]);
        if (inner.is_null()) return inner;
        text += "(" + std::string(str_view(inner)) + ")";
    } else {
        Value inner = repr(Value::object(e->args));
        if (inner.is_null()) return inner;
        text += std::string(str_view(inner));
    }
    return str_value(text);
}

Value exception_getattr(Value self, Str* name) {
    ExceptionObject* e = exception_of(self);
    std::string_view n = name->view();
    if (n == "args") return Value::object(e->args);
    if (n == "__cause__") return e->cause;
    if (n == "__context__") return e->context;
    if (n == "__suppress_context__") return Value::boolean(e->suppress_context);
    if (n == "__traceback__") return Value::none();
    if (e->attrs) {
        Value found = dict_get_str(e->attrs, name);
        if (!found.is_null()) return found;
    }
    // Set when the VM raises them (see set_error_name and getattr), else None.
    bool attribute_error = isinstance(self, exc.AttributeError);
    bool import_error = isinstance(self, exc.ImportError);
    if ((n == "name" &&
         (attribute_error || import_error || isinstance(self, exc.NameError))) ||
        (n == "obj" && attribute_error) || (n == "path" && import_error))
        return Value::none();
    if (n == "value" && isinstance(self, exc.StopIteration))
        return e->args->size > 0 ? e->args->items[0] : Value::none();
    if (n == "code" && isinstance(self, exc.SystemExit))
        return e->args->size == 0 ? Value::none()
                                  : e->args->size == 1 ? e->args->items[0] : Value::object(e->args);
    return generic_getattr(self, name);
}

bool exception_setattr(Value self, Str* name, Value value) {
    ExceptionObject* e = exception_of(self);
    std::string_view n = name->view();
    if (n == "__cause__") {
        e->cause = value.is_null() ? Value::none() : value;
        e->suppress_context = true;
        return true;
    }
    if (n == "__context__") {
        e->context = value.is_null() ? Value::none() : value;
        return true;
    }
    if (n == "args") {
        std::vector<Value> items;
        if (value.is_null() || !collect_iterable(value, items)) return false;
        e->args = make_tuple(items.data(), static_cast<int64_t>(items.size()));
        return true;
    }
    if (!e->attrs) e->attrs = make_dict();
    if (value.is_null()) {
        int removed = dict_del(e->attrs, Value::object(name));
        if (removed == 0)
            raise_format(exc.AttributeError, "%.*s", static_cast<int>(name->size), name->data);
        return removed == 1;
    }
    dict_set_str(e->attrs, name, value);
    return true;
}

void exception_trace(Object* self, Tracer& tracer) {
    auto* e = static_cast<ExceptionObject*>(self);
    tracer.mark(e->args);
    tracer.mark(e->cause);
    tracer.mark(e->context);
    tracer.mark(e->attrs);
    tracer.mark(e->retained);
    for (const auto& entry : e->traceback) {
        tracer.mark(reinterpret_cast<Object*>(entry.code));
        tracer.mark(entry.globals);
    }
}

void exception_destroy(Object* self) { static_cast<ExceptionObject*>(self)->~ExceptionObject(); }

Value exception_with_traceback(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "with_traceback() takes exactly one argument");
    return args[0];
}

Value exception_add_note(Value* args, int nargs, Tuple*) {
    if (nargs != 2)
        return raise_format(exc.TypeError,
                            "BaseException.add_note() takes exactly one argument (%d given)",
                            nargs - 1);
    if (!is_str(args[1]))
        return raise_format(exc.TypeError, "note must be a str, not '%s'",
                            type_name(args[1]).c_str());
    static Str* const kNotes = intern("__notes__");
    ExceptionObject* e = exception_of(args[0]);
    if (!e->attrs) e->attrs = make_dict();
    Value notes = dict_get_str(e->attrs, kNotes);
    if (notes.is_null()) {
        notes = Value::object(make_list());
        dict_set_str(e->attrs, kNotes, notes);
    } else if (!is_layout(notes, Layout::List)) {
        return raise(exc.TypeError, "Cannot add note: __notes__ is not a list");
    }
    list_append(as<List>(notes), args[1]);
    return Value::none();
}

}  // namespace

void setup_exception_types() {
    // Each base is made before its subclasses (the list is in that order).
    std::unordered_map<std::string_view, Type*> made{{"object", types.object_}};
#define APY_MAKE_EXC(name, base) \
    made[#name] = exc.name = make_builtin_type(#name, Layout::Exception, made.at(#base));
    APY_EXCEPTION_TYPES(APY_MAKE_EXC)
#undef APY_MAKE_EXC
    Type* base = exc.BaseException;
    base->new_instance = exception_new;
    base->repr = exception_repr;
    base->str = exception_str;
    base->getattr = exception_getattr;
    base->setattr = exception_setattr;
    base->trace = exception_trace;
    base->destroy = exception_destroy;
    base->hash = types.object_->hash;
    base->compare = types.object_->compare;
    static const MethodDef methods[] = {{"with_traceback", exception_with_traceback},
                                        {"add_note", exception_add_note},
                                        {nullptr, nullptr}};
    add_methods(base, methods);
    setup_exception_group_types();
}

}  // namespace apy::rt
