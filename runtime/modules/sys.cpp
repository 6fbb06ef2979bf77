// The sys module: argv, exit, the standard streams, the recursion limit, modules.
#include <cstdio>

#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "vm/frame.h"

namespace apy::rt {

extern int recursion_limit;
Dict* sys_modules();

namespace {

std::vector<std::string> g_argv;

struct Stream : Object {
    std::FILE* file;
};

std::FILE* stream_file(Value v) { return static_cast<Stream*>(v.as_object())->file; }

// The name and mode of a standard stream, as CPython shows them.
const char* stream_name(Value v) {
    std::FILE* f = stream_file(v);
    return f == stdin ? "<stdin>" : f == stdout ? "<stdout>" : "<stderr>";
}
const char* stream_mode(Value v) { return stream_file(v) == stdin ? "r" : "w"; }

Value stream_repr(Value self) {
    return str_value(std::string("<_io.TextIOWrapper name='") + stream_name(self) + "' mode='" +
                     stream_mode(self) + "' encoding='utf-8'>");
}

Value stream_getattr(Value self, Str* name) {
    std::string_view n = name->view();
    if (n == "name") return str_value(stream_name(self));
    if (n == "mode") return str_value(stream_mode(self));
    if (n == "encoding") return str_value("utf-8");
    return generic_getattr(self, name);
}

Type* stream_type() {
    static Type* type = nullptr;
    if (!type) {
        type = make_builtin_type("TextIOWrapper", Layout::Other);
        type->module = "_io";
        type->repr = stream_repr;
        type->getattr = stream_getattr;
    }
    return type;
}

Value stream_write(Value* args, int nargs, Tuple* kw) {
    if (!check_no_kwargs("write", kw) || !check_arg_count("write", nargs, 2, 2)) return Value::null();
    if (!is_str(args[1]))
        return raise_format(exc.TypeError, "write() argument must be str, not %s",
                            type_name(args[1]).c_str());
    std::string_view text = str_view(args[1]);
    std::fwrite(text.data(), 1, text.size(), stream_file(args[0]));
    return make_int(as<Str>(args[1])->length);
}

Value stream_flush(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "flush() takes no arguments");
    std::fflush(stream_file(args[0]));
    return Value::none();
}

Value make_stream(std::FILE* file) {
    Stream* s = heap().make<Stream>(stream_type());
    s->file = file;
    return Value::object(s);
}

Value sys_exit(Value* args, int nargs, Tuple* kw) {
    if (!check_no_kwargs("exit", kw) || !check_arg_count("exit", nargs, 0, 1)) return Value::null();
    Tuple* exit_args = make_tuple(args, nargs);
    return raise_value(make_exception(exc.SystemExit, exit_args));
}

Value sys_getrecursionlimit(Value*, int nargs, Tuple*) {
    if (nargs != 0) return raise(exc.TypeError, "getrecursionlimit() takes no arguments");
    return make_int(recursion_limit);
}

Value sys_setrecursionlimit(Value* args, int nargs, Tuple* kw) {
    if (!check_no_kwargs("setrecursionlimit", kw) ||
        !check_arg_count("setrecursionlimit", nargs, 1, 1))
        return Value::null();
    if (args[0].is_double()) return raise(exc.TypeError, "'float' object cannot be interpreted as an integer");
    int64_t limit;
    if (!to_index(args[0], &limit)) return Value::null();
    if (limit < 1) return raise(exc.ValueError, "recursion limit must be greater or equal than 1");
    recursion_limit = static_cast<int>(limit > 1000000 ? 1000000 : limit);
    return Value::none();
}

// sys._getframemodulename(depth=0) (CPython 3.12): the __name__ of the module whose code runs
// [depth] calls up; namedtuple uses it for __module__.
Value sys_getframemodulename(Value* args, int nargs, Tuple* kw) {
    if (!check_no_kwargs("_getframemodulename", kw) ||
        !check_arg_count("_getframemodulename", nargs, 0, 1))
        return Value::null();
    int64_t depth = 0;
    if (nargs == 1 && !to_index(args[0], &depth)) return Value::null();
    vm::Frame* f = vm::current_frame();
    for (; f && depth > 0; --depth) f = f->back;
    if (!f) return Value::none();
    Value name = dict_get_str(f->globals, intern("__name__"));
    return name.is_null() ? Value::none() : name;
}

// sys.exc_info(): (type, value, traceback) of the exception being handled, or three Nones.
Value sys_exc_info(Value*, int nargs, Tuple*) {
    if (nargs != 0) return raise(exc.TypeError, "exc_info() takes no arguments");
    Value e = handled_exception();
    Tuple* t = make_tuple(3);  // (None, None, None)
    if (e.is_null() || e.is_none()) return Value::object(t);
    Root keep(Value::object(t));
    t->items[0] = Value::object(type_of(e));
    t->items[1] = e;
    Value tb = getattr_optional(e, intern("__traceback__"));
    if (!tb.is_null()) t->items[2] = tb;
    return has_pending() ? Value::null() : Value::object(t);
}

}  // namespace

void set_argv(std::vector<std::string> argv) { g_argv = std::move(argv); }

namespace {

Dict* g_sys_dict = nullptr; // the sys module's attributes, once made

void mark_sys_dict(Tracer& tracer) { tracer.mark(g_sys_dict); }

} // namespace

Value redirected_stdout() {
    if (!g_sys_dict) return Value::null();
    static Str* const kStdout = intern("stdout");
    Value out = dict_get_str(g_sys_dict, kStdout);
    if (out.is_null()) return raise(exc.RuntimeError, "lost sys.stdout");
    if (out.is_object() && out.as_object()->type == stream_type() && stream_file(out) == stdout)
        return Value::null();
    return out;
}

Module* make_sys_module() {
    Module* m = make_module("sys");
    static const MethodDef stream_methods[] = {
        {"write", stream_write}, {"flush", stream_flush}, {nullptr, nullptr}};
    if (!stream_type()->dict || dict_get_str(stream_type()->dict, intern("write")).is_null())
        add_methods(stream_type(), stream_methods);
    static const MethodDef functions[] = {
        {"exit", sys_exit},
        {"getrecursionlimit", sys_getrecursionlimit},
        {"setrecursionlimit", sys_setrecursionlimit},
        {"_getframemodulename", sys_getframemodulename},
        {"exc_info", sys_exc_info},
        {nullptr, nullptr},
    };
    for (const MethodDef* f = functions; f->name; ++f)
        dict_set_str(m->dict, f->name, Value::object(make_builtin(f->name, f->fn)));
    List* argv = make_list();
    for (const std::string& a : g_argv) list_append(argv, str_value(a));
    dict_set_str(m->dict, "argv", Value::object(argv));
    dict_set_str(m->dict, "stdout", make_stream(stdout));
    dict_set_str(m->dict, "stderr", make_stream(stderr));
    dict_set_str(m->dict, "stdin", make_stream(stdin));
    dict_set_str(m->dict, "modules", Value::object(sys_modules()));
    dict_set_str(m->dict, "maxsize", make_int(INT64_MAX));
    dict_set_str(m->dict, "platform", str_value("linux"));
    dict_set_str(m->dict, "version", str_value("3.11.0 (apy 0.1.0)"));
    dict_set_str(m->dict, "implementation_name", str_value("apy"));
    if (!g_sys_dict) heap().add_root_provider(mark_sys_dict);
    g_sys_dict = m->dict;
    return m;
}

}  // namespace apy::rt
