// The import system: built-in modules first, then NAME.apy (or the package
// NAME/__init__.apy) beside the main script or on APY_PATH; each module runs
// once and is cached in sys.modules.
#pragma once

#include <string>

#include "runtime/objects.h"

namespace apy::vm {

// IMPORT_NAME: the top package for `import a.b` (empty fromlist), else the module itself.
rt::Value import_name(rt::Str* name, rt::Value fromlist, rt::Value level, rt::Dict* globals);
rt::Value import_from(rt::Value module, rt::Str* name);
bool import_star(rt::Value module, rt::Dict* target);

// Where scripts' sibling modules are found: the main script's folder.
void set_main_directory(std::string directory);

// Compiles and runs [source_text] as module [name] from [path], registering it in
// sys.modules first. Returns the module or null with the exception pending.
// SyntaxErrors become SyntaxError exceptions.
rt::Value exec_module_source(const std::string& name, const std::string& path,
                             const std::string& source_text);

// The source text of a file as loaded (for traceback lines); empty when unknown.
const std::string* loaded_source(const std::string& path);
void remember_source(const std::string& path, const std::string& text);

}  // namespace apy::vm
