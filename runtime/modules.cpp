// Module objects, sys.modules, and the table of built-in modules.
#include <cstdio>

#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::aio {
rt::Module* make_asyncio_module();
}

namespace apy::rt {

namespace {

Dict* g_sys_modules = nullptr;

const BuiltinModuleDef kBuiltinModules[] = {
    {"builtins", make_builtins_module},
    {"sys", make_sys_module},
    {"time", make_time_module},
    {"math", make_math_module},
    {"random", make_random_module},
    {"unicodedata", make_unicodedata_module},
    {"asyncio", aio::make_asyncio_module},
};

Value module_repr(Value self) {
    Module* m = as<Module>(self);
    static Str* const kFile = intern("__file__");
    Value file = dict_get_str(m->dict, kFile);
    std::string name(m->name->view());
    if (file.is_null()) return str_value("<module '" + name + "' (built-in)>");
    return str_value("<module '" + name + "' from '" + std::string(str_view(file)) + "'>");
}

Value module_getattr(Value self, Str* name) {
    Module* m = as<Module>(self);
    Value v = dict_get_str(m->dict, name);
    if (!v.is_null()) return v;
    if (name->view() == "__dict__") return Value::object(m->dict);
    Value found = generic_getattr(self, name);
    if (!found.is_null() || !pending_is(exc.AttributeError)) return found;
    // PEP 562: the module's own __getattr__ makes the names it does not have.
    static Str* const kGetattr = intern("__getattr__");
    Value hook = dict_get_str(m->dict, kGetattr);
    if (hook.is_null()) return found;
    clear_pending();
    return call1(hook, Value::object(name));
}

void module_trace(Object* self, Tracer& tracer) {
    auto* m = static_cast<Module*>(self);
    tracer.mark(m->name);
    tracer.mark(m->dict);
}

}  // namespace

Module* make_module(std::string_view name) {
    Module* m = heap().make<Module>(types.module_);
    m->name = make_str(name);
    m->dict = make_dict();
    dict_set_str(m->dict, "__name__", Value::object(m->name));
    dict_set_str(m->dict, "__doc__", Value::none());
    return m;
}

Dict* sys_modules() {
    if (!g_sys_modules) g_sys_modules = make_dict();
    return g_sys_modules;
}

Module* make_builtin_module(std::string_view name) {
    for (const BuiltinModuleDef& def : kBuiltinModules)
        if (name == def.name) return def.make();
    return nullptr;
}

void mark_module_roots(Tracer& tracer) { tracer.mark(g_sys_modules); }

void setup_module_type() {
    Type* module = types.module_;
    module->repr = module_repr;
    module->getattr = module_getattr;
    module->trace = module_trace;
}

}  // namespace apy::rt
