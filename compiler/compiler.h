// The bytecode compiler: turns a parsed module into code objects (vm/code.h),
// following CPython 3.11's compile.c (see docs of each shape in compile_stmt.cpp).
#pragma once

#include <cstdint>

#include "lexer/source.h"
#include "parser/ast.h"
#include "vm/code.h"

namespace apy::compiler {

enum class Mode { File, Interactive };  // Interactive: expression statements use PRINT_EXPR

// Compiles a module to its code object (name "<module>"). Throws apy::SyntaxErrorInfo
// (type "SyntaxError", or "RecursionError" when the source nests too deep).
// With [top_level_await] (the REPL, for an entry that awaits), the module body becomes a
// coroutine body (RETURN_GENERATOR prefix, kCoroutine | kModuleLevel): run it by making a
// generator of a module frame (vm::make_generator) and awaiting that.
vm::Code* compile_module(const ast::Module& module, const apy::Source& source, Mode mode,
                         bool top_level_await = false);

// Net stack effect of an instruction; [jump]: along its jump edge (for the
// handler edge of SETUP_FINALLY / SETUP_WITH: the depth at the handler relative
// to the depth at the setup).
int stack_effect(vm::Op op, uint32_t operand, bool jump);

}  // namespace apy::compiler
