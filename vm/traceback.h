// Printing an uncaught exception the way CPython does: the chain of causes and
// contexts, each with its traceback and source lines, then "Type: message".
#pragma once

#include <string>

#include "runtime/objects.h"

namespace apy::vm {

// [suggest]: add CPython's "Did you mean" to the last line of NameErrors and
// AttributeErrors, as the interpreter's report of an uncaught exception does (the traceback
// module, which asyncio's handlers use, does not in 3.11).
std::string format_exception(rt::Value exception, bool suggest = false);

// Line [line] of the file at [path], without surrounding white space ("" when unknown).
std::string source_line(const std::string& path, int line);

}  // namespace apy::vm
