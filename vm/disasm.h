// A listing of code objects in the style of `python3 -m dis`, for `apy --dis` and tests.
#pragma once

#include <string>

#include "vm/code.h"

namespace apy::vm {

// Every code object, nested ones after their parent: one line per instruction with
// its source line (when it changes), index, opname, operand and what the operand means.
std::string disassemble(const Code* code);

// One instruction's text without the line and index columns ("LOAD_CONST 0 (1)").
std::string disassemble_instr(const Code* code, int index);

}  // namespace apy::vm
