// The standard library modules written in apy itself (lib/*.apy). CMake embeds each file's
// text into the binary at build time (tools/embed_library.cmake), so `import functools` works
// without any files installed beside the apy command.
#pragma once

#include <string_view>

namespace apy::lib {

struct LibraryModule {
    const char* name;    // the module name: the file's path in lib/ without .apy, dotted
    bool package;        // lib/<name>/__init__.apy: its submodules are lib/<name>/*.apy
    const char* source;  // the file's text
};

// The module's embedded source, or null when lib/ has no such module.
const LibraryModule* find_library_module(std::string_view name);

}  // namespace apy::lib
