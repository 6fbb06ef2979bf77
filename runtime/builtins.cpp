// The builtins module: one registration line per builtin function or type.
#include <cstdio>

#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/interrupt.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "runtime/unicode.h"

namespace apy::rt {

namespace {

Dict* g_builtins = nullptr;

// ---- printing and input

bool write_value(std::FILE* out, Value v) {
    Value s = to_str(v);
    if (s.is_null()) return false;
    std::string_view text = str_view(s);
    std::fwrite(text.data(), 1, text.size(), out);
    return true;
}

Value builtin_print(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("print", "*args, sep=None, end=None, file=None, flush=False");
    Value a[5];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    Value sep = a[1], end = a[2], file = a[3];
    if (!sep.is_none() && !is_str(sep))
        return raise_format(exc.TypeError, "sep must be None or a string, not %s", type_name(sep).c_str());
    if (!end.is_none() && !is_str(end))
        return raise_format(exc.TypeError, "end must be None or a string, not %s", type_name(end).c_str());
    Tuple* items = as<Tuple>(a[0]);
    Root keep_items(a[0]);  // the *args tuple is new; __str__ may collect
    if (file.is_none()) {
        file = redirected_stdout();
        if (file.is_null() && has_pending()) return file;
        if (file.is_none()) return file; // sys.stdout = None: nothing is written
    }
    bool flush = truthy(a[4]) == 1;
    if (file.is_null()) { // the standard stream: written at once
        std::string text;
        for (int64_t i = 0; i < items->size; ++i) {
            if (i > 0) text += sep.is_none() ? std::string_view(" ") : str_view(sep);
            Value s = to_str(items->items[i]);
            if (s.is_null()) return s;
            text += str_view(s);
        }
        text += end.is_none() ? std::string_view("\n") : str_view(end);
        std::fwrite(text.data(), 1, text.size(), stdout);
        if (flush) std::fflush(stdout);
        return Value::none();
    }
    // A file object: one write() per piece, as CPython makes them.
    Root keep_file(file);
    static Str* const kWrite = intern("write");
    static Str* const kSpace = intern(" ");
    static Str* const kNewline = intern("\n");
    auto write = [&](Value piece) { return !call_method(file, kWrite, &piece, 1).is_null(); };
    for (int64_t i = 0; i < items->size; ++i) {
        if (i > 0 && !write(sep.is_none() ? Value::object(kSpace) : sep)) return Value::null();
        Value s = to_str(items->items[i]);
        if (s.is_null() || !write(s)) return Value::null();
    }
    if (!write(end.is_none() ? Value::object(kNewline) : end)) return Value::null();
    if (flush) {
        static Str* const kFlush = intern("flush");
        if (call_method(file, kFlush, nullptr, 0).is_null()) return Value::null();
    }
    return Value::none();
}

Value builtin_input(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("input", kwnames) || !check_arg_count("input", nargs, 0, 1))
        return Value::null();
    if (nargs == 1) {
        if (!write_value(stdout, args[0])) return Value::null();
    }
    std::fflush(stdout);
    std::string line;
    int c;
    bool any = false;
    while ((c = std::fgetc(stdin)) != EOF) {
        any = true;
        if (c == '\n') break;
        line.push_back(static_cast<char>(c));
    }
    if (!any && std::ferror(stdin) && g_interrupt_requested) {
        std::clearerr(stdin);  // Ctrl-C (REPL): the read failed with EINTR, not at the end
        raise_if_interrupted();
        return Value::null();
    }
    if (!any) return raise(exc.EOFError, "EOF when reading a line");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return str_value(line);
}

// ---- introspection

[[gnu::noinline]] Value len_general(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("len", kwnames) || !check_arg_count("len", nargs, 1, 1)) return Value::null();
    int64_t n;
    if (!length(args[0], &n)) return Value::null();
    return make_int(n);
}

// len() of an exact list is a few instructions: the rest, with its checks, is out of line.
Value builtin_len(Value* args, int nargs, Tuple* kwnames) {
    if (nargs == 1 && !kwnames && args[0].is_object() && args[0].as_object()->type == types.list_)
        return Value::small_int(static_cast<int64_t>(as<List>(args[0])->items.size()));
    return len_general(args, nargs, kwnames);
}

Value builtin_repr(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("repr", kwnames) || !check_arg_count("repr", nargs, 1, 1)) return Value::null();
    return repr(args[0]);
}

Value builtin_ascii(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("ascii", kwnames) || !check_arg_count("ascii", nargs, 1, 1)) return Value::null();
    Value r = repr(args[0]);
    if (r.is_null()) return r;
    std::string out;
    std::string_view s = str_view(r);
    size_t pos = 0;
    while (pos < s.size()) {
        uint32_t cp = utf8_decode(s, pos);
        char buffer[16];
        if (cp < 0x80) out.push_back(static_cast<char>(cp));
        else {
            if (cp < 0x100) std::snprintf(buffer, sizeof buffer, "\\x%02x", cp);
            else if (cp < 0x10000) std::snprintf(buffer, sizeof buffer, "\\u%04x", cp);
            else std::snprintf(buffer, sizeof buffer, "\\U%08x", cp);
            out += buffer;
        }
    }
    return str_value(out);
}

// Whether [type] derives from [spec], which must be a class (instance_matches looks into
// tuples).
int class_matches(Type* type, Value spec, const char* fname) {
    if (!is_layout(spec, Layout::Type)) {
        bool sub = std::string_view(fname) == "issubclass";
        raise_format(exc.TypeError, "%s() arg 2 must be a %s, a tuple of %s, or a union", fname,
                     sub ? "class" : "type", sub ? "classes" : "types");
        return -1;
    }
    return is_subtype(type, as<Type>(spec)) ? 1 : 0;
}

// isinstance(obj, spec) or issubclass(obj, spec): a metaclass's __instancecheck__ /
// __subclasscheck__ decides for its classes (abstract base classes rely on it), and the
// class of a spec that is not a class for that spec (typing.List, int | str). Tuples may nest:
// RecursionError when too deep, as in CPython.
int instance_matches(Value obj, Value spec, bool sub) {
    const char* fname = sub ? "issubclass" : "isinstance";
    if (is_layout(spec, Layout::Tuple)) {
        if (!enter_recursive_call(sub ? " in __subclasscheck__" : " in __instancecheck__"))
            return -1;
        Tuple* t = as<Tuple>(spec);
        int m = 0;
        for (int64_t i = 0; i < t->size && m == 0; ++i) m = instance_matches(obj, t->items[i], sub);
        leave_recursive_call();
        return m;
    }
    Type* meta = type_of(spec);
    if (meta != types.type_) {
        static Str* const hooks[2] = {intern("__instancecheck__"), intern("__subclasscheck__")};
        if (!lookup_in_type(meta, hooks[sub]).is_null()) {
            Value r = call_method(spec, hooks[sub], &obj, 1);
            return r.is_null() ? -1 : truthy(r);
        }
    }
    return class_matches(sub ? as<Type>(obj) : type_of(obj), spec, fname);
}

Value builtin_isinstance(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("isinstance", kwnames) || !check_arg_count("isinstance", nargs, 2, 2))
        return Value::null();
    int m = instance_matches(args[0], args[1], false);
    return m < 0 ? Value::null() : Value::boolean(m);
}

Value builtin_issubclass(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("issubclass", kwnames) || !check_arg_count("issubclass", nargs, 2, 2))
        return Value::null();
    if (!is_layout(args[0], Layout::Type)) return raise(exc.TypeError, "issubclass() arg 1 must be a class");
    int m = instance_matches(args[0], args[1], true);
    return m < 0 ? Value::null() : Value::boolean(m);
}

Value builtin_id(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("id", kwnames) || !check_arg_count("id", nargs, 1, 1)) return Value::null();
    Value v = args[0];
    return make_int(static_cast<int64_t>(v.is_object() ? reinterpret_cast<uintptr_t>(v.as_object())
                                                       : v.bits() & 0x7FFFFFFFFFFFull));
}

Value builtin_hash(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("hash", kwnames) || !check_arg_count("hash", nargs, 1, 1)) return Value::null();
    int64_t h;
    if (!hash(args[0], &h)) return Value::null();
    return make_int(h);
}

Value builtin_callable(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("callable", kwnames) || !check_arg_count("callable", nargs, 1, 1))
        return Value::null();
    return Value::boolean(type_of(args[0])->call != nullptr);
}

Value attr_name(Value v, const char* fname) {
    if (!is_str(v))
        return raise_format(exc.TypeError, "%s(): attribute name must be string", fname);
    return Value::object(intern(str_view(v)));
}

Value builtin_getattr(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("getattr", kwnames) || !check_arg_count("getattr", nargs, 2, 3))
        return Value::null();
    Value name = attr_name(args[1], "getattr");
    if (name.is_null()) return name;
    if (nargs == 3) {
        Value v = getattr_optional(args[0], as<Str>(name));
        if (v.is_null() && !has_pending()) return args[2];
        return v;
    }
    return getattr(args[0], as<Str>(name));
}

Value builtin_hasattr(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("hasattr", kwnames) || !check_arg_count("hasattr", nargs, 2, 2))
        return Value::null();
    Value name = attr_name(args[1], "hasattr");
    if (name.is_null()) return name;
    Value v = getattr_optional(args[0], as<Str>(name));
    if (v.is_null() && has_pending()) return v;
    return Value::boolean(!v.is_null());
}

Value builtin_setattr(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("setattr", kwnames) || !check_arg_count("setattr", nargs, 3, 3))
        return Value::null();
    Value name = attr_name(args[1], "setattr");
    if (name.is_null()) return name;
    return setattr(args[0], as<Str>(name), args[2]) ? Value::none() : Value::null();
}

Value builtin_delattr(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("delattr", kwnames) || !check_arg_count("delattr", nargs, 2, 2))
        return Value::null();
    Value name = attr_name(args[1], "delattr");
    if (name.is_null()) return name;
    return delattr(args[0], as<Str>(name)) ? Value::none() : Value::null();
}

// ---- iteration

Value builtin_iter(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("iter", kwnames) || !check_arg_count("iter", nargs, 1, 1)) return Value::null();
    return get_iter(args[0]);
}

Value builtin_next(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("next", kwnames) || !check_arg_count("next", nargs, 1, 2)) return Value::null();
    Type* type = type_of(args[0]);
    if (!type->next)
        return raise_format(exc.TypeError, "'%s' object is not an iterator", type->name.c_str());
    Value v = type->next(args[0]);
    if (!v.is_null() || has_pending()) return v;
    if (nargs == 2) return args[1];
    return raise_value(make_exception(exc.StopIteration, make_tuple(0)));
}

Value builtin_any(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("any", kwnames) || !check_arg_count("any", nargs, 1, 1)) return Value::null();
    Value it = get_iter(args[0]);
    if (it.is_null()) return it;
    Root keep(it);
    for (;;) {
        Value x = iter_next(it);
        if (x.is_null()) return has_pending() ? x : Value::boolean(false);
        int t = truthy(x);
        if (t < 0) return Value::null();
        if (t) return Value::boolean(true);
    }
}

Value builtin_all(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("all", kwnames) || !check_arg_count("all", nargs, 1, 1)) return Value::null();
    Value it = get_iter(args[0]);
    if (it.is_null()) return it;
    Root keep(it);
    for (;;) {
        Value x = iter_next(it);
        if (x.is_null()) return has_pending() ? x : Value::boolean(true);
        int t = truthy(x);
        if (t < 0) return Value::null();
        if (!t) return Value::boolean(false);
    }
}

Value builtin_sum(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("sum", "iterable, /, start=0");
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    if (is_str(a[1]))
        return raise(exc.TypeError, "sum() can't sum strings [use ''.join(seq) instead]");
    Value it = get_iter(a[0]);
    if (it.is_null()) return it;
    Root keep(it);
    Root total(a[1]);
    for (;;) {
        Value x = iter_next(it);
        if (x.is_null()) return has_pending() ? x : total.get();
        Value r = binary_op(BinaryOp::Add, total.get(), x);
        if (r.is_null()) return r;
        total.set(r);
    }
}

Value min_max(Value* args, int nargs, Tuple* kwnames, bool want_max) {
    const char* fname = want_max ? "max" : "min";
    static const Signature min_sig("min", "*args, key=None, default=?");
    static const Signature max_sig("max", "*args, key=None, default=?");
    Value a[3];
    if (!(want_max ? max_sig : min_sig).bind(args, nargs, kwnames, a)) return Value::null();
    Tuple* positional = as<Tuple>(a[0]);
    Value key = a[1], dflt = a[2];
    std::vector<Value> items;
    if (positional->size == 0)
        return raise_format(exc.TypeError, "%s expected at least 1 argument, got 0", fname);
    if (positional->size == 1) {
        if (!collect_iterable(positional->items[0], items)) return Value::null();
        if (items.empty()) {
            if (!dflt.is_null()) return dflt;
            return raise_format(exc.ValueError, "%s() arg is an empty sequence", fname);
        }
    } else {
        if (!dflt.is_null())
            return raise_format(exc.TypeError,
                                "Cannot specify a default for %s() with multiple positional arguments",
                                fname);
        items.assign(positional->items, positional->items + positional->size);
    }
    List* keep_items = make_list(items);
    Root keep(Value::object(keep_items));
    Value best = items[0];
    Value best_key = key.is_none() ? best : call1(key, best);
    if (best_key.is_null()) return best_key;
    Root keep_key(best_key);
    for (size_t i = 1; i < keep_items->items.size(); ++i) {
        Value x = keep_items->items[i];
        Value k = key.is_none() ? x : call1(key, x);
        if (k.is_null()) return k;
        int better = want_max ? less_than(keep_key.get(), k) : less_than(k, keep_key.get());
        if (better < 0) return Value::null();
        if (better) {
            best = x;
            keep_key.set(k);
        }
    }
    return best;
}

Value builtin_min(Value* args, int nargs, Tuple* kwnames) { return min_max(args, nargs, kwnames, false); }
Value builtin_max(Value* args, int nargs, Tuple* kwnames) { return min_max(args, nargs, kwnames, true); }

Value builtin_sorted(Value* args, int nargs, Tuple* kwnames) {
    if (nargs != 1)
        return raise_format(exc.TypeError, "sorted expected 1 argument, got %d", nargs);
    std::vector<Value> items;
    if (!collect_iterable(args[0], items)) return Value::null();
    List* list = make_list(std::move(items));
    Root keep(Value::object(list));
    static Str* const kSort = intern("sort");
    Value sort = lookup_in_type(types.list_, kSort);
    int nkw = kwnames ? static_cast<int>(kwnames->size) : 0;
    std::vector<Value> call_args{Value::object(list)};
    call_args.insert(call_args.end(), args + 1, args + 1 + nkw);
    if (call(sort, call_args.data(), 1, kwnames).is_null()) return Value::null();
    return Value::object(list);
}

// ---- numbers

Value builtin_abs(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("abs", kwnames) || !check_arg_count("abs", nargs, 1, 1)) return Value::null();
    Value x = args[0];
    if (is_int(x) || x.is_double()) return number_abs(x);
    static Str* const kAbs = intern("__abs__");
    Value method = lookup_in_type(type_of(x), kAbs);
    if (method.is_null())
        return raise_format(exc.TypeError, "bad operand type for abs(): '%s'", type_name(x).c_str());
    return call1(method, x);
}

Value builtin_round(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("round", "number, ndigits=None");
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    return round_number(a[0], a[1]);
}

Value builtin_divmod(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("divmod", kwnames) || !check_arg_count("divmod", nargs, 2, 2))
        return Value::null();
    if ((is_int(args[0]) || args[0].is_double()) && (is_int(args[1]) || args[1].is_double())) {
        return number_divmod(args[0], args[1]);
    }
    return raise_format(exc.TypeError, "unsupported operand type(s) for divmod(): '%s' and '%s'",
                        type_name(args[0]).c_str(), type_name(args[1]).c_str());
}

Value builtin_pow(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("pow", "base, exp, mod=None");
    Value a[3];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    if (a[2].is_none()) return binary_op(BinaryOp::Power, a[0], a[1]);
    return int_pow_mod(a[0], a[1], a[2]);
}

Value int_text(Value* args, int nargs, Tuple* kwnames, const char* fname, int base, const char* prefix) {
    if (!check_no_kwargs(fname, kwnames) || !check_arg_count(fname, nargs, 1, 1)) return Value::null();
    Value v = index_value(args[0]);  // ints, or __index__
    if (v.is_null()) return v;
    std::string digits = int_to_string(v.is_bool() ? make_int(v.is_true()) : v, base);
    bool negative = !digits.empty() && digits[0] == '-';
    if (negative) digits.erase(0, 1);
    return str_value((negative ? "-" : "") + std::string(prefix) + digits);
}

Value builtin_bin(Value* args, int nargs, Tuple* kw) { return int_text(args, nargs, kw, "bin", 2, "0b"); }
Value builtin_oct(Value* args, int nargs, Tuple* kw) { return int_text(args, nargs, kw, "oct", 8, "0o"); }
Value builtin_hex(Value* args, int nargs, Tuple* kw) { return int_text(args, nargs, kw, "hex", 16, "0x"); }

Value builtin_chr(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("chr", kwnames) || !check_arg_count("chr", nargs, 1, 1)) return Value::null();
    if (args[0].is_double()) return raise(exc.TypeError, "'float' object cannot be interpreted as an integer");
    int64_t cp;
    if (!to_index(args[0], &cp)) {
        if (pending_is(exc.OverflowError)) {
            clear_pending();
            return raise(exc.OverflowError, "Python int too large to convert to C int");
        }
        return Value::null();
    }
    if (cp < 0 || cp > 0x10FFFF) return raise(exc.ValueError, "chr() arg not in range(0x110000)");
    std::string out;
    utf8_encode(static_cast<uint32_t>(cp), out);
    return str_value(out);
}

Value builtin_ord(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("ord", kwnames) || !check_arg_count("ord", nargs, 1, 1)) return Value::null();
    if (!is_str(args[0]))
        return raise_format(exc.TypeError, "ord() expected string of length 1, but %s found",
                            type_name(args[0]).c_str());
    Str* s = as<Str>(args[0]);
    if (s->length != 1)
        return raise_format(exc.TypeError, "ord() expected a character, but string of length %lld found",
                            static_cast<long long>(s->length));
    size_t pos = 0;
    return make_int(utf8_decode(s->view(), pos));
}

Value builtin_format(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("format", kwnames) || !check_arg_count("format", nargs, 1, 2)) return Value::null();
    if (nargs == 2 && !is_str(args[1]))
        return raise_format(exc.TypeError, "format() argument 2 must be str, not %s", type_name(args[1]).c_str());
    return format(args[0], nargs == 2 ? str_view(args[1]) : std::string_view());
}

// Builtins apy does not have (no compiling at run time, no files): calling one says so.
Value not_supported(const char* what) {
    return raise_format(exc.NotImplementedError, "%s is not supported by apy", what);
}
Value builtin_eval(Value*, int, Tuple*) { return not_supported("eval()"); }
Value builtin_exec(Value*, int, Tuple*) { return not_supported("exec()"); }
Value builtin_compile(Value*, int, Tuple*) { return not_supported("compile()"); }
Value builtin_import(Value*, int, Tuple*) { return not_supported("__import__()"); }
Value builtin_open(Value*, int, Tuple*) { return not_supported("open() (file I/O)"); }
Value builtin_breakpoint(Value*, int, Tuple*) { return not_supported("breakpoint()"); }

Value builtin_exit(Value* args, int nargs, Tuple*) {
    return raise_value(make_exception(exc.SystemExit, make_tuple(args, nargs)));
}

}  // namespace

Dict* builtins_dict() { return g_builtins; }

// The module's dict is the builtins dict itself: setting builtins.len changes len() for all.
Module* make_builtins_module() {
    Module* m = make_module("builtins");
    m->dict = g_builtins;
    return m;
}

void mark_builtins_roots(Tracer& tracer) { tracer.mark(g_builtins); }

void setup_builtins() {
    g_builtins = make_dict();
    static const MethodDef functions[] = {
        {"print", builtin_print},
        {"input", builtin_input},
        {"len", builtin_len},
        {"repr", builtin_repr},
        {"ascii", builtin_ascii},
        {"isinstance", builtin_isinstance},
        {"issubclass", builtin_issubclass},
        {"id", builtin_id},
        {"hash", builtin_hash},
        {"callable", builtin_callable},
        {"getattr", builtin_getattr},
        {"hasattr", builtin_hasattr},
        {"setattr", builtin_setattr},
        {"delattr", builtin_delattr},
        {"iter", builtin_iter},
        {"next", builtin_next},
        {"any", builtin_any},
        {"all", builtin_all},
        {"sum", builtin_sum},
        {"min", builtin_min},
        {"max", builtin_max},
        {"sorted", builtin_sorted},
        {"abs", builtin_abs},
        {"round", builtin_round},
        {"divmod", builtin_divmod},
        {"pow", builtin_pow},
        {"bin", builtin_bin},
        {"oct", builtin_oct},
        {"hex", builtin_hex},
        {"chr", builtin_chr},
        {"ord", builtin_ord},
        {"format", builtin_format},
        {"exit", builtin_exit},
        {"quit", builtin_exit},
        {"eval", builtin_eval},
        {"exec", builtin_exec},
        {"compile", builtin_compile},
        {"__import__", builtin_import},
        {"open", builtin_open},
        {"breakpoint", builtin_breakpoint},
        {nullptr, nullptr},
    };
    for (const MethodDef* f = functions; f->name; ++f)
        dict_set_str(g_builtins, f->name, Value::object(make_builtin(f->name, f->fn)));
    Type* const builtin_types[] = {
        types.object_, types.type_, types.int_, types.bool_, types.float_, types.str_,
        types.tuple_, types.list_, types.dict_, types.set_, types.frozenset_, types.range_,
        types.slice_,
    };
    for (Type* t : builtin_types) dict_set_str(g_builtins, t->name.c_str(), Value::object(t));
    for (Type* t : builtin_iterator_types()) dict_set_str(g_builtins, t->name.c_str(), Value::object(t));
#define APY_REGISTER_EXC(name, base) dict_set_str(g_builtins, #name, Value::object(exc.name));
    APY_EXCEPTION_TYPES(APY_REGISTER_EXC)
#undef APY_REGISTER_EXC
    dict_set_str(g_builtins, "EnvironmentError", Value::object(exc.OSError));
    dict_set_str(g_builtins, "IOError", Value::object(exc.OSError));
    dict_set_str(g_builtins, "__name__", str_value("builtins"));
    dict_set_str(g_builtins, "NotImplemented", Value::not_implemented());
    dict_set_str(g_builtins, "Ellipsis", Value::ellipsis());
    // Keywords, but in CPython's builtins too (NameError suggestions look there).
    dict_set_str(g_builtins, "None", Value::none());
    dict_set_str(g_builtins, "True", Value::boolean(true));
    dict_set_str(g_builtins, "False", Value::boolean(false));
}

}  // namespace apy::rt
