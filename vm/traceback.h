// Printing an uncaught exception the way CPython does: the chain of causes and
// contexts, each with its traceback and source lines, then "Type: message".
#pragma once

#include <string>

#include "runtime/objects.h"

namespace apy::vm {

std::string format_exception(rt::Value exception);

// Line [line] of the file at [path], without surrounding white space ("" when unknown).
std::string source_line(const std::string& path, int line);

}  // namespace apy::vm
