// BaseExceptionGroup and ExceptionGroup (PEP 654): a message and a tuple of exceptions,
// with derive(), subgroup() and split() as CPython 3.11's exceptions.c has them.
// ExceptionGroup derives from both BaseExceptionGroup and Exception.
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

namespace {

Str* key_message() {
    static Str* const k = intern("message");
    return k;
}
Str* key_exceptions() {
    static Str* const k = intern("exceptions");
    return k;
}

ExceptionObject* group_of(Value v) { return as<ExceptionObject>(v); }

Value group_field(Value self, Str* key) {
    ExceptionObject* e = group_of(self);
    if (!e->attrs) return Value::none();
    Value v = dict_get_str(e->attrs, key);
    return v.is_null() ? Value::none() : v;
}

Tuple* group_exceptions(Value self) {
    Value v = group_field(self, key_exceptions());
    return is_layout(v, Layout::Tuple) ? as<Tuple>(v) : make_tuple(0);
}

Value group_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    if (kwnames)
        return raise_format(exc.TypeError, "%s() takes no keyword arguments", type->name.c_str());
    if (nargs != 2)
        return raise_format(exc.TypeError,
                            "BaseExceptionGroup.__new__() takes exactly 2 arguments (%d given)",
                            nargs);
    if (!is_str(args[0]))
        return raise_format(exc.TypeError,
                            "BaseExceptionGroup.__new__() argument 1 must be str, not %s",
                            type_name(args[0]).c_str());
    Value seq = args[1];
    if (!is_layout(seq, Layout::List) && !is_layout(seq, Layout::Tuple))
        return raise(exc.TypeError, "second argument (exceptions) must be a sequence");
    std::vector<Value> items;
    if (!collect_iterable(seq, items)) return Value::null();
    if (items.empty())
        return raise(exc.ValueError, "second argument (exceptions) must be a non-empty sequence");
    bool all_exceptions = true;
    for (size_t i = 0; i < items.size(); ++i) {
        if (!isinstance(items[i], exc.BaseException))
            return raise_format(exc.ValueError,
                                "Item %zu of second argument (exceptions) is not an exception", i);
        if (!isinstance(items[i], exc.Exception)) all_exceptions = false;
    }
    if (type == exc.BaseExceptionGroup) {
        if (all_exceptions) type = exc.ExceptionGroup;
    } else if (type == exc.ExceptionGroup) {
        if (!all_exceptions)
            return raise(exc.TypeError, "Cannot nest BaseExceptions in an ExceptionGroup");
    } else if (!all_exceptions && is_subtype(type, exc.Exception)) {
        return raise_format(exc.TypeError, "Cannot nest BaseExceptions in '%s'",
                            type->name.c_str());
    }
    Value e = make_exception(type, make_tuple(args, 2));
    Root keep(e);
    ExceptionObject* obj = group_of(e);
    obj->attrs = make_dict();
    dict_set_str(obj->attrs, key_message(), args[0]);
    dict_set_str(obj->attrs, key_exceptions(),
                 Value::object(make_tuple(items.data(), static_cast<int64_t>(items.size()))));
    return e;
}

Value group_str(Value self) {
    Value message = group_field(self, key_message());
    int64_t n = group_exceptions(self)->size;
    std::string text = is_str(message) ? std::string(str_view(message)) : "";
    text += " (" + std::to_string(n) + " sub-exception" + (n == 1 ? "" : "s") + ")";
    return str_value(text);
}

Value m_derive(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "derive() takes exactly one argument");
    Value a[2] = {group_field(args[0], key_message()), args[1]};
    return group_new(exc.BaseExceptionGroup, a, 2, nullptr);
}

// condition(e): a type, a tuple of types, or a predicate. 1 match, 0 not, -1 error.
int matches(Value condition, Value e) {
    if (is_layout(condition, Layout::Type)) return isinstance(e, as<Type>(condition)) ? 1 : 0;
    if (is_layout(condition, Layout::Tuple)) {
        Tuple* t = as<Tuple>(condition);
        for (int64_t i = 0; i < t->size; ++i)
            if (is_layout(t->items[i], Layout::Type) && isinstance(e, as<Type>(t->items[i])))
                return 1;
        return 0;
    }
    Value r = call(condition, &e, 1);
    if (r.is_null()) return -1;
    return truthy(r);
}

bool check_condition(Value condition) {
    if (is_layout(condition, Layout::Type) && is_subtype(as<Type>(condition), exc.BaseException))
        return true;
    if (is_layout(condition, Layout::Tuple)) {
        Tuple* t = as<Tuple>(condition);
        bool ok = true;
        for (int64_t i = 0; i < t->size; ++i)
            if (!is_layout(t->items[i], Layout::Type) ||
                !is_subtype(as<Type>(t->items[i]), exc.BaseException))
                ok = false;
        if (ok) return true;
    } else if (!is_layout(condition, Layout::Type) && type_of(condition)->call) {
        return true;
    }
    raise(exc.TypeError, "expected a function, exception type or tuple of exception types");
    return false;
}

// A copy of [self] with [items] (derive() plus the chaining fields, as CPython copies them).
Value derived(Value self, std::vector<Value>& items) {
    List* list = make_list(items);
    Root keep(Value::object(list));
    static Str* const kDerive = intern("derive");
    Value arg = Value::object(list);
    Value g = call_method(self, kDerive, &arg, 1);
    if (g.is_null()) return g;
    if (!isinstance(g, exc.BaseExceptionGroup))
        return raise(exc.TypeError, "derive must return an instance of BaseExceptionGroup");
    ExceptionObject* from = group_of(self);
    ExceptionObject* to = group_of(g);
    to->cause = from->cause;
    to->context = from->context;
    to->suppress_context = from->suppress_context;
    to->traceback = from->traceback;
    return g;
}

// Splits [self] on [condition]: *match and *rest are groups or None. False on error.
bool split_group(Value self, Value condition, bool want_rest, Value* match, Value* rest) {
    *match = Value::none();
    *rest = Value::none();
    int m = matches(condition, self);
    if (m < 0) return false;
    if (m) {
        *match = self;
        return true;
    }
    Tuple* excs = group_exceptions(self);
    Root keep_excs(Value::object(excs));
    std::vector<Value> matched, others;
    List* keep_parts = make_list();
    Root keep(Value::object(keep_parts));
    for (int64_t i = 0; i < excs->size; ++i) {
        Value e = excs->items[i];
        if (isinstance(e, exc.BaseExceptionGroup)) {
            Value sm, sr;
            if (!split_group(e, condition, want_rest, &sm, &sr)) return false;
            list_append(keep_parts, sm);
            list_append(keep_parts, sr);
            if (!sm.is_none()) matched.push_back(sm);
            if (!sr.is_none()) others.push_back(sr);
            continue;
        }
        int r = matches(condition, e);
        if (r < 0) return false;
        (r ? matched : others).push_back(e);
    }
    if (!matched.empty()) {
        *match = derived(self, matched);
        if (match->is_null()) return false;
    }
    list_append(keep_parts, *match);
    if (want_rest && !others.empty()) {
        *rest = derived(self, others);
        if (rest->is_null()) return false;
    }
    return true;
}

Value m_split(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "split() takes exactly one argument");
    if (!check_condition(args[1])) return Value::null();
    Value pair[2];
    if (!split_group(args[0], args[1], true, &pair[0], &pair[1])) return Value::null();
    return Value::object(make_tuple(pair, 2));
}

Value m_subgroup(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "subgroup() takes exactly one argument");
    if (!check_condition(args[1])) return Value::null();
    Value match, rest;
    if (!split_group(args[0], args[1], false, &match, &rest)) return Value::null();
    return match;
}

}  // namespace

void setup_exception_group_types() {
    Type* base = exc.BaseExceptionGroup;
    Type* group = exc.ExceptionGroup;
    base->new_instance = group_new;
    base->str = group_str;
    group->new_instance = group_new;
    group->str = group_str;
    // ExceptionGroup(BaseExceptionGroup, Exception).
    group->bases = {base, exc.Exception};
    group->mro = {group, base, exc.Exception, exc.BaseException, types.object_};
    static const MethodDef methods[] = {
        {"derive", m_derive}, {"split", m_split}, {"subgroup", m_subgroup}, {nullptr, nullptr}};
    add_methods(base, methods);
}

}  // namespace apy::rt
