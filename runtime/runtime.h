// Starting the runtime: making the builtin types, the exception hierarchy, the
// builtins module and the module registry, in that order.
#pragma once

#include <string>
#include <vector>

#include "runtime/objects.h"

namespace apy::rt {

// Makes everything; call once before compiling or running anything.
void init_runtime(std::vector<std::string> argv);

// Each builtin type's file fills in its slots and methods (the Type objects
// already exist, so types can refer to each other). One line per file:
void setup_object_type();     // types/object.cpp: object, type, NoneType, NotImplementedType, ellipsis
void setup_number_types();    // types/int.cpp, types/float.cpp: int, bool, float
void setup_str_type();        // types/str.cpp
void setup_container_types(); // types/list.cpp, tuple.cpp, dict.cpp, set.cpp, range.cpp: + slice, iterators, dict views
void setup_function_types();  // vm/: function, builtin_function, method, code, cell, frame, generator, coroutine
void setup_module_type();     // modules.cpp
void setup_exception_types(); // exceptions.cpp

// The builtins module's dict (print, len, ... and the builtin types and exceptions).
Dict* builtins_dict();
void setup_builtins();        // builtins.cpp
// enumerate, zip, map, filter, reversed (types/lazy_iterators.cpp).
std::vector<Type*> builtin_iterator_types();
// sys.argv (modules/sys.cpp).
void set_argv(std::vector<std::string> argv);

// Built-in modules: a name and the function that makes the module, one line each in modules.cpp.
struct BuiltinModuleDef {
    const char* name;
    Module* (*make)();
};
Module* make_builtins_module();
Module* make_sys_module();
// Where print() writes without a file argument: null when sys.stdout is the standard stream
// (written directly), else what sys.stdout is now; null with RuntimeError pending when
// sys.stdout was deleted.
Value redirected_stdout();
Module* make_time_module();
Module* make_math_module();
Module* make_unicodedata_module();
Module* make_random_module();

}  // namespace apy::rt
