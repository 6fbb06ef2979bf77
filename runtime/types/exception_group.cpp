// BaseExceptionGroup and ExceptionGroup (PEP 654): a message and a tuple of exceptions,
// with derive(), subgroup() and split() as CPython 3.11's exceptions.c has them.
// ExceptionGroup derives from both BaseExceptionGroup and Exception.
#include <functional>
#include <unordered_set>

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

// What split_group keeps: 1 match, 0 not, -1 error.
using Matcher = std::function<int(Value)>;

Matcher condition_of(Value condition) {
    return [condition](Value e) { return matches(condition, e); };
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
    // The parts get their own copies of __notes__, as CPython's exceptiongroup_subset does.
    static Str* const kNotes = intern("__notes__");
    Value notes = from->attrs ? dict_get_str(from->attrs, kNotes) : Value::null();
    if (!notes.is_null() && (is_layout(notes, Layout::List) || is_layout(notes, Layout::Tuple))) {
        std::vector<Value> copy;
        if (!collect_iterable(notes, copy)) return Value::null();
        if (!to->attrs) to->attrs = make_dict();
        dict_set_str(to->attrs, kNotes, Value::object(make_list(copy)));
    }
    return g;
}

// Splits [self] on [condition]: *match and *rest are groups or None. False on error.
bool split_group(Value self, const Matcher& condition, bool want_rest, Value* match,
                 Value* rest) {
    *match = Value::none();
    *rest = Value::none();
    int m = condition(self);
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
        int r = condition(e);
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
    if (!split_group(args[0], condition_of(args[1]), true, &pair[0], &pair[1]))
        return Value::null();
    return Value::object(make_tuple(pair, 2));
}

Value m_subgroup(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "subgroup() takes exactly one argument");
    if (!check_condition(args[1])) return Value::null();
    Value match, rest;
    if (!split_group(args[0], condition_of(args[1]), false, &match, &rest)) return Value::null();
    return match;
}

// The ids of the leaf exceptions of [e] (a group or a bare exception), into [ids].
void collect_leaf_ids(Value e, std::unordered_set<Object*>& ids) {
    if (e.is_none()) return;
    if (!isinstance(e, exc.BaseExceptionGroup)) {
        ids.insert(e.as_object());
        return;
    }
    Tuple* excs = group_exceptions(e);
    for (int64_t i = 0; i < excs->size; ++i) collect_leaf_ids(excs->items[i], ids);
}

// Whether [a] is [b] or a part split from it: the same traceback, cause and context.
bool same_metadata(Value a, Value b) {
    ExceptionObject* x = group_of(a);
    ExceptionObject* y = group_of(b);
    if (!x->cause.is(y->cause) || !x->context.is(y->context)) return false;
    if (x->traceback.size() != y->traceback.size()) return false;
    for (size_t i = 0; i < x->traceback.size(); ++i) {
        const auto& p = x->traceback[i];
        const auto& q = y->traceback[i];
        if (p.code != q.code || p.index != q.index || p.line != q.line) return false;
    }
    return true;
}

// The part of group [eg] whose leaves are those of the groups in [keep], with eg's nesting.
Value projection(Value eg, const std::vector<Value>& keep) {
    std::unordered_set<Object*> ids;
    for (Value e : keep) collect_leaf_ids(e, ids);
    Matcher by_id = [&ids](Value e) { return ids.count(e.as_object()) ? 1 : 0; };
    Value match, rest;
    if (!split_group(eg, by_id, false, &match, &rest)) return Value::null();
    return match;
}

Value make_group(const std::vector<Value>& excs) {
    List* list = make_list(excs);
    Value args[2] = {str_value(""), Value::object(list)};
    Root keep(args[1]);
    return group_new(exc.BaseExceptionGroup, args, 2, nullptr);
}

}  // namespace

bool exception_group_match(Value exception, Value spec, Value* match, Value* rest) {
    *match = *rest = Value::none();
    if (exception.is_none()) return true;
    if (matches(spec, exception)) {
        if (isinstance(exception, exc.BaseExceptionGroup)) {
            *match = exception;
            return true;
        }
        *match = make_group({exception});
        return !match->is_null();
    }
    if (!isinstance(exception, exc.BaseExceptionGroup)) {
        *rest = exception;
        return true;
    }
    return split_group(exception, condition_of(spec), true, match, rest);
}

Value prep_reraise_star(Value orig, List* excs) {
    if (excs->items.empty()) return Value::none();
    // A bare exception was caught and wrapped: one clause at most ran.
    if (!isinstance(orig, exc.BaseExceptionGroup)) return excs->items[0];
    std::vector<Value> raised, reraised;
    for (Value e : excs->items) {
        if (e.is_none()) continue;
        (same_metadata(e, orig) ? reraised : raised).push_back(e);
    }
    Value reraised_group = projection(orig, reraised);
    if (reraised_group.is_null() || raised.empty()) return reraised_group;
    if (!reraised_group.is_none()) raised.push_back(reraised_group);
    if (raised.size() == 1) return raised[0];
    Root keep(reraised_group);
    return make_group(raised);
}

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
    exc.Exception->has_subclasses = true;
    type_modified(group);
    static const MethodDef methods[] = {
        {"derive", m_derive}, {"split", m_split}, {"subgroup", m_subgroup}, {nullptr, nullptr}};
    add_methods(base, methods);
}

}  // namespace apy::rt
