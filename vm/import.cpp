#include "vm/import.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "compiler/compiler.h"
#include "lib/library.h"
#include "parser/driver.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "vm/interp.h"

namespace apy::rt {
Dict* sys_modules();
Module* make_builtin_module(std::string_view name);  // null when there is no such module
}  // namespace apy::rt

namespace apy::vm {

using namespace rt;

namespace {

std::string g_main_directory = ".";
std::unordered_map<std::string, std::string> g_sources;

bool read_file(const std::string& path, std::string* out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::stringstream buffer;
    buffer << in.rdbuf();
    *out = buffer.str();
    return true;
}

const std::string kLibraryPath = "<library>/";

std::vector<std::string> search_path() {
    std::vector<std::string> dirs{g_main_directory};
    if (const char* env = std::getenv("APY_PATH")) {
        std::string all = env;
        size_t start = 0;
        while (start <= all.size()) {
            size_t colon = all.find(':', start);
            if (colon == std::string::npos) colon = all.size();
            if (colon > start) dirs.push_back(all.substr(start, colon - start));
            start = colon + 1;
        }
    }
    return dirs;
}

// Finds and runs module [full_name] (dotted); [parent_dir] is the package folder for submodules.
Value load_module(const std::string& full_name, const std::string& short_name,
                  const std::vector<std::string>& dirs) {
    Value cached = dict_get(sys_modules(), str_value(full_name));
    if (!cached.is_null()) return cached;
    if (full_name == short_name) {
        if (Module* m = make_builtin_module(full_name)) {
            dict_set(sys_modules(), str_value(full_name), Value::object(m));
            return Value::object(m);
        }
    }
    for (const std::string& dir : dirs) {
        std::string text;
        std::string file = dir + "/" + short_name + ".apy";
        if (read_file(file, &text)) return exec_module_source(full_name, file, text);
        std::string package = dir + "/" + short_name + "/__init__.apy";
        if (read_file(package, &text)) {
            Value m = exec_module_source(full_name, package, text);
            if (!m.is_null())
                dict_set_str(as<Module>(m)->dict, "__path__", str_value(dir + "/" + short_name));
            return m;
        }
    }
    // As CPython's sys.path puts the script's folder before the standard library, a
    // script's own module of the same name wins. A library package's __path__ is
    // kLibraryPath + its name, so its submodules are looked up in the library too.
    bool in_library = dirs.size() == 1 && dirs[0].rfind(kLibraryPath, 0) == 0;
    if (full_name == short_name || in_library) {
        if (const lib::LibraryModule* m = lib::find_library_module(full_name)) {
            Value module = exec_module_source(full_name, "<frozen " + full_name + ">", m->source);
            if (!module.is_null() && m->package)
                dict_set_str(as<Module>(module)->dict, "__path__",
                             str_value(kLibraryPath + full_name));
            return module;
        }
    }
    raise_with_arg(exc.ModuleNotFoundError, str_value("No module named '" + full_name + "'"));
    set_error_name(intern(full_name));
    return Value::null();
}

}  // namespace

void set_main_directory(std::string directory) { g_main_directory = std::move(directory); }

const std::string* loaded_source(const std::string& path) {
    auto it = g_sources.find(path);
    if (it != g_sources.end()) return &it->second;
    std::string text;
    if (!read_file(path, &text)) return nullptr;
    it = g_sources.emplace(path, std::move(text)).first;
    return &it->second;
}

void remember_source(const std::string& path, const std::string& text) { g_sources[path] = text; }

Value exec_module_source(const std::string& name, const std::string& path,
                         const std::string& source_text) {
    remember_source(path, source_text);
    Module* module = make_module(name);
    Root keep(Value::object(module));
    dict_set_str(module->dict, "__file__", str_value(path));
    dict_set(sys_modules(), str_value(name), Value::object(module));
    Code* code;
    try {
        Source source(path, source_text);
        auto tree = parse::parse(source, parse::Mode::File);
        code = compiler::compile_module(*tree, source, compiler::Mode::File);
    } catch (const SyntaxErrorInfo& error) {
        dict_del(sys_modules(), str_value(name));
        Type* type = error.type == "IndentationError" ? exc.IndentationError
                     : error.type == "TabError"       ? exc.TabError
                     : error.type == "RecursionError" ? exc.RecursionError
                                                      : exc.SyntaxError;
        Value e = make_exception(type, error.message);
        dict_set_str(as<ExceptionObject>(e)->attrs = make_dict(), "lineno", make_int(error.line));
        return raise_value(e);
    }
    Value r = run_module_code(code, module->dict);
    if (r.is_null()) {
        dict_del(sys_modules(), str_value(name));
        return r;
    }
    return Value::object(module);
}

Value import_name(Str* name, Value fromlist, Value level, Dict* globals) {
    int64_t lvl = level.is_small_int() ? level.as_small_int() : 0;
    std::string full(name->view());
    if (lvl > 0) {
        static Str* const kPackage = intern("__name__");
        Value pkg = dict_get_str(globals, kPackage);
        std::string base = pkg.is_null() ? "" : std::string(str_view(pkg));
        bool is_package = !dict_get_str(globals, intern("__path__")).is_null();
        if (!is_package) {
            size_t dot = base.rfind('.');
            base = dot == std::string::npos ? "" : base.substr(0, dot);
        }
        for (int64_t i = 1; i < lvl && !base.empty(); ++i) {
            size_t dot = base.rfind('.');
            base = dot == std::string::npos ? "" : base.substr(0, dot);
        }
        if (base.empty())
            return raise(exc.ImportError, "attempted relative import with no known parent package");
        full = full.empty() ? base : base + "." + full;
    }
    // Import each dotted prefix in turn: a, a.b, a.b.c.
    Value top = Value::null(), current = Value::null();
    std::vector<std::string> dirs = search_path();
    size_t start = 0;
    std::string prefix;
    while (start <= full.size()) {
        size_t dot = full.find('.', start);
        if (dot == std::string::npos) dot = full.size();
        std::string part = full.substr(start, dot - start);
        prefix = prefix.empty() ? part : prefix + "." + part;
        if (!current.is_null()) {
            Value path = dict_get_str(as<Module>(current)->dict, intern("__path__"));
            if (path.is_null()) {
                raise_with_arg(exc.ModuleNotFoundError,
                               str_value("No module named '" + prefix + "'; '" +
                                         prefix.substr(0, prefix.rfind('.')) +
                                         "' is not a package"));
                set_error_name(intern(prefix));
                return Value::null();
            }
            dirs = {std::string(str_view(path))};
        }
        Value m = load_module(prefix, part, dirs);
        if (m.is_null()) return m;
        if (!current.is_null()) dict_set_str(as<Module>(current)->dict, intern(part), m);
        if (top.is_null()) top = m;
        current = m;
        start = dot + 1;
    }
    bool has_fromlist = !fromlist.is_none() && !fromlist.is_null();
    return has_fromlist || lvl > 0 ? current : top;
}

Value import_from(Value module, Str* name) {
    Value v = getattr_optional(module, name);
    if (!v.is_null() || has_pending()) return v;
    std::string module_name = "?";
    if (is_layout(module, Layout::Module)) module_name = std::string(as<Module>(module)->name->view());
    // A submodule not imported yet.
    if (is_layout(module, Layout::Module) &&
        !dict_get_str(as<Module>(module)->dict, intern("__path__")).is_null()) {
        Value sub = import_name(intern(module_name + "." + std::string(name->view())),
                                Value::object(make_tuple(0)), Value::small_int(0),
                                as<Module>(module)->dict);
        if (!sub.is_null()) return sub;
        clear_pending();
    }
    raise_format(exc.ImportError, "cannot import name '%s' from '%s'", name->data,
                 module_name.c_str());
    set_error_name(intern(module_name));
    return Value::null();
}

bool import_star(Value module, Dict* target) {
    if (!is_layout(module, Layout::Module)) return false;
    Dict* d = as<Module>(module)->dict;
    for (const DictEntry& e : d->entries) {
        if (e.key.is_null() || !is_str(e.key)) continue;
        if (str_view(e.key).substr(0, 1) == "_") continue;
        if (!dict_set(target, e.key, e.value)) return false;
    }
    return true;
}

}  // namespace apy::vm
