// The dispatch loop. One C++ activation runs a whole chain of apy calls: CALL
// of an apy function pushes a frame and continues here; RETURN_VALUE pops back
// to the caller. SEND (await, yield from) of a generator or coroutine runs its
// frame here too. Native code that calls apy code starts a nested run().
#include "vm/interp.h"

#include <cstdio>

#include "runtime/errors.h"
#include "runtime/interrupt.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "vm/generator.h"
#include "vm/import.h"

namespace apy::rt {
extern int recursion_limit;
}

namespace apy::vm {

using namespace rt;

int call_depth = 0;

namespace {

Frame* g_current = nullptr;

Str* name_at(Frame* f, uint32_t i) { return f->code->names[i]; }

Value unbound_local(Frame* f, uint32_t i) {
    return raise_format(exc.UnboundLocalError,
                        "cannot access local variable '%s' where it is not associated with a value",
                        f->code->varnames[i]->data);
}

Value unbound_deref(Frame* f, uint32_t i) {
    Code* code = f->code;
    size_t ncell = code->cellvars.size();
    if (i < ncell)
        return raise_format(exc.UnboundLocalError,
                            "cannot access local variable '%s' where it is not associated with a value",
                            code->cellvars[i]->data);
    raise_format(exc.NameError,
                 "cannot access free variable '%s' where it is not associated with a value in enclosing scope",
                 code->freevars[i - ncell]->data);
    set_error_name(code->freevars[i - ncell]);
    return Value::null();
}

Value name_error(Str* name) {
    raise_format(exc.NameError, "name '%s' is not defined", name->data);
    set_error_name(name);
    return Value::null();
}

// [name] in the namespace of module or class code: null when absent, or with the exception
// pending when the lookup failed otherwise. A dict subclass (from __prepare__) is asked
// through its __getitem__ (and __missing__), as CPython asks any namespace but an exact dict.
Value load_from_namespace(Dict* ns, Str* name) {
    if (ns->type == types.dict_) return dict_get_str(ns, name);
    Value v = getitem(Value::object(ns), Value::object(name));
    if (v.is_null() && pending_is(exc.KeyError)) clear_pending();
    return v;
}

Value load_global(Frame* f, Str* name) {
    Value v = dict_get_str(f->globals, name);
    if (!v.is_null()) return v;
    v = dict_get_str(f->builtins, name);
    if (!v.is_null()) return v;
    return name_error(name);
}

// The classes an except or except* clause names: [spec] itself or the items of a tuple, each
// a class deriving from BaseException (as CPython, a nested tuple is not looked into). *items
// may point at [spec], which must outlive them.
bool check_except_spec(const Value& spec, const Value** items, int64_t* count) {
    *items = &spec;
    *count = 1;
    if (is_layout(spec, Layout::Tuple)) {
        *items = as<Tuple>(spec)->items;
        *count = as<Tuple>(spec)->size;
    }
    for (int64_t i = 0; i < *count; ++i)
        if (!is_layout((*items)[i], Layout::Type) ||
            !is_subtype(as<Type>((*items)[i]), exc.BaseException)) {
            raise(exc.TypeError,
                  "catching classes that do not inherit from BaseException is not allowed");
            return false;
        }
    return true;
}

int exception_matches(Value exception, Value spec) {
    const Value* items;
    int64_t count;
    if (!check_except_spec(spec, &items, &count)) return -1;
    for (int64_t i = 0; i < count; ++i)
        if (isinstance(exception, as<Type>(items[i]))) return 1;
    return 0;
}

// except* T: T is an exception class or a tuple of them, none an exception group.
bool check_except_star_spec(Value spec) {
    const Value* items;
    int64_t count;
    if (!check_except_spec(spec, &items, &count)) return false;
    for (int64_t i = 0; i < count; ++i)
        if (is_subtype(as<Type>(items[i]), exc.BaseExceptionGroup)) {
            raise(exc.TypeError,
                  "catching ExceptionGroup with except* is not allowed. Use except instead.");
            return false;
        }
    return true;
}

bool unpack_sequence(Value seq, int count, Value* out_reversed) {
    std::vector<Value> items;
    VectorRoot keep_items(items);  // the iterator's next step may collect
    if (is_layout(seq, Layout::Tuple) || is_layout(seq, Layout::List)) {
        const Value* data;
        int64_t size;
        if (is_layout(seq, Layout::Tuple)) {
            data = as<Tuple>(seq)->items;
            size = as<Tuple>(seq)->size;
        } else {
            data = as<List>(seq)->items.data();
            size = static_cast<int64_t>(as<List>(seq)->items.size());
        }
        if (size != count) {
            if (size > count)
                raise_format(exc.ValueError, "too many values to unpack (expected %d)", count);
            else
                raise_format(exc.ValueError, "not enough values to unpack (expected %d, got %lld)",
                             count, static_cast<long long>(size));
            return false;
        }
        for (int i = 0; i < count; ++i) out_reversed[count - 1 - i] = data[i];
        return true;
    }
    Value it = get_iter(seq);
    if (it.is_null()) {
        if (pending_is(exc.TypeError)) {
            clear_pending();
            raise_format(exc.TypeError, "cannot unpack non-iterable %s object", type_name(seq).c_str());
        }
        return false;
    }
    Root keep(it);
    for (int i = 0; i < count; ++i) {
        Value item = iter_next(it);
        if (item.is_null()) {
            if (!has_pending())
                raise_format(exc.ValueError, "not enough values to unpack (expected %d, got %d)",
                             count, i);
            return false;
        }
        items.push_back(item);
    }
    Value extra = iter_next(it);
    if (!extra.is_null()) {
        raise_format(exc.ValueError, "too many values to unpack (expected %d)", count);
        return false;
    }
    if (has_pending()) return false;
    for (int i = 0; i < count; ++i) out_reversed[count - 1 - i] = items[i];
    return true;
}

// Starred unpacking: `a, *b, c = seq`. Pushes onto [sp] in reverse; returns the new sp.
Value* unpack_ex(Value seq, int before, int after, Value* sp) {
    std::vector<Value> items;
    if (!collect_iterable(seq, items)) {
        if (pending_is(exc.TypeError) && !type_of(seq)->iter) {
            clear_pending();
            raise_format(exc.TypeError, "cannot unpack non-iterable %s object", type_name(seq).c_str());
        }
        return nullptr;
    }
    int64_t n = static_cast<int64_t>(items.size());
    if (n < before + after) {
        raise_format(exc.ValueError, "not enough values to unpack (expected at least %d, got %lld)",
                     before + after, static_cast<long long>(n));
        return nullptr;
    }
    for (int i = after - 1; i >= 0; --i) *sp++ = items[n - after + i];
    List* middle = make_list(std::vector<Value>(items.begin() + before, items.end() - after));
    *sp++ = Value::object(middle);
    for (int i = before - 1; i >= 0; --i) *sp++ = items[i];
    return sp;
}

// CPython's _PyObject_FunctionStr, for call errors: "module.qualname()", or "qualname()"
// for builtins.
std::string function_str(Value callable) {
    static Str* const kQualname = intern("__qualname__");
    static Str* const kModule = intern("__module__");
    Value qualname = getattr_optional(callable, kQualname);
    if (qualname.is_null() || !is_str(qualname)) {
        clear_pending();
        Value text = to_str(callable);
        if (text.is_null()) {
            clear_pending();
            return "?";
        }
        return std::string(str_view(text));
    }
    Root keep(qualname);
    std::string name = std::string(str_view(qualname)) + "()";
    Value module = getattr_optional(callable, kModule);
    clear_pending();
    if (module.is_null() || module.is_none()) return name;
    Value text = to_str(module);
    if (text.is_null()) {
        clear_pending();
        return name;
    }
    return str_view(text) == "builtins" ? name : std::string(str_view(text)) + "." + name;
}

// One entry of a ** argument: false with CPython's TypeError when the key is already there.
bool merge_keyword(Dict* target, Value key, Value value, bool reject_duplicates,
                   Value callable) {
    if (reject_duplicates) {
        Value existing = dict_get(target, key);
        if (has_pending()) return false;
        if (!existing.is_null()) {
            Root keep(key);
            Value text = to_str(key);
            if (text.is_null()) return false;
            raise_format(exc.TypeError, "%s got multiple values for keyword argument '%s'",
                         function_str(callable).c_str(), std::string(str_view(text)).c_str());
            return false;
        }
    }
    return dict_set(target, key, value);
}

bool dict_merge_into(Dict* target, Value source, bool reject_duplicates, Value callable) {
    if (is_layout(source, Layout::Dict)) {
        Dict* d = as<Dict>(source);
        for (size_t i = 0; i < d->entries.size(); ++i) {
            DictEntry e = d->entries[i];
            if (e.key.is_null()) continue;
            if (!merge_keyword(target, e.key, e.value, reject_duplicates, callable)) return false;
        }
        return true;
    }
    static Str* const kKeys = intern("keys");
    Value keys_method = getattr_optional(source, kKeys);
    if (keys_method.is_null()) {
        if (!has_pending())
            raise_format(exc.TypeError, "'%s' object is not a mapping", type_name(source).c_str());
        return false;
    }
    Value keys = call0(keys_method);
    if (keys.is_null()) return false;
    std::vector<Value> key_list;
    Root keep(keys);
    VectorRoot keep_keys(key_list);  // __getitem__ and __hash__ may collect
    if (!collect_iterable(keys, key_list)) return false;
    for (Value k : key_list) {
        Value v = getitem(source, k);
        if (v.is_null()) return false;
        Root keep_value(v);
        if (!merge_keyword(target, k, v, reject_duplicates, callable)) return false;
    }
    return true;
}

Value format_value(Value v, int conversion, Value spec) {
    switch (conversion) {
    case 1: v = to_str(v); break;
    case 2: v = repr(v); break;
    case 3: v = repr(v); break;  // ascii(): apy keeps non-ASCII as repr does
    default: break;
    }
    if (v.is_null()) return v;
    std::string_view spec_text = spec.is_null() ? std::string_view() : str_view(spec);
    if (is_str(v) && spec_text.empty()) return v;
    return format(v, spec_text);
}

// The opcodes' helpers that hold C++ objects: the dispatch loop's computed gotos leave a
// scope without running its destructors.

// BUILD_STRING: the concatenation of [n] strs.
Value concat_strings(const Value* items, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += str_view(items[i]);
    return str_value(s);
}

// CALL_FUNCTION_EX: callable(*args, **kwargs) ([kwargs] null when absent). [args] is a tuple,
// or the iterable of a call's one *argument.
Value call_unpacked(Value callable, Value args_value, Value kwargs) {
    std::vector<Value> all;
    VectorRoot keep_all(all);  // iterating the arguments may collect
    if (type_of(args_value) == types.tuple_) {
        Tuple* t = as<Tuple>(args_value);
        all.assign(t->items, t->items + t->size);
    } else {
        Type* type = type_of(args_value);
        if (!type->iter && !type->getitem)
            return raise_format(exc.TypeError, "%s argument after * must be an iterable, not %s",
                                function_str(callable).c_str(), type->name.c_str());
        if (!collect_iterable(args_value, all)) return Value::null();
    }
    int nargs = static_cast<int>(all.size());
    Tuple* kwnames = nullptr;
    if (!kwargs.is_null()) {
        Dict* d = as<Dict>(kwargs);
        std::vector<Value> names;
        for (const DictEntry& e : d->entries) {
            if (e.key.is_null()) continue;
            if (!is_str(e.key)) return raise(exc.TypeError, "keywords must be strings");
            names.push_back(e.key);
            all.push_back(e.value);
        }
        if (!names.empty()) kwnames = make_tuple(names.data(), static_cast<int64_t>(names.size()));
    }
    Root keep_names(kwnames ? Value::object(kwnames) : Value::none());
    return call(callable, all.data(), nargs, kwnames);
}

// truthy(), with exact lists inline (the `while not self.items` of queues and buffers).
int truth_of(Value v) {
    if (v.is_object() && v.as_object()->type == types.list_)
        return !static_cast<List*>(v.as_object())->items.empty();
    return truthy(v);
}

// A method found on a type, bound to [self] (functions bind; builtins and others as they are).
Value bind_method(Value method, Value self) {
    Type* t = type_of(method);
    if (t->descr_get) return t->descr_get(method, self, Value::object(type_of(self)));
    return method;
}

// LOAD_ATTR of an instance whose class's version matches the cache [c]: generic_getattr,
// with the MRO lookup's result from the cache and the instance dict probed at c.hint.
Value instance_attribute(Instance* o, Str* name, InlineCache& c) {
    Value attr = c.value;
    Type* attr_type = attr.is_null() ? nullptr : type_of(attr);
    Value self = Value::object(o);
    // Data descriptors (properties, __slots__ members) win over the instance dict.
    if (attr_type && attr_type->descr_set && attr_type->descr_get)
        return attr_type->descr_get(attr, self, Value::object(o->type));
    if (o->attrs) {
        Value found = dict_get_str_hinted(o->attrs, name, &c.hint);
        if (!found.is_null()) return found;
    }
    if (attr_type) {
        if (attr_type->descr_get) return attr_type->descr_get(attr, self, Value::object(o->type));
        return attr;
    }
    return getattr(self, name);  // the AttributeError, with its name and obj
}

// A module's attribute, found in its dict: recorded in [c] under the dict's version, as
// module_getattr looks there first. Null when [o] is not a module or has no such entry.
Value cache_module_attribute(Object* o, Str* name, InlineCache& c) {
    if (o->type != types.module_) return Value::null();
    Dict* dict = static_cast<Module*>(o)->dict;
    uint64_t version = dict->version;
    Value v = dict_get_str(dict, name);
    if (v.is_null()) return v;
    c.version = version;
    c.value = v;
    c.kind = InlineCache::kModule;
    return v;
}

// The positional arguments of a call whose [arg] arguments, [nkw] of them keywords, end at
// [sp]: the receiver first when the slot before them holds one (see CALL). Sets [npos].
[[gnu::always_inline]] inline Value* call_arguments(Value* sp, uint32_t arg, int nkw, int* npos) {
    Value* args = sp - arg;
    *npos = static_cast<int>(arg) - nkw;
    if (!args[-1].is_null()) {
        --args;
        ++*npos;
    }
    return args;
}

// Whether the instructions at [ip] in [code] await the coroutine of [callee] that the CALL
// before them has just made, and the coroutine's frame may run as a call.
[[gnu::always_inline]] inline bool awaits_new_coroutine(const Code* callee, const Code* code,
                                                        const Instr* ip) {
    return runs_as_awaited_call(callee) &&
           awaits_at(code, static_cast<size_t>(ip - code->instructions.data()));
}

// Whether an instance's own attribute hides the method LOAD_METHOD found on its type. Runs
// no apy code and raises nothing (the probe compares str keys).
[[gnu::always_inline]] inline bool method_shadowed(Value obj, Type* type, Str* name) {
    if (type->layout != Layout::Instance && type->layout != Layout::Queue) return false;
    Dict* attrs = as<Instance>(obj)->attrs;
    return attrs && dict_may_hold(attrs, name) && !dict_get_str(attrs, name).is_null();
}

// Set and dict displays: the new container is a Root while the items go in, since an apy
// __hash__ or __eq__ may reach a safe point. Null with the exception pending.
Value build_set(const Value* items, uint32_t n) {
    Set* s = make_set();
    Root keep(Value::object(s));
    for (uint32_t i = 0; i < n; ++i)
        if (!set_add(s, items[i])) return Value::null();
    return Value::object(s);
}

// [keys]: n keys, or null when they alternate with the values in [values].
Value build_dict(const Value* keys, const Value* values, uint32_t n) {
    Dict* d = make_dict();
    Root keep(Value::object(d));
    for (uint32_t i = 0; i < n; ++i) {
        bool ok =
            keys ? dict_set(d, keys[i], values[i]) : dict_set(d, values[2 * i], values[2 * i + 1]);
        if (!ok) return Value::null();
    }
    return Value::object(d);
}

void add_traceback(Value exception, Frame* f, int pc) {
    if (!isinstance(exception, exc.BaseException)) return;
    auto* e = as<ExceptionObject>(exception);
    e->traceback.push_back({f->code, line_of(f->code, pc), pc, f->globals});
}

}  // namespace

Value awaitable_of(Value v, uint32_t where) {
    if (is_coroutine(v)) {
        Generator* g = as<Generator>(v);
        // Suspended in an await of its own (CPython's _PyGen_yf), or running.
        if (g->frame && (g->frame->back || !delegate_of(g->frame).is_null()))
            return raise(exc.RuntimeError, "coroutine is being awaited already");
        return v;
    }
    if (type_of(v)->flags & kTypeNativeAwaitable) return v;
    static Str* const kAwait = intern("__await__");
    Value method = lookup_in_type(type_of(v), kAwait);
    if (method.is_null()) {
        static const char* const kSources[] = {"", "__aenter__", "__aexit__", "__anext__"};
        if (where == 0)
            return raise_format(exc.TypeError, "object %s can't be used in 'await' expression",
                                type_name(v).c_str());
        return raise_format(
            exc.TypeError,
            "'async %s' received an object from %s that does not implement __await__: %s",
            where == 3 ? "for" : "with", kSources[where], type_name(v).c_str());
    }
    Value it = call1(method, v);
    if (it.is_null()) return it;
    if (is_coroutine(it) || !type_of(it)->next)
        return raise_format(exc.TypeError, "__await__() returned %s",
                            is_coroutine(it)
                                ? "a coroutine"
                                : ("non-iterator of type '" + type_name(it) + "'").c_str());
    return it;
}

Frame* current_frame() { return g_current; }

// ------------------------------------------------------------------ calls

namespace {

std::string quoted_list(const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += names.size() == 2 ? " and " : (i + 1 == names.size() ? ", and " : ", ");
        out += "'" + names[i] + "'";
    }
    return out;
}

Value too_many_positional(Function* fn, int given, int kwonly_given) {
    Code* code = fn->code;
    int max = code->argcount;
    int defaults = fn->defaults ? static_cast<int>(fn->defaults->size) : 0;
    int min = max - defaults;
    std::string takes = min == max ? std::to_string(max)
                                   : "from " + std::to_string(min) + " to " + std::to_string(max);
    std::string kw_part;
    if (kwonly_given > 0)
        kw_part = " positional argument" + std::string(given == 1 ? "" : "s") + " (and " +
                  std::to_string(kwonly_given) + " keyword-only argument" +
                  (kwonly_given == 1 ? "" : "s") + ")";
    std::string msg = std::string(fn->qualname->view()) + "() takes " + takes + " positional argument" +
                      (max == 1 && min == max ? "" : "s") + " but " + std::to_string(given);
    if (kwonly_given > 0)
        msg += kw_part + " were given";
    else
        msg += given == 1 ? " was given" : " were given";
    return raise(exc.TypeError, msg);
}

}  // namespace

Frame* frame_for_call(Function* fn, Value* args, int nargs, Tuple* kwnames) {
    Code* code = fn->code;
    if (is_simple_call(code, nargs, kwnames)) return new_simple_frame(fn, args);
    Frame* f = new_frame(code, fn, fn->globals, fn->builtins, nullptr);
    Value* locals = f->slots;
    int argcount = code->argcount;
    int kwonly = code->kwonlyargcount;
    int total = argcount + kwonly;
    bool has_varargs = code->flags & kVarArgs;
    bool has_varkw = code->flags & kVarKeywords;
    const char* qualname = fn->qualname->data;

    auto fail = [&]() -> Frame* {
        release_frame(f);
        return nullptr;
    };

    int positional = nargs < argcount ? nargs : argcount;
    for (int i = 0; i < positional; ++i) locals[i] = args[i];
    if (has_varargs) {
        int extra = nargs > argcount ? nargs - argcount : 0;
        locals[total] = Value::object(make_tuple(args + argcount, extra));
    } else if (nargs > argcount) {
        int kw_given = 0;
        if (kwnames)
            for (int64_t k = 0; k < kwnames->size; ++k)
                for (int j = argcount; j < total; ++j)
                    if (code->varnames[j] == as<Str>(kwnames->items[k]) ||
                        code->varnames[j]->view() == str_view(kwnames->items[k]))
                        ++kw_given;
        too_many_positional(fn, nargs, kw_given);
        return fail();
    }
    Dict* extra_kw = nullptr;
    if (has_varkw) {
        extra_kw = make_dict();
        locals[total + (has_varargs ? 1 : 0)] = Value::object(extra_kw);
    }
    if (kwnames) {
        std::vector<std::string> posonly_as_kw;
        for (int64_t k = 0; k < kwnames->size; ++k) {
            Value key = kwnames->items[k];
            Value value = args[nargs + k];
            std::string_view key_text = str_view(key);
            int slot = -1;
            for (int j = code->posonlyargcount; j < total; ++j)
                if (code->varnames[j]->view() == key_text) {
                    slot = j;
                    break;
                }
            if (slot < 0) {
                bool is_posonly = false;
                for (int j = 0; j < code->posonlyargcount; ++j)
                    if (code->varnames[j]->view() == key_text) is_posonly = true;
                if (extra_kw) {
                    dict_set(extra_kw, key, value);
                    continue;
                }
                if (is_posonly) {
                    posonly_as_kw.emplace_back(key_text);
                    continue;
                }
                raise_format(exc.TypeError, "%s() got an unexpected keyword argument '%s'",
                             qualname, std::string(key_text).c_str());
                return fail();
            }
            if (!locals[slot].is_null()) {
                raise_format(exc.TypeError, "%s() got multiple values for argument '%s'", qualname,
                             std::string(key_text).c_str());
                return fail();
            }
            locals[slot] = value;
        }
        if (!posonly_as_kw.empty()) {
            std::string joined;
            for (size_t i = 0; i < posonly_as_kw.size(); ++i)
                joined += (i ? ", " : "") + posonly_as_kw[i];
            raise_format(exc.TypeError,
                         "%s() got some positional-only arguments passed as keyword arguments: '%s'",
                         qualname, joined.c_str());
            return fail();
        }
    }
    // Defaults for the missing positional parameters.
    int ndefaults = fn->defaults ? static_cast<int>(fn->defaults->size) : 0;
    std::vector<std::string> missing;
    for (int i = positional; i < argcount; ++i) {
        if (!locals[i].is_null()) continue;
        int d = i - (argcount - ndefaults);
        if (d >= 0)
            locals[i] = fn->defaults->items[d];
        else
            missing.emplace_back(code->varnames[i]->view());
    }
    if (!missing.empty()) {
        raise_format(exc.TypeError, "%s() missing %zu required positional argument%s: %s",
                     qualname, missing.size(), missing.size() == 1 ? "" : "s",
                     quoted_list(missing).c_str());
        return fail();
    }
    for (int i = argcount; i < total; ++i) {
        if (!locals[i].is_null()) continue;
        Value d = fn->kwdefaults ? dict_get_str(fn->kwdefaults, code->varnames[i]) : Value::null();
        if (d.is_null())
            missing.emplace_back(code->varnames[i]->view());
        else
            locals[i] = d;
    }
    if (!missing.empty()) {
        raise_format(exc.TypeError, "%s() missing %zu required keyword-only argument%s: %s",
                     qualname, missing.size(), missing.size() == 1 ? "" : "s",
                     quoted_list(missing).c_str());
        return fail();
    }
    return f;
}

Value call_function(Function* fn, Value* args, int nargs, Tuple* kwnames) {
    Frame* f = frame_for_call(fn, args, nargs, kwnames);
    if (!f) return Value::null();
    if (fn->code->flags & (kGenerator | kCoroutine | kAsyncGenerator))
        return Value::object(make_generator(f));
    f->is_entry = true;
    f->back = g_current;
    Value result;
    ExecStatus status = run(f, &result);
    return status == ExecStatus::Returned ? result : Value::null();
}

Value run_module_code(Code* code, Dict* globals) {
    static Str* const kBuiltins = intern("__builtins__");
    if (dict_get_str(globals, kBuiltins).is_null())
        dict_set_str(globals, kBuiltins, Value::object(builtins_dict()));
    Frame* f = new_frame(code, nullptr, globals, builtins_dict(), globals);
    f->is_entry = true;
    f->back = g_current;
    Value result;
    ExecStatus status = run(f, &result);
    return status == ExecStatus::Returned ? result : Value::null();
}

Value run_class_body(Function* body, Dict* ns) {
    Frame* f = new_frame(body->code, body, body->globals, body->builtins, ns);
    f->is_entry = true;
    f->back = g_current;
    Value result;
    ExecStatus status = run(f, &result);
    return status == ExecStatus::Returned ? result : Value::null();
}

// ------------------------------------------------------------------- the loop

ExecStatus run(Frame* entry, Value* result, Value thrown) {
#define OP(name, operand, pops, pushes, doc) &&op_##name,
    static void* const kTargets[] = {
#include "vm/opcodes.def"
    };

    Frame* f = entry;
    Code* code;
    const Instr* first;
    const Instr* ip;
    Value* sp;
    Instr word;
    uint32_t arg;
    bool reraise = false;
    Frame* saved_current = g_current;
    // What CALL and CALL_KW hand to call_general.
    Tuple* call_kwnames;
    Value* call_args;
    int call_npos;
    Frame* awaited_callee; // see run_awaited_call

    if (++call_depth > recursion_limit || stack_exhausted()) {
        --call_depth;
        raise(exc.RecursionError, "maximum recursion depth exceeded");
        if (entry->owner == FrameOwner::None) release_frame(entry);
        return ExecStatus::Raised;
    }

#define LOAD_FRAME()                                                                               \
    do {                                                                                           \
        code = f->code;                                                                            \
        first = code->instructions.data();                                                         \
        ip = first + f->pc;                                                                        \
        sp = f->slots + f->sp;                                                                     \
        g_current = f;                                                                             \
    } while (0)
#define SAVE_FRAME()                                  \
    do {                                              \
        f->pc = static_cast<int32_t>(ip - first);     \
        f->sp = static_cast<int32_t>(sp - f->slots);  \
    } while (0)
#define DISPATCH()                          \
    do {                                    \
        word = *ip++;                       \
        arg = instr_arg(word);              \
        goto* kTargets[word & 0xFF];        \
    } while (0)
// The inline cache of the instruction being run: its operand (see has_inline_cache).
#define CACHE() (code->caches[arg])
#define PUSH(v) (*sp++ = (v))
#define POP() (*--sp)
#define TOP() (sp[-1])
#define PEEK(n) (sp[-static_cast<ptrdiff_t>(n)])
#define CHECK(v)                  \
    do {                          \
        if ((v).is_null()) goto error; \
    } while (0)

    LOAD_FRAME();
    if (!thrown.is_null()) {
        raise_value(thrown);
        goto error;  // reported at the instruction before ip: the YIELD_VALUE

    }
    DISPATCH();

op_NOP:
    DISPATCH();
op_POP_TOP : {
    Value v = POP();
    // `f()` of a coroutine function whose result is dropped: CPython's warning, here. The
    // same for the native coroutines (`asyncio.sleep(1)`, `queue.get()`).
    if (v.is_object()) {
        Object* o = v.as_object();
        const char* native = nullptr;
        if ((o->type == types.coroutine_ && !static_cast<Generator*>(o)->started) ||
            (o->type->take_unawaited && (native = o->type->take_unawaited(o)))) {
            SAVE_FRAME();
            int line = line_of(f->code, static_cast<int>(ip - first) - 1);
            if (native)
                warn_never_awaited(native, f->code, line);
            else
                warn_never_awaited(static_cast<Generator*>(o), f->code, line);
        }
    }
    DISPATCH();
}
op_POP_ITERATOR : {
    // CPython's reference counting closes an abandoned generator at once, running its
    // finally blocks and __exit__ methods; here a collection finds whether it is abandoned
    // (only when it is suspended inside such a block, which is rare in hot loops).
    Value it = POP();
    *sp = Value::none(); // the collector traces stale slots too
    Type* type = type_of(it);
    if (type->needs_finalize && type->needs_finalize(it.as_object())) {
        SAVE_FRAME();
        heap().collect();
        heap().run_finalizers();
    }
    DISPATCH();
}
op_PUSH_NULL:
    PUSH(Value::null());
    DISPATCH();
op_COPY : {
    Value v = PEEK(arg);
    PUSH(v);
    DISPATCH();
}
op_SWAP : {
    Value t = TOP();
    TOP() = PEEK(arg);
    PEEK(arg) = t;
    DISPATCH();
}
op_LOAD_CONST:
    PUSH(code->consts[arg]);
    DISPATCH();
op_LOAD_FAST : {
    Value v = f->slots[arg];
    if (v.is_null()) {
        unbound_local(f, arg);
        goto error;
    }
    PUSH(v);
    DISPATCH();
}
op_LOAD_FAST_PARAM:
    PUSH(f->slots[arg]);
    DISPATCH();
op_STORE_FAST:
    f->slots[arg] = POP();
    DISPATCH();
op_DELETE_FAST:
    if (f->slots[arg].is_null()) {
        unbound_local(f, arg);
        goto error;
    }
    f->slots[arg] = Value::null();
    DISPATCH();
op_MAKE_CELL : {
    Cell* cell = heap().make<Cell>(types.cell_);
    int32_t param = code->cell2arg[arg];
    cell->value = param >= 0 ? f->slots[param] : Value::null();
    f->derefs()[arg] = Value::object(cell);
    DISPATCH();
}
op_LOAD_CLOSURE:
    PUSH(f->derefs()[arg]);
    DISPATCH();
op_LOAD_DEREF : {
    Value v = as<Cell>(f->derefs()[arg])->value;
    if (v.is_null()) {
        unbound_deref(f, arg);
        goto error;
    }
    PUSH(v);
    DISPATCH();
}
op_STORE_DEREF:
    as<Cell>(f->derefs()[arg])->value = POP();
    DISPATCH();
op_DELETE_DEREF : {
    Cell* cell = as<Cell>(f->derefs()[arg]);
    if (cell->value.is_null()) {
        unbound_deref(f, arg);
        goto error;
    }
    cell->value = Value::null();
    DISPATCH();
}
op_LOAD_CLASSDEREF : {
    size_t ncell = code->cellvars.size();
    Str* name = arg < ncell ? code->cellvars[arg] : code->freevars[arg - ncell];
    Value v = Value::null();
    if (f->locals) {
        SAVE_FRAME();
        v = load_from_namespace(f->locals, name);
        if (v.is_null() && has_pending()) goto error;
    }
    if (v.is_null()) {
        v = as<Cell>(f->derefs()[arg])->value;
        if (v.is_null()) {
            unbound_deref(f, arg);
            goto error;
        }
    }
    PUSH(v);
    DISPATCH();
}
op_LOAD_GLOBAL_NULL : {
    // A warm LOAD_GLOBAL and the PUSH_NULL after it; else the LOAD_GLOBAL alone.
    InlineCache& c = CACHE();
    if (c.version == f->globals->version && c.version2 == f->builtins->version) {
        PUSH(c.value);
        PUSH(Value::null());
        ++ip;
        DISPATCH();
    }
    goto op_LOAD_GLOBAL;
}
op_LOAD_GLOBAL : {
    InlineCache& c = CACHE();
    uint64_t globals_version = f->globals->version;
    uint64_t builtins_version = f->builtins->version;
    if (c.version == globals_version && c.version2 == builtins_version) {
        PUSH(c.value);
        DISPATCH();
    }
    Value v = load_global(f, c.name);
    CHECK(v);
    // The versions from before the lookup: one that changed a dict leaves a dead entry.
    c.version = globals_version;
    c.version2 = builtins_version;
    c.value = v;
    PUSH(v);
    DISPATCH();
}
op_STORE_GLOBAL:
    dict_set_str(f->globals, name_at(f, arg), POP());
    DISPATCH();
op_DELETE_GLOBAL:
    if (dict_del(f->globals, Value::object(name_at(f, arg))) <= 0) {
        if (!has_pending()) name_error(name_at(f, arg));
        goto error;
    }
    DISPATCH();
op_LOAD_NAME : {
    Str* name = name_at(f, arg);
    Dict* ns = f->locals;
    Value v = ns && ns->type == types.dict_ ? dict_get_str(ns, name) : Value::null();
    if (v.is_null() && ns && ns->type != types.dict_) { // a dict subclass from __prepare__
        SAVE_FRAME();
        v = load_from_namespace(ns, name);
        if (v.is_null() && has_pending()) goto error;
    }
    if (v.is_null()) v = load_global(f, name);
    CHECK(v);
    PUSH(v);
    DISPATCH();
}
op_STORE_NAME : {
    Value v = POP();
    if (f->locals->type == types.dict_) {
        dict_set_str(f->locals, name_at(f, arg), v);
        DISPATCH();
    }
    // A dict subclass from __prepare__: its __setitem__.
    SAVE_FRAME();
    if (!setitem(Value::object(f->locals), Value::object(name_at(f, arg)), v)) goto error;
    DISPATCH();
}
op_DELETE_NAME : {
    SAVE_FRAME();
    bool deleted = f->locals->type == types.dict_
                       ? dict_del(f->locals, Value::object(name_at(f, arg))) > 0
                       : delitem(Value::object(f->locals), Value::object(name_at(f, arg)));
    if (!deleted) {
        // As CPython: any failure is the NameError.
        if (has_pending()) clear_pending();
        name_error(name_at(f, arg));
        goto error;
    }
    DISPATCH();
}

op_LOAD_ATTR : {
    Value obj = TOP();
    InlineCache& c = CACHE();
    Str* name = c.name;
    if (obj.is_object()) {
        Object* o = obj.as_object();
        if (c.kind == InlineCache::kInstanceDict && o->type->version == c.version) {
            // An attribute of the instance dict that the class does not have, where it was
            // last time: nothing can run or fail.
            Dict* attrs = static_cast<Instance*>(o)->attrs;
            if (attrs && c.hint < attrs->entries.size() &&
                attrs->entries[c.hint].key.is(Value::object(name))) {
                TOP() = attrs->entries[c.hint].value;
                DISPATCH();
            }
            goto load_instance_attribute;
        }
        if (c.kind == InlineCache::kInstance && o->type->version == c.version) {
        load_instance_attribute:
            SAVE_FRAME();
            Value v = instance_attribute(static_cast<Instance*>(o), name, c);
            CHECK(v);
            TOP() = v;
            DISPATCH();
        }
        if (c.kind == InlineCache::kModule && o->type == types.module_ &&
            static_cast<Module*>(o)->dict->version == c.version) {
            TOP() = c.value;
            DISPATCH();
        }
        c.kind = InlineCache::kNone;
        if (Value v = cache_module_attribute(o, name, c); !v.is_null()) {
            TOP() = v;
            DISPATCH();
        }
        if (o->type->layout == Layout::Instance && o->type->getattr == generic_getattr) {
            c.version = o->type->version;
            c.value = lookup_in_type(o->type, name);
            c.kind = c.value.is_null() ? InlineCache::kInstanceDict : InlineCache::kInstance;
        }
    }
    SAVE_FRAME();
    Value v = getattr(obj, name);
    CHECK(v);
    TOP() = v;
    DISPATCH();
}
op_STORE_ATTR : {
    SAVE_FRAME();
    Value obj = POP();
    Value v = POP();
    InlineCache& c = CACHE();
    Str* name = c.name;
    if (obj.is_object()) {
        Object* o = obj.as_object();
        if (c.kind == InlineCache::kInstance && o->type->version == c.version &&
            (c.value.is_null() || !type_of(c.value)->descr_set)) {
            Dict*& attrs = static_cast<Instance*>(o)->attrs;
            if (!attrs) attrs = make_dict();
            dict_set_str_hinted(attrs, name, v, &c.hint);
            DISPATCH();
        }
        c.kind = InlineCache::kNone;
        // A class whose instances take the generic store (no __setattr__, no __slots__).
        if (o->type->layout == Layout::Instance && !o->type->setattr) {
            c.version = o->type->version;
            c.value = lookup_in_type(o->type, name);
            c.kind = InlineCache::kInstance;
        }
    }
    if (!setattr(obj, name, v)) goto error;
    DISPATCH();
}
op_DELETE_ATTR : {
    SAVE_FRAME();
    Value obj = POP();
    if (!delattr(obj, name_at(f, arg))) goto error;
    DISPATCH();
}
op_LOAD_METHOD : {
    Value obj = TOP();
    Type* type = type_of(obj);
    InlineCache& c = CACHE();
    Str* name = c.name;
    bool method_cached = c.kind == InlineCache::kMethod && type->version == c.version;
    if (method_cached && !method_shadowed(obj, type, name)) {
        TOP() = c.value;
        PUSH(obj);
        DISPATCH();
    }
    SAVE_FRAME();
    if (!method_cached) {
        if (c.kind == InlineCache::kModule && type == types.module_ &&
            as<Module>(obj)->dict->version == c.version) {
            TOP() = c.value;
            PUSH(Value::null());
            DISPATCH();
        }
        if (obj.is_object()) {
            c.kind = InlineCache::kNone;
            if (Value v = cache_module_attribute(obj.as_object(), name, c); !v.is_null()) {
                TOP() = v;
                PUSH(Value::null());
                DISPATCH();
            }
        }
    }
    // A plain function found on the type is called with obj as its first
    // argument, without making a bound method.
    if (!type->getattr || type->getattr == generic_getattr) {
        uint64_t version = type->version;
        Value attr = lookup_in_type(type, name);
        if (!attr.is_null() && (is_layout(attr, Layout::Function) ||
                                (is_layout(attr, Layout::BuiltinFunction) &&
                                 as<BuiltinFunction>(attr)->owner))) {
            c.version = version;
            c.value = attr;
            c.kind = InlineCache::kMethod;
            if (!method_shadowed(obj, type, name)) {
                TOP() = attr;
                PUSH(obj);
                DISPATCH();
            }
        }
    }
    Value v = getattr(obj, name);
    CHECK(v);
    TOP() = v;
    PUSH(Value::null());
    DISPATCH();
}

op_BINARY_SUBSCR : {
    SAVE_FRAME();
    Value key = POP();
    Value container = TOP();
    Value v;
    if (key.is_small_int() && is_layout(container, Layout::List) &&
        type_of(container) == types.list_) {
        auto& items = as<List>(container)->items;
        int64_t i = key.as_small_int();
        if (i < 0) i += static_cast<int64_t>(items.size());
        if (i >= 0 && i < static_cast<int64_t>(items.size())) {
            TOP() = items[i];
            DISPATCH();
        }
    }
    v = getitem(container, key);
    CHECK(v);
    TOP() = v;
    DISPATCH();
}
op_STORE_SUBSCR : {
    SAVE_FRAME();
    Value key = POP();
    Value container = POP();
    Value v = POP();
    // The common stores without the slot call: an in-range small index of an exact list,
    // any key of an exact dict.
    if (is_layout(container, Layout::List) && type_of(container) == types.list_ &&
        key.is_small_int()) {
        auto& items = as<List>(container)->items;
        int64_t i = key.as_small_int();
        if (i < 0) i += static_cast<int64_t>(items.size());
        if (i >= 0 && i < static_cast<int64_t>(items.size())) {
            items[i] = v;
            DISPATCH();
        }
    } else if (is_layout(container, Layout::Dict) && type_of(container) == types.dict_) {
        if (!dict_set(as<Dict>(container), key, v)) goto error;
        DISPATCH();
    }
    if (!setitem(container, key, v)) goto error;
    DISPATCH();
}
op_DELETE_SUBSCR : {
    SAVE_FRAME();
    Value key = POP();
    Value container = POP();
    if (!delitem(container, key)) goto error;
    DISPATCH();
}
op_BUILD_SLICE : {
    Slice* s = heap().make<Slice>(types.slice_);
    if (arg == 3) s->step = POP();
    else s->step = Value::none();
    s->stop = POP();
    s->start = POP();
    PUSH(Value::object(s));
    DISPATCH();
}

op_UNARY_NEGATIVE : {
    SAVE_FRAME();
    Value v = TOP();
    if (v.is_small_int()) {
        TOP() = make_int(-v.as_small_int());
        DISPATCH();
    }
    v = unary_op(UnaryOp::Negative, v);
    CHECK(v);
    TOP() = v;
    DISPATCH();
}
op_UNARY_POSITIVE : {
    SAVE_FRAME();
    Value v = unary_op(UnaryOp::Positive, TOP());
    CHECK(v);
    TOP() = v;
    DISPATCH();
}
op_UNARY_INVERT : {
    SAVE_FRAME();
    Value v = unary_op(UnaryOp::Invert, TOP());
    CHECK(v);
    TOP() = v;
    DISPATCH();
}
op_UNARY_NOT : {
    SAVE_FRAME();
    int t = truthy(TOP());
    if (t < 0) goto error;
    TOP() = Value::boolean(!t);
    DISPATCH();
}
op_BINARY_OP_ADD:
    // BINARY_OP of + or +=: two small ints are added here (the sum replacing the first when
    // it is one too), anything else goes on as BINARY_OP does.
    if (!Value::add_small_ints(sp[-2], sp[-1], false, &sp[-2])) goto op_BINARY_OP;
    --sp;
    DISPATCH();
op_BINARY_OP_SUBTRACT:
    if (!Value::add_small_ints(sp[-2], sp[-1], true, &sp[-2])) goto op_BINARY_OP;
    --sp;
    DISPATCH();
op_BINARY_OP : {
    Value b = POP();
    Value a = TOP();
    // Small-int fast paths; overflow past 48 bits falls through to the general code.
    if (a.is_small_int() && b.is_small_int()) {
        int64_t x = a.as_small_int(), y = b.as_small_int(), r;
        switch (static_cast<BinaryOp>(arg & 15)) {
        case BinaryOp::Add: r = x + y; goto small_result;
        case BinaryOp::Subtract: r = x - y; goto small_result;
        case BinaryOp::Multiply:
            if (__builtin_mul_overflow(x, y, &r)) break;
            goto small_result;
        case BinaryOp::And: r = x & y; goto small_result;
        case BinaryOp::Or: r = x | y; goto small_result;
        case BinaryOp::Xor: r = x ^ y; goto small_result;
        case BinaryOp::FloorDivide:
            if (y == 0) break;
            r = x / y;
            if ((x % y != 0) && ((x < 0) != (y < 0))) --r;
            goto small_result;
        case BinaryOp::Remainder:
            if (y == 0) break;
            r = x % y;
            if (r != 0 && ((r < 0) != (y < 0))) r += y;
            goto small_result;
        default: break;
        }
        goto binary_general;
    small_result:
        if (Value::fits_small_int(r)) {
            TOP() = Value::small_int(r);
            DISPATCH();
        }
    } else if (a.is_double() && b.is_double()) {
        double x = a.as_double(), y = b.as_double();
        switch (static_cast<BinaryOp>(arg & 15)) {
        case BinaryOp::Add: TOP() = Value::from_double(x + y); DISPATCH();
        case BinaryOp::Subtract: TOP() = Value::from_double(x - y); DISPATCH();
        case BinaryOp::Multiply: TOP() = Value::from_double(x * y); DISPATCH();
        case BinaryOp::TrueDivide:
            if (y != 0) {
                TOP() = Value::from_double(x / y);
                DISPATCH();
            }
            break;
        default: break;
        }
    }
binary_general : {
    SAVE_FRAME();
    Value r = (arg & kInplaceFlag) ? inplace_op(static_cast<BinaryOp>(arg & 15), a, b)
                                   : binary_op(static_cast<BinaryOp>(arg), a, b);
    CHECK(r);
    TOP() = r;
    DISPATCH();
}
}
op_COMPARE_OP : {
    Value b = POP();
    Value a = TOP();
    if (a.is_small_int() && b.is_small_int()) {
        int64_t x = a.as_small_int(), y = b.as_small_int();
        bool r = false;
        switch (static_cast<CompareOp>(arg)) {
        case CompareOp::Lt: r = x < y; break;
        case CompareOp::Le: r = x <= y; break;
        case CompareOp::Eq: r = x == y; break;
        case CompareOp::Ne: r = x != y; break;
        case CompareOp::Gt: r = x > y; break;
        case CompareOp::Ge: r = x >= y; break;
        }
        // Most comparisons feed a conditional jump: take it here, without the bool.
        Instr next = *ip;
        if (instr_op(next) == Op::POP_JUMP_IF_FALSE || instr_op(next) == Op::POP_JUMP_IF_TRUE) {
            --sp;
            ip = r == (instr_op(next) == Op::POP_JUMP_IF_TRUE) ? first + instr_arg(next) : ip + 1;
            DISPATCH();
        }
        TOP() = Value::boolean(r);
        DISPATCH();
    }
    SAVE_FRAME();
    Value r = compare(a, b, static_cast<CompareOp>(arg));
    CHECK(r);
    TOP() = r;
    DISPATCH();
}
op_IS_OP : {
    Value b = POP();
    bool same = TOP().is(b);
    TOP() = Value::boolean(arg ? !same : same);
    DISPATCH();
}
op_CONTAINS_OP : {
    SAVE_FRAME();
    Value container = POP();
    int r = contains(container, TOP());
    if (r < 0) goto error;
    TOP() = Value::boolean(arg ? !r : r);
    DISPATCH();
}

op_BUILD_TUPLE : {
    Tuple* t = make_tuple(sp - arg, arg);
    sp -= arg;
    PUSH(Value::object(t));
    DISPATCH();
}
op_BUILD_LIST : {
    List* l = make_list(std::vector<Value>(sp - arg, sp));
    sp -= arg;
    PUSH(Value::object(l));
    DISPATCH();
}
op_BUILD_SET : {
    SAVE_FRAME();
    Value s = build_set(sp - arg, arg);
    CHECK(s);
    sp -= arg;
    PUSH(s);
    DISPATCH();
}
op_BUILD_MAP : {
    SAVE_FRAME();
    Value d = build_dict(nullptr, sp - 2 * arg, arg);
    CHECK(d);
    sp -= 2 * arg;
    PUSH(d);
    DISPATCH();
}
op_BUILD_CONST_KEY_MAP : {
    SAVE_FRAME();
    Tuple* keys = as<Tuple>(POP());
    Value d = build_dict(keys->items, sp - arg, arg);
    CHECK(d);
    sp -= arg;
    PUSH(d);
    DISPATCH();
}
op_BUILD_STRING : {
    Value s = concat_strings(sp - arg, static_cast<int>(arg));
    sp -= arg;
    PUSH(s);
    DISPATCH();
}
op_LIST_APPEND : {
    Value v = POP();
    list_append(as<List>(PEEK(arg)), v);
    DISPATCH();
}
op_SET_ADD : {
    SAVE_FRAME();
    Value v = POP();
    if (!set_add(as<Set>(PEEK(arg)), v)) goto error;
    DISPATCH();
}
op_MAP_ADD : {
    SAVE_FRAME();
    Value v = POP();
    Value k = POP();
    if (!dict_set(as<Dict>(PEEK(arg)), k, v)) goto error;
    DISPATCH();
}
op_LIST_EXTEND : {
    SAVE_FRAME();
    Value iterable = POP();
    if (!list_extend(as<List>(PEEK(arg)), iterable)) {
        if (pending_is(exc.TypeError) && !type_of(iterable)->iter) {
            clear_pending();
            raise_format(exc.TypeError, "Value after * must be an iterable, not %s",
                         type_name(iterable).c_str());
        }
        goto error;
    }
    DISPATCH();
}
op_SET_UPDATE : {
    SAVE_FRAME();
    Value iterable = POP();
    if (!set_update(as<Set>(PEEK(arg)), iterable)) goto error;
    DISPATCH();
}
op_DICT_UPDATE : {
    SAVE_FRAME();
    Value source = POP();
    if (!dict_merge_into(as<Dict>(PEEK(arg)), source, false, Value::null())) goto error;
    DISPATCH();
}
op_DICT_MERGE : {
    SAVE_FRAME();
    Value source = POP();
    // The callable sits below the dict, the null slot and the args tuple.
    if (!dict_merge_into(as<Dict>(PEEK(arg)), source, true, PEEK(arg + 3))) {
        if (pending_is(exc.TypeError) && !is_layout(source, Layout::Dict) &&
            std::string_view(str_view(as<ExceptionObject>(pending())->args->items[0])).find("not a mapping") !=
                std::string_view::npos) {
            clear_pending();
            raise_format(exc.TypeError, "%s argument after ** must be a mapping, not %s",
                         function_str(PEEK(arg + 3)).c_str(), type_name(source).c_str());
        }
        goto error;
    }
    DISPATCH();
}
op_LIST_TO_TUPLE : {
    List* l = as<List>(TOP());
    TOP() = Value::object(make_tuple(l->items.data(), static_cast<int64_t>(l->items.size())));
    DISPATCH();
}
op_FORMAT_VALUE : {
    SAVE_FRAME();
    Value spec = (arg & 4) ? POP() : Value::null();
    Value v = format_value(TOP(), arg & 3, spec);
    CHECK(v);
    TOP() = v;
    DISPATCH();
}
op_UNPACK_SEQUENCE : {
    SAVE_FRAME();
    Value seq = POP();
    if (!unpack_sequence(seq, static_cast<int>(arg), sp)) goto error;
    sp += arg;
    DISPATCH();
}
op_UNPACK_EX : {
    SAVE_FRAME();
    Value seq = POP();
    Value* new_sp = unpack_ex(seq, arg & 0xFF, arg >> 8, sp);
    if (!new_sp) goto error;
    sp = new_sp;
    DISPATCH();
}

op_JUMP:
    ip = first + arg;
    DISPATCH();
op_JUMP_BACKWARD:
    ip = first + arg;
    // Every loop passes here: a collection or finalizers that are due run, and Ctrl-C
    // stops a busy loop with KeyboardInterrupt.
    if (heap().has_work() || g_interrupt_requested) [[unlikely]] {
        SAVE_FRAME();
        heap().maybe_collect();
        heap().run_finalizers();
        if (g_interrupt_requested && raise_if_interrupted()) goto error;
    }
    DISPATCH();
op_POP_JUMP_IF_FALSE : {
    Value v = POP();
    if (v.is_false()) {
        ip = first + arg;
    } else if (!v.is_true()) {
        int t = truth_of(v);
        if (t < 0) goto error;
        if (!t) ip = first + arg;
    }
    DISPATCH();
}
op_POP_JUMP_IF_TRUE : {
    Value v = POP();
    if (v.is_true()) {
        ip = first + arg;
    } else if (!v.is_false()) {
        int t = truth_of(v);
        if (t < 0) goto error;
        if (t) ip = first + arg;
    }
    DISPATCH();
}
op_JUMP_IF_FALSE_OR_POP : {
    int t = truthy(TOP());
    if (t < 0) goto error;
    if (!t)
        ip = first + arg;
    else
        --sp;
    DISPATCH();
}
op_JUMP_IF_TRUE_OR_POP : {
    int t = truthy(TOP());
    if (t < 0) goto error;
    if (t)
        ip = first + arg;
    else
        --sp;
    DISPATCH();
}
op_POP_JUMP_IF_NONE:
    if (POP().is_none()) ip = first + arg;
    DISPATCH();
op_POP_JUMP_IF_NOT_NONE:
    if (!POP().is_none()) ip = first + arg;
    DISPATCH();
op_GET_ITER : {
    SAVE_FRAME();
    Value it = get_iter(TOP());
    CHECK(it);
    TOP() = it;
    DISPATCH();
}
op_FOR_ITER : {
    Value it = TOP();
    if (is_layout(it, Layout::Iterator)) {
        // The next int of a range and the next item of a list are taken here (as
        // iterator_next would); anything else, and the end, through the type's next.
        Iterator* iter = static_cast<Iterator*>(it.as_object());
        if (iter->kind == static_cast<uint8_t>(IterKind::Range) && iter->end > 0 &&
            !iter->source.is_null() && Value::fits_small_int(iter->index)) {
            PUSH(Value::small_int(iter->index));
            iter->index = static_cast<int64_t>(static_cast<uint64_t>(iter->index) +
                                               static_cast<uint64_t>(iter->step));
            --iter->end;
            DISPATCH();
        }
        if (iter->kind == static_cast<uint8_t>(IterKind::List) && !iter->source.is_null()) {
            const std::vector<Value>& items = as<List>(iter->source)->items;
            if (iter->index < static_cast<int64_t>(items.size())) {
                PUSH(items[iter->index++]);
                DISPATCH();
            }
        }
    }
    SAVE_FRAME();
    Type* it_type = type_of(it);
    Value next = it_type->next ? it_type->next(it) : iter_next(it);  // iter_next: the TypeError
    if (next.is_null()) {
        if (has_pending()) goto error;
        --sp;
        ip = first + arg;
        DISPATCH();
    }
    PUSH(next);
    DISPATCH();
}

op_MAKE_FUNCTION : {
    Code* fcode = reinterpret_cast<Code*>(POP().as_object());
    Function* fn = heap().make<Function>(types.function_);
    fn->code = fcode;
    fn->globals = f->globals;
    fn->builtins = f->builtins;
    fn->name = fcode->name;
    fn->qualname = fcode->qualname;
    if (arg & 8) fn->closure = as<Tuple>(POP());
    if (arg & 4) fn->annotations = as<Dict>(POP());
    if (arg & 2) fn->kwdefaults = as<Dict>(POP());
    if (arg & 1) fn->defaults = as<Tuple>(POP());
    if (fcode->has_docstring) fn->doc = fcode->consts[0];
    PUSH(Value::object(fn));
    DISPATCH();
}
op_KW_NAMES:
    DISPATCH(); // read by the CALL that always follows it
op_CALL : {
    call_kwnames = nullptr;
    call_args = call_arguments(sp, arg, 0, &call_npos);
    Value callable = sp[-static_cast<ptrdiff_t>(arg) - 2];
    if (is_layout(callable, Layout::Function)) {
        // The most common call: an apy function (not a generator or coroutine) taking
        // exactly these positional arguments.
        Function* fn = as<Function>(callable);
        if (fn->code->plain_call_argcount == call_npos && call_depth < recursion_limit) {
            sp -= arg + 2;
            SAVE_FRAME();
            Frame* callee = new_simple_frame(fn, call_args);
            ++call_depth;
            callee->back = f;
            f = callee;
            LOAD_FRAME();
            heap().maybe_collect();
            DISPATCH();
        }
        goto call_function;
    }
    goto call_not_function;
}
op_CALL_AWAITED : {
    // CALL of `await f(...)` (GET_AWAITABLE, LOAD_CONST None, SEND follow): a coroutine
    // function taking exactly these positional arguments has its frame run as a call.
    call_kwnames = nullptr;
    call_args = call_arguments(sp, arg, 0, &call_npos);
    Value callable = sp[-static_cast<ptrdiff_t>(arg) - 2];
    if (is_layout(callable, Layout::Function)) {
        Function* fn = as<Function>(callable);
        if (fn->code->awaited_call_argcount == call_npos && call_depth < recursion_limit) {
            sp -= arg + 2;
            awaited_callee = new_simple_frame(fn, call_args);
            goto run_awaited_call;
        }
        goto call_function;
    }
    goto call_not_function;
}
op_CALL_KW : {
    call_kwnames = as<Tuple>(code->consts[instr_arg(ip[-2])]);
    call_args = call_arguments(sp, arg, static_cast<int>(call_kwnames->size), &call_npos);
    Value callable = sp[-static_cast<ptrdiff_t>(arg) - 2];
    if (is_layout(callable, Layout::Function)) goto call_function;
    goto call_not_function;
}
// The rest of a call, of the callable at sp[-arg - 2]: CALL or CALL_KW has set call_args
// (the positional arguments, the receiver first if any), call_npos and call_kwnames (after
// KW_NAMES, naming the last arguments; else null).
call_function : {
    // An apy function: push its frame and go on in this loop.
    Function* fn = as<Function>(sp[-static_cast<ptrdiff_t>(arg) - 2]);
    Tuple* kwnames = call_kwnames;
    Value* args = call_args;
    int npos = call_npos;
    sp -= arg + 2;
    SAVE_FRAME();
    bool simple = is_simple_call(fn->code, npos, kwnames);
    if (fn->code->flags & (kGenerator | kCoroutine | kAsyncGenerator)) {
        if (awaits_new_coroutine(fn->code, code, ip) && call_depth < recursion_limit) {
            // `await f(...)`: the coroutine's frame runs as a call, without GET_AWAITABLE,
            // LOAD_CONST None and SEND, nor its own POP_TOP of the None sent in; its
            // coroutine is made only if it suspends (see awaited_call_slot).
            awaited_callee =
                simple ? new_simple_frame(fn, args) : frame_for_call(fn, args, npos, kwnames);
            if (!awaited_callee) goto error;
            goto run_awaited_call;
        }
        // Otherwise the call only makes the object, its frame inside.
        Generator* gen;
        if (simple) {
            gen = make_simple_generator(fn, args);
        } else {
            Frame* bound = frame_for_call(fn, args, npos, kwnames);
            if (!bound) goto error;
            gen = make_generator(bound);
        }
        PUSH(Value::object(gen));
        DISPATCH();
    }
    Frame* callee = simple ? new_simple_frame(fn, args) : frame_for_call(fn, args, npos, kwnames);
    if (!callee) goto error;
    if (call_depth + 1 > recursion_limit) {
        release_frame(callee);
        raise(exc.RecursionError, "maximum recursion depth exceeded");
        goto error;
    }
    ++call_depth;
    callee->back = f;
    f = callee;
    LOAD_FRAME();
    heap().maybe_collect();
    DISPATCH();
}
run_awaited_call:
    // [awaited_callee], the frame of a coroutine that this frame's next instructions await
    // (arguments bound, the callable and its arguments popped), runs as a call.
    PUSH(handled_exception());
    PUSH(Value::none());
    ip += 3;
    SAVE_FRAME();
    ++call_depth;
    awaited_callee->back = f;
    awaited_callee->owner = FrameOwner::AwaitedCall;
    awaited_callee->pc = 2;
    f = awaited_callee;
    LOAD_FRAME();
    heap().maybe_collect();
    DISPATCH();
call_not_function : {
    Value callable = sp[-static_cast<ptrdiff_t>(arg) - 2];
    if (!is_layout(callable, Layout::BuiltinFunction)) goto call_any;
    // A native function, called as builtin_call would, without its copy of the arguments.
    BuiltinFunction* b = as<BuiltinFunction>(callable);
    Tuple* kwnames = call_kwnames;
    Value* args = call_args;
    int npos = call_npos;
    bool direct = false;
    if (b->self.is_null()) {
        // A method from LOAD_METHOD has its receiver first; one of another type (or
        // none) goes the general way, to check it.
        direct = !b->owner || (npos >= 1 && type_of(args[0]) == b->owner);
    } else if (args == sp - arg) {
        // A bound method: its receiver goes into the unused null slot.
        *--args = b->self;
        ++npos;
        direct = true;
    }
    if (direct) {
        SAVE_FRAME();
        Value r = b->fn(args, npos, kwnames);
        sp -= arg + 2;
        CHECK(r);
        PUSH(r);
        DISPATCH();
    }
    goto call_any;
}
call_any : {
    Value callable = sp[-static_cast<ptrdiff_t>(arg) - 2];
    SAVE_FRAME();
    Value r = call(callable, call_args, call_npos, call_kwnames);
    sp -= arg + 2;
    CHECK(r);
    PUSH(r);
    DISPATCH();
}
op_CALL_FUNCTION_EX : {
    Value kwargs = (arg & 1) ? POP() : Value::null();
    Value args_tuple = POP();
    --sp;  // the null slot
    Value callable = POP();
    SAVE_FRAME();
    Value r = call_unpacked(callable, args_tuple, kwargs);
    CHECK(r);
    PUSH(r);
    DISPATCH();
}
op_RETURN_VALUE : {
    Value r = POP();
    if (f->is_entry) {
        *result = r;
        f->pc = static_cast<int32_t>(ip - first);
        --call_depth;
        g_current = saved_current;
        if (f->owner == FrameOwner::None) release_frame(f);
        return ExecStatus::Returned;
    }
    Frame* caller = f->back;
    --call_depth;
    if (f->owner != FrameOwner::None) {
        // A coroutine awaited as a call (see CALL), or a delegate run in its awaiter's loop
        // (see SEND): the awaiter's SEND loop ends with the value.
        end_in_awaiter_loop(f);
        f = caller;
        LOAD_FRAME();
        sp -= 2;
        PUSH(r);
        ip = first + instr_arg(ip[-1]);
        DISPATCH();
    }
    release_frame(f);
    f = caller;
    LOAD_FRAME();
    PUSH(r);
    DISPATCH();
}
op_LOAD_BUILD_CLASS : {
    static Str* const kBuildClass = intern("__build_class__");
    Value v = dict_get_str(f->builtins, kBuildClass);
    if (v.is_null()) {
        raise(exc.NameError, "__build_class__ not found");
        goto error;
    }
    PUSH(v);
    DISPATCH();
}

op_SETUP_FINALLY : {
    Block& b = f->blocks()[f->block_count++];
    b.handler = static_cast<int32_t>(arg);
    b.depth = static_cast<int32_t>(sp - f->slots);
    DISPATCH();
}
op_SETUP_WITH : {
    Block& b = f->blocks()[f->block_count++];
    b.handler = static_cast<int32_t>(arg);
    b.depth = static_cast<int32_t>(sp - f->slots) - 1;
    DISPATCH();
}
op_POP_BLOCK:
    --f->block_count;
    DISPATCH();
op_PUSH_EXC_INFO : {
    Value raised = TOP();
    Value previous = handled_exception();
    TOP() = previous.is_null() ? Value::none() : previous;
    PUSH(raised);
    set_handled_exception(raised);
    DISPATCH();
}
op_POP_EXCEPT : {
    Value previous = POP();
    set_handled_exception(previous.is_none() ? Value::null() : previous);
    DISPATCH();
}
op_CHECK_EXC_MATCH : {
    Value spec = POP();
    int m = exception_matches(TOP(), spec);
    if (m < 0) goto error;
    PUSH(Value::boolean(m));
    DISPATCH();
}
op_CHECK_EG_MATCH : {
    SAVE_FRAME();
    Value spec = POP();
    Root keep(spec);
    if (!check_except_star_spec(spec)) goto error;
    Value match, rest;
    if (!exception_group_match(TOP(), spec, &match, &rest)) goto error;
    TOP() = rest;
    PUSH(match);
    if (!match.is_none()) set_handled_exception(match);
    DISPATCH();
}
op_PREP_RERAISE_STAR : {
    SAVE_FRAME();
    Value raised = TOP();
    Value orig = PEEK(2);
    Value e = prep_reraise_star(orig, as<List>(raised));
    CHECK(e);
    --sp;
    TOP() = e;
    DISPATCH();
}
op_RERAISE : {
    Value e = POP();
    set_pending(e);
    reraise = true;
    goto error;
}
op_RAISE_VARARGS : {
    SAVE_FRAME();
    if (arg == 0) {
        Value e = handled_exception();
        if (e.is_null()) {
            raise(exc.RuntimeError, "No active exception to reraise");
            goto error;
        }
        set_pending(e);
        reraise = true;
        goto error;
    }
    Value cause = Value::null();
    if (arg == 2) cause = POP();
    Value e = POP();
    if (is_layout(e, Layout::Type) && is_subtype(as<Type>(e), exc.BaseException)) {
        e = call0(e);
        CHECK(e);
    }
    if (!isinstance(e, exc.BaseException)) {
        raise(exc.TypeError, "exceptions must derive from BaseException");
        goto error;
    }
    if (arg == 2) {
        if (is_layout(cause, Layout::Type) && is_subtype(as<Type>(cause), exc.BaseException)) {
            cause = call0(cause);
            CHECK(cause);
        } else if (!cause.is_none() && !isinstance(cause, exc.BaseException)) {
            raise(exc.TypeError, "exception causes must derive from BaseException");
            goto error;
        }
        as<ExceptionObject>(e)->cause = cause;
        as<ExceptionObject>(e)->suppress_context = true;
    }
    raise_value(e);
    goto error;
}
op_LOAD_ASSERTION_ERROR:
    PUSH(Value::object(exc.AssertionError));
    DISPATCH();
op_BEFORE_WITH : {
    SAVE_FRAME();
    static Str* const kEnter = intern("__enter__");
    static Str* const kExit = intern("__exit__");
    Value manager = TOP();
    Value enter = getattr_optional(manager, kEnter);
    if (enter.is_null()) {
        if (!has_pending())
            raise_format(exc.TypeError,
                         "'%s' object does not support the context manager protocol",
                         type_name(manager).c_str());
        goto error;
    }
    Value exit = getattr_optional(manager, kExit);
    if (exit.is_null()) {
        if (!has_pending())
            raise_format(exc.TypeError,
                         "'%s' object does not support the context manager protocol (missed __exit__ method)",
                         type_name(manager).c_str());
        goto error;
    }
    TOP() = exit;
    Value entered = call0(enter);
    CHECK(entered);
    PUSH(entered);
    DISPATCH();
}
op_WITH_EXCEPT_START : {
    SAVE_FRAME();
    Value e = TOP();
    Value exit = PEEK(3);
    Value args[3] = {Value::object(type_of(e)), e, Value::none()};
    Value r = call(exit, args, 3);
    CHECK(r);
    PUSH(r);
    DISPATCH();
}

op_IMPORT_NAME : {
    SAVE_FRAME();
    Value fromlist = POP();
    Value level = POP();
    Value m = import_name(name_at(f, arg), fromlist, level, f->globals);
    CHECK(m);
    PUSH(m);
    DISPATCH();
}
op_IMPORT_FROM : {
    SAVE_FRAME();
    Value v = import_from(TOP(), name_at(f, arg));
    CHECK(v);
    PUSH(v);
    DISPATCH();
}
op_IMPORT_STAR : {
    SAVE_FRAME();
    Value m = POP();
    if (!import_star(m, f->locals ? f->locals : f->globals)) goto error;
    DISPATCH();
}

op_RETURN_GENERATOR:
    // Calls of generator functions skip this instruction (see make_generator).
    raise(exc.SystemError, "RETURN_GENERATOR executed");
    goto error;
op_YIELD_VALUE : {
    Value v = POP();
    SAVE_FRAME();
    // A delegate run in its awaiter's loop (see SEND) hands the value to its awaiter, whose
    // YIELD_VALUE (right after the SEND) yields it in turn: the chain of awaiters up to the
    // frame this run() entered suspends here, without a dispatch per level.
    while (!f->is_entry) {
        --call_depth;
        Frame* awaiter = f->back;
        suspend_delegate(f->owner == FrameOwner::AwaitedCall ? materialize_awaited_call(f)
                                                             : f->generator());
        f = awaiter;
        f->pc += 1; // past its YIELD_VALUE
        f->sp -= 1; // the value it sent
    }
    --call_depth;
    *result = v;
    g_current = saved_current;
    return ExecStatus::Yielded;
}
op_GET_AWAITABLE : {
    // A coroutine just made (the usual `await f()`) needs no checks.
    if (is_coroutine(TOP()) && !as<Generator>(TOP())->started) DISPATCH();
    SAVE_FRAME();
    Value it = awaitable_of(TOP(), arg);
    CHECK(it);
    TOP() = it;
    DISPATCH();
}
op_BEFORE_ASYNC_WITH : {
    SAVE_FRAME();
    static Str* const kAenter = intern("__aenter__");
    static Str* const kAexit = intern("__aexit__");
    Value manager = TOP();
    Value enter = lookup_in_type(type_of(manager), kAenter);
    Value exit = lookup_in_type(type_of(manager), kAexit);
    if (enter.is_null() || exit.is_null()) {
        raise_format(exc.TypeError,
                     "'%s' object does not support the asynchronous context manager protocol%s",
                     type_name(manager).c_str(),
                     enter.is_null() ? "" : " (missed __aexit__ method)");
        goto error;
    }
    Value bound_exit = bind_method(exit, manager);
    CHECK(bound_exit);
    TOP() = bound_exit;
    Value entered = call1(enter, manager);
    CHECK(entered);
    PUSH(entered);
    DISPATCH();
}
op_GET_AITER : {
    SAVE_FRAME();
    static Str* const kAiter = intern("__aiter__");
    static Str* const kAnext = intern("__anext__");
    Value iterable = TOP();
    Value method = lookup_in_type(type_of(iterable), kAiter);
    if (method.is_null()) {
        raise_format(exc.TypeError, "'async for' requires an object with __aiter__ method, got %s",
                     type_name(iterable).c_str());
        goto error;
    }
    Value it = call1(method, iterable);
    CHECK(it);
    if (lookup_in_type(type_of(it), kAnext).is_null()) {
        raise_format(exc.TypeError,
                     "'async for' received an object from __aiter__ that does not implement __anext__: %s",
                     type_name(it).c_str());
        goto error;
    }
    TOP() = it;
    DISPATCH();
}
op_GET_ANEXT : {
    SAVE_FRAME();
    static Str* const kAnext = intern("__anext__");
    Value it = TOP();
    Value method = lookup_in_type(type_of(it), kAnext);
    if (method.is_null()) {
        raise_format(exc.TypeError, "'async for' requires an iterator with __anext__ method, got %s",
                     type_name(it).c_str());
        goto error;
    }
    Value next = call1(method, it);
    CHECK(next);
    Value awaitable = awaitable_of(next, 3);
    CHECK(awaitable);
    PUSH(awaitable);
    DISPATCH();
}
op_END_ASYNC_FOR : {
    Value e = POP();
    if (isinstance(e, exc.StopAsyncIteration)) {
        --sp;  // the async iterator
        DISPATCH();
    }
    set_pending(e);
    reraise = true;
    goto error;
}
op_GET_YIELD_FROM_ITER : {
    SAVE_FRAME();
    Value v = TOP();
    if (is_generator(v)) DISPATCH();
    if (is_coroutine(v)) {
        raise(exc.TypeError, "cannot 'yield from' a coroutine object in a non-coroutine generator");
        goto error;
    }
    Value it = get_iter(v);
    CHECK(it);
    TOP() = it;
    DISPATCH();
}
op_SEND : {
    SAVE_FRAME();
    Value sent = TOP();
    Value receiver = PEEK(2);
    if (is_coroutine(receiver) || is_generator(receiver)) {
        // Run the delegate's frame in this loop, as CALL runs a function's: no nested
        // run() per await level (CPython 3.12's SEND_GEN).
        Generator* gen = as<Generator>(receiver);
        if (can_enter_delegate(gen, sent) && call_depth < recursion_limit) {
            for (;;) {
                ++call_depth;
                enter_delegate(gen, f, sent);
                f = gen->frame;
                // Suspended in an await of its own (at the JUMP_BACKWARD to its SEND, with
                // the delegate below the value just pushed): that SEND goes on down the
                // chain at once, without a dispatch per level.
                Instr next = f->code->instructions[f->pc];
                if (instr_op(next) != Op::JUMP_BACKWARD) break;
                uint32_t send_at = instr_arg(next);
                if (instr_op(f->code->instructions[send_at]) != Op::SEND) break;
                Value inner = f->slots[f->sp - 2];
                if (!is_coroutine(inner) && !is_generator(inner)) break;
                gen = as<Generator>(inner);
                if (!can_enter_delegate(gen, sent) || call_depth >= recursion_limit) break;
                f->pc = static_cast<int32_t>(send_at) + 1;
            }
            LOAD_FRAME();
            DISPATCH();
        }
    }
    Value out;
    SendResult status = send_to(receiver, sent, &out);
    if (status == SendResult::Error) goto error;
    if (status == SendResult::Returned) {
        sp -= 2;
        PUSH(out);
        ip = first + arg;
        DISPATCH();
    }
    TOP() = out;
    DISPATCH();
}
op_PRINT_EXPR : {
    SAVE_FRAME();
    Value v = POP();
    if (!v.is_none()) {
        Value r = repr(v);
        CHECK(r);
        std::fwrite(str_view(r).data(), 1, str_view(r).size(), stdout);
        std::fputc('\n', stdout);
        dict_set_str(builtins_dict(), "_", v);
    }
    DISPATCH();
}
op_SETUP_ANNOTATIONS:
    if (f->locals) {
        static Str* const kAnnotations = intern("__annotations__");
        if (dict_get_str(f->locals, kAnnotations).is_null())
            dict_set_str(f->locals, kAnnotations, Value::object(make_dict()));
    }
    DISPATCH();

error : {
    // An exception is pending: record this frame in its traceback, then find a
    // handler here or in the callers.
    Value e = take_pending();
    int pc = static_cast<int>(ip - first) - 1;
    if (!reraise) add_traceback(e, f, pc);
    reraise = false;
    for (;;) {
        if (f->block_count > 0) {
            Block b = f->blocks()[--f->block_count];
            sp = f->slots + b.depth;
            PUSH(e);
            ip = first + b.handler;
            DISPATCH();
        }
        if (f->is_entry) {
            f->pc = static_cast<int32_t>(ip - first);
            f->sp = static_cast<int32_t>(sp - f->slots);
            --call_depth;
            g_current = saved_current;
            if (f->owner == FrameOwner::None) release_frame(f);
            set_pending(e);
            return ExecStatus::Raised;
        }
        Frame* caller = f->back;
        --call_depth;
        if (f->owner != FrameOwner::None) {
            // A coroutine awaited as a call or a delegate run in its awaiter's loop: the
            // exception goes on from the awaiter's SEND.
            set_pending(e);
            end_in_awaiter_loop(f);
            e = take_pending();
        } else {
            release_frame(f);
        }
        f = caller;
        LOAD_FRAME();
        add_traceback(e, f, static_cast<int>(ip - first) - 1);
    }
}
#undef OP
}

}  // namespace apy::vm
